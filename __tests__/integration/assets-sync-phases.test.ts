/**
 * The asset sync in phases (prepareSync → uploadAssets → uploadHtml → deleteStale), the way the deploy drives it
 * while the image builds and the function rolls out, against s3rver and Ceph radosgw: what each phase puts on the
 * server and what it leaves alone, the order it enforces, a failed phase, close(), and the lean listing of more than
 * one page with keys XML must escape.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { prepareSync, syncAssets, type SyncOptions } from '../../src/assets/sync.js';
import { S3_SERVERS, startS3Server } from '../../test/support/s3-servers.js';
import type { S3Emulator, S3Kind } from '../../test/support/s3.js';

import { jest } from '@jest/globals';

jest.setTimeout(120_000);

for (const { kind, describe } of S3_SERVERS) describe(`asset sync in phases on ${kind}`, () => suite(kind));

function suite(kind: S3Kind): void {
  let s3: S3Emulator;
  let work: string;
  let lines: string[];

  const write = (root: string, files: Record<string, string>): void => {
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), content);
    }
  };
  const opts = (prefix: string, dir: string, extra: Partial<SyncOptions> = {}): SyncOptions => ({
    bucket: s3.bucket,
    prefix,
    dir,
    includeDotfiles: false,
    cacheControl: 'no-cache',
    cacheControlFingerprinted: 'public, max-age=31536000, immutable',
    concurrency: 4,
    contentManifest: false, // the requests of the MD5 comparison (the manifest: assets-manifest.test.ts)
    log: (l) => lines.push(l),
    ...extra,
  });
  const seed = (key: string, body: string) =>
    s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  const methods = () => s3.requests().map((r) => r.method);

  beforeAll(async () => {
    s3 = await startS3Server(kind);
    work = mkdtempSync(join(tmpdir(), 'assets-phases-'));
  });
  afterAll(async () => {
    await s3?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    lines = [];
  });

  it('prepare only lists; assets, then HTML, then stale deletes, each phase sending only its own', async () => {
    const P = 'phases-pr-1/';
    const site = join(work, 'site-1');
    write(site, {
      'index.html': '<p>new</p>',
      'about/index.html': '<p>about</p>',
      'assets/app.1a2b3c4d.js': 'new()',
      'robots.txt': 'same',
    });
    await Promise.all([
      seed(`${P}index.html`, '<p>old</p>'),
      seed(`${P}robots.txt`, 'same'),
      seed(`${P}assets/app.00000000.js`, 'old()'),
    ]);
    s3.clearRequests();

    const sync = await prepareSync(s3.connection, opts(P, site));
    try {
      expect(methods()).toEqual(['GET']);
      expect(sync.plan.assets.map((f) => f.key)).toEqual(['assets/app.1a2b3c4d.js']);
      expect(sync.plan.html.map((f) => f.key)).toEqual(['about/index.html', 'index.html']);
      expect(sync.plan.skipped.map((f) => f.key)).toEqual(['robots.txt']);
      expect(sync.plan.deletes).toEqual(['assets/app.00000000.js']);

      await sync.uploadAssets();
      // the live pages are untouched, and what they reference is still there
      expect(await s3.listKeys(P)).toEqual([
        `${P}assets/app.00000000.js`,
        `${P}assets/app.1a2b3c4d.js`,
        `${P}index.html`,
        `${P}robots.txt`,
      ]);
      expect(sync.result()).toMatchObject({ uploaded: 1, skipped: 1, deleted: 0, requests: 2 });

      await sync.uploadHtml();
      expect(await s3.listKeys(P)).toEqual([
        `${P}about/index.html`,
        `${P}assets/app.00000000.js`,
        `${P}assets/app.1a2b3c4d.js`,
        `${P}index.html`,
        `${P}robots.txt`,
      ]);

      await sync.deleteStale();
      expect(await s3.listKeys(P)).toEqual([
        `${P}about/index.html`,
        `${P}assets/app.1a2b3c4d.js`,
        `${P}index.html`,
        `${P}robots.txt`,
      ]);
      expect(sync.result()).toEqual({ uploaded: 3, skipped: 1, deleted: 1, bytesUploaded: 5 + 12 + 10, requests: 5 });
      expect(lines.at(-1)).toBe('assets: 3 uploaded (27 bytes), 1 unchanged, 1 deleted, 5 S3 requests');
    } finally {
      sync.close();
    }
  });

  it('refuses phases out of order, and a phase twice, before sending anything', async () => {
    const P = 'phases-pr-2/';
    const site = join(work, 'site-2');
    write(site, { 'index.html': '<p>x</p>', 'app.js': 'x' });
    const sync = await prepareSync(s3.connection, opts(P, site));
    s3.clearRequests();
    try {
      await expect(sync.uploadHtml()).rejects.toThrow(
        'asset sync: uploadHtml() cannot run now (the last phase that finished is prepareSync()); the order is prepareSync(), uploadAssets(), uploadHtml(), deleteStale()',
      );
      await expect(sync.deleteStale()).rejects.toThrow(/deleteStale\(\) cannot run now/);
      const running = sync.uploadAssets();
      await expect(sync.uploadAssets()).rejects.toThrow(/another phase is running after prepareSync\(\)/);
      await running;
      await expect(sync.uploadAssets()).rejects.toThrow(/the last phase that finished is uploadAssets\(\)/);
    } finally {
      sync.close();
    }
    await expect(sync.uploadHtml()).rejects.toThrow('asset sync: uploadHtml() after close()');
    expect(s3.requests().filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(await s3.listKeys(P)).toEqual([`${P}app.js`]);
  });

  it('a failed asset phase leaves the HTML and the stale keys as they were, and the next phases refuse to run', async () => {
    const P = 'phases-pr-3/';
    const site = join(work, 'site-3');
    write(site, { 'index.html': '<p>new</p>', 'a.js': 'a', 'b.js': 'b' });
    await Promise.all([seed(`${P}index.html`, '<p>old</p>'), seed(`${P}stale.css`, 'old')]);
    const undo = s3.intercept((req) =>
      req.method === 'PUT' && req.url?.endsWith('/b.js')
        ? { status: 403, code: 'AccessDenied', message: 'no' }
        : undefined,
    );
    const sync = await prepareSync(s3.connection, opts(P, site));
    try {
      await expect(sync.uploadAssets()).rejects.toThrow(
        /^PutObject s3:\/\/\S+\/phases-pr-3\/b\.js: HTTP 403 AccessDenied/,
      );
      await expect(sync.uploadHtml()).rejects.toThrow(/uploadHtml\(\) cannot run now/);
      await expect(sync.deleteStale()).rejects.toThrow(/deleteStale\(\) cannot run now/);
    } finally {
      undo();
      sync.close();
    }
    expect((await s3.listKeys(P)).sort()).toEqual([`${P}a.js`, `${P}index.html`, `${P}stale.css`]);
    expect(sync.result()).toMatchObject({ uploaded: 1, deleted: 0 });
  });

  it('lists more than one page through the lean listing, keys XML must escape included, and skips them all the second time', async () => {
    const P = 'phases-pr-4/';
    const site = join(work, 'site-4');
    const files: Record<string, string> = {};
    for (let i = 0; i < 1100; i++) files[`p/${String(i).padStart(4, '0')}.txt`] = `file ${i}`;
    Object.assign(files, { 'a & b <c>.txt': 'amp', 'quote\'s "double".txt': 'quotes' });
    write(site, files);
    expect(await syncAssets(s3.connection, opts(P, site, { concurrency: 32 }))).toMatchObject({ uploaded: 1102 });
    s3.clearRequests();
    expect(await syncAssets(s3.connection, opts(P, site))).toEqual({
      uploaded: 0,
      skipped: 1102,
      deleted: 0,
      bytesUploaded: 0,
      requests: 2,
    });
    expect(s3.requests().map((r) => r.method)).toEqual(['GET', 'GET']);
  });
}
