/**
 * api.github.com's HTTP conventions, shared by every route: token auth and the User-Agent rule, JSON bodies, the
 * error shapes (`{ message, errors?, documentation_url, status }`, 422 "Validation Failed" with field errors),
 * page-number pagination with the `Link` header, and the headers every answer carries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const DOCS = 'https://docs.github.com/rest';
const RATE_LIMIT = 5000;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface FieldError {
  resource: string;
  code: 'missing_field' | 'invalid' | 'custom' | 'unprocessable';
  field: string;
  message?: string;
}

export function validation(errors: FieldError[]): HttpError {
  return new HttpError(422, 'Validation Failed', { errors });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface Ctx {
  method: string;
  url: URL;
  /** The emulator's own origin, for the links it answers with. */
  base: string;
  body: unknown;
  /** The identity of the request's token. */
  login: string;
}

export interface Reply {
  status: number;
  json?: unknown;
  /** A body that is not JSON (a page, a token answer); its Content-Type is in `headers`. */
  text?: string;
  headers?: Record<string, string>;
  /** An answer of the web site (github.com), not of the API: no API or rate-limit headers. */
  web?: boolean;
}

export type Handler = (ctx: Ctx, m: RegExpMatchArray) => Reply;

/** A handler for one method on a path below `/repos/{owner}/{repo}`; `path` is a regular expression. */
export interface Route {
  method: string;
  re: RegExp;
  handle: Handler;
}

export const route = (method: string, path: string, handle: Handler): Route => ({
  method,
  re: new RegExp(`^${path}$`),
  handle,
});

/** One page of `items` per `per_page` / `page`, with GitHub's Link header (prev, next, last, first). */
export function page<T>(ctx: Ctx, items: T[], map: (item: T) => unknown): Reply {
  const q = ctx.url.searchParams;
  const rawPer = parseInt(q.get('per_page') ?? '', 10);
  const perPage = Number.isFinite(rawPer) && rawPer > 0 ? Math.min(rawPer, 100) : 30;
  const rawPage = parseInt(q.get('page') ?? '', 10);
  const pageNo = Number.isFinite(rawPage) && rawPage > 0 ? rawPage : 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number) => {
    const params = new URLSearchParams(q);
    params.delete('page');
    params.append('page', String(n));
    return `<${ctx.base}${ctx.url.pathname}?${params.toString()}>`;
  };
  const rels: string[] = [];
  if (pageNo > 1) rels.push(`${link(pageNo - 1)}; rel="prev"`);
  if (pageNo < last) rels.push(`${link(pageNo + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (pageNo > 1) rels.push(`${link(1)}; rel="first"`);
  const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage).map(map);
  return { status: 200, json: slice, headers: rels.length ? { Link: rels.join(', ') } : {} };
}

/** The request body parsed; an empty body is `undefined`. */
export function parseBody(rawBody: string): unknown {
  if (rawBody.trim() === '') return undefined;
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
}

/** The body as an object: GitHub cannot read fields out of an array or a scalar. */
export function body(ctx: Ctx): Record<string, unknown> {
  if (ctx.body === undefined) return {};
  if (!isPlainObject(ctx.body)) throw new HttpError(400, 'Problems parsing JSON');
  return ctx.body;
}

export function optional(
  b: Record<string, unknown>,
  field: string,
  type: 'string' | 'boolean',
  resource: string,
  nullable = false,
): void {
  const v = b[field];
  if (v === undefined || (nullable && v === null)) return;
  if (typeof v !== type) throw validation([{ resource, code: 'invalid', field }]);
}

/** The token of the `Authorization` header (`token …` or `bearer …`), if it has one. */
export function tokenOf(req: IncomingMessage): string | undefined {
  return /^(?:token|bearer)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** The login of the request's token; GitHub checks the User-Agent before the token. */
export function authorize(req: IncomingMessage, logins: Map<string, string>): string {
  if (!req.headers['user-agent']) {
    throw new HttpError(
      403,
      'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.',
    );
  }
  const header = req.headers.authorization;
  if (!header) throw new HttpError(401, 'Requires authentication');
  const token = tokenOf(req);
  const login = token ? logins.get(token) : undefined;
  if (!login) throw new HttpError(401, 'Bad credentials');
  return login;
}

/** GitHub's error body for a refusal; anything else thrown is the emulator's own fault, a 500. */
export function errorReply(err: unknown): Reply {
  if (err instanceof HttpError) {
    return {
      status: err.status,
      json: { message: err.message, ...err.extra, documentation_url: DOCS, status: String(err.status) },
    };
  }
  return { status: 500, json: { message: `Emulator error: ${(err as Error).message}`, status: '500' } };
}

/** The rate-limit headers of every answer: the count goes down, but no request is ever refused for it. */
export class RateLimit {
  private remaining = RATE_LIMIT;

  constructor(private readonly now: () => number) {}

  headers(): Record<string, string> {
    this.remaining = Math.max(0, this.remaining - 1);
    return {
      'X-RateLimit-Limit': String(RATE_LIMIT),
      'X-RateLimit-Remaining': String(this.remaining),
      'X-RateLimit-Used': String(RATE_LIMIT - this.remaining),
      'X-RateLimit-Reset': String(Math.floor(this.now() / 1000) + 3600),
      'X-RateLimit-Resource': 'core',
    };
  }
}

export function send(res: ServerResponse, reply: Reply, rateLimit: Record<string, string>): void {
  const api = { 'X-GitHub-Media-Type': 'github.v3; format=json', 'X-GitHub-Api-Version-Selected': '2022-11-28' };
  const headers: Record<string, string> = { ...(reply.web ? {} : { ...api, ...rateLimit }), ...reply.headers };
  if (reply.text !== undefined) {
    const length = String(Buffer.byteLength(reply.text));
    res.writeHead(reply.status, { ...headers, 'Content-Length': length }).end(reply.text);
    return;
  }
  if (reply.status === 204 || reply.json === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.json);
  res
    .writeHead(reply.status, {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
    })
    .end(text);
}
