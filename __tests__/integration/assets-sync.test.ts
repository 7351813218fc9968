/**
 * Asset sync against real S3 servers, s3rver and Ceph radosgw (test/support/s3-servers.ts): headers, bytes,
 * idempotence, request counts, HTML-last ordering, safety of the walk, retries and timeouts with faults injected on
 * the wire, errors that name the operation and the object, and prefix teardown in DeleteObjects batches.
 *
 * Where the servers differ, the test says so: radosgw lists multipart objects with their real `md5-N` ETag (s3rver
 * with the MD5 of the whole content), checks SigV4 signatures (s3rver does not), sends errors with an empty
 * `<Message>`, honours DeleteObjects' Quiet flag, and refuses keys over 1,024 bytes (s3rver's file store fails on
 * them with ENAMETOOLONG and takes the process down).
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLeanS3 } from '../../src/assets/lean.js';
import { s3Connection } from '../../src/assets/s3.js';
import { S3OperationError, s3Operation } from '../../src/assets/s3-call.js';
import { hashFile } from '../../src/assets/files.js';
import { deletePrefix, syncAssets, type SyncOptions } from '../../src/assets/sync.js';
import { PART_SIZE } from '../../src/assets/plan.js';
import { S3_SERVERS, startS3Server } from '../../test/support/s3-servers.js';
import type { Interception, S3Emulator, S3Kind, S3Request } from '../../test/support/s3.js';

import { jest } from '@jest/globals';

jest.setTimeout(120_000);

const IMMUTABLE = 'public, max-age=31536000, immutable';

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

describe('hashFile', () => {
  it('computes MD5 and the multipart ETag with the fixed part size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hash-'));
    try {
      const p = join(dir, 'big.bin');
      const data = bytes(BIG, 42);
      writeFileSync(p, data);
      expect(hashFile(p, 'md5')).toBe(createHash('md5').update(data).digest('hex'));
      const parts = [0, 1, 2].map((i) =>
        createHash('md5')
          .update(data.subarray(i * PART_SIZE, (i + 1) * PART_SIZE))
          .digest(),
      );
      expect(hashFile(p, 'multipart')).toBe(createHash('md5').update(Buffer.concat(parts)).digest('hex') + '-3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const { kind, describe } of S3_SERVERS) describe(`on ${kind}`, () => suite(kind));

function suite(kind: S3Kind): void {
  let s3: S3Emulator;
  let work: string;
  let site: string;
  let outside: string;
  let lines: string[];

  function opts(prefix: string, extra: Partial<SyncOptions> = {}): SyncOptions {
    return {
      bucket: s3.bucket,
      prefix,
      dir: site,
      includeDotfiles: false,
      cacheControl: 'no-cache',
      cacheControlFingerprinted: IMMUTABLE,
      concurrency: 4,
      contentManifest: false, // the exact requests of the MD5 comparison; the manifest's own tests turn it on
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

  /** The URL path of a request, decoded, without the bucket. */
  const keyOf = (r: S3Request): string =>
    decodeURIComponent(new URL(r.url, 'http://x').pathname.slice(`/${s3.bucket}/`.length));

  /** Fail (once or always), on the server, the PUTs of keys ending with `suffix`. */
  function inject(suffix: string, fault: Interception, times = Infinity): () => void {
    let left = times;
    return s3.intercept((req) => {
      if (req.method !== 'PUT' || !decodeURIComponent(req.url?.split('?')[0] ?? '').endsWith(suffix) || left <= 0)
        return undefined;
      left--;
      return fault;
    });
  }
  const denied: Interception = { status: 403, code: 'AccessDenied', message: 'Access Denied' };
  const reset: Interception = { reset: true };

  /** A test of what only a real S3 implementation does; on s3rver it is skipped, saying why. */
  const onlyReal =
    (s3rverLacks: string) =>
    (name: string, fn: () => Promise<void>): void =>
      kind === 'rgw' ? it(name, fn) : it.skip(`${name} (skipped: s3rver ${s3rverLacks})`, fn);
  const signed = onlyReal('does not verify SigV4 signatures');
  const keyLimited = onlyReal('has no key length limit: its file store fails on long keys with ENAMETOOLONG');

  beforeAll(async () => {
    s3 = await startS3Server(kind);
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
      const result = await syncAssets(s3.connection, opts(P));
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
      expect(await head(P + 'assets/index-BxY12_ab.css')).toMatchObject({
        type: 'text/css; charset=utf-8',
        cache: IMMUTABLE,
      });
      expect(await head(P + 'favicon.ico')).toMatchObject({ type: 'image/vnd.microsoft.icon', cache: 'no-cache' });
      expect(await head(P + 'robots.txt')).toMatchObject({ type: 'text/plain; charset=utf-8', cache: 'no-cache' });
      expect(await head(P + 'img/big.bin')).toMatchObject({
        type: 'application/octet-stream',
        cache: 'no-cache',
        size: BIG,
      });
      expect(await head(P + 'data/empty.json')).toMatchObject({ size: 0 });

      for (const k of expectedKeys) expect((await body(P + k)).equals(readFileSync(join(site, k)))).toBe(true);
    });

    it(`lists the object uploaded in parts with the ETag form ${kind} gives it, which the skip logic reproduces`, async () => {
      const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: P + 'img/' }));
      const etag = listed.Contents?.[0]?.ETag?.replace(/"/g, '');
      // radosgw (as AWS): md5 of the part digests and the part count; s3rver: the MD5 of the whole content
      expect(etag).toBe(hashFile(join(site, 'img/big.bin'), kind === 'rgw' ? 'multipart' : 'md5'));
      expect(etag).toMatch(kind === 'rgw' ? /^[0-9a-f]{32}-3$/ : /^[0-9a-f]{32}$/);
    });

    it('never reads through symlinks that leave static-dir, and skips dotfiles', async () => {
      const keys = await s3.listKeys();
      expect(keys.some((k) => /leak|\.env|\.git|\.hidden|loop/.test(k))).toBe(false);
      for (const k of keys) expect((await body(k)).includes('TOP-SECRET')).toBe(false);
      // the warnings of this describe's first sync are gone; walk again to see them
      await syncAssets(s3.connection, opts(P));
      expect(lines).toEqual(
        expect.arrayContaining([
          'warning: skipping leak.txt: symlink points outside static-dir',
          'warning: skipping leakdir: symlink points outside static-dir',
          'warning: skipping assets/loop: symlink cycle',
        ]),
      );
    });

    it('includes dotfiles when asked', async () => {
      const result = await syncAssets(s3.connection, opts('dots-pr-1/', { includeDotfiles: true }));
      const keys = await s3.listKeys('dots-pr-1/');
      expect(keys).toEqual(
        expect.arrayContaining(['dots-pr-1/.env', 'dots-pr-1/.git/config', 'dots-pr-1/assets/.hidden.js']),
      );
      expect(keys.some((k) => k.includes('leak'))).toBe(false);
      expect(result.uploaded).toBe(expectedKeys.length + 3);
      await deletePrefix(s3.connection, s3.bucket, 'dots-pr-1/');
    });

    it('a second sync of the same tree uploads nothing, the file uploaded in parts included: one LIST request', async () => {
      const result = await syncAssets(s3.connection, opts(P));
      expect(result).toEqual({ uploaded: 0, skipped: expectedKeys.length, deleted: 0, bytesUploaded: 0, requests: 1 });
      expect(s3.requests().map((r) => r.method)).toEqual(['GET']);
    });

    it('a change and a deletion send exactly those', async () => {
      write(site, 'assets/app.3f9a1c2b.js', 'console.log("APP")'); // same size, other content
      unlinkSync(join(site, 'robots-copy.txt'));
      const result = await syncAssets(s3.connection, opts(P));
      expect(result).toEqual({
        uploaded: 1,
        skipped: expectedKeys.length - 2,
        deleted: 1,
        bytesUploaded: 18,
        requests: 3,
      });
      const reqs = s3
        .requests()
        .map((r) => `${r.method} ${r.url.split('?')[0]}${r.url.includes('delete') ? '?delete' : ''}`);
      expect(reqs).toEqual([
        `GET /${s3.bucket}`,
        `PUT /${s3.bucket}/${P}assets/app.3f9a1c2b.js`,
        `POST /${s3.bucket}?delete`,
      ]);
      expect((await body(P + 'assets/app.3f9a1c2b.js')).toString()).toBe('console.log("APP")');
      expect(await s3.listKeys(P)).not.toContain(P + 'robots-copy.txt');
      symlinkSync(join(site, 'robots.txt'), join(site, 'robots-copy.txt'));
      expect(await syncAssets(s3.connection, opts(P))).toMatchObject({ uploaded: 1, deleted: 0 }); // back in sync
    });

    it('skips an unchanged file uploaded in parts when the listing reports the real S3 multipart ETag', async () => {
      // s3rver reports the whole-content MD5 for multipart objects; real S3 and radosgw report md5(part md5s)-N.
      const real = hashFile(join(site, 'img/big.bin'), 'multipart');
      expect(real).toMatch(/^[0-9a-f]{32}-3$/);
      const rewrite = (etag: string): (() => void) =>
        s3.intercept((req) =>
          req.method === 'GET' && req.url?.includes('list-type=2')
            ? {
                rewriteBody: (xml) =>
                  xml.replace(
                    /(<Key>[^<]*img\/big\.bin<\/Key>[\s\S]*?<ETag>)[^<]*(<\/ETag>)/,
                    `$1&quot;${etag}&quot;$2`,
                  ),
              }
            : undefined,
        );
      let undo = rewrite(real);
      try {
        expect(await syncAssets(s3.connection, opts(P))).toMatchObject({ uploaded: 0, requests: 1 });
      } finally {
        undo();
      }
      undo = rewrite(real.replace(/^./, (c) => (c === '0' ? '1' : '0')));
      try {
        expect(await syncAssets(s3.connection, opts(P))).toMatchObject({ uploaded: 1, bytesUploaded: BIG });
      } finally {
        undo();
      }
    });

    it('uploads every HTML file only after all other files are complete', async () => {
      try {
        for (let i = 0; i < 20; i++) write(site, `many/page${i}.html`, `<p>${i}</p>`);
        for (let i = 0; i < 40; i++) write(site, `many/chunk${i}.js`, `// ${i}`);
        await syncAssets(s3.connection, opts('order-pr-1/', { concurrency: 8 }));
      } finally {
        rmSync(join(site, 'many'), { recursive: true });
      }
      // As the server saw them: single-part PUTs, upload parts and CompleteMultipartUpload (POST ?uploadId=).
      const writes = s3
        .requests()
        .filter((r) => r.method === 'PUT' || (r.method === 'POST' && r.url.includes('uploadId=')));
      const html = writes.filter((r) => keyOf(r).endsWith('.html'));
      const assets = writes.filter((r) => !keyOf(r).endsWith('.html'));
      expect(html.filter((r) => r.method === 'PUT')).toHaveLength(22);
      expect(Math.min(...html.map((r) => r.start))).toBeGreaterThan(Math.max(...assets.map((r) => r.end!)));
      expect(
        assets.some((r) => r.method === 'POST' && keyOf(r) === 'order-pr-1/img/big.bin' && r.end !== undefined),
      ).toBe(true);
      await deletePrefix(s3.connection, s3.bucket, 'order-pr-1/');
    });

    it('retries a streamed upload with a fresh stream after a network error, and says so once', async () => {
      write(site, 'img/medium.bin', bytes(600_000, 3)); // above the in-memory size: streamed
      const undo = inject('img/medium.bin', reset, 1);
      try {
        const result = await syncAssets(s3.connection, opts(P));
        expect(result).toMatchObject({ uploaded: 1 });
        expect(result.requests).toBe(3); // list + failed attempt + retry
      } finally {
        undo();
      }
      expect(lines.filter((l) => l.includes('retrying'))).toEqual([
        expect.stringMatching(
          new RegExp(`^PutObject s3://${s3.bucket}/${P}img/medium\\.bin: .*; retrying up to 2 more times$`),
        ),
      ]);
      expect((await body(P + 'img/medium.bin')).equals(readFileSync(join(site, 'img/medium.bin')))).toBe(true);
      unlinkSync(join(site, 'img/medium.bin'));
      expect(await syncAssets(s3.connection, opts(P))).toMatchObject({ deleted: 1 });
    });

    it('a failed asset upload stops the sync before any HTML or deletion, naming the object, status and code', async () => {
      write(site, 'assets/app.3f9a1c2b.js', 'console.log("v3!")');
      write(site, 'index.html', '<!doctype html><p>v3</p>');
      unlinkSync(join(site, 'robots-copy.txt'));
      const undo = inject('assets/app.3f9a1c2b.js', denied);
      let err: unknown;
      try {
        err = await syncAssets(s3.connection, opts(P)).catch((e: unknown) => e);
      } finally {
        undo();
      }
      expect(err).toBeInstanceOf(S3OperationError);
      expect((err as Error).message).toBe(
        `PutObject s3://${s3.bucket}/${P}assets/app.3f9a1c2b.js: HTTP 403 AccessDenied: Access Denied; ` +
          'the credentials may not do this: they need s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket',
      );
      const writes = s3.requests().filter((r) => r.method === 'PUT' || r.method === 'POST');
      // The refused PUT is the only write that reached the server: no HTML, no retry of a 403, no deletion.
      expect(writes.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
        `PUT /${s3.bucket}/${P}assets/app.3f9a1c2b.js`,
      ]);
      expect((await body(P + 'index.html')).toString()).not.toContain('v3');
      expect(await s3.listKeys(P)).toContain(P + 'robots-copy.txt');
      symlinkSync(join(site, 'robots.txt'), join(site, 'robots-copy.txt'));
    });

    it('aborts a multipart upload whose part fails', async () => {
      write(site, 'img/big.bin', bytes(BIG, 43)); // same size, other content: re-uploaded in parts
      const undo = inject('img/big.bin', denied); // only its parts are PUT
      try {
        await expect(syncAssets(s3.connection, opts(P))).rejects.toThrow(
          new RegExp(`^UploadPart s3://${s3.bucket}/${P}img/big\\.bin: HTTP 403 AccessDenied: Access Denied`),
        );
      } finally {
        undo();
      }
      const reqs = s3.requests().map((r) => `${r.method} ${r.url}`);
      expect(reqs.some((r) => r.startsWith('POST') && r.includes('img/big.bin?uploads'))).toBe(true);
      expect(reqs.some((r) => r.startsWith('DELETE') && r.includes('img/big.bin?uploadId='))).toBe(true);
      expect(reqs.some((r) => r.includes('index.html'))).toBe(false);
      // and the next sync completes
      const result = await syncAssets(s3.connection, opts(P));
      expect(result).toMatchObject({ deleted: 0 });
      expect((await body(P + 'img/big.bin')).equals(readFileSync(join(site, 'img/big.bin')))).toBe(true);
      expect((await body(P + 'index.html')).toString()).toContain('v3');
    });

    it('takes a CompleteMultipartUpload answered 200 with an error document for the error it is, and repeats it', async () => {
      write(site, 'img/big.bin', bytes(BIG, 44)); // same size, other content: re-uploaded in parts
      let errors = 1;
      const undo = s3.intercept((req) =>
        req.method === 'POST' && req.url?.includes('uploadId=') && errors-- > 0
          ? { status: 200, code: 'InternalError', message: 'We encountered an internal error. Please try again.' }
          : undefined,
      );
      try {
        await syncAssets(s3.connection, opts(P));
      } finally {
        undo();
      }
      const completes = s3.requests().filter((r) => r.method === 'POST' && r.url?.includes('uploadId='));
      expect(completes.length).toBeGreaterThanOrEqual(2);
      expect((await body(P + 'img/big.bin')).equals(readFileSync(join(site, 'img/big.bin')))).toBe(true);
    });

    it('refuses an empty or malformed prefix (it would sync into the bucket root)', async () => {
      await expect(syncAssets(s3.connection, opts(''))).rejects.toThrow(/invalid asset prefix/);
      await expect(syncAssets(s3.connection, opts('no-slash'))).rejects.toThrow(/invalid asset prefix/);
      await expect(deletePrefix(s3.connection, s3.bucket, '')).rejects.toThrow(/invalid asset prefix/);
    });
  });

  describe('retries, timeouts and errors', () => {
    let small: string;
    beforeAll(() => {
      small = join(work, 'small');
      write(small, 'index.html', '<p>small</p>');
      write(small, 'app.js', 'console.log(1)');
    });
    const smallOpts = (prefix: string, extra: Partial<SyncOptions> = {}): SyncOptions =>
      opts(prefix, { dir: small, ...extra });

    it('repeats a throttled upload with the one retry policy, logging one line for the call, not one per attempt', async () => {
      const undo = inject(
        'throttled-pr-1/app.js',
        { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
        2,
      );
      try {
        expect(await syncAssets(s3.connection, smallOpts('throttled-pr-1/'))).toMatchObject({
          uploaded: 2,
          requests: 1 + 2 + 2,
        });
      } finally {
        undo();
      }
      expect(s3.requests().filter((r) => r.method === 'PUT' && keyOf(r) === 'throttled-pr-1/app.js')).toHaveLength(3);
      expect(lines.filter((l) => l.includes('retrying'))).toEqual([
        `PutObject s3://${s3.bucket}/throttled-pr-1/app.js: HTTP 503 SlowDown: Please reduce your request rate.; retrying up to 2 more times`,
      ]);
    });

    it('gives up after the policy`s attempts and says how many were made', async () => {
      const undo = inject('exhausted-pr-1/app.js', { status: 500, code: 'InternalError', message: '' });
      try {
        await expect(syncAssets(s3.connection, smallOpts('exhausted-pr-1/'))).rejects.toThrow(
          `PutObject s3://${s3.bucket}/exhausted-pr-1/app.js: HTTP 500 InternalError (the server sent no message) (after 3 attempts)`,
        );
      } finally {
        undo();
      }
      expect(s3.requests().filter((r) => r.method === 'PUT' && keyOf(r) === 'exhausted-pr-1/app.js')).toHaveLength(3);
    });

    it('gives up on a silent server after request-timeout, then repeats the upload', async () => {
      const impatient = s3Connection(s3.settings, { requestTimeoutMs: 500, env: {} });
      const undo = inject('stall-pr-1/app.js', { stall: true }, 1);
      try {
        expect(await syncAssets(impatient, smallOpts('stall-pr-1/'))).toMatchObject({ uploaded: 2 });
      } finally {
        undo();
        impatient.destroy();
      }
      expect(lines.filter((l) => l.includes('retrying'))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^PutObject s3://${s3.bucket}/stall-pr-1/app\\.js: PUT http://\\S+: the server was silent for 500 ms \\(ETIMEDOUT\\); retrying up to 2 more times$`,
          ),
        ),
      ]);
      expect((await body('stall-pr-1/app.js')).toString()).toBe('console.log(1)');
    });

    it('the listing times out after request-timeout too, is repeated, and the error names it', async () => {
      const impatient = s3Connection(s3.settings, { requestTimeoutMs: 500, env: {} });
      const undo = s3.intercept((req) =>
        req.method === 'GET' && req.url?.includes('list-type=2') ? { stall: true } : undefined,
      );
      try {
        await expect(syncAssets(impatient, smallOpts('stall-pr-2/'))).rejects.toThrow(
          new RegExp(
            `^ListObjectsV2 prefix s3://${s3.bucket}/stall-pr-2/: GET http://\\S+: the server was silent for 500 ms \\(ETIMEDOUT\\) \\(after 3 attempts\\)$`,
          ),
        );
      } finally {
        undo();
        impatient.destroy();
      }
      expect(s3.requests().filter((r) => r.method === 'GET')).toHaveLength(3);
    });

    it('the teardown times out after request-timeout too, and the error names the listing', async () => {
      const impatient = s3Connection(s3.settings, { requestTimeoutMs: 500, env: {} });
      const undo = s3.intercept((req) =>
        req.method === 'GET' && req.url?.includes('list-type=2') ? { stall: true } : undefined,
      );
      try {
        await expect(deletePrefix(impatient, s3.bucket, 'stall-pr-3/')).rejects.toThrow(
          new RegExp(
            `^ListObjectsV2 prefix s3://${s3.bucket}/stall-pr-3/: GET .*: the server was silent for 500 ms \\(ETIMEDOUT\\) \\(after 3 attempts\\)$`,
          ),
        );
      } finally {
        undo();
        impatient.destroy();
      }
      // the action's one retry policy: three attempts
      expect(s3.requests().filter((r) => r.method === 'GET')).toHaveLength(3);
    });

    it('teardown names the prefix, status and code even when the server sends no message', async () => {
      await syncAssets(s3.connection, smallOpts('teardown-pr-1/'));
      s3.clearRequests();
      const undo = s3.intercept((req) =>
        req.method === 'POST' && req.url?.includes('delete')
          ? { status: 503, code: 'ServiceUnavailable', message: '' }
          : undefined,
      );
      try {
        await expect(deletePrefix(s3.connection, s3.bucket, 'teardown-pr-1/')).rejects.toThrow(
          `DeleteObjects prefix s3://${s3.bucket}/teardown-pr-1/: HTTP 503 ServiceUnavailable (the server sent no message)`,
        );
      } finally {
        undo();
      }
      expect(await deletePrefix(s3.connection, s3.bucket, 'teardown-pr-1/')).toMatchObject({ deleted: 2 });
    });

    signed(
      'a wrong secret gets 403 SignatureDoesNotMatch, and the errors say so with the code, the key or prefix',
      async () => {
        const forged = s3Connection({ ...s3.settings, secretAccessKey: 'not-the-secret' }, { env: {} });
        try {
          const sync = await syncAssets(forged, smallOpts('forged-pr-1/')).catch((e: unknown) => e);
          expect(sync).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
          expect((sync as Error).message).toBe(
            `ListObjectsV2 prefix s3://${s3.bucket}/forged-pr-1/: HTTP 403 SignatureDoesNotMatch (the server sent no message); ` +
              'the server signs with another secret for this access key: check aws-secret-access-key',
          );
          await expect(deletePrefix(forged, s3.bucket, 'forged-pr-1/')).rejects.toThrow(
            `ListObjectsV2 prefix s3://${s3.bucket}/forged-pr-1/: HTTP 403 SignatureDoesNotMatch (the server sent no message)`,
          );
          // the lean PUT path, as the sync runs it
          const put = (await createLeanS3(forged, s3.bucket, { maxSockets: 1 }))!;
          const target = { operation: 'PutObject', bucket: s3.bucket, key: 'forged-pr-1/a.txt' };
          const direct = await s3Operation(target, () =>
            put.put('forged-pr-1/a.txt', Buffer.from('a'), 1, { contentType: 'text/plain', cacheControl: 'no-cache' }),
          ).catch((e: unknown) => e);
          put.close();
          expect((direct as Error).message).toMatch(
            new RegExp(
              `^PutObject s3://${s3.bucket}/forged-pr-1/a\\.txt: HTTP 403 SignatureDoesNotMatch \\(the server sent no message\\)`,
            ),
          );
        } finally {
          forged.destroy();
        }
        expect(await s3.listKeys('forged-pr-1/')).toEqual([]);
      },
    );
  });

  describe('files that are not regular, and names that cannot be keys', () => {
    const P = 'odd-pr-1/';
    // 4 directories of 200 bytes, then a name of 211 or 212 bytes in 106 or 107 characters: with the prefix,
    // keys of exactly 1,024 bytes (the limit, uploaded) and 1,025 bytes (skipped)
    const deep = Array.from({ length: 4 }, (_, i) => String(i).repeat(200)).join('/');
    const atLimit = `${deep}/${'é'.repeat(105)}x`;
    const overLimit = `${deep}/${'é'.repeat(105)}xy`;
    let odd: string;
    let socket: Server;

    beforeAll(async () => {
      odd = join(work, 'odd');
      write(odd, 'index.html', '<p>odd</p>');
      write(odd, 'ok.txt', 'ok');
      execFileSync('mkfifo', [join(odd, 'pipe')]);
      symlinkSync(join(odd, 'pipe'), join(odd, 'pipe-link'));
      socket = createServer();
      await new Promise<void>((resolve) => socket.listen(join(odd, 'sock'), resolve));
      const latin1 = (rel: string): Buffer => Buffer.concat([Buffer.from(odd + '/'), Buffer.from(rel, 'latin1')]);
      writeFileSync(latin1('caf\xe9.html'), 'not UTF-8');
      mkdirSync(latin1('d\xefr'));
      writeFileSync(Buffer.concat([latin1('d\xefr'), Buffer.from('/inside.txt')]), 'under a name that is not UTF-8');
      write(odd, atLimit, 'at the limit');
      write(odd, overLimit, 'over the limit');
    });

    afterAll(() => new Promise<void>((resolve) => socket?.close(() => resolve())));

    it('skips them with a warning, never opens the FIFO, and uploads the rest', async () => {
      expect(Buffer.byteLength(P + atLimit)).toBe(1024);
      const result = await syncAssets(s3.connection, opts(P, { dir: odd }));
      expect(result).toMatchObject({ uploaded: 3, skipped: 0 });
      expect(await s3.listKeys(P)).toEqual([P + atLimit, P + 'index.html', P + 'ok.txt'].sort());
      expect((await body(P + atLimit)).toString()).toBe('at the limit');
      const warnings = lines.filter((l) => l.startsWith('warning:'));
      expect(warnings).toEqual(
        expect.arrayContaining([
          'warning: skipping pipe: a FIFO (named pipe), not a regular file',
          'warning: skipping pipe-link: a FIFO (named pipe), not a regular file',
          'warning: skipping sock: a socket, not a regular file',
          'warning: skipping caf\\xe9.html: its name is not valid UTF-8, so it has no object key',
          'warning: skipping d\\xefr: its name is not valid UTF-8, so it has no object key',
        ]),
      );
      const long = warnings.filter((l) => l.includes("S3's limit"));
      expect(long).toEqual([
        expect.stringMatching(
          /^warning: skipping 1 file\(s\) whose object key would be longer than S3's limit of 1024 bytes \(UTF-8, with the prefix "odd-pr-1\/"\): ".*….*xy" \(1025 bytes\); shorten/,
        ),
      ]);
      // reported before anything was sent
      expect(lines.indexOf(long[0])).toBeLessThan(lines.findIndex((l) => l.startsWith('uploaded ')));
      const sent = s3.requests().map((r) => decodeURIComponent(r.url));
      expect(sent.some((u) => /pipe|sock|caf|inside|xy/.test(u))).toBe(false);
      expect(await syncAssets(s3.connection, opts(P, { dir: odd }))).toMatchObject({
        uploaded: 0,
        skipped: 3,
        deleted: 0,
      });
    });

    keyLimited('the key limit is the server`s: 1,025 bytes are refused, and the error says why', async () => {
      const key = P + overLimit;
      const err = await s3Operation({ operation: 'PutObject', bucket: s3.bucket, key }, () =>
        s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'x' })),
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 400, code: 'InvalidObjectName' });
      expect((err as Error).message).toMatch(
        /HTTP 400 InvalidObjectName \(the server sent no message\); S3 keys are at most 1,024 bytes/,
      );
    });
  });

  describe('deletePrefix', () => {
    it('removes more than 1,000 keys in DeleteObjects batches and leaves other prefixes alone', async () => {
      const P = 'many-pr-2/';
      const keys = Array.from({ length: 1205 }, (_, i) => `${P}f/${String(i).padStart(5, '0')}.txt`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(
          keys
            .slice(i, i + 50)
            .map((Key) => s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: 'x' }))),
        );
      }
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'many-pr-20/keep.txt', Body: 'keep' }));
      s3.clearRequests();
      const result = await deletePrefix(s3.connection, s3.bucket, P);
      expect(result).toEqual({ deleted: 1205, requests: 4 }); // 2 list pages + 2 DeleteObjects
      expect(s3.requests().filter((r) => r.method === 'POST' && r.url.includes('delete'))).toHaveLength(2);
      expect(await s3.listKeys(P)).toEqual([]);
      expect(await s3.listKeys('many-pr-20/')).toEqual(['many-pr-20/keep.txt']);
    });

    it('succeeds with 0 on an empty or missing prefix', async () => {
      expect(await deletePrefix(s3.connection, s3.bucket, 'never-deployed-pr-9/')).toEqual({ deleted: 0, requests: 1 });
    });
  });
}
