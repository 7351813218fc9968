/**
 * Which local files are unchanged: the hashes planSync compares, and the content manifest that spares most of them
 * (manifest.ts). A file is read at most once: with a usable manifest entry, for its SHA-256 content id only (equal:
 * unchanged; different: changed, no MD5 needed); without one, for the hash its ETag needs (MD5 or multipart) and,
 * while the manifest is kept, its content id too, for the next push.
 *
 * The manifest is an optimisation and nothing depends on it: one that cannot be read or written is a log line, one
 * that does not verify is ignored and no longer rewritten (`recording` off: with credentials that change every run
 * no manifest would ever verify, and computing ids for it would only cost time).
 */
import { fileHashes, type FileHashes, type HashWant } from './files.js';
import type { LeanS3 } from './lean.js';
import type { LocalFile } from './local.js';
import {
  decodeManifest,
  encodeManifest,
  MANIFEST_KEY,
  usableEntry,
  type Mac,
  type Manifest,
  type ManifestEntry,
  type ManifestScope,
} from './manifest.js';
import { hashRequests, type RemoteObject } from './plan.js';
import { s3Operation } from './s3-call.js';

/** A manifest larger than this is not read (about 100,000 files). */
const MAX_MANIFEST = 16 * 1024 * 1024;

/** The manifest as this run found it. */
export interface ManifestState {
  /** Verified entries; undefined when there was none or it did not verify. */
  entries?: Manifest;
  /** Whether this run records content ids and writes the manifest back. */
  recording: boolean;
  mac?: Mac;
}

/** Reads `<prefix>.faas-preview/assets.json` (needs the lean calls: without them, no manifest). */
export async function readManifest(
  lean: LeanS3 | undefined,
  scope: ManifestScope,
  log: (line: string) => void,
): Promise<ManifestState> {
  if (!lean) return { recording: false };
  const key = scope.prefix + MANIFEST_KEY;
  try {
    const [mac, raw] = await Promise.all([
      lean.manifestMac(),
      s3Operation({ operation: 'GetObject', bucket: scope.bucket, key }, () => lean.get(key, MAX_MANIFEST), {
        retry: true,
        log,
      }),
    ]);
    if (!raw) return { recording: true, mac };
    const entries = decodeManifest(raw.toString('utf8'), scope, mac);
    if (!entries) log(`the asset manifest ${key} does not verify: files are compared by MD5`);
    return { entries, recording: !!entries, mac };
  } catch (err) {
    log(`warning: the asset manifest ${key} could not be read (${(err as Error).message}): files are compared by MD5`);
    return { recording: false };
  }
}

export interface Comparison {
  /** key → hash in the ETag form planSync compares with the listing. */
  hashes: Map<string, string>;
  /** key → content id, for the files read (entries of the next manifest). */
  ids: Map<string, string>;
}

interface Job {
  file: LocalFile;
  want: HashWant;
  /** The manifest entry the file is compared with, instead of its ETag. */
  entry?: ManifestEntry;
}

/** What each file needs read. */
function jobsFor(local: readonly LocalFile[], remote: ReadonlyMap<string, RemoteObject>, state: ManifestState): Job[] {
  const byEtag = new Map(hashRequests(local, remote).map((r) => [r.file.key, r.kind]));
  const jobs: Job[] = [];
  for (const file of local) {
    const r = remote.get(file.key);
    const entry = r && usableEntry(state.entries, file.key, r, file.size);
    const kind = byEtag.get(file.key);
    if (entry) jobs.push({ file, want: { id: true }, entry });
    else if (kind) jobs.push({ file, want: { etag: kind, id: state.recording } });
  }
  return jobs;
}

/** Files read before the listing came, with what was computed for each. */
export type EarlyHashes = ReadonlyMap<string, { want: HashWant; hashes: FileHashes }>;

/** How long the reads go on before they let other work through (the listing's answers, the deploy's requests). */
const SLICE_MS = 4;

/**
 * Calls `read` for each item, handing the event loop back every SLICE_MS (first of all: what has come in decides),
 * until `stop` says so or every item is done. The reads are synchronous (files.ts); in slices, a deploy's requests
 * (GitHub, the gateway) go out and their answers come in while a push's files are read.
 */
export async function inSlices<T>(
  items: readonly T[],
  read: (item: T) => void,
  stop = (): boolean => false,
): Promise<void> {
  for (let i = 0; ;) {
    await new Promise((resolve) => setImmediate(resolve));
    if (stop() || i >= items.length) return;
    for (const end = performance.now() + SLICE_MS; i < items.length && performance.now() < end; i++) read(items[i]);
  }
}

