/**
 * Signed reads of a private bucket for the edge (private previews): a presigned GET of one object, valid for a
 * minute, that the router fetches at once. Signed with the SDK's own signer as the client's endpoint resolves the
 * bucket (lean.ts bucketSigner), with the edge service's read-only credentials; the bucket needs no anonymous read.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { buildQueryString, escapeUriPath } from '@smithy/core/protocols';
import { bucketSigner } from './lean.js';

const VALID_S = 60;

/** `key` → the request path and query below the bucket's URL (`/<key>?X-Amz-…`), for a router to GET. */
export type ReadSigner = (key: string) => Promise<string>;

export async function createReadSigner(client: S3Client, bucket: string): Promise<ReadSigner | undefined> {
  const signing = await bucketSigner(client, bucket);
  if (!signing) return undefined;
  const { url, base, signer } = signing;
  return async (key) => {
    const path = base + escapeUriPath(key);
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port) || undefined,
        path,
        query: {},
        // A presigned S3 URL signs no payload: the hash is UNSIGNED-PAYLOAD, and the header itself is not sent.
        headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      {
        expiresIn: VALID_S,
        signingDate: signing.signingDate(),
        unsignableHeaders: new Set(['x-amz-content-sha256']),
      },
    );
    return `${path.slice(base.length - 1)}?${buildQueryString(signed.query ?? {})}`;
  };
}
