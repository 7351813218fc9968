/**
 * The lean S3 calls' transport (lean.ts): node's own http/https agent, keep-alive HTTP/1.1 connections to the
 * bucket's origin. Node's built-in client costs nothing to load, where undici (used before) took about 75 ms of every
 * run's start-up on the bench machine, more than a whole incremental sync's requests.
 *
 * - At most `connections` of them (the sync's concurrency: it never has more requests in flight), one request at a
 *   time on each. Idle ones are closed after 4 s (or 1 s before the server's `Keep-Alive: timeout` when that is
 *   sooner), so one reused after a long pause between phases is not one the server is closing; idle, they never keep
 *   the process alive (the agent unrefs them).
 * - `timeoutMs` (the S3 client's request-timeout) for connecting (TLS handshake included) and for silence while
 *   waiting for the answer's head or between pieces of its body.
 * - Answers are untrusted: a body longer than the call's `maxBody` fails it and drops the connection (checked on the
 *   announced Content-Length and while reading, whatever the framing).
 * - A body is a Buffer, or a stream opened per attempt that must give exactly `size` bytes: more or fewer fails the
 *   request with the caller's `sizeMismatch` error and abandons it, before the server got a complete request.
 * - No proxies (the SDK's node:http agents use none either), no redirects, no compression.
 *
 * Failures reject with node's error codes for what went wrong on the way (ETIMEDOUT, ECONNRESET, EPROTO for a
 * malformed or oversized answer, ECONNABORTED once closed, or the socket's own ECONNREFUSED, EPIPE, TLS codes…):
 * s3-call.ts classifies any of them as a network failure worth another attempt.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

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

const coded = (code: string, text: string, cause?: unknown): CodedError =>
  Object.assign(new Error(`${text} (${code})`, { cause }), { code });

/** Node's parser and socket errors as one line that says what happened, with node's code. */
function networkError(err: CodedError): CodedError {
  if (err.code === 'HPE_UNEXPECTED_CONTENT_LENGTH')
    return coded('EPROTO', "the answer's body does not match its Content-Length", err);
  if (err.code === 'HPE_HEADER_OVERFLOW') return coded('EPROTO', "the answer's head is too large", err);
  if (err.code?.startsWith('HPE_')) return coded('EPROTO', `a malformed answer: ${err.message} [${err.code}]`, err);
  if (err.code === 'ECONNRESET' && (err.message === 'aborted' || err.message === 'socket hang up'))
    return coded('ECONNRESET', `the connection closed before the answer was complete: ${err.message}`, err);
  return err;
}

/** An agent that keeps connections only until close(): afterwards each is closed once its answer was read. */
function closingAgent(secure: boolean, maxSockets: number): http.Agent & { closed: boolean } {
  const Base: typeof http.Agent = secure ? https.Agent : http.Agent;
  class Closing extends Base {
    closed = false;
    keepSocketAlive(socket: Socket): boolean {
      // node's returns whether it kept the socket (typed as void)
      return !this.closed && (super.keepSocketAlive(socket) as unknown as boolean);
    }
  }
  // noDelay: a request's last segment goes at once, not after the server's (possibly delayed) ACK of the one before
  return new Closing({ keepAlive: true, maxSockets, timeout: IDLE_MS, scheduling: 'lifo', noDelay: true });
}

/**
 * Writes the stream to `req`, failing with `r.sizeMismatch` when it is not exactly `r.size` bytes. Each chunk is
 * written only once the next one came or the stream ended at the right size: the server never gets a whole body of
 * the announced length from a file that grew.
 */
async function writeExactly(req: http.ClientRequest, stream: Readable, r: LeanHttpRequest): Promise<void> {
  const mismatch = (n: number): Error => r.sizeMismatch?.(n) ?? new Error(`the body was ${n} bytes, not ${r.size}`);
  let read = 0;
  let held: Buffer | undefined;
  const write = async (chunk: Buffer): Promise<void> => {
    if (req.write(chunk)) return;
    // whichever comes first removes both: a large body waits for many drains on one request
    await new Promise<void>((resolve) => {
      const done = (): void => {
        req.off('drain', done).off('close', done);
        resolve();
      };
      req.on('drain', done).on('close', done);
    });
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (req.destroyed) return;
    read += chunk.length;
    if (read > r.size) throw mismatch(read);
    if (held) await write(held);
    held = chunk;
  }
  if (read !== r.size) throw mismatch(read);
  req.end(held);
}

/** The whole body, or an over-size error (the answer is destroyed, and with it the connection). */
async function readAtMost(res: http.IncomingMessage, max: number): Promise<Buffer> {
  const tooLong = (): CodedError => coded('EPROTO', `the answer's body is over ${max} bytes`);
  const announced = res.headers['content-length'];
  if (announced !== undefined && Number(announced) > max) {
    res.destroy();
    throw tooLong();
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > max) throw tooLong(); // leaving the loop destroys the answer
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, n);
}

export function createLeanHttp(o: LeanHttpOptions): LeanHttp {
  if (o.origin.protocol !== 'http:' && o.origin.protocol !== 'https:')
    throw new TypeError(`not an http(s) URL: ${o.origin.protocol}`);
  const secure = o.origin.protocol === 'https:';
  const agent = closingAgent(secure, Math.max(1, Math.floor(o.connections) || 1));
  const target = {
    agent,
    protocol: o.origin.protocol,
    hostname: o.origin.hostname.replace(/^\[|\]$/g, ''), // an IPv6 literal without its brackets
    port: o.origin.port || undefined,
    timeout: o.timeoutMs, // from the first byte of the connect on, then each silence
  };
  const request = (r: LeanHttpRequest): Promise<LeanHttpResponse> =>
    new Promise((resolve, reject) => {
      const headers = r.body ? { ...r.headers, 'content-length': String(r.size) } : r.headers;
      const req = (secure ? https : http).request({ ...target, method: r.method, path: r.path, headers });
      let connected = false;
      let failed: Error | undefined;
      const fail = (err: Error): void => {
        failed ??= err;
        req.destroy(err);
        reject(err);
      };
      req.on('socket', (socket: Socket) => {
        if (req.reusedSocket) connected = true;
        else socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
      });
      req.on('timeout', () =>
        fail(
          connected
            ? coded('ETIMEDOUT', `the server was silent for ${o.timeoutMs} ms`)
            : coded('ETIMEDOUT', `could not connect within ${o.timeoutMs} ms`),
        ),
      );
      req.on('error', (err) => fail(failed ?? networkError(err)));
      req.on('response', (res) => {
        res.on('error', () => undefined); // read below: its failure arrives as the iteration's
        readAtMost(res, r.maxBody).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
          (err: CodedError) => fail(failed ?? (err.code === 'EPROTO' ? err : networkError(err))),
        );
      });
      if (typeof r.body === 'function') {
        const stream = r.body();
        writeExactly(req, stream, r)
          .catch(fail)
          .finally(() => stream.destroy());
      } else req.end(r.body);
    });
  return {
    request: (r) => (agent.closed ? Promise.reject(coded('ECONNABORTED', 'the connections are closed')) : request(r)),
    close() {
      agent.closed = true;
      for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
    },
  };
}
