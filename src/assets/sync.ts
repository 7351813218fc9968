/**
 * Static-asset sync: `static-dir` → `s3://<bucket>/<name>/`, in phases a deploy can spread over its own steps:
 *
 *   const sync = await prepareSync(s3, opts);     // walk, list the prefix once, hash what may be unchanged, plan
 *   await sync.uploadAssets();                    // everything but HTML (may run while the image builds)
 *   await sync.uploadHtml();                      // HTML, only after every asset is in place
 *   await sync.deleteStale();                     // keys with no local file, last
 *   sync.close();                                 // in a finally: idle connections go
 *
 * `syncAssets(s3, opts)` runs the four in a row. The phases refuse to run out of order: a page never references
 * an asset that is not there yet, and the keys the live pages still use are deleted only after the new pages
 * replaced them. Files are compared by content (MD5 or the multipart ETag, hashed only when the sizes match), never
 * by modification time: a fresh CI build rewrites every file.
 *
 * Walk: local.ts; reading and hashing: files.ts; the diff: plan.ts; uploads: upload.ts; listing and deletes:
 * remote.ts; the lean calls (PUT, listing, deletes): lean.ts. Every S3 call goes through s3-call.ts.
 */
import { DEFAULT_UPLOAD_CONCURRENCY } from '../settings.js';
import { compareFiles, hashAhead, nextManifest, readManifest, saveManifest, type ManifestState } from './compare.js';
import { walkLocal, type LocalFile } from './local.js';
import { MANIFEST_KEY } from './manifest.js';
import { planSync, type RemoteObject, type SyncPlan } from './plan.js';
import { createLeanS3, type LeanS3 } from './lean.js';
import { checkPrefix, deleteKeys, listRemote, RequestCounter } from './remote.js';
import type { S3Connection } from './s3.js';
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
  /**
   * Keep the content manifest (manifest.ts): read it, prove unchanged files by content id, write it back (every
   * deploy does). Off, files are compared by MD5 alone and no manifest is read or written.
   */
  contentManifest?: boolean;
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

const ORDER = ['prepareSync', 'uploadAssets', 'uploadHtml', 'deleteStale'] as const;
type Phase = (typeof ORDER)[number];

export class PreparedSync {
  private done: Phase = 'prepareSync';
  private running = false;
  private closed = false;
  private deleted = 0;

  constructor(
    private readonly s3: S3Connection,
    private readonly opts: SyncOptions & { log: (line: string) => void },
    /** What the phases will do: uploads (assets, then HTML), unchanged files, stale keys. */
    readonly plan: SyncPlan,
    private readonly counter: RequestCounter,
    private readonly uploader: Uploader,
    private readonly lean: LeanS3 | undefined,
    /** The manifest as read, the listing and the content ids read, for the manifest written at the end. */
    private readonly manifest: {
      state: ManifestState;
      remote: ReadonlyMap<string, RemoteObject>;
      ids: Map<string, string>;
    },
  ) {}

  /** Uploads every changed file but HTML. */
  uploadAssets(): Promise<void> {
    return this.phase('uploadAssets', () => this.uploader.upload(this.plan.assets));
  }

  /** Uploads the changed HTML files; only after uploadAssets. */
  uploadHtml(): Promise<void> {
    return this.phase('uploadHtml', () => this.uploader.upload(this.plan.html));
  }

  /**
   * Deletes the keys that have no local file (DeleteObjects, 1,000 a request) and writes the content manifest (at the
   * same time), then logs the sync's summary; only after uploadHtml.
   */
  deleteStale(): Promise<void> {
    return this.phase('deleteStale', async () => {
      const { s3, counter, opts, plan, manifest, lean } = this;
      const next = nextManifest(plan.skipped, manifest.remote, manifest.ids, this.uploader.sent);
      [this.deleted] = await Promise.all([
        deleteKeys(
          { s3, lean, counter, log: opts.log },
          opts.bucket,
          opts.prefix,
          plan.deletes.map((k) => opts.prefix + k),
        ),
        saveManifest(this.lean, opts, manifest.state, next, opts.log),
      ]);
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

/**
 * Walks the directory while the listing and the content manifest are on their way, reads the files that may be
 * unchanged (compare.ts), and plans the sync.
 */
export async function prepareSync(s3: S3Connection, options: SyncOptions): Promise<PreparedSync> {
  checkPrefix(options.prefix);
  checkHeaderValue('cacheControl', options.cacheControl);
  checkHeaderValue('cacheControlFingerprinted', options.cacheControlFingerprinted);
  const opts = { ...options, log: options.log ?? (() => undefined) };
  const { bucket, prefix, log } = opts;
  const concurrency = Math.max(1, Math.floor(opts.concurrency) || DEFAULT_UPLOAD_CONCURRENCY);
  const counter = new RequestCounter();
  const leanReady = createLeanS3(s3, bucket, { maxSockets: concurrency }); // endpoint and credentials
  leanReady.catch(() => undefined); // awaited below
  try {
    // The listing's first page and the manifest go out first; the walk (synchronous calls) runs while their answers
    // are on the way, and its keys tell the listing where to cut the rest into ranges listed at once (remote.ts).
    const walked: { resolve?: (keys: readonly string[]) => void; reject?: (err: unknown) => void } = {};
    const keys = new Promise<readonly string[]>((resolve, reject) => Object.assign(walked, { resolve, reject }));
    keys.catch(() => undefined); // the listing's; a failed walk fails the sync below
    const remoteReady = leanReady.then((lean) => listRemote({ s3, lean, counter, log }, bucket, prefix, keys));
    remoteReady.catch(() => undefined); // awaited below
    const manifestReady = leanReady.then((lean) => readManifest(opts.contentManifest ? lean : undefined, opts, log));
    manifestReady.catch(() => undefined); // awaited below
    await new Promise((resolve) => setImmediate(resolve));
    let local: LocalFile[];
    try {
      local = walkLocal(opts.dir, { includeDotfiles: opts.includeDotfiles, keyPrefix: prefix, log });
    } catch (err) {
      walked.reject!(err);
      throw err;
    }
    walked.resolve!(local.map((f) => prefix + f.key));
    const early = await hashAhead(local, manifestReady, remoteReady);
    const state = await manifestReady;
    const remote = withoutManifest(await remoteReady);
    const { hashes, ids } = await compareFiles(local, remote, state, log, early);
    const lean = await leanReady;
    const uploader = new Uploader({
      s3,
      counter,
      lean,
      bucket,
      prefix,
      concurrency,
      rules: { cacheControl: opts.cacheControl, cacheControlFingerprinted: opts.cacheControlFingerprinted },
      recordIds: state.recording,
      log,
    });
    const plan = planSync(local, remote, hashes);
    return new PreparedSync(s3, opts, plan, counter, uploader, lean, { state, remote, ids });
  } catch (err) {
    (await leanReady.catch(() => undefined))?.close();
    throw err;
  }
}

/** The listing without the manifest's own object: neither a file to compare nor a stale key. */
function withoutManifest(remote: Map<string, RemoteObject>): Map<string, RemoteObject> {
  remote.delete(MANIFEST_KEY);
  return remote;
}

/** The whole sync in one call: prepare, assets, HTML, stale deletes. */
export async function syncAssets(s3: S3Connection, opts: SyncOptions): Promise<SyncResult> {
  const sync = await prepareSync(s3, opts);
  try {
    await sync.uploadAssets();
    await sync.uploadHtml();
    await sync.deleteStale();
    return sync.result();
  } finally {
    sync.close();
  }
}
