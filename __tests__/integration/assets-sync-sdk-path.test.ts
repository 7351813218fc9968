/**
 * The SDK upload path of syncAssets: what a bucket gets when the lean PUT cannot serve it (an auth scheme other
 * than plain SigV4, such as S3 Express). put.js is mocked to decline; everything else talks to s3rver and to
 * radosgw (which checks the SDK's signatures of streamed bodies) for real.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3_SERVERS, startS3Server } from '../../test/support/s3-servers.js';
import type { S3Emulator } from '../../test/support/s3.js';

const createLeanS3 = jest.fn(async () => undefined);
// sync.js takes only createLeanS3 from lean.js.
jest.unstable_mockModule('../../src/assets/lean.js', () => ({ createLeanS3 }));
const { syncAssets } = await import('../../src/assets/sync.js');

const STREAMED = 600_000; // above the size sent from memory

for (const { kind, describe } of S3_SERVERS) {
  describe(`syncAssets without the lean PUT, on ${kind}`, () => {
    let s3: S3Emulator;
    let site: string;

    beforeAll(async () => {
      s3 = await startS3Server(kind);
      site = mkdtempSync(join(tmpdir(), 'sdk-path-'));
      writeFileSync(join(site, 'index.html'), '<p>hi</p>');
      writeFileSync(join(site, 'data.bin'), Buffer.alloc(STREAMED, 7));
    });

    afterAll(async () => {
      await s3?.close();
      if (site) rmSync(site, { recursive: true, force: true });
    });

    const opts = {
      bucket: 'previews',
      prefix: 'sdk-pr-1/',
      dir: '',
      includeDotfiles: false,
      cacheControl: 'no-cache',
      cacheControlFingerprinted: 'immutable',
      concurrency: 4,
    };

    it('uploads buffered and streamed files through the SDK, and retries a dropped streamed upload', async () => {
      let drops = 1;
      const undo = s3.intercept((req) =>
        req.method === 'PUT' && req.url?.includes('data.bin') && drops-- > 0 ? { reset: true } : undefined,
      );
      try {
        const result = await syncAssets(s3.connection, { ...opts, dir: site });
        expect(createLeanS3).toHaveBeenCalled();
        expect(result).toMatchObject({ uploaded: 2, skipped: 0 });
        expect(result.requests).toBe(4); // list + index.html + data.bin dropped + its retry with a fresh stream
      } finally {
        undo();
      }
      const html = await s3.client.send(new GetObjectCommand({ Bucket: 'previews', Key: 'sdk-pr-1/index.html' }));
      expect(html.ContentType).toBe('text/html; charset=utf-8');
      expect(html.CacheControl).toBe('no-cache');
      expect(await html.Body!.transformToString()).toBe('<p>hi</p>');
      const data = await s3.client.send(new GetObjectCommand({ Bucket: 'previews', Key: 'sdk-pr-1/data.bin' }));
      expect(Buffer.from(await data.Body!.transformToByteArray()).equals(Buffer.alloc(STREAMED, 7))).toBe(true);
    });
  });
}
