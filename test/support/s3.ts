/**
 * In-process S3 for tests, the demo and the bench: s3rver (the S3 REST protocol, stored in a temporary directory)
 * on 127.0.0.1, a random port, with one bucket. `close()` destroys open sockets and removes the directory, so a
 * server never keeps the process alive. Requests pass a wire tap (tapRequests) that records them and injects faults;
 * test/support/rgw.ts puts the same tap in front of Ceph radosgw.
 *
 * s3rver facts worth knowing: it checks the access key but not SigV4 signatures (its v4 check is unimplemented:
 * lib/middleware/authentication.js), gives multipart objects the MD5 of the whole content as ETag (real S3 and
 * radosgw give `md5-of-part-md5s-N`), ignores DeleteObjects' Quiet flag, and stores aws-chunked bodies verbatim
 * (hence checksums WHEN_REQUIRED in the client). Two s3rver bugs are patched below (DES continuation tokens, a
 * delete race).
 */
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3Connection, type S3Connection } from '../../src/assets/s3.js';
import { createS3Client } from '../../src/assets/s3-client.js';
import type { AssetSettings } from '../../src/settings.js';
import { createStateStore, type StateStore } from '../../src/state/store.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node ≥ 17) no longer
 * provides: every truncated listing (more than 1,000 keys) answers 500 InternalError. The token is opaque
 * and only ever read back by s3rver itself, so its 'des' calls are served by AES-128-CBC (key and IV
 * zero-padded to 16 bytes). Every other algorithm goes straight to the real implementation.
 */
let desShimInstalled = false;
function installDesShim(): void {
  if (desShimInstalled) return;
  desShimInstalled = true;
  const pad = (b: crypto.BinaryLike | crypto.KeyObject | null): Buffer => {
    const out = Buffer.alloc(16);
    Buffer.from(b as Buffer).copy(out);
    return out;
  };
  const origCipher = crypto.createCipheriv;
  const origDecipher = crypto.createDecipheriv;
  const c = crypto as unknown as Record<string, unknown>;
  c.createCipheriv = (alg: string, key: Buffer, iv: Buffer, opts?: unknown) =>
    alg === 'des'
      ? origCipher('aes-128-cbc', pad(key), pad(iv))
      : (origCipher as (...a: unknown[]) => unknown)(alg, key, iv, opts);
  c.createDecipheriv = (alg: string, key: Buffer, iv: Buffer, opts?: unknown) =>
    alg === 'des'
      ? origDecipher('aes-128-cbc', pad(key), pad(iv))
      : (origDecipher as (...a: unknown[]) => unknown)(alg, key, iv, opts);
}

/**
 * s3rver's FilesystemStore.deleteObject removes directories left empty, racing with itself when DeleteObjects
 * deletes the last keys of a directory concurrently: readdir/rmdir of a directory already removed throws
 * ENOENT and the request answers 500 (the SDK then retries). Ignore exactly those cleanup errors.
 */
let deleteRaceFixed = false;
function fixDeleteRace(require: NodeRequire): void {
  if (deleteRaceFixed) return;
  deleteRaceFixed = true;
  const store = require('s3rver/lib/stores/filesystem') as { prototype: Record<string, unknown> };
  const orig = store.prototype.deleteObject as (this: unknown, bucket: string, key: string) => Promise<void>;
  store.prototype.deleteObject = async function (this: unknown, bucket: string, key: string): Promise<void> {
    try {
      await orig.call(this, bucket, key);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY') throw err;
    }
  };
}

export type S3Kind = 's3rver' | 'rgw';

export interface S3Request {
  method: string;
  url: string;
  /** Order of arrival and of the answer being sent, on one counter shared by all requests. */
  start: number;
  end?: number;
}

/**
 * What the server does with a request instead of answering it normally: drop the connection (a network error
 * for the client), never answer (a hung server: the client's timeout must end it), answer with an S3 error, or
 * answer normally with a rewritten body.
 */
export type Interception =
  | { reset: true }
  | { stall: true }
  | { status: number; code: string; message: string }
  | { rewriteBody: (body: string) => string };

type Interceptor = (req: IncomingMessage) => Interception | undefined;

/** A real S3 server for tests: s3rver in process, or Ceph radosgw (test/support/rgw.ts). */
export interface S3Emulator {
  kind: S3Kind;
  endpoint: string;
  bucket: string;
  client: S3Client;
  /** The same bucket as the asset calls take it (they sign without the SDK here: endpoint and keys are static). */
  connection: S3Connection;
  /** The state store on `connection` (src/state/store.ts), under `statePrefix` (default `.faas-preview`). */
  state(statePrefix?: string): StateStore;
  settings: AssetSettings;
  listKeys(prefix?: string): Promise<string[]>;
  /** Requests the server received so far (all clients, including aws-cli and rclone in the bench). */
  requests(): S3Request[];
  clearRequests(): void;
  /** Faults and rewrites on the wire, as a real server or network would produce them; returns the undo. */
  intercept(fn: Interceptor): () => void;
  close(): Promise<void>;
}

