/**
 * Static-asset sync: `static-dir` → `s3://<bucket>/<name>/`, in phases a deploy can spread over its own steps:
 *
 *   const sync = await prepareSync(client, opts); // walk, list the prefix once, hash what may be unchanged, plan
 *   await sync.uploadAssets();                    // everything but HTML (may run while the image builds)
 *   await sync.uploadHtml();                      // HTML, only after every asset is in place
 *   await sync.deleteStale();                     // keys with no local file, last
 *   sync.close();                                 // in a finally: idle connections go
 *
 * `syncAssets(client, opts)` runs the four in a row. The phases refuse to run out of order: a page never references
 * an asset that is not there yet, and the keys the live pages still use are deleted only after the new pages
 * replaced them. Files are compared by content (MD5 or the multipart ETag, hashed only when the sizes match), never
 * by modification time: a fresh CI build rewrites every file.
 *
 * Walk: local.ts; reading and hashing: files.ts; the diff: plan.ts; uploads: upload.ts; listing and deletes:
 * remote.ts; the lean calls (PUT, listing): lean.ts. Every S3 call goes through s3-call.ts.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { forEachLimited } from '../concurrency.js';
import { DEFAULT_UPLOAD_CONCURRENCY } from '../settings.js';
import { hashFile } from './files.js';
import { walkLocal } from './local.js';
import { hashRequests, planSync, type SyncPlan } from './plan.js';
import { createLeanS3, type LeanS3 } from './lean.js';
import { checkPrefix, deleteKeys, listRemote, RequestCounter } from './remote.js';
import { Uploader } from './upload.js';

/** Teardown's and the sweeper's call, next to the sync's. */
export { deletePrefix } from './remote.js';

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
  /** S3 requests made (every HTTP attempt). */
  requests: number;
}

/** Files hashed at a time (most are read synchronously anyway: see files.ts). */
const HASH_CONCURRENCY = 8;

const ORDER = ['prepareSync', 'uploadAssets', 'uploadHtml', 'deleteStale'] as const;
type Phase = (typeof ORDER)[number];

export class PreparedSync {
  private done: Phase = 'prepareSync';
  private running = false;
  private closed = false;
  private deleted = 0;

  constructor(
    private readonly client: S3Client,
    private readonly opts: SyncOptions & { log: (line: string) => void },
    /** What the phases will do: uploads (assets, then HTML), unchanged files, stale keys. */
    readonly plan: SyncPlan,
    private readonly counter: RequestCounter,
    private readonly uploader: Uploader,
    private readonly lean: LeanS3 | undefined,
  ) {}

  /** Uploads every changed file but HTML. */
  uploadAssets(): Promise<void> {
    return this.phase('uploadAssets', () => this.uploader.upload(this.plan.assets));
  }

  /** Uploads the changed HTML files; only after uploadAssets. */
  uploadHtml(): Promise<void> {
    return this.phase('uploadHtml', () => this.uploader.upload(this.plan.html));
  }

  /** Deletes the keys that have no local file (DeleteObjects, 1,000 a request), then logs the sync's summary; only after uploadHtml. */
  deleteStale(): Promise<void> {
    return this.phase('deleteStale', async () => {
      const { client, counter, opts, plan } = this;
      this.deleted = await deleteKeys(
        client,
        counter,
        opts.bucket,
        opts.prefix,
        plan.deletes.map((k) => opts.prefix + k),
      );
      for (const k of plan.deletes) opts.log(`deleted ${k}`);
      const r = this.result();
      opts.log(
        `assets: ${r.uploaded} uploaded (${r.bytesUploaded} bytes), ${r.skipped} unchanged, ${r.deleted} deleted, ${r.requests} S3 requests`,
      );
    });
  }

  /** What was done so far. */
  result(): SyncResult {
    return {
      uploaded: this.uploader.filesUploaded,
      skipped: this.plan.skipped.length,
      deleted: this.deleted,
      bytesUploaded: this.uploader.bytesUploaded,
      requests: this.counter.requests + (this.lean?.requests() ?? 0),
    };
  }

