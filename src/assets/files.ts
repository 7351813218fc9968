/**
 * Reading the files the walk found (local.ts), for hashing and for uploading.
 *
 * Files are opened with O_NONBLOCK and read only while they are still regular files: one replaced by a FIFO after
 * the walk fails at once instead of blocking the sync on a writer that never comes. A file whose size is no longer
 * the walk's fails with FileChanged rather than be sent or hashed as something else.
 *
 * Files up to SMALL_FILE are read whole with one synchronous open/read/close (microseconds for a small file, less
 * than the thread-pool round trips of the asynchronous calls, and most of a site's files are small); larger ones are
 * streamed.
 */
import { createHash } from 'node:crypto';
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
import { FileChanged } from './local.js';
import { contentId, PartHasher } from './manifest.js';
import { multipartEtag, PART_SIZE, type HashKind } from './plan.js';

export const SMALL_FILE = 256 * 1024;
const READ_CHUNK = 256 * 1024;
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
    if (n !== size)
      throw new FileChanged(
        path,
        n > size ? `it grew past the ${size} bytes the walk saw` : `${n} bytes, the walk saw ${size}`,
      );
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

/** The hashes `want` asks for, in one read of the file (whole when small, else streamed). */
export async function fileHashes(
  path: string,
  size: number,
  want: HashWant,
  partSize = PART_SIZE,
): Promise<FileHashes> {
  const h = hashers(want, partSize);
  if (size <= SMALL_FILE) h.update(readSmall(path, size));
  else for await (const chunk of fileStream(path)) h.update(chunk as Buffer);
  return h.results();
}

/** The file's hash in ETag form: `<md5>` or, for `multipart`, `md5(part md5s)-<N>` with PART_SIZE parts. */
export async function hashFile(path: string, kind: HashKind, opts: { partSize?: number } = {}): Promise<string> {
  const { size } = statSync(path);
  return (await fileHashes(path, size, { etag: kind }, opts.partSize)).etag!;
}
