/**
 * What went wrong talking to the team's PostgreSQL, in one line that names the server (host:port, never the URL or a
 * password), the step, PostgreSQL's own words with its SQLSTATE, and what would fix it.
 */
import { URL_INPUT } from './url.js';

export class DataError extends Error {
  constructor(
    message: string,
    /** PostgreSQL's SQLSTATE (`28P01`…) or the OS error code (`ECONNREFUSED`…), when there was one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DataError';
  }
}

interface PgLike {
  code?: string;
  message?: string;
  detail?: string;
  errors?: unknown[];
}

/** SQLSTATE codes (PostgreSQL appendix A) this module explains. */
export const SQLSTATE = {
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  invalidCatalogName: '3D000',
  insufficientPrivilege: '42501',
  objectInUse: '55006',
  dependentObjects: '2BP01',
  queryCanceled: '57014',
  cannotConnectNow: '57P03',
  tooManyConnections: '53300',
} as const;

function sqlstate(err: unknown): string | undefined {
  const code = (err as PgLike)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The OS error code of a network failure (an AggregateError from happy eyeballs carries it on its first error). */
function osCode(err: unknown): string | undefined {
  const e = err as PgLike;
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e.code;
  const first = e?.errors?.[0] as PgLike | undefined;
  return typeof first?.code === 'string' ? first.code : undefined;
}

function text(err: unknown): string {
  const e = err as PgLike;
  const message = e?.message || (e?.errors?.[0] as PgLike | undefined)?.message || String(err);
  return e?.detail ? `${message} (${e.detail})` : message;
}

/** A failure to open the admin connection. */
export function connectError(err: unknown, server: string, user: string, timeoutMs: number): DataError {
  const where = `cannot connect to PostgreSQL at ${server} (input '${URL_INPUT}')`;
  const state = sqlstate(err);
  const message = text(err);
  if (state === SQLSTATE.invalidPassword)
    return new DataError(
      `${where}: the server refused the password of role '${user}' (${state}); check the password in '${URL_INPUT}'`,
      state,
    );
  if (state === SQLSTATE.invalidAuthorization)
    return new DataError(
      `${where}: ${message} (${state}); the server's pg_hba.conf does not let role '${user}' in from the runner`,
      state,
    );
  if (state === SQLSTATE.invalidCatalogName)
    return new DataError(
      `${where}: ${message} (${state}); the database in '${URL_INPUT}' is where the action connects to run CREATE DATABASE, usually 'postgres'`,
      state,
    );
  if (state) return new DataError(`${where}: ${message} (${state})`, state);
  if (/connection timeout|timeout expired/i.test(message))
    return new DataError(`${where}: no answer within ${timeoutMs / 1000}s`, 'ETIMEDOUT');
  if (/client password must be a string/.test(message))
    return new DataError(
      `${where}: the server asks role '${user}' for a password and '${URL_INPUT}' has none`,
      'NOPASSWORD',
    );
  const code = osCode(err);
  return new DataError(`${where}: ${message}`, code);
}

/** What to do about a failed statement, by SQLSTATE. */
export type Hints = Partial<Record<string, string>>;

/** A statement that failed: `what` names it ("create database shop_pr_42"), `hints` say what to do per SQLSTATE. */
export function statementError(
  err: unknown,
  what: string,
  server: string,
  timeoutMs: number,
  hints: Hints = {},
): DataError {
  const state = sqlstate(err);
  if (state === SQLSTATE.queryCanceled)
    return new DataError(
      `${what} on PostgreSQL at ${server}: no result within ${timeoutMs / 1000}s (statement timeout, ${state})`,
      state,
    );
  const hint = state && hints[state] ? `; ${hints[state]}` : '';
  return new DataError(
    `${what} on PostgreSQL at ${server}: ${text(err)}${state ? ` (${state})` : ''}${hint}`,
    state ?? osCode(err),
  );
}
