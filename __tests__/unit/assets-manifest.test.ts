import { createHash } from 'node:crypto';
import {
  contentId,
  contentIdOf,
  decodeManifest,
  encodeManifest,
  manifestMac,
  PartHasher,
  usableEntry,
  type ManifestEntry,
} from '../../src/assets/manifest.js';

const SCOPE = { bucket: 'previews', prefix: 'app-pr-1/' };
const MAC = manifestMac('the-secret-access-key');
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const MD5_A = '0'.repeat(32);
const entries = (): Map<string, ManifestEntry> =>
  new Map([
    ['index.html', { id: ID_A, etag: MD5_A, size: 10 }],
    ['img/big.bin', { id: ID_B, etag: `${'1'.repeat(32)}-3`, size: 20_000_000 }],
  ]);

describe('content ids', () => {
  it('are SHA-256 over the parts` SHA-256 digests, whatever the chunks the bytes came in', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const sha = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
    const parts = [data.subarray(0, 300), data.subarray(300, 600), data.subarray(600, 900), data.subarray(900)];
    expect(contentIdOf(data, 300)).toBe(contentId(parts.map(sha)));
    for (const step of [1, 7, 300, 301, 1000]) {
      const h = new PartHasher('sha256', 300);
      for (let at = 0; at < data.length; at += step) h.update(data.subarray(at, at + step));
      expect(contentId(h.digests())).toBe(contentIdOf(data, 300));
    }
    expect(contentIdOf(Buffer.alloc(0))).toBe(contentId([sha(Buffer.alloc(0))]));
    expect(contentIdOf(Buffer.from('a'))).not.toBe(contentIdOf(Buffer.from('b')));
  });

  it('part MD5s give the multipart ETag`s parts', () => {
    const h = new PartHasher('md5', 4);
    h.update(Buffer.from('abcdefghij'));
    expect(h.digests().map((d) => d.toString('hex'))).toEqual(
      ['abcd', 'efgh', 'ij'].map((p) => createHash('md5').update(p).digest('hex')),
    );
  });
});

describe('encodeManifest / decodeManifest', () => {
  it('round-trips the entries of its own bucket and prefix', () => {
    const text = encodeManifest(entries(), SCOPE, MAC);
    expect(decodeManifest(text, SCOPE, MAC)).toEqual(entries());
    expect(encodeManifest(new Map([...entries()].reverse()), SCOPE, MAC)).toBe(text); // sorted: one text per content
  });

  it('ignores a manifest whose body was changed after it was signed (a lie about a file)', () => {
    const text = encodeManifest(entries(), SCOPE, MAC);
    expect(decodeManifest(text.replace(ID_A, ID_B), SCOPE, MAC)).toBeUndefined();
    expect(decodeManifest(text.replace('"version":1', '"version": 1'), SCOPE, MAC)).toBeUndefined();
  });

  it('ignores one signed with another secret (forged, or written with other credentials)', () => {
    const forged = encodeManifest(entries(), SCOPE, manifestMac('another-secret'));
    expect(decodeManifest(forged, SCOPE, MAC)).toBeUndefined();
  });

  it('ignores another preview`s or bucket`s manifest, even one of ours', () => {
    const text = encodeManifest(entries(), SCOPE, MAC);
    expect(decodeManifest(text, { ...SCOPE, prefix: 'app-pr-2/' }, MAC)).toBeUndefined();
    expect(decodeManifest(text, { ...SCOPE, bucket: 'other' }, MAC)).toBeUndefined();
  });

  it('ignores malformed text and other versions, even correctly signed', () => {
    const signed = (body: string): string => `${MAC(body)}\n${body}`;
    expect(decodeManifest('', SCOPE, MAC)).toBeUndefined();
    expect(decodeManifest('no newline', SCOPE, MAC)).toBeUndefined();
    expect(decodeManifest(signed('{not json'), SCOPE, MAC)).toBeUndefined();
    expect(decodeManifest(signed(JSON.stringify({ ...SCOPE, version: 2, files: {} })), SCOPE, MAC)).toBeUndefined();
    const bad = (entry: unknown): string => signed(JSON.stringify({ version: 1, ...SCOPE, files: { 'a.js': entry } }));
    expect(decodeManifest(bad([ID_A, MD5_A]), SCOPE, MAC)).toBeUndefined();
    expect(decodeManifest(bad([ID_A, MD5_A, '10']), SCOPE, MAC)).toBeUndefined();
    expect(decodeManifest(bad([1, MD5_A, 10]), SCOPE, MAC)).toBeUndefined();
    expect(decodeManifest(bad([ID_A, MD5_A, 10]), SCOPE, MAC)).toEqual(
      new Map([['a.js', { id: ID_A, etag: MD5_A, size: 10 }]]),
    );
  });
});

describe('usableEntry', () => {
  const m = entries();
  it('is the entry only while the listing shows its size and ETag and the file has its size', () => {
    expect(usableEntry(m, 'index.html', { size: 10, etag: MD5_A }, 10)).toEqual(m.get('index.html'));
    expect(usableEntry(m, 'index.html', { size: 10, etag: '9'.repeat(32) }, 10)).toBeUndefined(); // rewritten since
    expect(usableEntry(m, 'index.html', { size: 11, etag: MD5_A }, 10)).toBeUndefined();
    expect(usableEntry(m, 'index.html', { size: 10, etag: MD5_A }, 11)).toBeUndefined();
    expect(usableEntry(m, 'other.html', { size: 10, etag: MD5_A }, 10)).toBeUndefined();
    expect(usableEntry(undefined, 'index.html', { size: 10, etag: MD5_A }, 10)).toBeUndefined();
  });
});
