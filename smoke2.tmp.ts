import { startS3 } from './test/support/s3.js';
import { PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
const s3 = await startS3();
const P = 'many/';
const keys = Array.from({ length: 1205 }, (_, i) => `${P}f/${String(i).padStart(5, '0')}.txt`);
for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((Key) => s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: 'x' }))));
const p1 = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: P }));
console.log(p1.KeyCount, p1.IsTruncated, p1.NextContinuationToken);
try { const p2 = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: P, ContinuationToken: p1.NextContinuationToken })); console.log(p2.KeyCount); } catch (e) { console.log(e); }
await s3.close();
