/**
 * Uploading a list of files, at most `concurrency` S3 requests at a time (forEachLimited over one list of requests:
 * a single-part file is one, a file in parts is one per part; its CreateMultipartUpload runs with its first part,
 * its CompleteMultipartUpload with its last). Largest files first, so their parts overlap with the many small files
 * instead of trailing at the end. After a failure no new request starts; the running ones settle, multipart uploads
 * left open are aborted, and the first failure is thrown.
 *
 * Single-part uploads go through the lean PUT (lean.ts) when there is one, else through the SDK (an endpoint only
 * the SDK can sign for, or credentials that are not a provider: see createLeanS3); multipart uploads always use the
 * SDK, loaded for them only. Files up to SMALL_FILE are read once and every attempt sends the same bytes; larger ones get a fresh stream
 * per attempt.
 * What the SDK cannot repeat by itself (streamed bodies) and the lean PUT (one attempt a call) are retried with the
 * action's one retry policy (s3-call.ts).
 */
import type { CompletedPart, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';

interface SdkParts {
  client: S3Client;
  sdk: typeof import('./sdk.js');
  /** With the SDK's default checksums (real AWS), parts carry CRC32s that CompleteMultipartUpload must repeat. */
  partChecksums: boolean;
}

function checksumMode(client: S3Client): Promise<string | undefined> {
  const config = client.config as { requestChecksumCalculation?: () => Promise<string> };
  return config.requestChecksumCalculation?.() ?? Promise.resolve(undefined);
}
import { createHash, type Hash } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { forEachLimited } from '../concurrency.js';
import { fileStream, readSmall, SMALL_FILE } from './files.js';
import { cacheControl, contentType, type CacheRules } from './headers.js';
import type { LocalFile } from './local.js';
import { contentId, contentIdOf, PartHasher, type ManifestEntry } from './manifest.js';
import { normalizeEtag, partCount, PART_SIZE, usesMultipart } from './plan.js';
import type { LeanS3 } from './lean.js';
import type { RequestCounter } from './remote.js';
import type { S3Connection } from './s3.js';
import { s3Operation, type S3Target } from './s3-call.js';

export interface UploaderOptions {
  s3: S3Connection;
  counter: RequestCounter;
  /** The lean calls, when the client allows them. */
  lean?: LeanS3;
  bucket: string;
  prefix: string;
  concurrency: number;
  rules: CacheRules;
  /** Record the content id and ETag of each file sent (for the manifest: manifest.ts). */
  recordIds: boolean;
  log: (line: string) => void;
}

/** One file in parts: created once (by whichever part runs first), completed by the part that finishes last. */
class Multipart {
  private created?: Promise<string>;
  uploadId?: string;
  completed = false;
  private parts: CompletedPart[] = [];
  /** SHA-256 of each part as sent, for the content id. */
  readonly digests: Buffer[] = [];
  private left: number;

  constructor(
    readonly file: LocalFile,
    readonly count: number,
  ) {
    this.left = count;
  }

  id(create: () => Promise<string>): Promise<string> {
    this.created ??= create().then((id) => (this.uploadId = id));
    return this.created;
  }

  /** Records a finished part; true when it was the last one. */
  done(part: CompletedPart): boolean {
    this.parts[part.PartNumber! - 1] = part;
    return --this.left === 0;
  }

  get all(): CompletedPart[] {
    return this.parts;
  }
}

type Job = { kind: 'single'; file: LocalFile } | { kind: 'part'; upload: Multipart; index: number };

export class Uploader {
  bytesUploaded = 0;
  filesUploaded = 0;
  /** With recordIds: key (relative) → the id of the bytes sent and the ETag the server gave them. */
  readonly sent = new Map<string, ManifestEntry>();

  private sdkReady?: Promise<SdkParts>;

  constructor(private readonly o: UploaderOptions) {}

  /** The SDK's client and commands, loaded on first use. */
  private sdk(): Promise<SdkParts> {
    this.sdkReady ??= Promise.all([this.o.s3.client(), import('./sdk.js')]).then(async ([client, sdk]) => ({
      client,
      sdk,
      partChecksums: (await checksumMode(client)) === 'WHEN_SUPPORTED',
    }));
    return this.sdkReady;
  }

  async upload(files: readonly LocalFile[]): Promise<void> {
    const jobs: Job[] = [];
    const multiparts: Multipart[] = [];
    for (const file of [...files].sort((a, b) => b.size - a.size)) {
      if (!usesMultipart(file.size)) {
        jobs.push({ kind: 'single', file });
        continue;
      }
      const upload = new Multipart(file, partCount(file.size));
      multiparts.push(upload);
      for (let index = 0; index < upload.count; index++) jobs.push({ kind: 'part', upload, index });
    }
    try {
      await forEachLimited(jobs, this.o.concurrency, (job) =>
        job.kind === 'single' ? this.single(job.file) : this.part(job.upload, job.index),
      );
    } catch (err) {
      await Promise.all(multiparts.filter((m) => m.uploadId && !m.completed).map((m) => this.abort(m)));
      throw err;
    }
  }

  private target(operation: string, file: LocalFile): S3Target {
    return { operation, bucket: this.o.bucket, key: this.o.prefix + file.key };
  }

  private headersOf(file: LocalFile): { contentType: string; cacheControl: string } {
    return { contentType: contentType(file.key), cacheControl: cacheControl(file.key, this.o.rules) };
  }

  private uploaded(file: LocalFile, id?: string, etag?: string): void {
    if (this.o.recordIds && id && etag) this.sent.set(file.key, { id, etag: normalizeEtag(etag), size: file.size });
    this.bytesUploaded += file.size;
    this.filesUploaded++;
    this.o.log(`uploaded ${file.key} (${file.size} bytes)`);
  }

  private async single(file: LocalFile): Promise<void> {
    // read once, sent from the same buffer by every attempt; larger files get a fresh stream per attempt
    const body = file.size > SMALL_FILE ? undefined : readSmall(file.path, file.size);
    if (this.o.lean) await this.singleLean(this.o.lean, file, body);
    else await this.singleSdk(file, body);
  }

  private async singleLean(lean: LeanS3, file: LocalFile, body: Buffer | undefined): Promise<void> {
    const { recordIds, log } = this.o;
    // the id of the bytes the attempt that succeeded sent: each attempt reads the file again
    let streamed: PartHasher | undefined;
    const open = (): Readable =>
      recordIds ? hashing(fileStream(file.path), (streamed = new PartHasher())) : fileStream(file.path);
    const etag = await s3Operation(
      this.target('PutObject', file),
      () => lean.put(this.o.prefix + file.key, body ?? open, file.size, this.headersOf(file)),
      { retry: true, log },
    );
    const id = !recordIds ? undefined : body ? contentIdOf(body) : contentId(streamed!.digests());
    this.uploaded(file, id, etag);
  }

  private async singleSdk(file: LocalFile, body: Buffer | undefined): Promise<void> {
    const { client, sdk } = await this.sdk();
    const headers = this.headersOf(file);
    const target = this.target('PutObject', file);
    const command = (Body: Buffer | ReadStream): PutObjectCommand =>
      this.o.counter.count(
        new sdk.PutObjectCommand({
          Bucket: this.o.bucket,
          Key: this.o.prefix + file.key,
          Body,
          ContentLength: file.size,
          ContentType: headers.contentType,
          CacheControl: headers.cacheControl,
        }),
      );
    // a Buffer body the SDK repeats by itself; a stream it cannot
    if (body) await s3Operation(target, () => client.send(command(body)));
    else
      await s3Operation(
        target,
        () =>
          withStream(
            () => fileStream(file.path),
            (s) => client.send(command(s)),
          ),
        { retry: true, log: this.o.log },
      );
    this.uploaded(file);
  }

  private async part(upload: Multipart, index: number): Promise<void> {
    const { counter, bucket, log } = this.o;
    const { client, sdk, partChecksums } = await this.sdk();
    const { file } = upload;
    const Key = this.o.prefix + file.key;
    const checksum = partChecksums ? { ChecksumAlgorithm: 'CRC32' as const } : {};
    const UploadId = await upload.id(async () => {
      const headers = this.headersOf(file);
      const created = await s3Operation(this.target('CreateMultipartUpload', file), () =>
        client.send(
          counter.count(
            new sdk.CreateMultipartUploadCommand({
              Bucket: bucket,
              Key,
              ContentType: headers.contentType,
              CacheControl: headers.cacheControl,
              ...checksum,
            }),
          ),
        ),
      );
      if (!created.UploadId) throw new Error(`CreateMultipartUpload s3://${bucket}/${Key} returned no UploadId`);
      return created.UploadId;
    });
    const start = index * PART_SIZE;
    const end = Math.min(file.size, start + PART_SIZE) - 1;
    const PartNumber = index + 1;
    let digest: Hash | undefined;
    const open = (): Readable => {
      const part = fileStream(file.path, { start, end });
      return this.o.recordIds ? hashing(part, (digest = createHash('sha256'))) : part;
    };
    const command = (Body: Readable): UploadPartCommand =>
      counter.count(
        new sdk.UploadPartCommand({
          Bucket: bucket,
          Key,
          UploadId,
          PartNumber,
          Body,
          ContentLength: end - start + 1,
          ...checksum,
        }),
      );
    const out = await s3Operation(
      this.target('UploadPart', file),
      () => withStream(open, (body) => client.send(command(body))),
      { retry: true, log },
    );
    if (digest) upload.digests[index] = digest.digest();
    if (
      !upload.done({ PartNumber, ETag: out.ETag, ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}) })
    )
      return;
    const completed = await s3Operation(this.target('CompleteMultipartUpload', file), () =>
      client.send(
        counter.count(
          new sdk.CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key,
            UploadId,
            MultipartUpload: { Parts: upload.all },
          }),
        ),
      ),
    );
    upload.completed = true;
    this.uploaded(file, digest && contentId(upload.digests), completed.ETag);
  }

  private async abort(upload: Multipart): Promise<void> {
    const { counter, bucket, log } = this.o;
    const { client, sdk } = await this.sdk();
    const Key = this.o.prefix + upload.file.key;
    await s3Operation(this.target('AbortMultipartUpload', upload.file), () =>
      client.send(
        counter.count(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId: upload.uploadId })),
      ),
    ).catch((e: Error) =>
      log(`warning: ${e.message}; the parts stay in the bucket until a lifecycle rule removes them`),
    );
  }
}

/** `stream`'s bytes, each also given to `hash` on the way (the bytes an attempt really sent). */
function hashing(stream: Readable, hash: { update(b: Buffer): unknown }): Readable {
  return Readable.from(
    (async function* () {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

/** One attempt of a command whose body is a fresh file stream, destroyed whatever the outcome. */
async function withStream<T, S extends Readable>(open: () => S, send: (body: S) => Promise<T>): Promise<T> {
  const body = open();
  try {
    return await send(body);
  } finally {
    body.destroy();
  }
}
