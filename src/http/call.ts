/**
 * One HTTP request to a server we do not control (gateway, registry, Prometheus, the function itself), bounded in
 * time, with an error that names the call: method, URL without credentials, and the HTTP status or the network
 * cause as the OS said it (`ECONNREFUSED 127.0.0.1:1`, `socket hang up`, `no answer within 30s`).
 *
 * node:http rather than fetch: fetch refuses the WHATWG "bad ports" (1, 6000, 10080…) with a bare "fetch failed"
 * and wraps every network error the same way; node:http reports the real cause. Keep-alive agents are shared.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { DEFAULT_RETRY, withRetry, type RetryPolicy, type Verdict } from '../retry.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Bodies are read up to this size; the rest is dropped (error bodies go into logs and comments, clipped anyway). */
const MAX_BODY = 8 * 1024 * 1024;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

export interface CallRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole-call budget: connect, send, headers and body. */
  timeoutMs?: number;
}

export interface CallResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** `METHOD url` (credentials removed), for messages. */
  call: string;
}

/** The URL as it may be printed: no user or password. */
function safeUrl(url: string | URL): string {
  const u = new URL(String(url));
  u.username = '';
  u.password = '';
  return u.toString();
}

export function describeCall(method: string, url: string | URL): string {
  return `${method} ${safeUrl(url)}`;
}

/** A call that got no HTTP answer: refused, reset, timed out, name not found. */
export class NetworkError extends Error {
  constructor(
    readonly call: string,
    readonly code: string,
    cause: string,
  ) {
    super(`${call}: ${cause}`);
    this.name = 'NetworkError';
  }
}

/** A call that got an HTTP answer the caller did not accept. */
export class StatusError extends Error {
  constructor(
    readonly call: string,
    readonly status: number,
    readonly body: string,
    readonly headers: http.IncomingHttpHeaders = {},
    hint = '',
  ) {
    const text = body.trim().replace(/\s+/g, ' ').slice(0, 300);
    super(`${call} answered ${status}${text ? `: ${text}` : ''}${hint}`);
    this.name = 'StatusError';
  }
}

function networkCause(
  err: NodeJS.ErrnoException & { address?: string; port?: number },
  timeoutMs: number,
): { code: string; text: string } {
  const code = err.code ?? 'ERROR';
  if (code === 'ETIMEDOUT' && err.message === 'faas-preview timeout')
    return { code, text: `no answer within ${formatSeconds(timeoutMs)}` };
  if (code === 'ECONNRESET' && /socket hang up/.test(err.message))
    return { code, text: 'socket hang up (the server closed the connection without answering)' };
  if (err.address) return { code, text: `${code} ${err.address}${err.port ? `:${err.port}` : ''}` };
  return { code, text: err.message || code };
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** One attempt. Any HTTP status resolves; only a missing answer rejects (NetworkError). */
export function call(req: CallRequest): Promise<CallResponse> {
  const url = new URL(String(req.url));
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const name = describeCall(req.method, url);
  const lib = url.protocol === 'https:' ? https : http;
  const agent = agents[url.protocol as 'http:' | 'https:'];
  const headers: Record<string, string> = { 'user-agent': 'faas-preview', ...req.headers };
  if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
  return new Promise((resolve, reject) => {
    const r = lib.request(url, { method: req.method, headers, agent });
    const timer = setTimeout(
      () => r.destroy(Object.assign(new Error('faas-preview timeout'), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    const fail = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const cause = networkCause(err, timeoutMs);
      reject(new NetworkError(name, cause.code, cause.text));
    };
    r.on('error', fail);
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          call: name,
        });
      });
    });
    r.end(req.body);
  });
}

/** 408, 429 and 5xx: worth another attempt; `retry-after` (seconds) is honoured when the server sends it. */
export function transientStatus(status: number, headers: http.IncomingHttpHeaders = {}): Verdict {
  if (status !== 408 && status !== 429 && status < 500) return false;
  const after = Number(headers['retry-after']);
  return Number.isFinite(after) && after > 0 ? { afterMs: Math.min(after, 60) * 1000 } : {};
}

export interface RetryingCall extends CallRequest {
  /** Statuses the caller handles itself (success and expected answers such as 404); anything else is an error. */
  accept: (status: number) => boolean;
  log?: (line: string) => void;
  policy?: RetryPolicy;
  deadline?: number;
  /** Turns an unaccepted status into an error with a hint for this server (credentials, likely causes). */
  hint?: (status: number, body: string) => string;
}

/**
 * For idempotent calls: retries network failures and transient statuses with the one retry policy, and resolves with
 * the first accepted answer. Anything else becomes a StatusError or NetworkError naming the call.
 */
export async function callWithRetry(req: RetryingCall): Promise<CallResponse> {
  return withRetry(
    async () => {
      const res = await call({ ...req, timeoutMs: budget(req) });
      if (req.accept(res.status)) return res;
      throw new StatusError(res.call, res.status, res.text, res.headers, req.hint?.(res.status, res.text) ?? '');
    },
    {
      what: describeCall(req.method, req.url),
      transient: (err) =>
        err instanceof NetworkError
          ? {}
          : err instanceof StatusError
            ? transientStatus(err.status, err.headers)
            : false,
      log: req.log,
      policy: req.policy ?? DEFAULT_RETRY,
      deadline: req.deadline,
    },
  );
}

/** The per-attempt timeout, shortened so that no attempt runs past the caller's deadline. */
function budget(req: RetryingCall): number {
  const timeout = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (req.deadline === undefined) return timeout;
  return Math.max(1, Math.min(timeout, req.deadline - Date.now()));
}