/**
 * While the listing is on its way (until `listed` settles): the content ids a push compares most files by. Until
 * the manifest is in, every file is read (a push's manifest comes after the walk, about when the listing does); then
 * only the files it has an entry of their size for, and none when there is no verified manifest. What is not read by
 * then, compareFiles reads. A file that cannot be read here is left to compareFiles too: it fails the sync only if it
 * has to be read at all.
 */
export async function hashAhead(
  local: readonly LocalFile[],
  manifest: Promise<ManifestState>,
  listed: Promise<unknown>,
): Promise<EarlyHashes> {
  const out = new Map<string, { want: HashWant; hashes: FileHashes }>();
  let state: ManifestState | undefined;
  let done = false;
  const stop = (): void => void (done = true);
  manifest.then((s) => (state = s), stop);
  listed.then(stop, stop);
  const want: HashWant = { id: true };
  await inSlices(
    local,
    (f) => {
      if (state?.entries && state.entries.get(f.key)?.size !== f.size) return;
      try {
        out.set(f.key, { want, hashes: fileHashes(f.path, f.size, want) });
      } catch {
        // compareFiles reads it again, if it needs it
      }
    },
    () => done || (state !== undefined && !state.entries),
  );
  return out;
}

/** What an early read computed for the file, when it is all `want` asks for. */
function earlyFor(early: EarlyHashes, key: string, want: HashWant): FileHashes | undefined {
  const e = early.get(key);
  return e && (!want.etag || e.want.etag === want.etag) && (!want.id || e.want.id) ? e.hashes : undefined;
}

/** Reads the files that may be unchanged, each once (in slices: inSlices), but those read early. */
export async function compareFiles(
  local: readonly LocalFile[],
  remote: ReadonlyMap<string, RemoteObject>,
  state: ManifestState,
  log: (line: string) => void,
  early: EarlyHashes = new Map(),
): Promise<Comparison> {
  const out: Comparison = { hashes: new Map(), ids: new Map() };
  const jobs = jobsFor(local, remote, state);
  const byId = jobs.filter((j) => j.entry).length;
  if (jobs.length) log(`compared ${byId} file(s) by content id (manifest), ${jobs.length - byId} by MD5`);
  await inSlices(jobs, ({ file, want, entry }) => {
    const h = earlyFor(early, file.key, want) ?? fileHashes(file.path, file.size, want);
    if (h.id !== undefined) out.ids.set(file.key, h.id);
    // the entry's bytes are the object's (same ETag): equal ids prove the file unchanged
    if (entry && h.id === entry.id) out.hashes.set(file.key, remote.get(file.key)!.etag);
    else if (h.etag !== undefined) out.hashes.set(file.key, h.etag);
  });
  return out;
}

/** The next manifest: the unchanged files read this run (the listing's ETag) and the files sent (the answers' ETag). */
export function nextManifest(
  skipped: readonly LocalFile[],
  remote: ReadonlyMap<string, RemoteObject>,
  ids: ReadonlyMap<string, string>,
  sent: ReadonlyMap<string, ManifestEntry>,
): Map<string, ManifestEntry> {
  const next = new Map<string, ManifestEntry>();
  for (const file of skipped) {
    const id = ids.get(file.key);
    const r = remote.get(file.key);
    if (id && r) next.set(file.key, { id, etag: r.etag, size: file.size });
  }
  for (const [key, e] of sent) next.set(key, e);
  return next;
}

function sameEntries(a: Manifest | undefined, b: Manifest): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [k, e] of b) {
    const o = a.get(k);
    if (!o || o.id !== e.id || o.etag !== e.etag || o.size !== e.size) return false;
  }
  return true;
}

/** Writes the manifest back when this run records one and it changed; a failure is only logged (see above). */
export async function saveManifest(
  lean: LeanS3 | undefined,
  scope: ManifestScope,
  state: ManifestState,
  next: Manifest,
  log: (line: string) => void,
): Promise<void> {
  if (!lean || !state.recording || !state.mac || sameEntries(state.entries, next)) return;
  const key = scope.prefix + MANIFEST_KEY;
  const body = Buffer.from(encodeManifest(next, scope, state.mac));
  const headers = { contentType: 'application/json', cacheControl: 'no-store' };
  await s3Operation(
    { operation: 'PutObject', bucket: scope.bucket, key },
    () => lean.put(key, body, body.length, headers),
    {
      retry: true,
      log,
    },
  ).catch((err: Error) => log(`warning: the asset manifest ${key} was not written (${err.message})`));
}
