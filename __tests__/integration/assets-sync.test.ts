/**
 * Asset sync against s3rver (real S3 REST protocol, SigV4): headers, bytes, idempotence, request counts,
 * HTML-last ordering, safety of the walk, and prefix teardown in DeleteObjects batches.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deletePrefix, hashFile, syncAssets, type SyncOptions } from '../../src/assets/sync.js';
import { readJson, writeJson } from '../../src/state/store.js';
import { PART_SIZE } from '../../src/assets/plan.js';
import { startS3, type Interception, type S3Emulator, type S3Request } from '../../test/support/s3.js';

import { jest } from '@jest/globals';

jest.setTimeout(120_000);

const IMMUTABLE = 'public, max-age=31536000, immutable';
let s3: S3Emulator;
let work: string;
let site: string;
let outside: string;
let lines: string[];

function write(root: string, rel: string, content: string | Buffer): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
}

/** Deterministic pseudo-random bytes (no need for crypto quality). */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const BIG = 2 * PART_SIZE + 12_345; // three parts

function opts(prefix: string, extra: Partial<SyncOptions> = {}): SyncOptions {
  return {
    bucket: s3.bucket,
    prefix,
    dir: site,
    includeDotfiles: false,
    cacheControl: 'no-cache',
    cacheControlFingerprinted: IMMUTABLE,
    concurrency: 4,
    log: (l) => lines.push(l),
    ...extra,
  };
}

async function head(key: string): Promise<{ type?: string; cache?: string; size?: number }> {
  const h = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
  return { type: h.ContentType, cache: h.CacheControl, size: h.ContentLength };
}

