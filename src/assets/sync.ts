/**
 * Static-asset sync (I/O): `static-dir` → `s3://<bucket>/<name>/`.
 *
 * 1. Walk the directory (local.ts) and list the remote prefix ONCE (ListObjectsV2 pages).
 * 2. Hash only the files that could be unchanged (same key, same size), in the ETag form the remote has.
 * 3. Upload changed files with bounded concurrency: everything but HTML first, HTML last, so a page
 *    never references an asset that is not there yet. Streaming bodies; multipart above 8 MiB.
 * 4. Delete stale keys last (DeleteObjects, 1,000 keys a request).
 *
 * Single-part uploads go through put.ts (SigV4-signed PUTs on node:http, without the SDK's per-request
 * middleware: most of the client's CPU on a cold upload of many small files), unless the client carries
 * middleware of its own (tracing, fault injection in tests), which then sees every request on the SDK path.
 * Multipart uploads, listings and deletes always use the SDK.
 *
 * Every S3 call goes through s3-call.ts: a failure names the operation, bucket, key or prefix, HTTP status and S3
 * code. Uploads the SDK cannot repeat (streamed bodies; put.ts makes one attempt a call) are retried there with the
 * action's one retry policy, with a fresh stream each time.
 *
 * Files are opened with O_NONBLOCK and read only while they are still regular files: one replaced by a FIFO after
 * the walk fails at once instead of blocking the sync on a writer that never comes.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, type ReadStream } from 'node:fs';
import { DEFAULT_UPLOAD_CONCURRENCY } from '../settings.js';
import { cacheControl, contentType } from './headers.js';
import { FileChanged, walkLocal, type LocalFile } from './local.js';
import { createDirectPut, type DirectPut } from './put.js';
import { S3OperationError, s3Operation, type S3Target } from './s3-call.js';
import {
  batches,
  hashRequests,
  multipartEtag,
  normalizeEtag,
  partCount,
  planSync,
  PART_SIZE,
  usesMultipart,
  type HashKind,
  type RemoteObject,
} from './plan.js';

export interface SyncOptions {
  bucket: string;
  /** `<name>/`: non-empty, ends with `/`. */
  prefix: string;
  dir: string;
  includeDotfiles: boolean;
  cacheControl: string;
  cacheControlFingerprinted: string;
  concurrency: number;
  log?: (line: string) => void;
}

export interface SyncResult {
  uploaded: number;
  skipped: number;
  deleted: number;
  bytesUploaded: number;
  /** S3 requests made (every HTTP attempt), counted with a client middleware. */
  requests: number;
}

const HASH_CONCURRENCY = 8;
const READ_CHUNK = 256 * 1024;
/**
 * Files up to this size are read whole (one open/read/close, no stream machinery: most of a site's files,
 * and most of the client's CPU time with streams) and sent as a Buffer; larger ones are streamed. At most
 * `concurrency` such buffers exist at a time.
 */
const SMALL_FILE = 256 * 1024;

/** Opening never waits (a FIFO would block it until a writer comes); regular files read as usual. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** A descriptor of `path` for reading, if it is still the regular file the walk saw. */
function openRegular(path: string): number {
  const fd = openSync(path, READ_FLAGS);
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  throw new FileChanged(path, 'it is no longer a regular file');
}

function fileStream(path: string, range: { start?: number; end?: number } = {}): ReadStream {
  return createReadStream(path, { fd: openRegular(path), highWaterMark: READ_CHUNK, ...range });
}

/**
 * Read a small file whole into `buf` (reused between requests: fewer allocations, a flatter RSS). A
 * synchronous open/read/close of a small file costs microseconds, less than the thread-pool round trips of
 * the async calls. Throws when the file's size no longer matches the walk's.
 */
function readSmall(path: string, size: number, buf: Buffer): Buffer {
  const fd = openRegular(path);
  try {
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) break;
    }
    if (n !== size) throw new FileChanged(path, `${n} bytes, the walk saw ${size}`);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Reusable read buffers, one per request slot at most. */
class BufferPool {
  private free: Buffer[] = [];
  constructor(private readonly size: number) {}
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }
  give(b: Buffer): void {
    this.free.push(b);
  }
  clear(): void {
    this.free = [];
  }
}
const smallBuffers = new BufferPool(SMALL_FILE + 1);

