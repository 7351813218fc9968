/**
 * Uploading a list of files, at most `concurrency` S3 requests at a time (forEachLimited over one list of requests:
 * a single-part file is one, a file in parts is one per part; its CreateMultipartUpload runs with its first part,
 * its CompleteMultipartUpload with its last). Largest files first, so their parts overlap with the many small files
 * instead of trailing at the end. After a failure no new request starts; the running ones settle, multipart uploads
 * left open are aborted, and the first failure is thrown.
 *
 * Uploads go through the lean calls (lean.ts; multipart ones through multipart.ts) when there are, else through the
 * SDK, loaded then (an endpoint only the SDK can sign for: see createLeanS3). Files up to SMALL_FILE are read once
 * and every attempt sends the same bytes; larger ones get a fresh stream per attempt.
 * What the SDK cannot repeat by itself (streamed bodies) and the lean calls (one attempt a call) are retried with the
 * action's one retry policy (s3-call.ts).
 */
import type { CompletedPart, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, type Hash } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { forEachLimited } from '../concurrency.js';
import { fileStream, readSmall, SMALL_FILE, withStream } from './files.js';
import { leanParts, sdkParts, type PartCalls } from './multipart.js';
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

  private partCalls?: Promise<PartCalls>;

  constructor(private readonly o: UploaderOptions) {}

  /** A multipart upload's calls: the lean ones when there are, else the SDK's (multipart.ts). */
  private parts(): Promise<PartCalls> {
    const { lean, s3, counter, bucket } = this.o;
    this.partCalls ??= lean ? Promise.resolve(leanParts(lean)) : sdkParts(s3, counter, bucket);
    return this.partCalls;
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
    const [client, sdk] = await Promise.all([this.o.s3.client(), import('./sdk.js')]);
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
    const calls = await this.parts();
    const { file } = upload;
    const key = this.o.prefix + file.key;
    const retry = { retry: true, log: this.o.log };
    const itself = calls.retried ? undefined : retry;
    const uploadId = await upload.id(() =>
      s3Operation(this.target('CreateMultipartUpload', file), () => calls.create(key, this.headersOf(file)), itself),
    );
    const start = index * PART_SIZE;
    const size = Math.min(file.size, start + PART_SIZE) - start;
    let digest: Hash | undefined;
    const open = (): Readable => {
      const part = fileStream(file.path, { start, end: start + size - 1 });
      return this.o.recordIds ? hashing(part, (digest = createHash('sha256'))) : part;
    };
    const sent = await s3Operation(
      this.target('UploadPart', file),
      () => calls.put(key, uploadId, index + 1, open, size),
      retry,
    );
    if (digest) upload.digests[index] = digest.digest();
    if (!upload.done(sent)) return;
    const etag = await s3Operation(
      this.target('CompleteMultipartUpload', file),
      () => calls.complete(key, uploadId, upload.all),
      itself,
    );
    upload.completed = true;
    this.uploaded(file, digest && contentId(upload.digests), etag);
  }

  private async abort(upload: Multipart): Promise<void> {
    const calls = await this.parts();
    const { file, uploadId } = upload;
    const retry = calls.retried ? undefined : { retry: true, log: this.o.log };
    await s3Operation(
      this.target('AbortMultipartUpload', file),
      () => calls.abort(this.o.prefix + file.key, uploadId!),
      retry,
    ).catch((e: Error) =>
      this.o.log(`warning: ${e.message}; the parts stay in the bucket until a lifecycle rule removes them`),
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
