import { createHash } from 'node:crypto';
import {
  batches,
  hashKindFor,
  hashRequests,
  multipartEtag,
  normalizeEtag,
  partCount,
  PART_SIZE,
  planSync,
  usesMultipart,
  type RemoteObject,
} from '../../src/assets/plan.js';
import { isSafeKey, type LocalFile } from '../../src/assets/local.js';

const MD5_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const MD5_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const file = (key: string, size: number): LocalFile => ({ key, path: `/site/${key}`, size });
const remoteOf = (entries: [string, number, string][]): Map<string, RemoteObject> =>
  new Map(entries.map(([k, size, etag]) => [k, { size, etag }]));

describe('normalizeEtag', () => {
  it('strips quotes and lower-cases', () => {
    expect(normalizeEtag('"ABCDEF"')).toBe('abcdef');
    expect(normalizeEtag(undefined)).toBe('');
  });
});

describe('multipart arithmetic', () => {
  it('uploads in parts only above the threshold', () => {
    expect(usesMultipart(PART_SIZE)).toBe(false);
    expect(usesMultipart(PART_SIZE + 1)).toBe(true);
  });
  it('counts parts', () => {
    expect(partCount(0)).toBe(1);
    expect(partCount(PART_SIZE)).toBe(1);
    expect(partCount(PART_SIZE + 1)).toBe(2);
    expect(partCount(20_000_000)).toBe(3);
  });
  it('computes the S3 multipart ETag: md5 of the concatenated part digests, then -N', () => {
    const md5 = (d: Uint8Array): Buffer => createHash('md5').update(d).digest();
    const parts = [Buffer.from('part one'), Buffer.from('part two')].map(md5);
    const expected = createHash('md5').update(Buffer.concat(parts)).digest('hex') + '-2';
    expect(multipartEtag(parts, (d) => createHash('md5').update(d).digest('hex'))).toBe(expected);
  });
});

describe('hashKindFor', () => {
  it('plain MD5 ETag → md5', () => expect(hashKindFor(MD5_A, 10)).toBe('md5'));
  it('multipart ETag with our part count → multipart', () =>
    expect(hashKindFor(`${MD5_A}-3`, 20_000_000)).toBe('multipart'));
  it('multipart ETag with another part count cannot match', () =>
    expect(hashKindFor(`${MD5_A}-4`, 20_000_000)).toBeUndefined());
  it('non-MD5 ETags (SSE-KMS, other servers) cannot match', () => {
    expect(hashKindFor('not-an-md5', 10)).toBeUndefined();
    expect(hashKindFor('', 10)).toBeUndefined();
  });
});

describe('hashRequests: hash only what could be unchanged', () => {
  const local = [
    file('a.js', 10),
    file('b.js', 20),
    file('new.js', 5),
    file('big.bin', 20_000_000),
    file('odd.bin', 30),
  ];
  const remote = remoteOf([
    ['a.js', 10, MD5_A], // same size: hash
    ['b.js', 21, MD5_B], // size differs: upload without hashing
    ['big.bin', 20_000_000, `${MD5_A}-3`], // our multipart upload: multipart hash
    ['odd.bin', 30, 'opaque'], // cannot be compared: upload without hashing
    ['gone.js', 1, MD5_A],
  ]);
  it('asks for exactly the same-key same-size files with a reproducible ETag', () => {
    expect(hashRequests(local, remote).map((r) => [r.file.key, r.kind])).toEqual([
      ['a.js', 'md5'],
      ['big.bin', 'multipart'],
    ]);
  });
  it('asks for nothing on a cold sync', () => {
    expect(hashRequests(local, new Map())).toEqual([]);
  });
});

describe('planSync', () => {
  it('cold: uploads everything, non-HTML first then HTML, both sorted', () => {
    const local = [file('index.html', 1), file('b/page.html', 1), file('z.css', 1), file('a/app.js', 1)];
    const plan = planSync(local, new Map(), new Map());
    expect(plan.assets.map((f) => f.key)).toEqual(['a/app.js', 'z.css']);
    expect(plan.html.map((f) => f.key)).toEqual(['b/page.html', 'index.html']);
    expect(plan.skipped).toEqual([]);
    expect(plan.deletes).toEqual([]);
  });

  it('skips by content, uploads changes, deletes stale keys', () => {
    const local = [file('index.html', 5), file('same.js', 10), file('changed.js', 10), file('grown.js', 11)];
    const remote = remoteOf([
      ['index.html', 5, MD5_A],
      ['same.js', 10, MD5_A],
      ['changed.js', 10, MD5_A],
      ['grown.js', 10, MD5_A],
      ['stale.js', 3, MD5_B],
      ['old/stale.html', 3, MD5_B],
    ]);
    const hashes = new Map([
      ['index.html', MD5_A],
      ['same.js', MD5_A],
      ['changed.js', MD5_B],
    ]);
    const plan = planSync(local, remote, hashes);
    expect(plan.skipped.map((f) => f.key)).toEqual(['index.html', 'same.js']);
    expect(plan.assets.map((f) => f.key)).toEqual(['changed.js', 'grown.js']);
    expect(plan.html).toEqual([]);
    expect(plan.deletes).toEqual(['old/stale.html', 'stale.js']);
  });

  it('a missing hash never counts as unchanged', () => {
    const plan = planSync([file('a.js', 1)], remoteOf([['a.js', 1, MD5_A]]), new Map());
    expect(plan.assets.map((f) => f.key)).toEqual(['a.js']);
  });

  it('compares multipart hashes in ETag form', () => {
    const etag = `${MD5_A}-3`;
    const plan = planSync(
      [file('big.bin', 20_000_000)],
      remoteOf([['big.bin', 20_000_000, etag]]),
      new Map([['big.bin', etag]]),
    );
    expect(plan.skipped).toHaveLength(1);
  });
});

describe('batches', () => {
  it('splits into groups of 1,000', () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `k${i}`);
    expect(batches(keys).map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(batches([])).toEqual([]);
  });
});

describe('isSafeKey (guard on walked paths)', () => {
  it.each(['index.html', 'assets/app.js', '.well-known/security.txt', 'a b/c.txt'])('%s is safe', (k) =>
    expect(isSafeKey(k)).toBe(true),
  );
  it.each(['', '/etc/passwd', '../x', 'a/../../x', 'a/./b', 'a//b', 'a\\b', 'a/\u0000b', 'a/'])('%j is refused', (k) =>
    expect(isSafeKey(k)).toBe(false),
  );
});
