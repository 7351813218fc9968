/**
 * A multipart upload's four calls, for upload.ts: through the lean calls (lean.ts) when there are, so a sync with
 * large files does not load the SDK either, else through the SDK, loaded then. The lean calls make one attempt each
 * (the caller retries every call); the SDK repeats what it can by itself, all but a part's stream.
 */
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { withStream } from './files.js';
import type { LeanS3 } from './lean.js';
import { normalizeEtag } from './plan.js';
import type { RequestCounter } from './remote.js';
import type { S3Connection } from './s3.js';

export interface PartCalls {
  /** Whether create, complete and abort are repeated by the calls themselves (the SDK's). */
  retried: boolean;
  create(key: string, headers: { contentType: string; cacheControl: string }): Promise<string>;
  /** One part from a fresh stream of exactly `size` bytes. */
  put(key: string, uploadId: string, partNumber: number, open: () => Readable, size: number): Promise<CompletedPart>;
  /** The object's ETag. */
  complete(key: string, uploadId: string, parts: CompletedPart[]): Promise<string | undefined>;
  abort(key: string, uploadId: string): Promise<void>;
}

export function leanParts(lean: LeanS3): PartCalls {
  return {
    retried: false,
    create: (key, headers) => lean.createMultipart(key, headers),
    put: async (key, uploadId, PartNumber, open, size) => ({
      PartNumber,
      ETag: await lean.putPart(key, uploadId, PartNumber, open, size),
    }),
    complete: (key, uploadId, parts) =>
      lean.completeMultipart(
        key,
        uploadId,
        parts.map((p) => ({ number: p.PartNumber!, etag: normalizeEtag(p.ETag) })),
      ),
    abort: (key, uploadId) => lean.abortMultipart(key, uploadId),
  };
}

function checksumMode(client: S3Client): Promise<string | undefined> {
  const config = client.config as { requestChecksumCalculation?: () => Promise<string> };
  return config.requestChecksumCalculation?.() ?? Promise.resolve(undefined);
}

export async function sdkParts(s3: S3Connection, counter: RequestCounter, Bucket: string): Promise<PartCalls> {
  const [client, sdk] = await Promise.all([s3.client(), import('./sdk.js')]);
  // With the SDK's default checksums (real AWS), parts carry CRC32s that CompleteMultipartUpload must repeat.
  const checksum = (await checksumMode(client)) === 'WHEN_SUPPORTED' ? { ChecksumAlgorithm: 'CRC32' as const } : {};
  return {
    retried: true,
    async create(Key, h) {
      const command = new sdk.CreateMultipartUploadCommand({
        Bucket,
        Key,
        ContentType: h.contentType,
        CacheControl: h.cacheControl,
        ...checksum,
      });
      const { UploadId } = await client.send(counter.count(command));
      if (!UploadId) throw new Error(`CreateMultipartUpload s3://${Bucket}/${Key} returned no UploadId`);
      return UploadId;
    },
    async put(Key, UploadId, PartNumber, open, ContentLength) {
      const out = await withStream(open, (Body) =>
        client.send(
          counter.count(
            new sdk.UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, ContentLength, ...checksum }),
          ),
        ),
      );
      return { PartNumber, ETag: out.ETag, ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}) };
    },
    async complete(Key, UploadId, Parts) {
      const command = new sdk.CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } });
      return (await client.send(counter.count(command))).ETag;
    },
    async abort(Key, UploadId) {
      await client.send(counter.count(new sdk.AbortMultipartUploadCommand({ Bucket, Key, UploadId })));
    },
  };
}
