/**
 * The bench's site: a tree generated from a fixed seed (2,000 files, ~42 MB: a 20 MB video, a few images, JS and CSS
 * chunks with content hashes in their names, HTML pages, JSON, icons; `small`: 40 files), and the edits between
 * phases:
 * - `editTree`: one file rewritten (same size, other bytes), one deleted; every other file keeps its old mtime;
 * - `ciRebuild`: what a CI build does on every push: every file written again (new mtimes, same bytes) and one
 *   changed (same size, other bytes), so only content tells which file changed.
 */
import { mkdirSync, readdirSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Tree {
  dir: string;
  files: number;
  bytes: number;
  /** Rewritten (same size, other content) for the incremental run. */
  changeKey: string;
  /** Deleted for the incremental run; the first stylesheet, rewritten by the front-end edit. */
  deleteKey: string;
  /** Changed by the CI rebuild. */
  ciKey: string;
}

export function generateTree(dir: string, small: boolean, seed: number): Tree {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const viteHash = (): string => Array.from({ length: 8 }, () => b64[int(0, 63)]).join('');
  const words =
    'const let function return import export default class extends async await if else for while of new this null true false'.split(
      ' ',
    );
  const text = (size: number): Buffer => {
    const parts: string[] = [];
    let n = 0;
    while (n < size) {
      const w = words[int(0, words.length - 1)] + (rnd() < 0.1 ? ';\n' : ' ');
      parts.push(w);
      n += w.length;
    }
    return Buffer.from(parts.join('').slice(0, size));
  };
  const binary = (size: number): Buffer => {
    const b = Buffer.allocUnsafe(size);
    for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE((rnd() * 4294967296) >>> 0, i);
    for (let i = size - (size % 4); i < size; i++) b[i] = int(0, 255);
    return b;
  };
  let files = 0;
  let bytes = 0;
  const put = (rel: string, data: Buffer): void => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    files++;
    bytes += data.length;
  };

  const total = small ? 40 : 2000;
  const images = small ? 2 : 6;
  if (!small) put(`media/intro.${hex(8)}.mp4`, binary(20_000_000));
  for (let i = 0; i < images; i++) {
    put(`img/photo-${i}.${hex(8)}.jpg`, binary(small ? int(100_000, 300_000) : int(1_000_000, 5_000_000)));
  }
  put('index.html', text(int(1000, 6000)));
  put('favicon.ico', binary(1150));
  put('robots.txt', text(60));
  let changeKey = '';
  let deleteKey = '';
  let ciKey = '';
  for (let i = 0; files < total; i++) {
    const r = rnd();
    let rel: string;
    let data: Buffer;
    if (r < 0.4) {
      rel = `assets/chunk-${i}-${viteHash()}.js`;
      data = text(int(1000, 8000));
    } else if (r < 0.6) {
      rel = `assets/style-${i}-${viteHash()}.css`;
      data = text(int(500, 4000));
    } else if (r < 0.8) {
      rel = `pages/p${i}/index.html`;
      data = text(int(1000, 6000));
    } else if (r < 0.9) {
      rel = `data/d${i}.json`;
      data = text(int(200, 2000));
    } else {
      rel = `icons/icon-${i}.${hex(8)}.svg`;
      data = text(int(1000, 10000));
    }
    if (!changeKey && rel.endsWith('.js')) changeKey = rel;
    else if (!deleteKey && rel.endsWith('.css')) deleteKey = rel;
    else if (!ciKey && rel.endsWith('.json')) ciKey = rel;
    put(rel, data);
  }
  // Give the tree an old mtime (a day ago), kept by the per-tool copies: aws-cli compares mtimes, and the
  // edit then makes exactly one file newer than its uploaded copy.
  const old = new Date(Date.now() - 86_400_000);
  const touch = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const q = join(p, e.name);
      if (e.isDirectory()) touch(q);
      utimesSync(q, old, old);
    }
  };
  touch(dir);
  return { dir, files, bytes, changeKey, deleteKey, ciKey };
}

/** The same size, another first byte. */
function flipFirstByte(path: string): void {
  const data = readFileSync(path);
  data[0] = data[0] === 0x41 ? 0x42 : 0x41;
  writeFileSync(path, data);
}

/** The incremental edit: one file rewritten (same size, different content), one deleted. */
export function editTree(tree: Tree, dir: string): void {
  flipFirstByte(join(dir, tree.changeKey));
  unlinkSync(join(dir, tree.deleteKey));
}

/** A front-end-only change: the home page and the tree's first stylesheet rewritten (same size, other bytes). */
export function frontEndEdit(tree: Tree, dir: string): string[] {
  const changed = ['index.html', tree.deleteKey];
  for (const key of changed) flipFirstByte(join(dir, key));
  return changed;
}

/** A fresh CI build of the same sources but one: every file written again (now its mtime), one of them changed. */
export function ciRebuild(tree: Tree, dir: string): void {
  const rewrite = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const q = join(p, e.name);
      if (e.isDirectory()) rewrite(q);
      else writeFileSync(q, readFileSync(q));
    }
  };
  rewrite(dir);
  flipFirstByte(join(dir, tree.ciKey));
}