async function body(key: string): Promise<Buffer> {
  const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

beforeAll(async () => {
  s3 = await startS3();
  work = mkdtempSync(join(tmpdir(), 'assets-sync-'));
  site = join(work, 'site');
  outside = join(work, 'outside');
  write(outside, 'secret.txt', 'TOP-SECRET-OUTSIDE');
  write(outside, 'dir/also-secret.txt', 'TOP-SECRET-DIR');
  write(site, 'index.html', '<!doctype html><script src="/assets/app.3f9a1c2b.js"></script>');
  write(site, 'about/index.html', '<h1>about</h1>');
  write(site, 'assets/app.3f9a1c2b.js', 'console.log("app")');
  write(site, 'assets/index-BxY12_ab.css', 'body{color:red}');
  write(site, 'favicon.ico', bytes(300, 7));
  write(site, 'robots.txt', 'User-agent: *');
  write(site, 'img/big.bin', bytes(BIG, 42));
  write(site, 'data/empty.json', '');
  write(site, '.env', 'SECRET=1');
  write(site, '.git/config', '[core]');
  write(site, 'assets/.hidden.js', 'hidden');
  symlinkSync(join(outside, 'secret.txt'), join(site, 'leak.txt'));
  symlinkSync(join(outside, 'dir'), join(site, 'leakdir'));
  symlinkSync(join(site, 'robots.txt'), join(site, 'robots-copy.txt')); // inside: followed
  symlinkSync(site, join(site, 'assets', 'loop')); // cycle back to the root: skipped
});

afterAll(async () => {
  await s3?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  lines = [];
  s3.clearRequests();
});

describe('syncAssets', () => {
  const P = 'app-pr-1/';
  const expectedKeys = [
    'about/index.html',
    'assets/app.3f9a1c2b.js',
    'assets/index-BxY12_ab.css',
    'data/empty.json',
    'favicon.ico',
    'img/big.bin',
    'index.html',
    'robots-copy.txt',
    'robots.txt',
  ];

  it('cold sync uploads every file with the right headers and bytes', async () => {
    const result = await syncAssets(s3.client, opts(P));
    const seen = s3.requests();
    expect(await s3.listKeys(P)).toEqual(expectedKeys.map((k) => P + k));
    expect(result).toMatchObject({ uploaded: expectedKeys.length, skipped: 0, deleted: 0 });
    expect(result.bytesUploaded).toBe(expectedKeys.reduce((n, k) => n + readFileSync(join(site, k)).length, 0));
    // 1 list + 8 single PUTs + multipart (create + 3 parts + complete)
    expect(result.requests).toBe(1 + 8 + 5);
    expect(seen).toHaveLength(result.requests); // the client-side count is what the server received

    expect(await head(P + 'index.html')).toMatchObject({ type: 'text/html; charset=utf-8', cache: 'no-cache' });
    expect(await head(P + 'about/index.html')).toMatchObject({ type: 'text/html; charset=utf-8', cache: 'no-cache' });
    expect(await head(P + 'assets/app.3f9a1c2b.js')).toMatchObject({
      type: 'text/javascript; charset=utf-8',
      cache: IMMUTABLE,
    });
    expect(await head(P + 'assets/index-BxY12_ab.css')).toMatchObject({ type: 'text/css; charset=utf-8', cache: IMMUTABLE });
    expect(await head(P + 'favicon.ico')).toMatchObject({ type: 'image/vnd.microsoft.icon', cache: 'no-cache' });
    expect(await head(P + 'robots.txt')).toMatchObject({ type: 'text/plain; charset=utf-8', cache: 'no-cache' });
    expect(await head(P + 'img/big.bin')).toMatchObject({ type: 'application/octet-stream', cache: 'no-cache', size: BIG });
    expect(await head(P + 'data/empty.json')).toMatchObject({ size: 0 });

    for (const k of expectedKeys) expect((await body(P + k)).equals(readFileSync(join(site, k)))).toBe(true);
  });

  it('never reads through symlinks that leave static-dir, and skips dotfiles', async () => {
    const keys = await s3.listKeys();
    expect(keys.some((k) => /leak|\.env|\.git|\.hidden|loop/.test(k))).toBe(false);
    for (const k of keys) expect((await body(k)).includes('TOP-SECRET')).toBe(false);
    // the warnings of this describe's first sync are gone; walk again to see them
    await syncAssets(s3.client, opts(P));
    expect(lines).toEqual(
      expect.arrayContaining([
        'warning: skipping leak.txt: symlink points outside static-dir',
        'warning: skipping leakdir: symlink points outside static-dir',
        'warning: skipping assets/loop: symlink cycle',
      ]),
    );
  });

  it('includes dotfiles when asked', async () => {
    const result = await syncAssets(s3.client, opts('dots-pr-1/', { includeDotfiles: true }));
    const keys = await s3.listKeys('dots-pr-1/');
    expect(keys).toEqual(expect.arrayContaining(['dots-pr-1/.env', 'dots-pr-1/.git/config', 'dots-pr-1/assets/.hidden.js']));
    expect(keys.some((k) => k.includes('leak'))).toBe(false);
    expect(result.uploaded).toBe(expectedKeys.length + 3);
    await deletePrefix(s3.client, s3.bucket, 'dots-pr-1/');
  });

  it('a second sync of the same tree uploads nothing: one LIST request', async () => {
    const result = await syncAssets(s3.client, opts(P));
    expect(result).toEqual({ uploaded: 0, skipped: expectedKeys.length, deleted: 0, bytesUploaded: 0, requests: 1 });
    expect(s3.requests().map((r) => r.method)).toEqual(['GET']);
  });

  it('a change and a deletion send exactly those', async () => {
    write(site, 'assets/app.3f9a1c2b.js', 'console.log("APP")'); // same size, other content
    unlinkSync(join(site, 'robots-copy.txt'));
    const result = await syncAssets(s3.client, opts(P));
    expect(result).toEqual({ uploaded: 1, skipped: expectedKeys.length - 2, deleted: 1, bytesUploaded: 18, requests: 3 });
    const reqs = s3.requests().map((r) => `${r.method} ${r.url.split('?')[0]}${r.url.includes('delete') ? '?delete' : ''}`);
    expect(reqs).toEqual([`GET /${s3.bucket}/`, `PUT /${s3.bucket}/${P}assets/app.3f9a1c2b.js`, `POST /${s3.bucket}/?delete`]);
    expect((await body(P + 'assets/app.3f9a1c2b.js')).toString()).toBe('console.log("APP")');
    expect(await s3.listKeys(P)).not.toContain(P + 'robots-copy.txt');
    symlinkSync(join(site, 'robots.txt'), join(site, 'robots-copy.txt'));
    expect(await syncAssets(s3.client, opts(P))).toMatchObject({ uploaded: 1, deleted: 0 }); // back in sync
  });

  it('skips an unchanged file uploaded in parts when the server reports a real S3 multipart ETag', async () => {
    // s3rver reports the whole-content MD5 for multipart objects; real S3 reports md5(part md5s)-N.
    const real = await hashFile(join(site, 'img/big.bin'), 'multipart');
    expect(real).toMatch(/^[0-9a-f]{32}-3$/);
    const rewrite = (etag: string): (() => void) =>
      s3.intercept((req) =>
        req.method === 'GET' && req.url?.includes('list-type=2')
          ? { rewriteBody: (xml) => xml.replace(/(<Key>[^<]*img\/big\.bin<\/Key>[\s\S]*?<ETag>)[^<]*(<\/ETag>)/, `$1&quot;${etag}&quot;$2`) }
          : undefined,
      );
    let undo = rewrite(real);
    try {
      expect(await syncAssets(s3.client, opts(P))).toMatchObject({ uploaded: 0, requests: 1 });
    } finally {
      undo();
    }
    undo = rewrite(real.replace(/^./, (c) => (c === '0' ? '1' : '0')));
    try {
      expect(await syncAssets(s3.client, opts(P))).toMatchObject({ uploaded: 1, bytesUploaded: BIG });
    } finally {
      undo();
    }
  });

  it('uploads every HTML file only after all other files are complete', async () => {
    try {
      for (let i = 0; i < 20; i++) write(site, `many/page${i}.html`, `<p>${i}</p>`);
      for (let i = 0; i < 40; i++) write(site, `many/chunk${i}.js`, `// ${i}`);
      await syncAssets(s3.client, opts('order-pr-1/', { concurrency: 8 }));
    } finally {
      rmSync(join(site, 'many'), { recursive: true });
    }
    // As the server saw them: single-part PUTs, upload parts and CompleteMultipartUpload (POST ?uploadId=).
    const writes = s3.requests().filter((r) => r.method === 'PUT' || (r.method === 'POST' && r.url.includes('uploadId=')));
    const keyOf = (r: S3Request): string => decodeURIComponent(new URL(r.url, 'http://x').pathname.slice(`/${s3.bucket}/`.length));
    const html = writes.filter((r) => keyOf(r).endsWith('.html'));
    const assets = writes.filter((r) => !keyOf(r).endsWith('.html'));
    expect(html.filter((r) => r.method === 'PUT')).toHaveLength(22);
    expect(Math.min(...html.map((r) => r.start))).toBeGreaterThan(Math.max(...assets.map((r) => r.end!)));
    expect(assets.some((r) => r.method === 'POST' && keyOf(r) === 'order-pr-1/img/big.bin' && r.end !== undefined)).toBe(true);
    await deletePrefix(s3.client, s3.bucket, 'order-pr-1/');
  });

  /** Fail (once or always), on the server, the PUTs of keys ending with `suffix`. */
  function inject(suffix: string, fault: Interception, times = Infinity): () => void {
    let left = times;
    return s3.intercept((req) => {
      if (req.method !== 'PUT' || !decodeURIComponent(req.url?.split('?')[0] ?? '').endsWith(suffix) || left <= 0) return undefined;
      left--;
      return fault;
    });
  }
  const denied: Interception = { status: 403, code: 'AccessDenied', message: 'Access Denied' };
  const reset: Interception = { reset: true };

  it('retries a streamed upload with a fresh stream after a network error', async () => {
    write(site, 'img/medium.bin', bytes(600_000, 3)); // above the in-memory size: streamed
    const undo = inject('img/medium.bin', reset, 1);
    try {
      const result = await syncAssets(s3.client, opts(P));
      expect(result).toMatchObject({ uploaded: 1 });
      expect(result.requests).toBe(3); // list + failed attempt + retry
    } finally {
      undo();
    }
    expect((await body(P + 'img/medium.bin')).equals(readFileSync(join(site, 'img/medium.bin')))).toBe(true);
    unlinkSync(join(site, 'img/medium.bin'));
    expect(await syncAssets(s3.client, opts(P))).toMatchObject({ deleted: 1 });
  });

  it('a failed asset upload stops the sync before any HTML or deletion', async () => {
    write(site, 'assets/app.3f9a1c2b.js', 'console.log("v3!")');
    write(site, 'index.html', '<!doctype html><p>v3</p>');
    unlinkSync(join(site, 'robots-copy.txt'));
    const undo = inject('assets/app.3f9a1c2b.js', denied);
    try {
      await expect(syncAssets(s3.client, opts(P))).rejects.toThrow(/Access Denied/);
    } finally {
      undo();
    }
    const writes = s3.requests().filter((r) => r.method === 'PUT' || r.method === 'POST');
    // The refused PUT is the only write that reached the server: no HTML, no retry of a 403, no deletion.
    expect(writes.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([`PUT /${s3.bucket}/${P}assets/app.3f9a1c2b.js`]);
    expect((await body(P + 'index.html')).toString()).not.toContain('v3');
    expect(await s3.listKeys(P)).toContain(P + 'robots-copy.txt');
    symlinkSync(join(site, 'robots.txt'), join(site, 'robots-copy.txt'));
  });

  it('aborts a multipart upload whose part fails', async () => {
    write(site, 'img/big.bin', bytes(BIG, 43)); // same size, other content: re-uploaded in parts
    const undo = inject('img/big.bin', denied); // only its parts are PUT
    try {
      await expect(syncAssets(s3.client, opts(P))).rejects.toThrow(/Access Denied/);
    } finally {
      undo();
    }
    const reqs = s3.requests().map((r) => `${r.method} ${r.url}`);
    expect(reqs.some((r) => r.startsWith('POST') && r.includes('img/big.bin?uploads'))).toBe(true);
    expect(reqs.some((r) => r.startsWith('DELETE') && r.includes('img/big.bin?uploadId='))).toBe(true);
    expect(reqs.some((r) => r.includes('index.html'))).toBe(false);
    // and the next sync completes
    const result = await syncAssets(s3.client, opts(P));
    expect(result).toMatchObject({ deleted: 0 });
    expect((await body(P + 'img/big.bin')).equals(readFileSync(join(site, 'img/big.bin')))).toBe(true);
    expect((await body(P + 'index.html')).toString()).toContain('v3');
  });

  it('refuses an empty or malformed prefix (it would sync into the bucket root)', async () => {
    await expect(syncAssets(s3.client, opts(''))).rejects.toThrow(/invalid asset prefix/);
    await expect(syncAssets(s3.client, opts('no-slash'))).rejects.toThrow(/invalid asset prefix/);
    await expect(deletePrefix(s3.client, s3.bucket, '')).rejects.toThrow(/invalid asset prefix/);
  });
});

describe('deletePrefix', () => {
  it('removes more than 1,000 keys in DeleteObjects batches and leaves other prefixes alone', async () => {
    const P = 'many-pr-2/';
    const keys = Array.from({ length: 1205 }, (_, i) => `${P}f/${String(i).padStart(5, '0')}.txt`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys.slice(i, i + 50).map((Key) => s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: 'x' }))),
      );
    }
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'many-pr-20/keep.txt', Body: 'keep' }));
    s3.clearRequests();
    const result = await deletePrefix(s3.client, s3.bucket, P);
    expect(result).toEqual({ deleted: 1205, requests: 4 }); // 2 list pages + 2 DeleteObjects
    expect(s3.requests().filter((r) => r.method === 'POST' && r.url.includes('delete'))).toHaveLength(2);
    expect(await s3.listKeys(P)).toEqual([]);
    expect(await s3.listKeys('many-pr-20/')).toEqual(['many-pr-20/keep.txt']);
  });

  it('succeeds with 0 on an empty or missing prefix', async () => {
    expect(await deletePrefix(s3.client, s3.bucket, 'never-deployed-pr-9/')).toEqual({ deleted: 0, requests: 1 });
  });
});

describe('hashFile', () => {
  it('computes MD5 and the multipart ETag with the fixed part size', async () => {
    const p = join(site, 'img/big.bin');
    const data = readFileSync(p);
    expect(await hashFile(p, 'md5')).toBe(createHash('md5').update(data).digest('hex'));
    const parts = [0, 1, 2].map((i) => createHash('md5').update(data.subarray(i * PART_SIZE, (i + 1) * PART_SIZE)).digest());
    expect(await hashFile(p, 'multipart')).toBe(createHash('md5').update(Buffer.concat(parts)).digest('hex') + '-3');
  });
});

describe('readJson / writeJson', () => {
  it('round-trips a small state object and reads a missing key as undefined', async () => {
    expect(await readJson(s3.client, s3.bucket, 'state/missing.json')).toBeUndefined();
    await writeJson(s3.client, s3.bucket, 'state/sweep.json', { a: 1, list: ['x'] });
    expect(await readJson<{ a: number }>(s3.client, s3.bucket, 'state/sweep.json')).toEqual({ a: 1, list: ['x'] });
    expect(await head('state/sweep.json')).toMatchObject({ type: 'application/json; charset=utf-8' });
  });
});