/** s3rver (koa) sends a string body with one `res.end(body)` after setting its headers: rewrite it there. */
function rewriteAnswer(res: ServerResponse, rewrite: (body: string) => string): void {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    if (chunk === undefined || typeof chunk === 'function') return end(chunk);
    const body = rewrite(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk as string));
    if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
    return end(body);
  }) as typeof res.end;
}

export interface StartS3Options {
  bucket?: string;
  /** `concurrency` in the returned settings (default 8). */
  concurrency?: number;
  /** Delay before each request is handled, to model a network round trip (default 0). */
  latencyMs?: number;
  /** Where the server stores its data (default: a new directory under the OS temp dir; removed on close). */
  parentDir?: string;
}

/** What tests see of the server's wire: every request in order of arrival, and faults injected before it is handled. */
export interface WireTap {
  requests(): S3Request[];
  clearRequests(): void;
  intercept(fn: Interceptor): () => void;
}

/**
 * Serve `server`'s requests through a tap: record each one, apply the interceptor, wait `latencyMs`, then `handle` it.
 * `handle` must answer with one `res.end(body)` after setting its headers (s3rver does; the rgw proxy does too), so
 * that a body rewrite can fix Content-Length.
 */
export function tapRequests(
  server: Server,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  latencyMs = 0,
): WireTap {
  const log: S3Request[] = [];
  let seq = 0;
  let interceptor: Interceptor | undefined;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const entry: S3Request = { method: req.method ?? '', url: req.url ?? '', start: ++seq };
    log.push(entry);
    res.on('finish', () => (entry.end = ++seq));
    const action = interceptor?.(req);
    if (action && 'reset' in action) {
      req.socket.destroy();
      return;
    }
    if (action && 'stall' in action) {
      req.resume();
      return;
    }
    if (action && 'status' in action) {
      req.resume();
      res.writeHead(action.status, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${action.code}</Code><Message>${action.message}</Message></Error>`,
      );
      return;
    }
    if (action) rewriteAnswer(res, action.rewriteBody);
    if (latencyMs > 0) setTimeout(() => handle(req, res), latencyMs);
    else handle(req, res);
  });
  return {
    requests: () => [...log],
    clearRequests: () => void (log.length = 0),
    intercept(fn: Interceptor): () => void {
      interceptor = fn;
      return () => void (interceptor = undefined);
    },
  };
}

/** The settings a sync needs to reach `endpoint` as the given S3 user. */
export function bucketSettings(
  bucket: string,
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  concurrency = 8,
): AssetSettings {
  return {
    bucket,
    endpoint,
    region: 'us-east-1',
    ...credentials,
    includeDotfiles: false,
    cacheControl: 'no-cache',
    cacheControlFingerprinted: 'public, max-age=31536000, immutable',
    concurrency,
  };
}

/** Every key under `prefix`, sorted, through all ListObjectsV2 pages. */
async function listAllKeys(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export interface StartedServer {
  kind: S3Kind;
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  concurrency?: number;
  tap: WireTap;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/**
 * The asset calls' connection signing through `client`: its endpoint rules, credentials and clock, as for credentials
 * only the SDK's provider chain finds (none in the settings or the environment).
 */
export function sdkConnection(client: S3Client, settings: AssetSettings, requestTimeoutMs?: number): S3Connection {
  const withoutKeys = { ...settings, accessKeyId: undefined, secretAccessKey: undefined };
  return s3Connection(withoutKeys, { client, env: {}, requestTimeoutMs });
}

/** A started server as tests use it: a client with the server's user, the bucket made, the tap's log empty. */
export async function connectTo(server: StartedServer): Promise<S3Emulator> {
  const { kind, endpoint, bucket, tap } = server;
  const settings = bucketSettings(bucket, endpoint, server.credentials, server.concurrency);
  const client = createS3Client(settings);
  try {
    // s3rver's configureBuckets already made it; CreateBucket checks the client works either way.
    await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: { name?: string }) => {
      if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
    });
  } catch (err) {
    client.destroy();
    throw err;
  }
  tap.clearRequests();
  const connection = s3Connection(settings, { client, env: {} });
  return {
    kind,
    endpoint,
    bucket,
    client,
    connection,
    state: (statePrefix = '.faas-preview') => createStateStore(connection, bucket, statePrefix),
    settings,
    listKeys: (prefix) => listAllKeys(client, bucket, prefix),
    ...tap,
    async close(): Promise<void> {
      client.destroy();
      await server.stop();
    },
  };
}

export async function startS3(options: StartS3Options = {}): Promise<S3Emulator> {
  installDesShim();
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver') as S3rverCtor;
  fixDeleteRace(require);
  const bucket = options.bucket ?? 'previews';
  const directory = mkdtempSync(join(options.parentDir ?? tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  const httpServer = server.httpServer!;
  const handlers = httpServer.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  httpServer.removeAllListeners('request');
  return connectTo({
    kind: 's3rver',
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    concurrency: options.concurrency,
    tap: tapRequests(
      httpServer,
      (req, res) => handlers.forEach((h) => h.call(httpServer, req, res)),
      options.latencyMs,
    ),
    async stop(): Promise<void> {
      const closed = server.close().catch(() => undefined);
      httpServer.closeAllConnections();
      await closed;
      rmSync(directory, { recursive: true, force: true });
    },
  });
}
