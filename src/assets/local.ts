/**
 * Walk `static-dir` safely. Nothing outside the directory is ever read, and nothing but regular files is uploaded:
 * - symlinks are resolved and skipped (with a warning) when their real path leaves the directory;
 * - symlinked directories inside it are followed (a link back to an ancestor is skipped: no cycles);
 * - FIFOs, sockets and devices (directly or through a symlink) are skipped with a warning, and never opened: a
 *   FIFO's open would wait for a writer forever;
 * - names that are not valid UTF-8 are skipped with a warning: they have no faithful object key (decoding would
 *   turn them into U+FFFD, and two such names into the same key);
 * - keys are POSIX relative paths, checked for `..`, empty and absolute segments even though a walk
 *   cannot produce them;
 * - keys longer than S3's limit (1,024 bytes of UTF-8, the bucket prefix included) are skipped, all reported in
 *   one warning at the end of the walk, before anything is uploaded;
 * - dotfiles and dot-directories are skipped unless `includeDotfiles`; `.faas-preview/` at the top always is: the edge
 *   routes that path to the edge service, and the sync keeps its content manifest there (manifest.ts).
 * Only metadata (lstat/stat/realpath) is read here, with synchronous calls: a few microseconds each for a local
 * directory, a third of the time of their promise forms (thread-pool round trips) on a 2,000-file site. Contents are
 * read by the sync, from `path`, which is always the real path inside the directory.
 */
import { isUtf8 } from 'node:buffer';
import { readdirSync, realpathSync, Stats, statSync, type Dirent } from 'node:fs';
import { inside } from '../rules/paths.js';

export interface LocalFile {
  /** POSIX relative path under static-dir, e.g. `assets/app.3f9a1c2b.js`. */
  key: string;
  /** Real absolute path of the file, inside static-dir. */
  path: string;
  size: number;
}

export interface WalkOptions {
  includeDotfiles: boolean;
  /** The bucket prefix the keys are uploaded under (`<name>/`): it counts towards S3's key length limit. */
  keyPrefix?: string;
  log?: (line: string) => void;
}

/** A file is no longer what the walk saw (size, type): the sync fails rather than send something else. */
export class FileChanged extends Error {
  /** `subject`: the file's path, or the request that was sending it. */
  constructor(subject: string, what: string) {
    super(`${subject}: the file changed during the sync (${what})`);
    this.name = 'FileChanged';
  }
}

/** The top-level folder the edge reserves for the edge service (never served from the bucket): not synced. */
export const RESERVED_DIR = '.faas-preview';

/** S3's limit on an object key, in bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;
/** Over-long keys named in the warning; the rest are counted. */
const LONG_KEYS_SHOWN = 5;

