/**
 * The content manifest (issue 22): for each key of a preview, the SHA-256 content id of what this action uploaded or
 * found unchanged, with the object's size and ETag. A push then proves an unchanged file with SHA-256, which runs in
 * hardware on current CPUs (2.7× MD5's speed on the bench machine), instead of MD5; a file whose id differs is
 * changed and is uploaded without an MD5 at all.
 *
 * Never trusted over the truth:
 * - an entry is used only when the listing shows the same size and ETag as the entry: any later write of the object
 *   (another tool, a failed run) changes its ETag, and the file is compared by MD5 as before;
 * - the object carries an HMAC over its bytes, keyed from the secret of the credentials that write the bucket, and
 *   names its bucket and prefix: a manifest written by anyone without that secret (tampered, forged, copied from
 *   another preview) or by another version is ignored, and the sync compares by MD5;
 * - an entry states a fact about content (these bytes were uploaded and got this ETag), true however old it is.
 * With credentials whose secret changes every run (OIDC sessions) no manifest verifies: every push then compares by
 * MD5, and stops recording ids once it saw one it could not verify (see `recording` in sync.ts).
 *
 * The object lives under the preview's own prefix, `<name>/.faas-preview/assets.json`: teardown and the sweeper
 * delete it with the prefix, and the edge routes `/.faas-preview/` to the edge service, never to the bucket.
 */
import { createHash, createHmac, hash, timingSafeEqual, type Hash } from 'node:crypto';
import { RESERVED_DIR } from './local.js';
import { PART_SIZE } from './plan.js';

/** The manifest's key, relative to the preview prefix, in the folder the walk never uploads (local.ts). */
export const MANIFEST_KEY = `${RESERVED_DIR}/assets.json`;
const VERSION = 1;

export interface ManifestEntry {
  /** contentId of the bytes. */
  id: string;
  /** Normalised ETag the server gave those bytes. */
  etag: string;
  size: number;
}

export type Manifest = ReadonlyMap<string, ManifestEntry>;

/** Where a manifest belongs: another bucket's or prefix's is not this preview's. */
export interface ManifestScope {
  bucket: string;
  prefix: string;
}

/** The HMAC of the manifest's body, given by the caller (keyed from the credentials' secret: lean.ts). */
export type Mac = (body: string) => string;

/**
 * A digest of each PART_SIZE part, as the bytes go by: the parts of a multipart upload, sent apart, give the same
 * digests as one pass over the file (SHA-256 for content ids, MD5 for multipart ETags).
 */
export class PartHasher {
  private readonly parts: Buffer[] = [];
  private part: Hash;
  private inPart = 0;

  constructor(
    private readonly algorithm: 'sha256' | 'md5' = 'sha256',
    private readonly partSize = PART_SIZE,
  ) {
    this.part = createHash(algorithm);
  }

  update(chunk: Buffer): void {
    for (let off = 0; off < chunk.length;) {
      const take = Math.min(chunk.length - off, this.partSize - this.inPart);
      this.part.update(chunk.subarray(off, off + take));
      this.inPart += take;
      off += take;
      if (this.inPart === this.partSize) this.endPart();
    }
  }

  /** The part digests, in order (the last, partial part included). */
  digests(): Buffer[] {
    if (this.inPart > 0 || this.parts.length === 0) this.endPart();
    return this.parts;
  }

  private endPart(): void {
    this.parts.push(this.part.digest());
    this.part = createHash(this.algorithm);
    this.inPart = 0;
  }
}

/** A file's content id: SHA-256 over the SHA-256 digests of its PART_SIZE parts, in order. */
export function contentId(partDigests: readonly Buffer[]): string {
  const h = createHash('sha256');
  for (const d of partDigests) h.update(d);
  return h.digest('hex');
}

/** The content id of bytes in memory (one part at most: by one-shot calls, no hash object per file). */
export function contentIdOf(data: Buffer, partSize = PART_SIZE): string {
  if (data.length <= partSize) return hash('sha256', hash('sha256', data, 'buffer'), 'hex');
  const h = new PartHasher('sha256', partSize);
  h.update(data);
  return contentId(h.digests());
}

interface Body {
  version: number;
  bucket: string;
  prefix: string;
  /** key → [id, etag, size] */
  files: Record<string, [string, string, number]>;
}

/** The object's text: the MAC, a newline, the JSON body it covers. */
export function encodeManifest(entries: Manifest, scope: ManifestScope, mac: Mac): string {
  const files: Body['files'] = {};
  for (const [key, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    files[key] = [e.id, e.etag, e.size];
  const body = JSON.stringify({ version: VERSION, bucket: scope.bucket, prefix: scope.prefix, files } satisfies Body);
  return `${mac(body)}\n${body}`;
}

/** The entries of a manifest this action wrote for `scope`; undefined for anything else (not verified, not ours). */
export function decodeManifest(text: string, scope: ManifestScope, mac: Mac): Manifest | undefined {
  const nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  const body = text.slice(nl + 1);
  if (!sameMac(text.slice(0, nl), mac(body))) return undefined;
  let parsed: Partial<Body>;
  try {
    parsed = JSON.parse(body) as Partial<Body>;
  } catch {
    return undefined;
  }
  if (parsed.version !== VERSION || parsed.bucket !== scope.bucket || parsed.prefix !== scope.prefix) return undefined;
  const out = new Map<string, ManifestEntry>();
  for (const [key, v] of Object.entries(parsed.files ?? {})) {
    if (!Array.isArray(v) || v.length !== 3) return undefined;
    const [id, etag, size] = v;
    if (typeof id !== 'string' || typeof etag !== 'string' || !Number.isSafeInteger(size)) return undefined;
    out.set(key, { id, etag, size });
  }
  return out;
}

/** Constant-time comparison of two MACs (different lengths differ). */
function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** An HMAC-SHA256 keyed from `secret` for this purpose only (the secret itself never signs a manifest). */
export function manifestMac(secret: string): Mac {
  const key = createHmac('sha256', secret).update('faas-preview asset manifest').digest();
  return (body) => createHmac('sha256', key).update(body).digest('hex');
}

/** The entry of `key` when it describes the object the listing shows now (same size and ETag as the file). */
export function usableEntry(
  manifest: Manifest | undefined,
  key: string,
  remote: { size: number; etag: string },
  size: number,
): ManifestEntry | undefined {
  const e = manifest?.get(key);
  return e && e.size === size && remote.size === size && e.etag === remote.etag ? e : undefined;
}