function checkPrefix(prefix: string): void {
  if (!prefix || !prefix.endsWith('/') || prefix.startsWith('/') || prefix.split('/').includes('..')) {
    throw new Error(`invalid asset prefix ${JSON.stringify(prefix)}: expected "<name>/"`);
  }
}

let counterSeq = 0;

/** Counts every HTTP attempt made through `client` until `stop()` (the deserialize step runs per attempt). */
function countRequests(client: S3Client): { count(): number; stop(): void } {
  const name = `faasPreviewRequestCounter${++counterSeq}`;
  let n = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      n++;
      return next(args);
    },
    { step: 'deserialize', name },
  );
  return { count: () => n, stop: () => void client.middlewareStack.remove(name) };
}

/** At most `n` tasks at a time; after a failure no new task starts (in-flight ones finish). */
function limiter(n: number): { run<T>(fn: () => Promise<T>): Promise<T>; fail(): void } {
  let active = 0;
  let failed = false;
  const queue: (() => void)[] = [];
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      while (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
      if (failed) {
        queue.shift()?.();
        throw new Error('cancelled after an earlier failure');
      }
      active++;
      try {
        return await fn();
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        active--;
        queue.shift()?.();
      }
    },
    fail(): void {
      failed = true;
    },
  };
}

/**
 * Run `fn` over `items` with `workers` loops pulling the next item (no promise per pending item). After a
 * failure no new item starts; running ones finish, then the first error is thrown.
 */
async function forEachLimited<T>(items: readonly T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let error: { err: unknown } | undefined;
  const loop = async (): Promise<void> => {
    while (!error && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        error ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, loop));
  if (error) throw error.err;
}

