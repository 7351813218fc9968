/**
 * One admin connection to the team's PostgreSQL (input `database-url`), bounded in time: connecting, every statement
 * (server-side `statement_timeout`) and every round trip (client-side, for a network that goes silent). Opening it
 * checks up front what every later step needs, so a missing privilege fails before anything is half made:
 * PostgreSQL 13 or later (DROP DATABASE … WITH (FORCE)) and a role that is superuser or has CREATEDB and CREATEROLE.
 */
import type pg from 'pg';
import { RetriesExhausted, withRetry } from '../retry.js';
import { secrets } from '../text/run-secrets.js';
import { connectError, DataError, SQLSTATE, statementError, type Hints } from './errors.js';
import { parseDatabaseUrl, URL_INPUT, type AdminTarget } from './url.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** CREATE DATABASE copies the template's files: a large template takes a while. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 120_000;
const MIN_SERVER_VERSION = 130000;

export interface SessionOptions {
  /** The admin URL (input `database-url`). */
  url: string;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Failures of a connection attempt worth another try: a server starting up or full, a dropped or silent socket. */
function transientConnect(err: unknown): false | object {
  const code = err instanceof DataError ? err.code : undefined;
  return code === SQLSTATE.cannotConnectNow ||
    code === SQLSTATE.tooManyConnections ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT'
    ? {}
    : false;
}

export class AdminSession {
  private constructor(
    private readonly client: pg.Client,
    readonly target: AdminTarget,
    readonly statementTimeoutMs: number,
    readonly log: (line: string) => void,
  ) {}

  static async open(o: SessionOptions): Promise<AdminSession> {
    const target = parseDatabaseUrl(o.url);
    secrets.add(target.password);
    const connectTimeoutMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const statementTimeoutMs = o.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    const log = o.log ?? (() => undefined);
    const client = await withRetry(() => connect(target, connectTimeoutMs, statementTimeoutMs), {
      what: `connect to PostgreSQL at ${target.server}`,
      transient: transientConnect,
      log,
    }).catch((err) => {
      throw err instanceof RetriesExhausted && err.last instanceof DataError
        ? new DataError(err.message, err.last.code)
        : err;
    });
    const session = new AdminSession(client, target, statementTimeoutMs, log);
    try {
      await session.checkServer();
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }

  /** Runs one statement; a failure becomes a DataError naming `what` and, for the SQLSTATEs in `hints`, what to do. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    what: string,
    sql: string,
    params: unknown[] = [],
    hints: Hints = {},
  ): Promise<R[]> {
    try {
      return (await this.client.query<R>(sql, params)).rows;
    } catch (err) {
      throw statementError(err, what, this.target.server, this.statementTimeoutMs, hints);
    }
  }

  /** `value` as an SQL string literal, for the statements that take no bind parameters (… PASSWORD, COMMENT ON). */
  literal(value: string): string {
    return this.client.escapeLiteral(value);
  }

  /**
   * Runs `fn` holding a session advisory lock on `key`, so two runs for the same preview (a push during a teardown,
   * the sweeper beside a deploy) never interleave their CREATE and DROP statements.
   */
  async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await this.query(`lock ${key}`, 'SELECT pg_advisory_lock(hashtextextended($1, 0))', [`faas-preview:${key}`]);
    try {
      return await fn();
    } finally {
      await this.query(`unlock ${key}`, 'SELECT pg_advisory_unlock(hashtextextended($1, 0))', [
        `faas-preview:${key}`,
      ]).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async checkServer(): Promise<void> {
    const [me] = await this.query<{
      user: string;
      super: boolean;
      createdb: boolean;
      createrole: boolean;
      version: number;
    }>(
      'check the admin role',
      `SELECT current_user AS user, rolsuper AS super, rolcreatedb AS createdb, rolcreaterole AS createrole,
              current_setting('server_version_num')::int AS version
         FROM pg_roles WHERE rolname = current_user`,
    );
    if (me.version < MIN_SERVER_VERSION) {
      throw new DataError(
        `PostgreSQL at ${this.target.server} is version ${me.version}; faas-preview needs 13 or later (DROP DATABASE … WITH (FORCE))`,
      );
    }
    const missing = [!me.createdb && 'CREATEDB', !me.createrole && 'CREATEROLE'].filter((m): m is string => !!m);
    if (me.super || missing.length === 0) return;
    throw new DataError(
      `role '${me.user}' of '${URL_INPUT}' (PostgreSQL at ${this.target.server}) lacks ${missing.join(' and ')}: every preview gets its own role and database, ` +
        `so the role needs both; as a superuser run ALTER ROLE "${me.user}" CREATEDB CREATEROLE, or use another role`,
      SQLSTATE.insufficientPrivilege,
    );
  }
}

async function connect(target: AdminTarget, connectTimeoutMs: number, statementTimeoutMs: number): Promise<pg.Client> {
  // loaded here, not with the deploy's code: most runs have no database, and pg's modules took ~23 ms of CPU (profiled)
  const { Client } = (await import('pg')).default;
  const client = new Client({
    connectionString: target.url,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    // The client-side bound is a little longer, so the server's own timeout (a clearer error) wins when it can.
    query_timeout: statementTimeoutMs + 10_000,
    application_name: 'faas-preview',
    keepAlive: true,
  });
  // A session the server ends between statements is an 'error' event: unhandled, it would end the action; the next
  // query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw connectError(err, target.server, target.user, connectTimeoutMs);
  }
}
