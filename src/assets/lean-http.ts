/**
 * The lean S3 calls' transport (lean.ts): an undici Pool of keep-alive HTTP/1.1 connections to the bucket's origin.
 *
 * - At most `connections` of them (the sync's concurrency: it never has more requests in flight), one request at a
 *   time on each. Idle ones are closed after 4 s, below the keep-alive timeouts of S3 servers, whatever the server's
 *   `Keep-Alive` hint says, so one reused after a long pause between phases is not one the server is closing; idle,
 *   they never keep the process alive (undici unrefs them).
 * - `timeoutMs` (the S3 client's request-timeout) for connecting and for silence while waiting for the answer's head
 *   or between pieces of its body.
 * - Answers are untrusted: a body longer than the call's `maxBody` fails it and drops the connection (checked on the
 *   announced Content-Length and while reading, whatever the framing).
 * - A body is a Buffer, or a stream opened per attempt that must give exactly `size` bytes: more or fewer fails the
 *   request with the caller's `sizeMismatch` error and abandons it, before the server got a complete request.
 * - No proxies (the SDK's node:http agents use none either), no redirects, no compression.
 *
 * Failures reject with node's error codes for what went wrong on the way (ETIMEDOUT, ECONNRESET, EPROTO for a
 * malformed or oversized answer, ECONNABORTED once closed, or the socket's own ECONNREFUSED, EPIPE, TLS codes…),
 * undici's error as the cause: s3-call.ts classifies any of them as a network failure worth another attempt.
 */
import { Readable } from 'node:stream';
import { Pool } from 'undici';

export interface LeanHttpOptions {
  /** The origin: `http:` or `https:`, host and port; the path is ignored. */
  origin: URL;
  connections: number;
  timeoutMs: number;
}

export interface LeanHttpRequest {
  method: string;
  /** As sent on the request line: encoded, query included. */
  path: string;
  /** Lower-case names; `content-length` is added from `size` when there is a body. */
  headers: Record<string, string>;
  /** The bytes, or a function opening a fresh stream of them. */
  body?: Buffer | (() => Readable);
  size: number;
  /** The error a stream that ends with another size than `size` fails with. */
  sizeMismatch?: (sent: number) => Error;
  /** The longest answer body accepted. */
  maxBody: number;
}

export interface LeanHttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface LeanHttp {
  /** One attempt: the answer, whatever its status, or a network error. */
  request(req: LeanHttpRequest): Promise<LeanHttpResponse>;
  /** Closes the connections once their requests are answered; requests after it fail. */
  close(): void;
}

const IDLE_MS = 4000;

type CodedError = Error & { code?: string };

/** undici's error as node's code for it and one line that says what happened. */
function networkError(err: CodedError, timeoutMs: number): CodedError {
  const coded = (code: string, text: string): CodedError =>
    Object.assign(new Error(`${text} (${code})`, { cause: err }), { code });
  switch (err.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return coded('ETIMEDOUT', `could not connect within ${timeoutMs} ms`);
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return coded('ETIMEDOUT', `the server was silent for ${timeoutMs} ms`);
    case 'UND_ERR_SOCKET':
      return coded('ECONNRESET', `the connection closed before the answer was complete: ${err.message}`);
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return coded('EPROTO', "the answer's body does not match its Content-Length");
    case 'UND_ERR_HEADERS_OVERFLOW':
      return coded('EPROTO', "the answer's head is too large");
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return coded('ECONNABORTED', 'the connection pool is closed');
  }
  if (err.code?.startsWith('HPE_')) return coded('EPROTO', `a malformed answer: ${err.message} [${err.code}]`);
  return err;
}

/**
 * The stream, failing with `req.sizeMismatch` when it is not exactly `req.size` bytes. Each chunk is passed on only
 * once the next one came or the stream ended at the right size: the server never gets a whole body of the announced
 * length from a file that grew.
 */
async function* exactly(stream: Readable, req: LeanHttpRequest): AsyncGenerator<Buffer> {
  const mismatch = (n: number): Error => req.sizeMismatch?.(n) ?? new Error(`the body was ${n} bytes, not ${req.size}`);
  let read = 0;
  let held: Buffer | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    read += chunk.length;
    if (read > req.size) throw mismatch(read);
    if (held) yield held;
    held = chunk;
  }
  if (read !== req.size) throw mismatch(read);
  if (held) yield held;
}

/** The whole body, or an over-size error (the body is destroyed, and with it the connection). */
async function readAtMost(body: Readable, announced: string | string[] | undefined, max: number): Promise<Buffer> {
  const tooLong = (): CodedError =>
    Object.assign(new Error(`the answer's body is over ${max} bytes (EPROTO)`), { code: 'EPROTO' });
  if (typeof announced === 'string' && Number(announced) > max) {
    body.on('error', () => undefined).destroy(); // undici reports the abort as the body's error: nobody reads it now
    throw tooLong();
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > max) throw tooLong(); // leaving the loop destroys the body
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, n);
}

export function createLeanHttp(o: LeanHttpOptions): LeanHttp {
  if (o.origin.protocol !== 'http:' && o.origin.protocol !== 'https:')
    throw new TypeError(`not an http(s) URL: ${o.origin.protocol}`);
  const pool = new Pool(o.origin.origin, {
    connections: Math.max(1, Math.floor(o.connections) || 1),
    connectTimeout: o.timeoutMs,
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    keepAliveTimeout: IDLE_MS,
    keepAliveMaxTimeout: IDLE_MS,
  });
  return {
    async request(req) {
      const stream = typeof req.body === 'function' ? req.body() : undefined;
      const body = stream
        ? Readable.from(exactly(stream, req), { objectMode: false })
        : (req.body as Buffer | undefined);
      const headers = body ? { ...req.headers, 'content-length': String(req.size) } : req.headers;
      try {
        const res = await pool.request({ method: req.method as 'GET', path: req.path, headers, body });
        const data = await readAtMost(res.body, res.headers['content-length'], req.maxBody);
        return { status: res.statusCode, headers: res.headers, body: data };
      } catch (err) {
        throw networkError(err as CodedError, o.timeoutMs);
      } finally {
        stream?.destroy(); // read to its end, or abandoned: an answer before the whole body, or no connection at all
      }
    },
    close() {
      pool.close().catch(() => undefined); // closing only fails when it was already destroyed
    },
  };
}
