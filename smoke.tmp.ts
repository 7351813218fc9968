import { startS3 } from './test/support/s3.js';
import { syncAssets, deletePrefix } from './src/assets/sync.js';
import { HeadObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
const s3 = await startS3();
const opts = { bucket: s3.bucket, prefix: 'demo-pr-1/', dir: '/tmp/smoke/site', includeDotfiles: false, cacheControl: 'no-cache', cacheControlFingerprinted: 'public, max-age=31536000, immutable', concurrency: 8, log: (l: string) => console.log(l) };
console.log(await syncAssets(s3.client, opts));
console.log(await s3.listKeys());
for (const k of ['index.html','assets/app.3f9a1c2b.js','assets/big.bin']) { const h = await s3.client.send(new HeadObjectCommand({Bucket: s3.bucket, Key: 'demo-pr-1/'+k})); console.log(k, h.ContentType, h.CacheControl, h.ContentLength, h.ETag); }
const g = await s3.client.send(new GetObjectCommand({Bucket: s3.bucket, Key: 'demo-pr-1/assets/big.bin'}));
const b = Buffer.from(await g.Body!.transformToByteArray()); console.log('equal', b.equals(readFileSync('/tmp/smoke/site/assets/big.bin')));
console.log(await syncAssets(s3.client, opts));
console.log(s3.requests().length);
console.log(await deletePrefix(s3.client, s3.bucket, 'demo-pr-1/'));
console.log(await deletePrefix(s3.client, s3.bucket, 'demo-pr-1/'));
await s3.close();
