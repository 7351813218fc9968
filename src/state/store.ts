/**
 * Small JSON objects the action keeps in the bucket under `state-prefix`: the sweeper's memory and the record of
 * each preview (what teardown must remove). Read-modify-write without locking: the workflows' concurrency groups
 * keep two writers of one object apart.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** Where the state objects live: a bucket and the prefix inside it (input `state-prefix`, `WAKER_STATE_PREFIX`). */
export interface StateStore {
  client: S3Client;
  bucket: string;
  statePrefix: string;
}

/** The key of a state object: `<state-prefix>/<path>`, surrounding slashes of the prefix dropped; `<path>` without one. */
export function stateKey(statePrefix: string, path: string): string {
  const prefix = statePrefix.replace(/^\/+|\/+$/g, '');
  return prefix ? `${prefix}/${path}` : path;
}

function isNoSuchKey(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.Code === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/** A small JSON state object, or undefined when the key does not exist. */
export async function readJson<T>(client: S3Client, bucket: string, key: string): Promise<T | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = await out.Body?.transformToString('utf-8');
    return text === undefined || text === '' ? undefined : (JSON.parse(text) as T);
  } catch (err) {
    if (isNoSuchKey(err)) return undefined;
    throw err;
  }
}

export async function writeJson(client: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(value),
      ContentType: 'application/json; charset=utf-8',
      CacheControl: 'no-cache',
    }),
  );
}

/** A state object holding one time, `{ <field>: ISO 8601 }`: the edge service's marks (a wake's deadline, a visit). */
export async function writeTime(store: StateStore, key: string, field: string, at: Date): Promise<void> {
  await writeJson(store.client, store.bucket, key, { [field]: at.toISOString() });
}

/** The time of such an object, epoch ms; undefined when there is none, or it holds no time under `field`. */
export async function readTime(store: StateStore, key: string, field: string): Promise<number | undefined> {
  const raw = await readJson<Record<string, unknown>>(store.client, store.bucket, key);
  const value = raw?.[field];
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** Deletes the object; deleting a key that does not exist is fine (S3 answers 204 either way). */
export async function deleteJson(client: S3Client, bucket: string, key: string): Promise<void> {
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** The `<name>.json` objects directly under `prefix` (a folder key ending in `/`) whose name is a DNS label. */
export async function listJsonNames(
  store: StateStore,
  prefix: string,
): Promise<{ name: string; lastModified?: Date }[]> {
  const found: { name: string; lastModified?: Date }[] = [];
  let token: string | undefined;
  do {
    const page = await store.client.send(
      new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      const m = o.Key?.slice(prefix.length).match(/^([a-z0-9-]{1,63})\.json$/);
      if (m) found.push({ name: m[1], lastModified: o.LastModified });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
