/**
 * The deploy's static-file stages (src/commands/asset-stages.ts) against s3rver and Ceph radosgw: nothing is read
 * or sent before the cue that the build runs, so the walk, the listing and the uploads never hold up the steps that
 * start the builder; a deploy that ends before the cue leaves the bucket untouched.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SyncOptions } from '../../src/assets/sync.js';
import { AssetStages } from '../../src/commands/asset-stages.js';
import { S3_SERVERS, startS3Server } from '../../test/support/s3-servers.js';
import type { S3Emulator, S3Kind } from '../../test/support/s3.js';

import { jest } from '@jest/globals';

jest.setTimeout(120_000);

for (const { kind, describe } of S3_SERVERS) describe(`the deploy's static-file stages on ${kind}`, () => suite(kind));

function suite(kind: S3Kind): void {
  let s3: S3Emulator;
  let work: string;

  const site = (name: string): string => {
    const root = join(work, name);
    for (const [rel, content] of Object.entries({ 'index.html': '<p>new</p>', 'assets/app.1a2b3c4d.js': 'app()' })) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), content);
    }
    return root;
  };
  const opts = (prefix: string, dir: string): SyncOptions => ({
    bucket: s3.bucket,
    prefix,
    dir,
    includeDotfiles: false,
    cacheControl: 'no-cache',
    cacheControlFingerprinted: 'public, max-age=31536000, immutable',
    concurrency: 4,
    contentManifest: true,
  });
  /**
   * The requests the server saw that name `prefix` (a listing's query has it encoded), after one request of the
   * test's own has gone there and back.
   */
  const seenUnder = async (prefix: string): Promise<string[]> => {
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'elsewhere/marker', Body: 'm' }));
    return s3
      .requests()
      .filter((r) => r.url.includes(prefix.slice(0, -1)))
      .map((r) => `${r.method} ${r.url}`);
  };

  beforeAll(async () => {
    s3 = await startS3Server(kind);
    work = mkdtempSync(join(tmpdir(), 'asset-stages-'));
  });
  afterAll(async () => {
    await s3?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('reads and sends nothing before the cue; abandoned then, the bucket is untouched', async () => {
    const P = 'stages-pr-1/';
    const stages = AssetStages.start(s3.connection, opts(P, site('site-1')));
    expect(await seenUnder(P)).toEqual([]);
    expect(await stages.abandon()).toBe(0);
    expect(await seenUnder(P)).toEqual([]);
    expect(await s3.listKeys(P)).toEqual([]);
  });

  it('after the cue walks, compares and uploads all but HTML; finish() sends the HTML and the manifest', async () => {
    const P = 'stages-pr-2/';
    const dir = site('site-2');
    const stages = AssetStages.start(s3.connection, opts(P, dir));
    expect(await seenUnder(P)).toEqual([]);
    // written before the cue: the walk starts with it, not with start()
    writeFileSync(join(dir, 'late.txt'), 'built late');
    stages.begin();
    expect(await stages.finish()).toEqual({ uploaded: 3, skipped: 0, deleted: 0 });
    expect(await s3.listKeys(P)).toEqual([
      `${P}.faas-preview/assets.json`,
      `${P}assets/app.1a2b3c4d.js`,
      `${P}index.html`,
      `${P}late.txt`,
    ]);
  });

  it('finish() without the cue gives it: a deploy that built nothing still gets its files', async () => {
    const P = 'stages-pr-3/';
    const stages = AssetStages.start(s3.connection, opts(P, site('site-3')));
    expect(await stages.finish()).toEqual({ uploaded: 2, skipped: 0, deleted: 0 });
    expect(await s3.listKeys(P)).toContain(`${P}index.html`);
  });
}
