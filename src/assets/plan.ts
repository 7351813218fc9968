/**
 * The asset diff (pure, no I/O). Two steps, so that content hashes are computed once and only where needed:
 *
 * 1. `hashRequests(local, remote)`: which local files need a hash, and which kind. Only a file whose key
 *    exists remotely with the same size can be unchanged; its remote ETag says how to hash it: a plain
 *    MD5 (single-part upload) or a multipart ETag `md5(concat(part md5s))-N`, which we can reproduce when
 *    N matches our fixed part size. Anything else (unknown ETag form, other part count) cannot match and
 *    is uploaded without reading the file.
 * 2. `planSync(local, remote, hashes)`: uploads (non-HTML first, then HTML), skips, deletions.
 *
 * Keys here are relative to the preview prefix (`assets/app.js`, not `<name>/assets/app.js`).
 */
import { isHtml } from './headers.js';
import type { LocalFile } from './local.js';

/** Fixed part size of our multipart uploads (also what the local multipart ETag is computed with). */
export const PART_SIZE = 8 * 1024 * 1024;
/** Files strictly larger than this go up in parts. */
const MULTIPART_THRESHOLD = PART_SIZE;

export interface RemoteObject {
  size: number;
  /** Normalised: lower case, without quotes (see normalizeEtag). */
  etag: string;
}

export type HashKind = 'md5' | 'multipart';

export interface HashRequest {
  file: LocalFile;
  kind: HashKind;
}

export interface SyncPlan {
  /** Everything but HTML, sorted by key: uploaded first. */
  assets: LocalFile[];
  /** HTML, sorted by key: uploaded only after every asset is in place. */
  html: LocalFile[];
  /** Unchanged files. */
  skipped: LocalFile[];
  /** Remote keys (relative) with no local file: deleted last. */
  deletes: string[];
}

export function normalizeEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/"/g, '').trim().toLowerCase();
}

export function usesMultipart(size: number, threshold = MULTIPART_THRESHOLD): boolean {
  return size > threshold;
}

export function partCount(size: number, partSize = PART_SIZE): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** The ETag of a multipart upload from its parts' MD5 digests (raw bytes, in order). */
export function multipartEtag(partDigests: readonly Uint8Array[], md5: (data: Uint8Array) => string): string {
  const all = new Uint8Array(partDigests.reduce((n, d) => n + d.length, 0));
  let at = 0;
  for (const d of partDigests) {
    all.set(d, at);
    at += d.length;
  }
  return `${md5(all)}-${partDigests.length}`;
}

/** How a remote ETag can be reproduced locally, or undefined when it cannot be. */
export function hashKindFor(etag: string, size: number, partSize = PART_SIZE): HashKind | undefined {
  if (/^[0-9a-f]{32}$/.test(etag)) return 'md5';
  const m = /^[0-9a-f]{32}-(\d+)$/.exec(etag);
  if (m && Number(m[1]) === partCount(size, partSize)) return 'multipart';
  return undefined;
}

export function hashRequests(
  local: readonly LocalFile[],
  remote: ReadonlyMap<string, RemoteObject>,
  partSize = PART_SIZE,
): HashRequest[] {
  const out: HashRequest[] = [];
  for (const file of local) {
    const r = remote.get(file.key);
    if (!r || r.size !== file.size) continue;
    const kind = hashKindFor(r.etag, file.size, partSize);
    if (kind) out.push({ file, kind });
  }
  return out;
}

/** `hashes`: key → hash in the ETag form asked for by hashRequests (`<md5>` or `<md5>-<N>`). */
export function planSync(
  local: readonly LocalFile[],
  remote: ReadonlyMap<string, RemoteObject>,
  hashes: ReadonlyMap<string, string>,
): SyncPlan {
  const byKey = (a: { key: string }, b: { key: string }): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const plan: SyncPlan = { assets: [], html: [], skipped: [], deletes: [] };
  const localKeys = new Set<string>();
  for (const file of [...local].sort(byKey)) {
    localKeys.add(file.key);
    const r = remote.get(file.key);
    const h = hashes.get(file.key);
    if (r && r.size === file.size && h !== undefined && h === r.etag) plan.skipped.push(file);
    else if (isHtml(file.key)) plan.html.push(file);
    else plan.assets.push(file);
  }
  plan.deletes = [...remote.keys()].filter((k) => !localKeys.has(k)).sort();
  return plan;
}

/** Split keys into DeleteObjects batches (S3 accepts at most 1,000 keys a request). */
export function batches<T>(items: readonly T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
