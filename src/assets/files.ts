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
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, type ReadStream } from 'node:fs';
import { FileChanged } from './local.js';
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

/** The file's hash in ETag form: `<md5>` or, for `multipart`, `md5(part md5s)-<N>` with PART_SIZE parts. */
export async function hashFile(
  path: string,
  kind: HashKind,
  opts: { size?: number; partSize?: number } = {},
): Promise<string> {
  if (kind === 'md5' && opts.size !== undefined && opts.size <= SMALL_FILE) {
    return createHash('md5').update(readSmall(path, opts.size)).digest('hex');
  }
  const stream = fileStream(path);
  if (kind === 'md5') {
    const h = createHash('md5');
    for await (const chunk of stream) h.update(chunk as Buffer);
    return h.digest('hex');
  }
  const partSize = opts.partSize ?? PART_SIZE;
  const digests: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const c of stream) {
    const chunk = c as Buffer;
    let off = 0;
    while (off < chunk.length) {
      const take = Math.min(chunk.length - off, partSize - inPart);
      part.update(chunk.subarray(off, off + take));
      inPart += take;
      off += take;
      if (inPart === partSize) {
        digests.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0 || digests.length === 0) digests.push(part.digest());
  return multipartEtag(digests, (d) => createHash('md5').update(d).digest('hex'));
}