/** Settle all, then throw the first real error (so nothing is left running behind a rejection). */
async function allOrThrow<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const errors = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
  if (errors.length) {
    const real = errors.find((e) => !(e instanceof Error && e.message === 'cancelled after an earlier failure'));
    throw real ?? errors[0];
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** One attempt of a command whose body is a fresh file stream, destroyed whatever the outcome. */
async function withStream<T>(open: () => ReadStream, send: (body: ReadStream) => Promise<T>): Promise<T> {
  const body = open();
  try {
    return await send(body);
  } finally {
    body.destroy();
  }
}

/** One page of `prefix`'s listing. */
function listPage(client: S3Client, bucket: string, prefix: string, token: string | undefined): Promise<ListObjectsV2CommandOutput> {
  return s3Operation({ operation: 'ListObjectsV2', bucket, prefix }, () =>
    client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
  );
}

export async function listRemote(client: S3Client, bucket: string, prefix: string): Promise<Map<string, RemoteObject>> {
  const remote = new Map<string, RemoteObject>();
  let token: string | undefined;
  do {
    const page = await listPage(client, bucket, prefix, token);
    for (const o of page.Contents ?? []) {
      if (!o.Key || !o.Key.startsWith(prefix)) continue;
      remote.set(o.Key.slice(prefix.length), { size: o.Size ?? 0, etag: normalizeEtag(o.ETag) });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return remote;
}

/** The file's hash in ETag form: `<md5>` or, for `multipart`, `md5(part md5s)-<N>` with PART_SIZE parts. */
export async function hashFile(
  path: string,
  kind: HashKind,
  opts: { size?: number; partSize?: number } = {},
): Promise<string> {
  const partSize = opts.partSize ?? PART_SIZE;
  if (kind === 'md5') {
    if (opts.size !== undefined && opts.size <= SMALL_FILE) {
      const buf = smallBuffers.take();
      try {
        return createHash('md5').update(readSmall(path, opts.size, buf)).digest('hex');
      } finally {
        smallBuffers.give(buf);
      }
    }
  }
  const stream = fileStream(path);
  if (kind === 'md5') {
    const h = createHash('md5');
    for await (const chunk of stream) h.update(chunk as Buffer);
    return h.digest('hex');
  }
  const digests: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const c of stream) {
    const chunk = c as Buffer;
    let off = 0;
    while (off < chunk.length) {
      const take = Math.min(chunk.length - off, partSize - inPart);
      part.update(chunk.subarray(off, off + take));
      inPart += take;
      off += take;
      if (inPart === partSize) {
        digests.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0 || digests.length === 0) digests.push(part.digest());
  return multipartEtag(digests, (d) => createHash('md5').update(d).digest('hex'));
}

/**
 * Deletes `keys` (all under `prefix`) in batches of 1,000. Quiet mode: the answer lists only the keys that failed
 * (radosgw honours Quiet; s3rver ignores it and lists every key, which is read the same way).
 */
async function deleteKeys(client: S3Client, bucket: string, prefix: string, keys: string[]): Promise<number> {
  let deleted = 0;
  for (const batch of batches(keys, 1000)) {
    const out = await s3Operation({ operation: 'DeleteObjects', bucket, prefix }, () =>
      client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })),
    );
    const failed = out.Errors ?? [];
    if (failed.length) {
      const [e] = failed;
      const others = failed.length > 1 ? `; ${failed.length - 1} other key(s) of the same request failed too` : '';
      // S3 answered 200: the error is the key's own, without an HTTP status
      throw new S3OperationError(
        { operation: 'DeleteObjects', bucket, key: e.Key ?? prefix },
        { kind: 'answer', code: e.Code, message: `${e.Message ?? ''}${others}`, headers: {} },
      );
    }
    deleted += batch.length;
  }
  return deleted;
}

export async function syncAssets(client: S3Client, opts: SyncOptions): Promise<SyncResult> {
  checkPrefix(opts.prefix);
  const log = opts.log ?? (() => undefined);
  const { bucket, prefix } = opts;
  const concurrency = Math.max(1, Math.floor(opts.concurrency) || DEFAULT_UPLOAD_CONCURRENCY);
  const rules = { cacheControl: opts.cacheControl, cacheControlFingerprinted: opts.cacheControlFingerprinted };
  // Ready while the walk and the listing run (endpoint, credentials). Unused when nothing is to be uploaded.
  const directReady: Promise<DirectPut | undefined> = createDirectPut(client, bucket, { maxSockets: concurrency });
  directReady.catch(() => undefined); // awaited below
  const counter = countRequests(client);
  let direct: DirectPut | undefined;
  try {
    const [local, remote] = await Promise.all([
      walkLocal(opts.dir, { includeDotfiles: opts.includeDotfiles, keyPrefix: prefix, log }),
      listRemote(client, bucket, prefix),
    ]);

    const hashes = new Map<string, string>();
    await forEachLimited(hashRequests(local, remote), HASH_CONCURRENCY, async (req) => {
      hashes.set(req.file.key, await hashFile(req.file.path, req.kind, { size: req.file.size }));
    });
    const plan = planSync(local, remote, hashes);

    // With the SDK's default checksums (real AWS), parts carry CRC32s that CompleteMultipartUpload must repeat.
    const checksumMode = await (
      client.config as { requestChecksumCalculation?: () => Promise<string> }
    ).requestChecksumCalculation?.();
    const partChecksums = checksumMode === 'WHEN_SUPPORTED';

    const limit = limiter(concurrency);
    let bytesUploaded = 0;
    direct = await directReady;

    const headers = (file: LocalFile): { ContentType: string; CacheControl: string } => ({
      ContentType: contentType(file.key),
      CacheControl: cacheControl(file.key, rules),
    });
    const target = (operation: string, file: LocalFile): S3Target => ({ operation, bucket, key: prefix + file.key });
    /** For what the SDK does not repeat by itself: the lean PUT and streamed bodies. */
    const retried = { retry: true, log };

    const putDirect = (d: DirectPut, file: LocalFile): Promise<void> =>
      limit.run(async () => {
        const h = { contentType: contentType(file.key), cacheControl: cacheControl(file.key, rules) };
        const put = (body: Buffer | (() => ReadStream)): Promise<void> =>
          s3Operation(target('PutObject', file), () => d.put(prefix + file.key, body, file.size, h), retried);
        if (file.size > SMALL_FILE) return put(() => fileStream(file.path));
        // read once, sent from the same (reused) buffer by every attempt
        const buf = smallBuffers.take();
        try {
          await put(readSmall(file.path, file.size, buf));
        } finally {
          smallBuffers.give(buf);
        }
      });

    const putSingle = (file: LocalFile): Promise<unknown> =>
      limit.run(async () => {
        const command = (Body: Buffer | ReadStream): PutObjectCommand =>
          new PutObjectCommand({ Bucket: bucket, Key: prefix + file.key, Body, ContentLength: file.size, ...headers(file) });
        if (file.size > SMALL_FILE) {
          return s3Operation(target('PutObject', file), () => withStream(() => fileStream(file.path), (body) => client.send(command(body))), retried);
        }
        // A Buffer body (the SDK retries it by itself); the buffer is reused once the request is over.
        const buf = smallBuffers.take();
        try {
          const body = readSmall(file.path, file.size, buf);
          return await s3Operation(target('PutObject', file), () => client.send(command(body)));
        } finally {
          smallBuffers.give(buf);
        }
      });

    const putMultipart = async (file: LocalFile): Promise<void> => {
      const Key = prefix + file.key;
      const created = await limit.run(() =>
        s3Operation(target('CreateMultipartUpload', file), () =>
          client.send(
            new CreateMultipartUploadCommand({
              Bucket: bucket,
              Key,
              ...headers(file),
              ...(partChecksums ? { ChecksumAlgorithm: 'CRC32' as const } : {}),
            }),
          ),
        ),
      );
      const UploadId = created.UploadId;
      if (!UploadId) throw new Error(`CreateMultipartUpload s3://${bucket}/${Key} returned no UploadId`);
      try {
        const n = partCount(file.size);
        const parts = await allOrThrow(
          Array.from({ length: n }, (_, i) =>
            limit.run(async (): Promise<CompletedPart> => {
              const start = i * PART_SIZE;
              const end = Math.min(file.size, start + PART_SIZE) - 1;
              const part = (body: ReadStream): UploadPartCommand =>
                new UploadPartCommand({
                  Bucket: bucket,
                  Key,
                  UploadId,
                  PartNumber: i + 1,
                  Body: body,
                  ContentLength: end - start + 1,
                  ...(partChecksums ? { ChecksumAlgorithm: 'CRC32' as const } : {}),
                });
              const out = await s3Operation(
                target('UploadPart', file),
                () => withStream(() => fileStream(file.path, { start, end }), (body) => client.send(part(body))),
                retried,
              );
              return { PartNumber: i + 1, ETag: out.ETag, ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}) };
            }),
          ),
        );
        await limit.run(() =>
          s3Operation(target('CompleteMultipartUpload', file), () =>
            client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts: parts } })),
          ),
        );
      } catch (err) {
        await s3Operation(target('AbortMultipartUpload', file), () =>
          client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId })),
        ).catch((e: Error) => log(`warning: ${e.message}; the parts stay in the bucket until a lifecycle rule removes them`));
        throw err;
      }
    };

    const upload = async (file: LocalFile): Promise<void> => {
      await (usesMultipart(file.size) ? putMultipart(file) : direct ? putDirect(direct, file) : putSingle(file));
      bytesUploaded += file.size;
      log(`uploaded ${file.key} (${file.size} bytes)`);
    };

    try {
      // Largest first: big files overlap with the many small ones instead of trailing at the end.
      const largestFirst = (files: LocalFile[]): LocalFile[] => [...files].sort((a, b) => b.size - a.size);
      await forEachLimited(largestFirst(plan.assets), concurrency, upload);
      await forEachLimited(largestFirst(plan.html), concurrency, upload);
    } catch (err) {
      limit.fail();
      throw err;
    }

    const deleted = await deleteKeys(
      client,
      bucket,
      prefix,
      plan.deletes.map((k) => prefix + k),
    );
    for (const k of plan.deletes) log(`deleted ${k}`);

    const result: SyncResult = {
      uploaded: plan.assets.length + plan.html.length,
      skipped: plan.skipped.length,
      deleted,
      bytesUploaded,
      requests: counter.count() + (direct?.requests() ?? 0),
    };
    log(
      `assets: ${result.uploaded} uploaded (${bytesUploaded} bytes), ${result.skipped} unchanged, ${deleted} deleted, ${result.requests} S3 requests`,
    );
    return result;
  } finally {
    counter.stop();
    (direct ?? (await directReady.catch(() => undefined)))?.close();
    smallBuffers.clear();
  }
}

/** Delete every object under `prefix` (teardown). Empty or missing prefix: 0 deleted. */
export async function deletePrefix(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ deleted: number; requests: number }> {
  checkPrefix(prefix);
  const counter = countRequests(client);
  try {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await listPage(client, bucket, prefix, token);
      const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => !!k && k.startsWith(prefix));
      deleted += await deleteKeys(client, bucket, prefix, keys);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { deleted, requests: counter.count() };
  } finally {
    counter.stop();
  }
}