  /** Closes the lean calls' connections. Idempotent; the phases cannot run afterwards. */
  close(): void {
    this.closed = true;
    this.lean?.close();
  }

  private async phase(name: Phase, run: () => Promise<void>): Promise<void> {
    if (this.closed) throw new Error(`asset sync: ${name}() after close()`);
    if (this.running || this.done !== ORDER[ORDER.indexOf(name) - 1]) {
      const state = this.running
        ? `another phase is running after ${this.done}()`
        : `the last phase that finished is ${this.done}()`;
      throw new Error(`asset sync: ${name}() cannot run now (${state}); the order is ${ORDER.join('(), ')}()`);
    }
    this.running = true;
    try {
      await run();
      this.done = name;
    } finally {
      this.running = false;
    }
  }
}

/** Header values go on the wire as they are: one printable ASCII line, checked before any request. */
function checkHeaderValue(name: string, value: string): void {
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new Error(`asset sync: ${name} ${JSON.stringify(value)} is not one line of printable ASCII`);
}

/** Walks the directory and lists the prefix (together), hashes the files that may be unchanged, and plans the sync. */
export async function prepareSync(client: S3Client, options: SyncOptions): Promise<PreparedSync> {
  checkPrefix(options.prefix);
  checkHeaderValue('cacheControl', options.cacheControl);
  checkHeaderValue('cacheControlFingerprinted', options.cacheControlFingerprinted);
  const opts = { ...options, log: options.log ?? (() => undefined) };
  const { bucket, prefix, log } = opts;
  const concurrency = Math.max(1, Math.floor(opts.concurrency) || DEFAULT_UPLOAD_CONCURRENCY);
  const counter = new RequestCounter();
  const leanReady = createLeanS3(client, bucket, { maxSockets: concurrency }); // endpoint and credentials
  leanReady.catch(() => undefined); // awaited below
  try {
    const remoteReady = leanReady.then((lean) => listRemote({ client, lean, counter, log }, bucket, prefix));
    remoteReady.catch(() => undefined); // awaited below
    // The listing's request goes out first; the walk (synchronous calls) runs while its answer is on the way.
    await new Promise((resolve) => setImmediate(resolve));
    const local = walkLocal(opts.dir, { includeDotfiles: opts.includeDotfiles, keyPrefix: prefix, log });
    const remote = await remoteReady;
    const hashes = new Map<string, string>();
    // largest first: the big files' reads (streamed, in the thread pool) overlap with hashing the small ones
    const requests = hashRequests(local, remote).sort((a, b) => b.file.size - a.file.size);
    await forEachLimited(requests, HASH_CONCURRENCY, async (req) => {
      hashes.set(req.file.key, await hashFile(req.file.path, req.kind, { size: req.file.size }));
    });
    const checksumMode = await (
      client.config as { requestChecksumCalculation?: () => Promise<string> }
    ).requestChecksumCalculation?.();
    const lean = await leanReady;
    const rules = { cacheControl: opts.cacheControl, cacheControlFingerprinted: opts.cacheControlFingerprinted };
    const uploader = new Uploader({
      client,
      counter,
      lean,
      bucket,
      prefix,
      concurrency,
      rules,
      partChecksums: checksumMode === 'WHEN_SUPPORTED',
      log,
    });
    return new PreparedSync(client, opts, planSync(local, remote, hashes), counter, uploader, lean);
  } catch (err) {
    (await leanReady.catch(() => undefined))?.close();
    throw err;
  }
}

/** The whole sync in one call: prepare, assets, HTML, stale deletes. */
export async function syncAssets(client: S3Client, opts: SyncOptions): Promise<SyncResult> {
  const sync = await prepareSync(client, opts);
  try {
    await sync.uploadAssets();
    await sync.uploadHtml();
    await sync.deleteStale();
    return sync.result();
  } finally {
    sync.close();
  }
}
