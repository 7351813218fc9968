/**
 * Signed reads of a private bucket, against Ceph radosgw (it checks signatures; its buckets refuse anonymous reads):
 * a signed path reads exactly its object, keys with spaces and non-ASCII characters included, and nothing else.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createReadSigner, type ReadSigner } from '../../src/assets/read-signer.js';
import { s3Connection } from '../../src/assets/s3.js';
import { RGW_PROGRAMS, startRgw, type RgwServer } from '../../test/support/rgw.js';
import { describeWith } from '../../test/support/tools.js';

const { describe: withCeph } = describeWith(RGW_PROGRAMS);

withCeph('createReadSigner on radosgw', () => {
  let s3: RgwServer;
  let sign: ReadSigner;
  const keys = ['shop-pr-1/index.html', 'shop-pr-1/a file (1).txt', 'shop-pr-1/ünï/çødé.txt'];

  beforeAll(async () => {
    s3 = await startRgw();
    for (const key of keys)
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: `body of ${key}` }));
    const client = s3Connection(
      {
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        region: 'us-east-1',
        accessKeyId: s3.settings.accessKeyId,
        secretAccessKey: s3.settings.secretAccessKey,
        includeDotfiles: false,
        cacheControl: 'no-cache',
        cacheControlFingerprinted: 'no-cache',
        concurrency: 1,
      },
      { env: {} },
    );
    sign = (await createReadSigner(client, s3.bucket))!;
  }, 60_000);

  afterAll(() => s3?.close());

  const read = (path: string, method = 'GET') => fetch(`${s3.endpoint}/${s3.bucket}${path}`, { method });

  test('the bucket refuses an anonymous read', async () => {
    expect((await read('/shop-pr-1/index.html')).status).toBe(403);
  });

  test.each(keys)('a signed path reads %s', async (key) => {
    const res = await read(await sign(key));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`body of ${key}`);
  });

  test('a signature is for its own key and method only, and a changed one is refused', async () => {
    const signed = await sign(keys[0]);
    expect((await read(signed.replace('index.html', 'other.html'))).status).toBe(403);
    expect((await read(signed, 'HEAD')).status).toBe(403);
    const flipped = signed.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
    );
    expect(flipped).not.toBe(signed);
    expect((await read(flipped)).status).toBe(403);
  });

  test('a missing object answers 404 to a signed read (the router tells it from a refusal only by status)', async () => {
    expect((await read(await sign('shop-pr-1/none.js'))).status).toBe(404);
  });
});
