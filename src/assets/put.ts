/**
 * A lean single-part PutObject for the sync's many small objects: the SDK's SigV4 signer and endpoint
 * rules, without the SDK's per-request middleware stack (~0.6 ms of CPU a request, the largest client cost
 * of a cold upload of a few thousand files).
 *
 * - URL: the client's own endpoint resolution, run once per sync for the bucket (path-style with a custom
 *   endpoint, virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com` otherwise, path-style for dotted
 *   buckets; FIPS, dual-stack, China partitions as the client resolves them). The key is appended with each
 *   segment RFC 3986-encoded, `/` kept, encoded once (the canonical URI S3 expects, `uriEscapePath: false`).
 * - Signing: `SignatureV4` (the SDK's signer) with `x-amz-content-sha256: UNSIGNED-PAYLOAD` (no body hash),
 *   the client's sha256 implementation, credentials from the client's own provider chain (env, OIDC web
 *   identity, session tokens), re-resolved before they expire, and the client's clock-skew offset.
 * - Transport: node:http/https with a keep-alive agent of `maxSockets` sockets, the client's time limits for
 *   connecting and for silence on the socket (`requestTimeoutOf`), `User-Agent: faas-preview`.
 * - A non-2xx answer rejects with an S3ResponseError that carries the status, S3's XML Code and Message (empty
 *   on radosgw) and the headers, in the SDK's error shape (`name`, `$metadata.httpStatusCode`), so s3-call.ts
 *   reads both alike; network errors and timeouts reject with node's error and its `code` (no `$metadata`).
 *   One attempt per call: the caller retries.
 *
 * Not for multipart uploads, listings or deletes: those stay on the SDK.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { SignatureV4 } from '@smithy/signature-v4';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import { FileChanged } from './local.js';
import { requestTimeoutOf } from './s3.js';

type SignerInit = ConstructorParameters<typeof SignatureV4>[0];
type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date };

/** An S3 error answer, in the shape of the SDK's service exceptions (name = S3's Code). */
export class S3ResponseError extends Error {
  readonly Code: string;
  /** The body's `<Message>` as it was, possibly empty. */
  readonly Message: string;
  readonly $metadata: { httpStatusCode: number; requestId?: string };
  readonly $fault: 'client' | 'server';

  constructor(
    status: number,
    code: string,
    message: string,
    what: string,
    readonly headers: http.IncomingHttpHeaders = {},
  ) {
    super(`${what} answered HTTP ${status} ${code || '(no S3 error code)'}${message ? `: ${message}` : ''}`);
    this.name = code || `Http${status}`;
    this.Code = code;
    this.Message = message;
    const requestId = headers['x-amz-request-id'];
    this.$metadata = { httpStatusCode: status, requestId: typeof requestId === 'string' ? requestId : undefined };
    this.$fault = status >= 500 ? 'server' : 'client';
  }
}

