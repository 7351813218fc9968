/**
 * Small JSON objects the action and the edge service keep in the bucket under `state-prefix`: the sweeper's memory,
 * the record of each preview (what teardown must remove), and the marks and notes of state/. Read-modify-write without
 * locking: the workflows' concurrency groups keep two writers of one object apart. The requests are objects.ts's:
 * lean calls where the connection can sign them, so a run with a custom endpoint never loads the SDK for its state.
 */
import type { S3Connection } from '../assets/s3.js';
import { bucketObjects, type BucketObjects, type BucketObjectsOptions } from './objects.js';

/** Where the state objects live: a bucket and the prefix inside it (input `state-prefix`, `WAKER_STATE_PREFIX`). */
export interface StateStore {
  bucket: string;
  statePrefix: string;
  /** The requests to the bucket. */
  objects: BucketObjects;
}

/** The store on `s3`'s bucket `bucket`, its requests made on first use. */
export function createStateStore(
  s3: S3Connection,
  bucket: string,
  statePrefix: string,
  o: BucketObjectsOptions = {},
): StateStore {
  return { bucket, statePrefix, objects: bucketObjects(s3, bucket, o) };
}

/** The key of a state object: `<state-prefix>/<path>`, surrounding slashes of the prefix dropped; `<path>` without one. */
export function stateKey(statePrefix: string, path: string): string {
  const prefix = statePrefix.replace(/^\/+|\/+$/g, '');
  return prefix ? `${prefix}/${path}` : path;
}

/** A small JSON state object, or undefined when the key does not exist (or is empty); not JSON throws a SyntaxError. */
export async function readJson<T>(store: StateStore, key: string): Promise<T | undefined> {
  const text = (await store.objects.get(key))?.toString('utf8');
  return text === undefined || text === '' ? undefined : (JSON.parse(text) as T);
}

export async function writeJson(store: StateStore, key: string, value: unknown): Promise<void> {
  await store.objects.put(key, JSON.stringify(value), {
    contentType: 'application/json; charset=utf-8',
    cacheControl: 'no-cache',
  });
}

/** A state object holding one time, `{ <field>: ISO 8601 }`: the edge service's marks (a wake's deadline, a visit). */
export async function writeTime(store: StateStore, key: string, field: string, at: Date): Promise<void> {
  await writeJson(store, key, { [field]: at.toISOString() });
}

/** The time of such an object, epoch ms; undefined when there is none, or it holds no time under `field`. */
export async function readTime(store: StateStore, key: string, field: string): Promise<number | undefined> {
  const raw = await readJson<Record<string, unknown>>(store, key);
  const value = raw?.[field];
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** Deletes the object; deleting a key that does not exist is fine (S3 answers 204 either way). */
export async function deleteJson(store: StateStore, key: string): Promise<void> {
  await store.objects.delete(key);
}

/** The `<name>.json` objects directly under `prefix` (a folder key ending in `/`) whose name is a DNS label, by name. */
export async function listJsonNames(
  store: StateStore,
  prefix: string,
): Promise<{ name: string; lastModified?: Date }[]> {
  const found: { name: string; lastModified?: Date }[] = [];
  for (const o of (await store.objects.list(prefix)).objects) {
    const m = o.key.slice(prefix.length).match(/^([a-z0-9-]{1,63})\.json$/);
    if (m && o.key.startsWith(prefix)) found.push({ name: m[1], lastModified: o.lastModified });
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
