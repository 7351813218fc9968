/**
 * Walk `static-dir` safely. Nothing outside the directory is ever read:
 * - symlinks are resolved and skipped (with a warning) when their real path leaves the directory;
 * - symlinked directories inside it are followed (a link back to an ancestor is skipped: no cycles);
 * - keys are POSIX relative paths, checked for `..`, empty and absolute segments even though a walk
 *   cannot produce them;
 * - dotfiles and dot-directories are skipped unless `includeDotfiles`.
 * Only metadata (lstat/stat/realpath) is read here; contents are read by the sync, from `path`, which is
 * always the real path inside the directory.
 */
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';

export interface LocalFile {
  /** POSIX relative path under static-dir, e.g. `assets/app.3f9a1c2b.js`. */
  key: string;
  /** Real absolute path of the file, inside static-dir. */
  path: string;
  size: number;
}

export interface WalkOptions {
  includeDotfiles: boolean;
  log?: (line: string) => void;
}

function inside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A safe object key suffix: relative, no empty, `.` or `..` segments, no backslashes or control chars. */
export function isSafeKey(key: string): boolean {
  if (key === '' || key.startsWith('/') || key.includes('\\') || /[\x00-\x1f]/.test(key)) return false;
  return key.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

export async function walkLocal(dir: string, opts: WalkOptions): Promise<LocalFile[]> {
  const root = await fs.realpath(dir);
  const st = await fs.stat(root);
  if (!st.isDirectory()) throw new Error(`static-dir ${dir} is not a directory`);
  const warn = (line: string): void => opts.log?.(`warning: ${line}`);
  const files: LocalFile[] = [];

  /** `ancestors`: real paths of the directories on the way down, to cut symlink cycles. */
  async function walk(realDir: string, keyPrefix: string, ancestors: ReadonlySet<string>): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(realDir, { withFileTypes: true });
    } catch (err) {
      warn(`cannot read directory ${keyPrefix || '.'}: ${(err as Error).message}`);
      return;
    }
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.name.startsWith('.') && !opts.includeDotfiles) return;
        const key = keyPrefix + entry.name;
        if (!isSafeKey(key)) {
          warn(`skipping ${JSON.stringify(key)}: not a safe object key`);
          return;
        }
        let full = path.join(realDir, entry.name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          let real: string;
          try {
            real = await fs.realpath(full);
          } catch {
            warn(`skipping ${key}: broken symlink`);
            return;
          }
          if (!inside(root, real)) {
            warn(`skipping ${key}: symlink points outside static-dir`);
            return;
          }
          const target = await fs.stat(real);
          full = real;
          isDir = target.isDirectory();
          isFile = target.isFile();
        }
        if (isDir) {
          if (ancestors.has(full)) {
            warn(`skipping ${key}: symlink cycle`);
            return;
          }
          await walk(full, key + '/', new Set([...ancestors, full]));
        } else if (isFile) {
          const { size } = await fs.stat(full);
          files.push({ key, path: full, size });
        }
        // sockets, FIFOs, devices: never uploaded
      }),
    );
  }

  await walk(root, '', new Set([root]));
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
