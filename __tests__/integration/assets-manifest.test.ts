/**
 * The content manifest (src/assets/manifest.ts, compare.ts) against s3rver and radosgw: a push proves unchanged files
 * by content id, a changed one is always sent, and a manifest that lies (forged, stale, another preview's) is never
 * believed: every sync ends with the bucket holding exactly the local bytes.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { contentIdOf, encodeManifest, manifestMac, MANIFEST_KEY } from '../../src/assets/manifest.js';
import { PART_SIZE } from '../../src/assets/plan.js';
import { deletePrefix, syncAssets, type SyncOptions } from '../../src/assets/sync.js';
import { S3_SERVERS, startS3Server } from '../../test/support/s3-servers.js';
import type { S3Emulator, S3Kind } from '../../test/support/s3.js';

import { jest } from '@jest/globals';

jest.setTimeout(120_000);

const FILES: Record<string, string | Buffer> = {
  'index.html': '<!doctype html><p>one</p>',
  'assets/app.js': 'console.log("app")',
  'assets/style.css': 'body{color:red}',
  'img/big.bin': Buffer.alloc(PART_SIZE + 1000, 7), // in parts
  'img/mid.bin': Buffer.alloc(300 * 1024, 3), // streamed
};

for (const { kind, describe } of S3_SERVERS) describe(`on ${kind}`, () => suite(kind));

function suite(kind: S3Kind): void {
  let s3: S3Emulator;
  let work: string;
  let lines: string[];

  const write = (site: string, rel: string, content: string | Buffer): void => {
    mkdirSync(dirname(join(site, rel)), { recursive: true });
    writeFileSync(join(site, rel), content);
  };
  const siteOf = (name: string): string => {
    const site = join(work, name);
    for (const [k, v] of Object.entries(FILES)) write(site, k, v);
    return site;
  };
  const opts = (prefix: string, dir: string, extra: Partial<SyncOptions> = {}): SyncOptions => ({
    bucket: s3.bucket,
    prefix,
    dir,
    includeDotfiles: false,
    cacheControl: 'no-cache',
    cacheControlFingerprinted: 'no-cache',
    concurrency: 4,
    contentManifest: true,
    log: (l) => lines.push(l),
    ...extra,
  });
  const body = async (key: string): Promise<Buffer> => {
    const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  };
  /** The bucket holds exactly the site's files (and the manifest). */
  const expectInSync = async (prefix: string, site: string, keys = Object.keys(FILES)): Promise<void> => {
    expect((await s3.listKeys(prefix)).filter((k) => k !== prefix + MANIFEST_KEY).sort()).toEqual(
      keys.map((k) => prefix + k).sort(),
    );
    for (const k of keys) expect((await body(prefix + k)).equals(readFileSync(join(site, k)))).toBe(true);
  };
  const put = (key: string, text: string | Buffer): Promise<unknown> =>
    s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: text }));
  const compared = (): string | undefined => lines.find((l) => l.startsWith('compared '));
  const putKeys = (): string[] =>
    s3
      .requests()
      .filter((r) => r.method === 'PUT')
      .map((r) => decodeURIComponent(r.url.split('?')[0]));

  beforeAll(async () => {
    s3 = await startS3Server(kind);
    work = mkdtempSync(join(tmpdir(), 'assets-manifest-'));
  });
  afterAll(async () => {
    await s3?.close();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    lines = [];
    s3.clearRequests();
  });

  it('is written by the first sync, proves every file of a rebuilt site unchanged, and goes with the prefix', async () => {
    const P = 'm-pr-1/';
    const site = siteOf('one');
    expect(await syncAssets(s3.connection, opts(P, site))).toMatchObject({ uploaded: 5, skipped: 0 });
    expect((await s3.listKeys(P)).includes(P + MANIFEST_KEY)).toBe(true);
    // s3rver's multipart ETag in the listing is not the one its CompleteMultipartUpload answered: one MD5, then settled
    await syncAssets(s3.connection, opts(P, site));
    lines = [];
    s3.clearRequests();
    for (const [k, v] of Object.entries(FILES)) write(site, k, v); // a CI rebuild: same bytes, new mtimes
    expect(await syncAssets(s3.connection, opts(P, site))).toMatchObject({ uploaded: 0, skipped: 5, deleted: 0 });
    expect(compared()).toBe('compared 5 file(s) by content id (manifest), 0 by MD5');
    expect(putKeys()).toEqual([]); // nothing changed, the manifest neither
    await expectInSync(P, site);
    await deletePrefix(s3.connection, s3.bucket, P);
    expect(await s3.listKeys(P)).toEqual([]);
  });

  it('a changed file of the same size is sent without an MD5, and the manifest follows', async () => {
    const P = 'm-pr-2/';
    const site = siteOf('two');
    await syncAssets(s3.connection, opts(P, site));
    await syncAssets(s3.connection, opts(P, site));
    write(site, 'assets/app.js', 'console.log("APP")');
    write(site, 'img/mid.bin', Buffer.alloc(300 * 1024, 4));
    lines = [];
    s3.clearRequests();
    expect(await syncAssets(s3.connection, opts(P, site))).toMatchObject({ uploaded: 2, skipped: 3 });
    expect(compared()).toBe('compared 5 file(s) by content id (manifest), 0 by MD5');
    expect(putKeys().sort()).toEqual(
      [`${P}assets/app.js`, `${P}img/mid.bin`, P + MANIFEST_KEY].map((k) => `/${s3.bucket}/${k}`).sort(),
    );
    await expectInSync(P, site);
    lines = [];
    expect(await syncAssets(s3.connection, opts(P, site))).toMatchObject({ uploaded: 0, skipped: 5 });
    expect(compared()).toBe('compared 5 file(s) by content id (manifest), 0 by MD5');
  });

  it('a forged manifest that calls a changed file unchanged is ignored: the file is sent, the lie stays unused', async () => {
    const P = 'm-pr-3/';
    const site = siteOf('three');
    await syncAssets(s3.connection, opts(P, site, { contentManifest: false }));
    const listed = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: P + 'assets/app.js' }));
    const etag = (listed.ETag ?? '').replace(/"/g, '');
    write(site, 'assets/app.js', 'console.log("APP")');
    // the lie: the object's ETag paired with the new content's id, signed without the bucket's secret
    const lie = new Map([
      ['assets/app.js', { id: contentIdOf(readFileSync(join(site, 'assets/app.js'))), etag, size: 18 }],
    ]);
    const forged = encodeManifest(lie, { bucket: s3.bucket, prefix: P }, manifestMac('not-the-secret'));
    await put(P + MANIFEST_KEY, forged);
    s3.clearRequests();
    expect(await syncAssets(s3.connection, opts(P, site))).toMatchObject({ uploaded: 1, skipped: 4 });
    expect(lines).toContain(`the asset manifest ${P}${MANIFEST_KEY} does not verify: files are compared by MD5`);
    expect(compared()).toBe('compared 0 file(s) by content id (manifest), 5 by MD5');
    expect(putKeys()).toEqual([`/${s3.bucket}/${P}assets/app.js`]); // not rewritten: it might never verify
    expect((await body(P + MANIFEST_KEY)).toString()).toBe(forged);
    await expectInSync(P, site);
  });

  it('a stale entry (the object rewritten by another tool since) is not used: the local bytes win', async () => {
    const P = 'm-pr-4/';
    const site = siteOf('four');
    await syncAssets(s3.connection, opts(P, site));
    await put(P + 'assets/app.js', 'console.log("OLD")'); // same size, other bytes, a new ETag
    s3.clearRequests();
    expect(await syncAssets(s3.connection, opts(P, site))).toMatchObject({ uploaded: 1 });
    expect(putKeys()).toContain(`/${s3.bucket}/${P}assets/app.js`);
    await expectInSync(P, site);
  });

  it('another preview`s manifest, copied under this prefix, is ignored', async () => {
    const [A, B] = ['m-pr-5/', 'm-pr-6/'];
    const siteA = siteOf('five');
    const siteB = siteOf('six');
    await syncAssets(s3.connection, opts(A, siteA));
    await syncAssets(s3.connection, opts(B, siteB));
    write(siteB, 'assets/app.js', 'console.log("BBB")');
    await put(B + MANIFEST_KEY, await body(A + MANIFEST_KEY));
    lines = [];
    expect(await syncAssets(s3.connection, opts(B, siteB))).toMatchObject({ uploaded: 1 });
    expect(lines).toContain(`the asset manifest ${B}${MANIFEST_KEY} does not verify: files are compared by MD5`);
    await expectInSync(B, siteB);
  });

  it('never syncs a local .faas-preview/ folder, nor deletes the manifest as a stale key', async () => {
    const P = 'm-pr-7/';
    const site = siteOf('seven');
    write(site, '.faas-preview/assets.json', 'not a manifest');
    expect(await syncAssets(s3.connection, opts(P, site, { includeDotfiles: true }))).toMatchObject({ uploaded: 5 });
    expect(lines).toContain(
      'warning: skipping .faas-preview/: the edge reserves that path, and the sync keeps its own state there',
    );
    expect((await body(P + MANIFEST_KEY)).toString()).not.toBe('not a manifest');
    expect(await syncAssets(s3.connection, opts(P, site, { includeDotfiles: true }))).toMatchObject({ deleted: 0 });
    await expectInSync(P, site);
  });
}
