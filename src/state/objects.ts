/**
 * The state store's requests (store.ts): GetObject, PutObject and DeleteObject of one small object, and the listing of
 * a prefix. They are lean.ts's calls when the connection can sign them: with a custom endpoint and static credentials
 * the SDK is never loaded (it cost every run about 150 ms of start-up, before the build, for a few small objects);
 * otherwise they are signed as the SDK's client resolves the bucket, or are its commands when only it can sign for the
 * endpoint: the same rule as the asset sync (assets/remote.ts). Each goes through s3-call.ts: a failure names the
 * operation and the key; a lean call (one attempt) is repeated there when it failed transiently, the SDK repeats its
 * own.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createLeanS3, type LeanS3, type ListPage } from '../assets/lean.js';
import type { S3Connection } from '../assets/s3.js';
import { listPage, RequestCounter } from '../assets/remote.js';
import { s3Operation, type S3Target } from '../assets/s3-call.js';
import type * as SdkParts from '../assets/sdk.js';

/** Far above what the action writes (a sleeping preview holds the specs of at most 15 functions): a hostile answer's bound. */
export const MAX_OBJECT_BYTES = 8 * 1024 * 1024;

interface ListedObject {
  key: string;
  /** When the server said. */
  lastModified?: Date;
}

export interface BucketObjects {
  /** The object's bytes, or undefined when there is none (a 404); an answer over MAX_OBJECT_BYTES fails. */
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, body: string, headers: { contentType: string; cacheControl: string }): Promise<void>;
  /** Deleting a key that does not exist is fine (S3 answers 204 either way). */
  delete(key: string): Promise<void>;
  /** Every page of `prefix`'s listing: its objects, and with a delimiter its CommonPrefixes. */
  list(prefix: string, delimiter?: string): Promise<{ objects: ListedObject[]; prefixes: string[] }>;
}

export interface BucketObjectsOptions {
  /** Where the one line about a lean call's retry goes. */
  log?: (line: string) => void;
  /** Keys per listing page, fewer than S3's 1,000 (tests). */
  maxKeys?: number;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.Code === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/** The SDK's answer body, read up to MAX_OBJECT_BYTES (lean.ts bounds its own answers alike). */
async function readBounded(body: unknown): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of (body ?? []) as AsyncIterable<Uint8Array>) {
    n += chunk.length;
    if (n > MAX_OBJECT_BYTES) throw new Error(`the object is over ${MAX_OBJECT_BYTES} bytes`); // leaving destroys it
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, n);
}

/** The calls on `bucket`: lean ones made on first use, or the SDK's client. */
export function bucketObjects(s3: S3Connection, bucket: string, o: BucketObjectsOptions = {}): BucketObjects {
  const maxSockets = Math.max(1, Math.floor(s3.settings.concurrency) || 1);
  let made: Promise<LeanS3 | undefined> | undefined;
  // a failure (no credentials yet) is not kept: the edge service asks again on its next request
  const lean = () =>
    (made ??= createLeanS3(s3, bucket, { maxSockets }).catch((err: unknown) => {
      made = undefined;
      throw err;
    }));
  async function call<T>(
    target: S3Target,
    viaLean: (l: LeanS3) => Promise<T>,
    viaSdk: (client: S3Client, sdk: typeof SdkParts) => Promise<T>,
  ): Promise<T> {
    const l = await lean();
    if (l) return s3Operation(target, () => viaLean(l), { retry: true, log: o.log });
    const [client, sdk] = await Promise.all([s3.client(), import('../assets/sdk.js')]);
    return s3Operation(target, () => viaSdk(client, sdk));
  }
  const counter = new RequestCounter(); // listPage counts the SDK's attempts; nothing here reads the count
  const page = async (prefix: string, delimiter: string | undefined, token: string | undefined): Promise<ListPage> =>
    listPage({ s3, lean: await lean(), counter, log: o.log ?? (() => undefined) }, bucket, prefix, {
      token,
      delimiter,
      maxKeys: o.maxKeys,
    });

  return {
    get: (key) =>
      call(
        { operation: 'GetObject', bucket, key },
        (l) => l.get(key, MAX_OBJECT_BYTES),
        async (client, { GetObjectCommand }) => {
          try {
            return await readBounded((await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body);
          } catch (err) {
            if (isNotFound(err)) return undefined;
            throw err;
          }
        },
      ),
    put: (key, body, h) =>
      call(
        { operation: 'PutObject', bucket, key },
        async (l) => void (await l.put(key, Buffer.from(body), Buffer.byteLength(body), h)),
        async (client, { PutObjectCommand }) => {
          const input = {
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: h.contentType,
            CacheControl: h.cacheControl,
          };
          await client.send(new PutObjectCommand(input));
        },
      ),
    delete: (key) =>
      call(
        { operation: 'DeleteObject', bucket, key },
        (l) => l.deleteOne(key),
        async (client, { DeleteObjectCommand }) =>
          void (await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))),
      ),
    async list(prefix, delimiter) {
      const objects: ListedObject[] = [];
      const prefixes: string[] = [];
      let token: string | undefined;
      do {
        const p = await page(prefix, delimiter, token);
        objects.push(...p.objects.map(({ key, lastModified }) => ({ key, lastModified })));
        prefixes.push(...(p.prefixes ?? []));
        if (p.truncated && p.nextToken === token)
          throw new Error(`ListObjectsV2 prefix s3://${bucket}/${prefix}: the server repeated its continuation token`);
        token = p.truncated ? p.nextToken : undefined;
      } while (token);
      return { objects, prefixes };
    },
  };
}
