/**
 * Signed reads of a private bucket for the edge (private previews): a presigned GET of one object, valid for a
 * minute, that the router fetches at once. Signed by sigv4.ts for the bucket's endpoint (lean.ts bucketSigner), with
 * the edge service's read-only credentials; the bucket needs no anonymous read.
 */
import { bucketSigner, encodeKeyPath } from './lean.js';
import type { S3Connection } from './s3.js';

const VALID_S = 60;

/** `key` → the request path and query below the bucket's URL (`/<key>?X-Amz-…`), for a router to GET. */
export type ReadSigner = (key: string) => Promise<string>;

export async function createReadSigner(s3: S3Connection, bucket: string): Promise<ReadSigner | undefined> {
  const signing = await bucketSigner(s3, bucket);
  if (!signing) return undefined;
  const { url, base, signer } = signing;
  return async (key) => {
    const path = base + encodeKeyPath(key);
    // A presigned S3 URL signs only the host, and no payload (UNSIGNED-PAYLOAD).
    const query = signer.presign(
      { method: 'GET', path, headers: { host: url.host } },
      await signing.credentials(),
      signing.signingDate(),
      VALID_S,
    );
    return `${path.slice(base.length - 1)}?${query}`;
  };
}