const UNRESERVED_EXTRA = /[!'()*]/g;

/** An object key as a URL path: each segment RFC 3986-encoded (unreserved characters kept), `/` kept. */
export function encodeKeyPath(key: string): string {
  let out = '';
  let start = 0;
  for (;;) {
    const slash = key.indexOf('/', start);
    const seg = key.slice(start, slash === -1 ? undefined : slash);
    out += encodeURIComponent(seg).replace(UNRESERVED_EXTRA, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    if (slash === -1) return out;
    out += '/';
    start = slash + 1;
  }
}

/** `<Code>` and `<Message>` of an S3 XML error body (empty strings when absent, e.g. HEAD or no body). */
export function parseS3Error(xml: string): { code: string; message: string } {
  const tag = (name: string): string => {
    const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
    return m ? unescapeXml(m[1].trim()) : '';
  };
  return { code: tag('Code'), message: tag('Message') };
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    if (e === 'amp') return '&';
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

export interface PutHeaders {
  contentType: string;
  cacheControl: string;
}

export interface DirectPut {
  /**
   * One PUT attempt of `body` (a Buffer, or a function opening a fresh stream of exactly `size` bytes) to
   * `key`. Resolves once S3 answered 2xx and the answer was read.
   */
  put(key: string, body: Buffer | (() => Readable), size: number, headers: PutHeaders): Promise<void>;
  /** HTTP attempts made so far. */
  requests(): number;
  /** Close idle keep-alive sockets. */
  close(): void;
}

const MAX_ERROR_BODY = 64 * 1024;

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

/** Where and how a bucket's PUTs go: the client's own endpoint resolution for PutObject. */
export interface PutTarget {
  /** Endpoint of the bucket: `https://<bucket>.s3.<region>.amazonaws.com/`, `<endpoint>/<bucket>`, … */
  url: URL;
  signingRegion: string;
  signingName: string;
}

/**
 * `bucket`'s PutObject endpoint as `client` resolves it, or undefined when it needs what only the SDK does:
 * another auth scheme than plain SigV4 (S3 Express, multi-region access points), an endpoint that is
 * neither http nor https, or an endpoint the rules reject (the SDK path then reports it in its own words).
 */
export async function resolveTarget(client: S3Client, bucket: string): Promise<PutTarget | undefined> {
  let endpoint: Awaited<ReturnType<typeof getEndpointFromInstructions>>;
  try {
    endpoint = await getEndpointFromInstructions(
      { Bucket: bucket, Key: 'k' },
      PutObjectCommand,
      client.config as unknown as Parameters<typeof getEndpointFromInstructions>[2],
    );
  } catch {
    return undefined;
  }
  const schemes = (endpoint.properties?.authSchemes ?? []) as { name?: string; signingName?: string; signingRegion?: string }[];
  const scheme = schemes[0];
  if (!scheme || scheme.name !== 'sigv4' || !scheme.signingRegion) return undefined;
  const url = endpoint.url;
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search) return undefined;
  return { url, signingRegion: scheme.signingRegion, signingName: scheme.signingName ?? 's3' };
}

/** A DirectPut for `bucket` through `client`'s endpoint, credentials and clock; undefined: use the SDK. */
export async function createDirectPut(
  client: S3Client,
  bucket: string,
  opts: { maxSockets: number },
): Promise<DirectPut | undefined> {
  const config = client.config as unknown as {
    credentials?: () => Promise<Credentials>;
    sha256: SignerInit['sha256'];
    systemClockOffset?: number;
  };
  if (typeof config.credentials !== 'function' || !config.sha256) return undefined;
  const timeoutMs = requestTimeoutOf(client);
  const resolved = await resolveTarget(client, bucket);
  if (!resolved) return undefined;
  const { url } = resolved;

  const provider = config.credentials;
  let creds: Credentials | undefined;
  const credentials = async (): Promise<Credentials> => {
    // the provider memoises and refreshes by itself; asking it again only when ours is about to expire
    if (!creds || (creds.expiration && creds.expiration.getTime() - Date.now() < 5 * 60_000)) creds = await provider();
    return creds;
  };
  await credentials(); // fail early (no credentials at all) rather than once per file

  const signer = new SignatureV4({
    credentials,
    region: resolved.signingRegion,
    service: resolved.signingName,
    sha256: config.sha256,
    uriEscapePath: false, // the path is already encoded once, as S3's canonical URI wants it
    applyChecksum: false,
  });

  const secure = url.protocol === 'https:';
  const mod = secure ? https : http;
  const agent = new mod.Agent({ keepAlive: true, maxSockets: Math.max(1, Math.floor(opts.maxSockets) || 1) });
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literal without brackets for node
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const host = url.host;
  const base = url.pathname.endsWith('/') ? url.pathname : url.pathname + '/';
  let attempts = 0;

  const send = (
    path: string,
    headers: Record<string, string>,
    body: Buffer | (() => Readable),
    size: number,
  ): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: Error): void => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      };
      const req = mod.request({ hostname, port, method: 'PUT', path, headers, agent });
      const what = (): string => `PUT ${url.protocol}//${host}${path}`;
      req.setTimeout(timeoutMs, () => req.destroy(timeoutError(`${what()}: the server was silent for ${timeoutMs} ms (ETIMEDOUT)`)));
      req.on('socket', (socket) => {
        if (!socket.connecting) return; // a kept-alive socket
        const timer = setTimeout(
          () => req.destroy(timeoutError(`${what()}: could not connect within ${timeoutMs} ms (ETIMEDOUT)`)),
          timeoutMs,
        );
        socket.once('connect', () => clearTimeout(timer));
        req.once('close', () => clearTimeout(timer));
      });
      req.on('error', (err) => done(err));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          res.on('end', () => done());
          res.on('error', (err) => done(err));
          res.resume();
          return;
        }
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (c: Buffer) => {
          if (n < MAX_ERROR_BODY) chunks.push(c), (n += c.length);
        });
        res.on('error', (err) => done(err));
        res.on('end', () => {
          const { code, message } = parseS3Error(Buffer.concat(chunks).toString('utf8'));
          if (code === 'RequestTimeTooSkewed' || code === 'RequestExpired') {
            // the SDK's own skew correction, shared with it: the next attempt is signed with the server's time
            const serverTime = Date.parse(String(res.headers.date ?? ''));
            if (!Number.isNaN(serverTime)) config.systemClockOffset = serverTime - Date.now();
          }
          done(new S3ResponseError(status, code, message, what(), res.headers));
        });
      });
      if (Buffer.isBuffer(body)) {
        req.end(body);
      } else {
        // Exactly `size` bytes, or the request is abandoned: a file that changed size since the walk would
        // otherwise leave S3 waiting for the missing bytes (or store a truncated object).
        const stream = body();
        let sent = 0;
        const fail = (err: Error): void => {
          req.destroy(err);
          done(err);
        };
        stream.on('data', (chunk: Buffer) => {
          sent += chunk.length;
          if (sent > size) fail(new FileChanged(what(), `it grew past the ${size} bytes the walk saw`));
        });
        stream.on('end', () => {
          if (sent !== size) fail(new FileChanged(what(), `it shrank to ${sent} of the ${size} bytes the walk saw`));
        });
        stream.on('error', fail);
        req.on('close', () => stream.destroy());
        stream.pipe(req);
      }
    });

  return {
    async put(key, body, size, h): Promise<void> {
      const path = base + encodeKeyPath(key);
      const signed = await signer.sign(
        {
          method: 'PUT',
          protocol: url.protocol,
          hostname,
          port,
          path,
          query: {},
          headers: {
            host,
            'content-type': h.contentType,
            'content-length': String(size),
            'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
          },
        },
        { signingDate: new Date(Date.now() + (config.systemClockOffset ?? 0)) },
      );
      const headers = signed.headers as Record<string, string>;
      // never signed (SigV4 leaves both out), sent as they are
      headers['cache-control'] = h.cacheControl;
      headers['user-agent'] = 'faas-preview';
      attempts++;
      return send(path, headers, body, size);
    },
    requests: () => attempts,
    close: () => agent.destroy(),
  };
}
