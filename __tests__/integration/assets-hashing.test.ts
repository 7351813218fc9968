/**
 * Reading files for the comparison, on real files: fileHashes' one-read path for small files against the streamed
 * one (the same hashes at every size around the buffer and part boundaries, and a size the walk did not see fails),
 * and hashAhead, which reads content ids while the listing is on its way and leaves compareFiles what it did not read;
 * both read in slices that let the event loop through (inSlices).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareFiles, hashAhead, inSlices, type ManifestState } from '../../src/assets/compare.js';
import { fileHashes } from '../../src/assets/files.js';
import type { LocalFile } from '../../src/assets/local.js';
import { contentIdOf, type ManifestEntry } from '../../src/assets/manifest.js';

const MIB = 1024 * 1024;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hashing-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(key: string, data: Buffer): LocalFile {
  const path = join(dir, key);
  writeFileSync(path, data);
  return { key, path, size: data.length };
}

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * seed) % 251;
  return b;
}
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const never = new Promise<never>(() => undefined);

describe('fileHashes', () => {
  it('gives the same MD5 and content id whether the file fits one read or is streamed', () => {
    for (const n of [0, 1, MIB - 1, MIB, MIB + 1, 3 * MIB + 7]) {
      const data = bytes(n, 7);
      const f = file(`f${n}`, data);
      expect(fileHashes(f.path, n, { etag: 'md5', id: true })).toEqual({ etag: md5(data), id: contentIdOf(data) });
      // with parts smaller than the file, the id is over several parts: never the one-read shortcut
      expect(fileHashes(f.path, n, { id: true }, 1000).id).toBe(contentIdOf(data, 1000));
      expect(fileHashes(f.path, n, { etag: 'multipart' }, 1000).etag).toMatch(/^[0-9a-f]{32}-\d+$/);
    }
  });

  it('fails when the file is not the size the walk saw, smaller or larger, in either path', () => {
    for (const n of [10, 2 * MIB]) {
      const f = file(`f${n}`, bytes(n, 3));
      expect(() => fileHashes(f.path, n + 1, { id: true })).toThrow(/the file changed during the sync/);
      expect(() => fileHashes(f.path, n - 1, { id: true })).toThrow(/grew past the \d+ bytes the walk saw/);
    }
  });
});

describe('hashAhead and compareFiles', () => {
  const entry = (f: LocalFile, data: Buffer): ManifestEntry => ({
    id: contentIdOf(data),
    etag: md5(data),
    size: f.size,
  });

  it('reads nothing when the listing is in already, or when there is no verified manifest', async () => {
    const local = [file('a.txt', bytes(10, 1))];
    expect((await hashAhead(local, never, Promise.resolve())).size).toBe(0);
    const none: ManifestState = { recording: true };
    expect((await hashAhead(local, Promise.resolve(none), never)).size).toBe(0);
  });

  it('reads every file until the manifest is in, then only the files it lists with their size', async () => {
    const [da, db, dc] = [bytes(10, 1), bytes(20, 2), bytes(30, 3)];
    const local = [file('a.txt', da), file('b.txt', db), file('c.txt', dc)];
    expect([...(await hashAhead(local, never, never)).keys()]).toEqual(['a.txt', 'b.txt', 'c.txt']);

    const entries = new Map([
      ['a.txt', entry(local[0], da)],
      ['b.txt', { ...entry(local[1], db), size: 99 }], // another size: the file cannot be that object
    ]);
    const state: ManifestState = { entries, recording: true };
    const byManifest = await hashAhead(local, Promise.resolve(state), never);
    expect([...byManifest.keys()]).toEqual(['a.txt']);
  });

  it('lets compareFiles use what was read early and read itself what early reads did not compute', async () => {
    const [da, db] = [bytes(10, 1), bytes(20, 2)];
    const local = [file('a.txt', da), file('b.txt', db)];
    const entries = new Map([['a.txt', entry(local[0], da)]]);
    const state: ManifestState = { entries, recording: true };
    const early = await hashAhead(local, Promise.resolve(state), never);
    expect([...early.keys()]).toEqual(['a.txt']);
    rmSync(local[0].path); // read early: compareFiles must not need it again
    const remote = new Map([
      ['a.txt', { size: 10, etag: md5(da) }],
      ['b.txt', { size: 20, etag: md5(db) }],
    ]);
    const { hashes, ids } = await compareFiles(local, remote, state, () => undefined, early);
    expect(hashes).toEqual(
      new Map([
        ['a.txt', md5(da)],
        ['b.txt', md5(db)],
      ]),
    );
    expect(ids).toEqual(
      new Map([
        ['a.txt', contentIdOf(da)],
        ['b.txt', contentIdOf(db)],
      ]),
    );
  });

  it('hands the event loop back before it reads: other work runs before the comparison ends', async () => {
    const data = bytes(10, 1);
    const local = [file('a.txt', data)];
    let turned = false;
    setImmediate(() => (turned = true));
    const remote = new Map([['a.txt', { size: 10, etag: md5(data) }]]);
    await compareFiles(local, remote, { recording: false }, () => undefined);
    expect(turned).toBe(true);
  });

  it('reads again a file whose early read lacks the MD5 the listing turns out to need', async () => {
    const data = bytes(10, 1);
    const local = [file('a.txt', data)];
    const state: ManifestState = { entries: new Map([['a.txt', entry(local[0], data)]]), recording: true };
    const early = await hashAhead(local, Promise.resolve(state), never);
    truncateSync(local[0].path, 4); // the early read saw 10 bytes; this read fails on the size, so it did read
    // the object was written since by someone else: the entry no longer matches its ETag, MD5 is needed
    const remote = new Map([['a.txt', { size: 10, etag: 'f'.repeat(32) }]]);
    await expect(compareFiles(local, remote, state, () => undefined, early)).rejects.toThrow(/the file changed/);
  });
});

describe('inSlices', () => {
  const busy = (ms: number): void => {
    for (const end = performance.now() + ms; performance.now() < end;);
  };

  it('hands the event loop back between slices: a read longer than a slice is a slice of its own', async () => {
    const done: number[] = [];
    const seen: number[] = []; // how many items were read each time other work got the event loop
    let on = true;
    const other = (): void => {
      seen.push(done.length);
      if (on) setImmediate(other);
    };
    setImmediate(other);
    await inSlices([0, 1, 2, 3, 4], (i) => {
      busy(5);
      done.push(i);
    });
    on = false;
    expect(done).toEqual([0, 1, 2, 3, 4]);
    for (const n of [0, 1, 2, 3, 4]) expect(seen).toContain(n);
  });

  it('stops when told, before the next slice; reads nothing when told at once', async () => {
    const done: number[] = [];
    await inSlices(
      [0, 1, 2],
      (i) => {
        busy(5);
        done.push(i);
      },
      () => done.length === 2,
    );
    expect(done).toEqual([0, 1]);
    await inSlices(
      [0],
      () => done.push(9),
      () => true,
    );
    expect(done).toEqual([0, 1]);
  });
});
