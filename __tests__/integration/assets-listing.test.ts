/**
 * The listing cut into ranges listed at once (src/assets/remote.ts listRemote) on s3rver and radosgw: whatever keys
 * the caller expects (exact, none, stale, foreign, out of order), the listing is the whole prefix, each key once.
 * Pages of 4 keys and ranges of 5 expected keys stand in for S3's 1,000 and the sync's 900, so that ranges need
 * several pages and the cuts fall between pages.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createLeanS3, type LeanS3 } from '../../src/assets/lean.js';
import { keyOrder, listRemote, rangeCuts, RequestCounter } from '../../src/assets/remote.js';
import { S3_SERVERS, startS3Server } from '../../test/support/s3-servers.js';
import type { S3Emulator, S3Kind } from '../../test/support/s3.js';

const P = 'list-pr-1/';
const NAMES = [
  ...Array.from({ length: 26 }, (_, i) => `page-${String(i).padStart(2, '0')}.html`),
  'a b/c+d.txt',
  'assets/x.js',
  'é/ünï.txt',
  'zz/last.css',
  '.faas-preview/assets.json',
];

for (const { kind, describe } of S3_SERVERS) describe(`the cut listing on ${kind}`, () => suite(kind));

function suite(kind: S3Kind): void {
  let s3: S3Emulator;
  let lean: LeanS3;
  // radosgw orders keys by their UTF-8 bytes, as S3 does; s3rver by UTF-16 code units: only radosgw gets a key
  // outside the Basic Multilingual Plane next to one inside it
  const names = kind === 'rgw' ? [...NAMES, '\u{1F600}.txt', '\uFFFD.txt'] : NAMES;
  const keys = names.map((n) => P + n);

  beforeAll(async () => {
    s3 = await startS3Server(kind);
    for (const key of keys) await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: key }));
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'list-pr-10/other.txt', Body: 'x' }));
    lean = (await createLeanS3(s3.connection, s3.bucket, { maxSockets: 8 }))!;
  }, 120_000);

  afterAll(async () => {
    lean?.close();
    await s3?.close();
  });

  async function listed(expected: readonly string[]): Promise<{ keys: string[] }> {
    const remote = await listRemote(
      { s3: s3.connection, lean, counter: new RequestCounter(), log: () => undefined },
      s3.bucket,
      P,
      Promise.resolve(expected),
      { rangeKeys: 5, maxKeys: 4 },
    );
    return { keys: [...remote.keys()].map((k) => P + k) };
  }

  const sorted = () => [...keys].sort(keyOrder);

  it('lists every key once with the exact keys expected, in ranges asked for at once', async () => {
    const { keys: got } = await listed(keys);
    expect(got.sort(keyOrder)).toEqual(sorted());
    expect(rangeCuts(keys, 5).length).toBeGreaterThan(3); // the listing was cut
  });

  it.each([
    ['nothing expected', []],
    [
      'stale: half of the keys, and others that are not there',
      [...keys.filter((_, i) => i % 2), `${P}gone-1`, `${P}m`],
    ],
    ['foreign: keys of another prefix and of no prefix', ['a', 'list-pr-10/other.txt', 'zzzz', `${P}`]],
    ['many more than there are', Array.from({ length: 200 }, (_, i) => `${P}page-${String(i).padStart(3, '0')}`)],
  ])('lists every key once, and nothing else, with %s', async (_, expected) => {
    const { keys: got } = await listed(expected);
    expect(got.sort(keyOrder)).toEqual(sorted());
  });
}

describe('rangeCuts', () => {
  it('cuts at every n-th expected key in UTF-8 byte order, only at printable ASCII keys', () => {
    const expected = ['p/e', 'p/a', 'p/\u{1F600}', 'p/c', 'p/é', 'p/b', 'p/d', 'p/\uFFFD'];
    expect(rangeCuts(expected, 2)).toEqual(['p/b', 'p/d']);
    expect(rangeCuts(expected, 10)).toEqual([]);
    expect(keyOrder('p/\uFFFD', 'p/\u{1F600}')).toBeLessThan(0); // bytes: EF BF BD < F0 9F 98 80
  });

  it('orders keys as their UTF-8 bytes do, surrogate pairs against U+E000–U+FFFF included', () => {
    const units = ['a', 'z', '~', '\u00e9', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1F600}'];
    const strings = [''];
    for (const u of units) for (const v of ['', ...units]) strings.push(u + v);
    const bytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
    for (const a of strings) for (const b of strings) expect([a, b, keyOrder(a, b)]).toEqual([a, b, bytes(a, b)]);
  });
});