/** A safe object key suffix: relative, no empty, `.` or `..` segments, no backslashes or control chars. */
export function isSafeKey(key: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  if (key === '' || key.startsWith('/') || key.includes('\\') || /[\x00-\x1f]/.test(key)) return false;
  return key.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** What a non-regular, non-directory entry is, for the warning; undefined for files and directories. */
function specialKind(e: Dirent<string | Buffer> | Stats): string | undefined {
  if (e.isFIFO()) return 'a FIFO (named pipe)';
  if (e.isSocket()) return 'a socket';
  if (e.isBlockDevice()) return 'a block device';
  if (e.isCharacterDevice()) return 'a character device';
  return undefined;
}

/** The name decoded, or undefined when it is not valid UTF-8 (decoding would not give the same bytes back). */
function utf8Name(raw: Buffer): string | undefined {
  return isUtf8(raw) ? raw.toString('utf8') : undefined;
}

/** A name that is not UTF-8, printable: ASCII as it is, every other byte as `\xNN`. */
function escapeBytes(raw: Buffer): string {
  let out = '';
  for (const b of raw)
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

/** One warning for every key over the limit, with the first few (each shortened in its middle). */
function longKeysWarning(keys: string[], keyPrefix: string): string {
  const shorten = (k: string): string => (k.length > 100 ? `${k.slice(0, 60)}…${k.slice(-39)}` : k);
  const shown = keys
    .slice(0, LONG_KEYS_SHOWN)
    .map((k) => `${JSON.stringify(shorten(k))} (${Buffer.byteLength(keyPrefix + k)} bytes)`);
  const more = keys.length > LONG_KEYS_SHOWN ? `, and ${keys.length - LONG_KEYS_SHOWN} more` : '';
  return (
    `skipping ${keys.length} file(s) whose object key would be longer than S3's limit of ${MAX_KEY_BYTES} bytes ` +
    `(UTF-8, with the prefix ${JSON.stringify(keyPrefix)}): ${shown.join(', ')}${more}; shorten their paths under static-dir`
  );
}

export function walkLocal(dir: string, opts: WalkOptions): LocalFile[] {
  const root = realpathSync(dir);
  const st = statSync(root);
  if (!st.isDirectory()) throw new Error(`static-dir ${dir} is not a directory`);
  const warn = (line: string): void => opts.log?.(`warning: ${line}`);
  const bucketPrefix = opts.keyPrefix ?? '';
  const files: LocalFile[] = [];
  const tooLong: string[] = [];

  /**
   * A directory's entries with their names. Read as strings (a walk's own cost halves against names as bytes); a name
   * that is not valid UTF-8 decodes with U+FFFD, and only a directory with such a name is read again by bytes, to
   * skip (with a warning) the names that really are not UTF-8.
   */
  function entriesOf(realDir: string, dirKey: string): [Dirent<string | Buffer>, string][] {
    const entries = readdirSync(realDir, { withFileTypes: true });
    if (!entries.some((e) => e.name.includes('\ufffd'))) return entries.map((e) => [e, e.name]);
    const named: [Dirent<string | Buffer>, string][] = [];
    for (const entry of readdirSync(realDir, { withFileTypes: true, encoding: 'buffer' })) {
      const name = utf8Name(entry.name);
      if (name !== undefined) named.push([entry, name]);
      else if (entry.name[0] !== 0x2e /* . */ || opts.includeDotfiles)
        warn(`skipping ${dirKey}${escapeBytes(entry.name)}: its name is not valid UTF-8, so it has no object key`);
    }
    return named;
  }

  /** `ancestors`: real paths of the directories on the way down, to cut symlink cycles. */
  function walk(realDir: string, dirKey: string, ancestors: ReadonlySet<string>): void {
    let entries: [Dirent<string | Buffer>, string][];
    try {
      entries = entriesOf(realDir, dirKey);
    } catch (err) {
      warn(`cannot read directory ${dirKey || '.'}: ${(err as Error).message}`);
      return;
    }
    for (const [entry, name] of entries) visit(entry, name, realDir, dirKey, ancestors);
  }

  /** `dirKey`: the key of the entry's directory, `''` or ending with `/` (a safe key, as the name is checked to be). */
  function visit(
    entry: Dirent<string | Buffer>,
    name: string,
    realDir: string,
    dirKey: string,
    ancestors: ReadonlySet<string>,
  ): void {
    if (name[0] === '.' && !opts.includeDotfiles) return;
    const key = dirKey + name;
    if (key === RESERVED_DIR) {
      warn(`skipping ${key}/: the edge reserves that path, and the sync keeps its own state there`);
      return;
    }
    if (!isSafeKey(name)) {
      warn(`skipping ${JSON.stringify(key)}: not a safe object key`);
      return;
    }
    let full = realDir.endsWith('/') ? realDir + name : `${realDir}/${name}`; // real paths: nothing to normalise
    let kind: Dirent<string | Buffer> | Stats = entry;
    if (entry.isSymbolicLink()) {
      let real: string;
      try {
        real = realpathSync(full);
      } catch {
        warn(`skipping ${key}: broken symlink`);
        return;
      }
      if (!inside(root, real)) {
        warn(`skipping ${key}: symlink points outside static-dir`);
        return;
      }
      full = real;
      kind = statSync(real);
    }
    const special = specialKind(kind);
    if (special) {
      warn(`skipping ${key}: ${special}, not a regular file`);
      return;
    }
    if (kind.isDirectory()) {
      if (ancestors.has(full)) {
        warn(`skipping ${key}: symlink cycle`);
        return;
      }
      walk(full, key + '/', new Set([...ancestors, full]));
    } else if (kind.isFile()) {
      if (Buffer.byteLength(bucketPrefix + key) > MAX_KEY_BYTES) {
        tooLong.push(key);
        return;
      }
      const { size } = kind instanceof Stats ? kind : statSync(full); // a symlink's target was stat'ed above
      files.push({ key, path: full, size });
    }
  }

  walk(root, '', new Set([root]));
  if (tooLong.length) warn(longKeysWarning(tooLong.sort(), bucketPrefix));
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
