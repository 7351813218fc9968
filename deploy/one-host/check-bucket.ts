/**
 * The bucket as the edge uses it: the edge's credentials read a preview file (signed, as the edge service signs
 * nginx's reads), anonymous reads are refused (signed reads) or allowed (anonymous reads), nobody lists it
 * anonymously, and the edge's credentials cannot write. A file to read is CHECK_OBJECT, or the first preview file a
 * listing with the edge's credentials shows; without either, the read checks say "not checked".
 */
import { ListObjectsV2Command, PutObjectCommand, DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { escapeUriPath } from '@smithy/core/protocols';
import { createReadSigner } from '../../src/assets/read-signer.js';
import { s3Connection } from '../../src/assets/s3.js';
import { createS3Client } from '../../src/assets/s3-client.js';
import type { AssetSettings } from '../../src/settings.js';
import { call, type CallResponse } from '../../src/http/call.js';
import { show } from '../../src/rules/errors.js';
import type { OneHost } from './env.js';
import { notChecked, ok, problem, reason, type DateLog, type Line } from './check-line.js';

const TIMEOUT_MS = 10_000;
const PROBE = 'one-host-check-write-probe';

function secret(file: string | undefined): string | undefined {
  return file ? readFileSync(file, 'utf8').replace(/\r?\n$/, '') : undefined;
}

/** The edge service's bucket settings, from its credential files. */
function edgeSettings(h: OneHost): AssetSettings {
  return {
    bucket: h.values.BUCKET,
    endpoint: h.values.S3_ENDPOINT || undefined,
    region: h.values.S3_REGION || 'us-east-1',
    accessKeyId: secret(h.values.S3_ACCESS_KEY_ID_FILE),
    secretAccessKey: secret(h.values.S3_SECRET_ACCESS_KEY_FILE),
    includeDotfiles: false,
    cacheControl: 'no-cache',
    cacheControlFingerprinted: 'no-cache',
    concurrency: 1,
  };
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function statePrefix(h: OneHost): string {
  return (h.values.STATE_PREFIX || '.faas-preview').replace(/^\/+|\/+$/g, '');
}

/** CHECK_OBJECT, or a preview file the edge's credentials can list; a Line when there is none to read. */
async function objectToRead(h: OneHost, s3: S3Client): Promise<string | Line> {
  if (h.checkObject) return h.checkObject;
  try {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: h.values.BUCKET, MaxKeys: 100 }));
    const key = page.Contents?.map((o) => o.Key ?? '').find((k) => k && !k.startsWith(`${statePrefix(h)}/`));
    if (key) return key;
    return notChecked(
      'bucket reads',
      'the bucket holds no preview file yet: deploy a preview or set CHECK_OBJECT, then check again',
    );
  } catch (err) {
    return notChecked(
      'bucket reads',
      `no file to read: the edge's credentials cannot list the bucket (${statusOf(err) ?? reason(err)}); set CHECK_OBJECT to a preview's file, like shop-pr-1/index.html`,
    );
  }
}

async function get(url: string, seen: DateLog): Promise<CallResponse> {
  const res = await call({ method: 'GET', url, timeoutMs: TIMEOUT_MS });
  seen.record('the bucket', res.headers.date);
  return res;
}

async function edgeRead(h: OneHost, s3: S3Client, key: string, seen: DateLog): Promise<Line> {
  const sign = await createReadSigner(s3Connection(edgeSettings(h), { client: s3 }), h.values.BUCKET);
  if (!sign) return notChecked('bucket edge read', 'the SDK alone can sign for this endpoint; not checked');
  const res = await get(`${h.edge.bucketUrl}${await sign(key)}`, seen);
  if (res.status === 200) return ok('bucket edge read', `the edge's credentials read ${show(key)}`);
  if (res.status === 404)
    return problem('bucket edge read', `${show(key)} does not exist: set CHECK_OBJECT to a file of a deployed preview`);
  return problem(
    'bucket edge read',
    `reading ${show(key)} with the edge's credentials answered ${res.status}: grant them s3:GetObject on arn:aws:s3:::${h.values.BUCKET}/* (docs/private-previews.md, "The bucket")`,
  );
}

async function anonymousRead(h: OneHost, key: string, seen: DateLog): Promise<Line> {
  const res = await get(`${h.edge.bucketUrl}/${escapeUriPath(key)}`, seen);
  const signed = h.edge.bucketReads === 'signed';
  if (signed && res.status === 403)
    return ok('bucket anonymous read', `refused for ${show(key)}, as signed reads need`);
  if (signed)
    return problem(
      'bucket anonymous read',
      `${show(key)} answered ${res.status} without credentials: anyone reads previews past the gate; remove the bucket's public policy (BUCKET_READS=signed)`,
    );
  if (res.status === 200)
    return ok('bucket anonymous read', `allowed for ${show(key)}, as BUCKET_READS=anonymous needs`);
  return problem(
    'bucket anonymous read',
    `${show(key)} answered ${res.status} without credentials: nginx cannot read it; add the anonymous-read policy (docs/private-previews.md) or set BUCKET_READS=signed`,
  );
}

async function anonymousList(h: OneHost, seen: DateLog): Promise<Line> {
  const res = await get(`${h.edge.bucketUrl}?list-type=2&max-keys=1`, seen);
  if (res.status === 403) return ok('bucket anonymous list', 'refused');
  if (res.status === 200)
    return problem(
      'bucket anonymous list',
      'anyone can list every preview and the state: allow anonymous s3:GetObject at most, never s3:ListBucket',
    );
  return problem('bucket anonymous list', `answered ${res.status}: is S3_ENDPOINT/BUCKET right?`);
}

async function edgeWrite(h: OneHost, s3: S3Client): Promise<Line> {
  const key = `${statePrefix(h)}/${PROBE}`;
  try {
    await s3.send(new PutObjectCommand({ Bucket: h.values.BUCKET, Key: key, Body: 'probe' }));
  } catch (err) {
    if (statusOf(err) === 403)
      return ok('bucket edge write', "the edge's credentials cannot write, as they should not");
    return notChecked('bucket edge write', `the write probe failed otherwise (${statusOf(err) ?? reason(err)})`);
  }
  await s3.send(new DeleteObjectCommand({ Bucket: h.values.BUCKET, Key: key })).catch(() => undefined);
  return problem(
    'bucket edge write',
    `the edge's credentials can write (the probe ${key} was written and removed): give them only s3:GetObject, and s3:DeleteObject on ${statePrefix(h)}/sleeping/*`,
  );
}

export async function checkBucket(h: OneHost, seen: DateLog): Promise<Line[]> {
  let s3: S3Client;
  try {
    s3 = createS3Client(edgeSettings(h));
  } catch (err) {
    return [notChecked('bucket', `the edge's credential files cannot be read (${reason(err)}): run the check as root`)];
  }
  try {
    const key = await objectToRead(h, s3);
    const reads =
      typeof key === 'string' ? [await edgeRead(h, s3, key, seen), await anonymousRead(h, key, seen)] : [key];
    return [...reads, await anonymousList(h, seen), await edgeWrite(h, s3)];
  } catch (err) {
    return [problem('bucket', `${h.edge.bucketUrl}: ${reason(err)}: is S3_ENDPOINT right and reachable?`)];
  } finally {
    s3.destroy();
  }
}
