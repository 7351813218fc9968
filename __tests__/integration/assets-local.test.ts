/**
 * walkLocal on a real directory: how over-long keys are reported (one warning, before the sync sends anything) and
 * which names are skipped silently. FIFOs, sockets and names that are not UTF-8 are covered end to end in
 * assets-sync.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_KEY_BYTES, walkLocal } from '../../src/assets/local.js';

let dir: string;
let lines: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'walk-'));
  lines = [];
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const log = (l: string): void => void lines.push(l);

describe('walkLocal', () => {
  it('reports every over-long key in one warning, naming the first five, and keeps keys at the limit', async () => {
    const prefix = 'app-pr-12/'; // 10 bytes
    const deep = join(dir, ...['d', 'e', 'f', 'g'].map((c) => c.repeat(200))); // 804 bytes of key with the slashes
    mkdirSync(deep, { recursive: true });
    const room = MAX_KEY_BYTES - prefix.length - 804; // what is left for a file name: 210 bytes
    writeFileSync(join(deep, 'k'.repeat(room)), 'at the limit');
    for (let i = 0; i < 7; i++) writeFileSync(join(deep, `${i}${'k'.repeat(room)}`), 'one byte too long');
    writeFileSync(join(dir, 'short.txt'), 'short');

    const files = walkLocal(dir, { includeDotfiles: false, keyPrefix: prefix, log });
    expect(files.map((f) => Buffer.byteLength(prefix + f.key))).toEqual([MAX_KEY_BYTES, prefix.length + 9]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^warning: skipping 7 file\(s\) whose object key would be longer than S3's limit of 1024 bytes \(UTF-8, with the prefix "app-pr-12\/"\): /,
    );
    expect(lines[0].match(/\(1025 bytes\)/g)).toHaveLength(5);
    expect(lines[0]).toMatch(/kkk" \(1025 bytes\), and 2 more; shorten their paths under static-dir$/);
  });

  it('counts the prefix in the key: a 1,024-byte path fits alone and not under `p/`', async () => {
    const deep = join(dir, ...['d', 'e', 'f', 'g'].map((c) => c.repeat(200)));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'k'.repeat(MAX_KEY_BYTES - 804)), 'exactly at the limit without a prefix');
    expect(walkLocal(dir, { includeDotfiles: false, log })).toHaveLength(1);
    expect(lines).toEqual([]);
    expect(walkLocal(dir, { includeDotfiles: false, keyPrefix: 'p/', log })).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^warning: skipping 1 file\(s\) .*\(1026 bytes\); shorten/)]);
  });

  it('skips a dotfile whose name is not UTF-8 silently, like any dotfile, unless dotfiles are included', async () => {
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/.caf`), Buffer.from([0xe9])]), 'hidden and not UTF-8');
    expect(walkLocal(dir, { includeDotfiles: false, log })).toEqual([]);
    expect(lines).toEqual([]);
    expect(walkLocal(dir, { includeDotfiles: true, log })).toEqual([]);
    expect(lines).toEqual(['warning: skipping .caf\\xe9: its name is not valid UTF-8, so it has no object key']);
  });

  it('keeps a UTF-8 name holding U+FFFD and skips the name that is not UTF-8 and decodes to the same text', async () => {
    // names are read as text; only a directory with U+FFFD in a name is read again by bytes to tell the two apart
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a\ufffdb.txt'), 'valid UTF-8');
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/sub/a`), Buffer.from([0xff]), Buffer.from('b.txt')]), 'not UTF-8');
    writeFileSync(join(dir, 'sub', 'plain.txt'), 'plain');
    const files = walkLocal(dir, { includeDotfiles: false, log });
    expect(files.map((f) => [f.key, f.size])).toEqual([
      ['sub/a\ufffdb.txt', 11],
      ['sub/plain.txt', 5],
    ]);
    expect(lines).toEqual(['warning: skipping sub/a\\xffb.txt: its name is not valid UTF-8, so it has no object key']);
  });

  it('follows a link to a file inside whose name starts with "..", with the target\'s size', async () => {
    writeFileSync(join(dir, '..data.txt'), 'twelve bytes');
    symlinkSync(join(dir, '..data.txt'), join(dir, 'link.txt'));
    const files = walkLocal(dir, { includeDotfiles: true, log });
    expect(files.map((f) => [f.key, f.size])).toEqual([
      ['..data.txt', 12],
      ['link.txt', 12],
    ]);
    expect(lines).toEqual([]);
  });
});
