/**
 * Reading the files the walk found (local.ts), for hashing and for uploading.
 *
 * Files are opened with O_NONBLOCK and read only while they are still regular files: one replaced by a FIFO after
 * the walk fails at once instead of blocking the sync on a writer that never comes. A file whose size is no longer
 * the walk's fails with FileChanged rather than be sent or hashed as something else.
 *
 * For uploads, files up to SMALL_FILE are read whole with one synchronous open/read/close (microseconds for a small
 * file, less than the thread-pool round trips of the asynchronous calls, and most of a site's files are small); larger
 * ones are streamed. Hashing reads each file synchronously through one reused buffer (the reads hand the event loop
 * back between slices of files: compare.ts), a small file in one read hashed by one-shot calls: a buffer or a hash
 * object per file cost more in allocation and garbage collection than the hashing itself (a third of a CI rebuild's
 * time on the bench).
 */
import { createHash, hash } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  openSync,
  readSync,
  statSync,
  type ReadStream,
} from 'node:fs';
import type { Readable } from 'node:stream';
import { FileChanged } from './local.js';
import { contentId, contentIdOf, PartHasher } from './manifest.js';
import { multipartEtag, PART_SIZE, type HashKind } from './plan.js';

export const SMALL_FILE = 256 * 1024;
/**
 * A streamed upload's reads. Each is a new buffer that lives until the socket took it and garbage collection came:
 * with a cold upload's large files streaming at once, 64 KiB rather than 256 KiB took the sync's peak of buffers
 * from 31–37 MB to 19–24 MB on the bench (s3rver, 2,000 files), for a few hundred more reads.
 */
const READ_CHUNK = 64 * 1024;
/** A divisor of PART_SIZE, so that a part's digest never needs a read split across two parts. */
const HASH_CHUNK = 1024 * 1024;
/** Opening never waits (a FIFO would block it until a writer comes); regular files read as usual. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** A descriptor of `path` for reading, if it is still the regular file the walk saw. */
function openRegular(path: string): number {
  const fd = openSync(path, READ_FLAGS);
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  throw new FileChanged(path, 'it is no longer a regular file');
}

/** A stream of `path` (or of the inclusive byte range), opened now. */
export function fileStream(path: string, range: { start?: number; end?: number } = {}): ReadStream {
  return createReadStream(path, { fd: openRegular(path), highWaterMark: READ_CHUNK, ...range });
}

/** A file read to `n` bytes where the walk saw `size`. */
function sizeChanged(path: string, n: number, size: number): FileChanged {
  return new FileChanged(
    path,
    n > size ? `it grew past the ${size} bytes the walk saw` : `${n} bytes, the walk saw ${size}`,
  );
}

/** A small file's bytes, read whole; throws FileChanged when its size is no longer `size`. */
export function readSmall(path: string, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size + 1); // one byte more: a file that grew fills it
  const fd = openRegular(path);
  try {
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) break;
    }
    if (n !== size) throw sizeChanged(path, n, size);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** What to compute in one read of a file: its ETag form (`<md5>` or `md5(part md5s)-<N>`), its content id, or both. */
export interface HashWant {
  etag?: HashKind;
  id?: boolean;
}

/** One running hash per wanted result, fed the same bytes. */
function hashers(want: HashWant, partSize: number): { update(b: Buffer): void; results(): FileHashes } {
  const md5 = want.etag === 'md5' ? createHash('md5') : undefined;
  const parts = want.etag === 'multipart' ? new PartHasher('md5', partSize) : undefined;
  const id = want.id ? new PartHasher('sha256', partSize) : undefined;
  return {
    update(b) {
      md5?.update(b);
      parts?.update(b);
      id?.update(b);
    },
    results: () => ({
      etag:
        md5?.digest('hex') ??
        (parts && multipartEtag(parts.digests(), (d) => createHash('md5').update(d).digest('hex'))),
      id: id && contentId(id.digests()),
    }),
  };
}

export interface FileHashes {
  etag?: string;
  id?: string;
}

/** The buffer every hashing read goes through (reads are synchronous: one at a time). */
let scratch: Buffer | undefined;

/**
 * The hashes of a file's bytes held whole (one part at most), by one-shot calls: a hash object per file and its
 * garbage cost more than hashing a small file.
 */
function wholeHashes(data: Buffer, want: HashWant): FileHashes {
  return {
    etag: want.etag === 'md5' ? hash('md5', data, 'hex') : undefined,
    id: want.id ? contentIdOf(data) : undefined,
  };
}

/** The hashes `want` asks for, in one read of the file; throws FileChanged when its size is no longer `size`. */
export function fileHashes(path: string, size: number, want: HashWant, partSize = PART_SIZE): FileHashes {
  const buf = (scratch ??= Buffer.allocUnsafe(HASH_CHUNK));
  const fd = openRegular(path);
  try {
    let r = readSync(fd, buf, 0, buf.length, null);
    // a regular file's read that comes back short of the buffer has reached the end: the file is all in `buf`
    if (r < buf.length && size <= partSize && want.etag !== 'multipart') {
      if (r !== size) throw sizeChanged(path, r, size);
      return wholeHashes(buf.subarray(0, r), want);
    }
    const h = hashers(want, partSize);
    let n = 0;
    for (; r > 0; r = readSync(fd, buf, 0, buf.length, null)) {
      n += r;
      if (n > size) throw sizeChanged(path, n, size);
      h.update(buf.subarray(0, r));
    }
    if (n !== size) throw sizeChanged(path, n, size);
    return h.results();
  } finally {
    closeSync(fd);
  }
}

/** The file's hash in ETag form: `<md5>` or, for `multipart`, `md5(part md5s)-<N>` with PART_SIZE parts. */
export function hashFile(path: string, kind: HashKind, opts: { partSize?: number } = {}): string {
  const { size } = statSync(path);
  return fileHashes(path, size, { etag: kind }, opts.partSize).etag!;
}

/** One attempt of a command whose body is a fresh file stream, destroyed whatever the outcome. */
export async function withStream<T, S extends Readable>(open: () => S, send: (body: S) => Promise<T>): Promise<T> {
  const body = open();
  try {
    return await send(body);
  } finally {
    body.destroy();
  }
}
