/**
 * What the state store (src/state/store.ts) promises, against a real S3 server: the same cases for its lean calls
 * (state-store.test.ts) and for its SDK fallback (state-store-sdk-path.test.ts). Listing pages of 2 keys stand in
 * for S3's 1,000, so that every listing here takes several pages.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Connection } from '../../src/assets/s3.js';
import { MAX_OBJECT_BYTES } from '../../src/state/objects.js';
import { closedBefore } from '../../src/state/closed.js';
import {
  createStateStore,
  deleteJson,
  listJsonNames,
  readJson,
  writeJson,
  type StateStore,
} from '../../src/state/store.js';
import { listTopPrefixes } from '../../src/state/sweeper.js';
import { startS3Server } from './s3-servers.js';
import type { S3Emulator, S3Kind } from './s3.js';

const PAGE_KEYS = 2;

/** The cases on `kind`; `connection` is what the store is made on (the lean or the SDK path). */
export function stateStoreSuite(kind: S3Kind, connection: (s3: S3Emulator) => S3Connection): void {
  let s3: S3Emulator;
  let store: StateStore;
  const put = (key: string, body: string | Buffer) =>
    s3.client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }),
    );
  const listRequests = () => s3.requests().filter((r) => r.method === 'GET' && /list-type=2/.test(r.url));

  beforeAll(async () => {
    s3 = await startS3Server(kind);
    store = createStateStore(connection(s3), s3.bucket, 'st', { maxKeys: PAGE_KEYS });
  }, 120_000);

  afterAll(() => s3?.close());

  it('reads a missing key as undefined, and an empty object too', async () => {
    expect(await readJson(store, 'st/previews/missing.json')).toBeUndefined();
    await put('st/previews/empty.json', '');
    expect(await readJson(store, 'st/previews/empty.json')).toBeUndefined();
  });

  it('writes JSON, not to be cached, and reads it back', async () => {
    const value = { name: 'shop-pr-1', list: ['x', 'é'], n: 1 };
    await writeJson(store, 'st/previews/shop-pr-1.json', value);
    expect(await readJson(store, 'st/previews/shop-pr-1.json')).toEqual(value);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'st/previews/shop-pr-1.json' }));
    expect(head).toMatchObject({ ContentType: 'application/json; charset=utf-8', CacheControl: 'no-cache' });
  });

  it('throws a SyntaxError on an object that is not JSON', async () => {
    await put('st/previews/broken.json', '{"name":');
    await expect(readJson(store, 'st/previews/broken.json')).rejects.toThrow(SyntaxError);
  });

  it('refuses an object larger than a state object can be, naming it', async () => {
    await put('st/huge.json', Buffer.alloc(MAX_OBJECT_BYTES + 1, 0x20));
    await expect(readJson(store, 'st/huge.json')).rejects.toThrow(
      new RegExp(`^GetObject s3://${s3.bucket}/st/huge.json: .*over ${MAX_OBJECT_BYTES} bytes`),
    );
  }, 60_000);

  it('lists the <name>.json objects of a folder, sorted, through every page', async () => {
    const names = ['shop-pr-9', 'blog-pr-2', 'shop-pr-10', 'a', 'shop-pr-3'];
    for (const n of names) await writeJson(store, `st/closed/${n}.json`, { name: n });
    for (const k of ['st/closed/Upper.json', 'st/closed/x.txt', 'st/closed/sub/deep-pr-1.json', 'st/closedish.json'])
      await put(k, '{}');
    s3.clearRequests();
    const listed = await listJsonNames(store, 'st/closed/');
    expect(listed.map((o) => o.name)).toEqual([...names].sort());
    expect(listRequests().length).toBeGreaterThanOrEqual(4); // 9 keys, 2 a page
    for (const o of listed) expect(Math.abs(o.lastModified!.getTime() - Date.now())).toBeLessThan(600_000);
    expect(await closedBefore(store, new Date(Date.now() + 600_000))).toEqual([...names].sort());
    expect(await closedBefore(store, new Date(Date.now() - 600_000))).toEqual([]);
  });

  it("lists the bucket's top-level prefixes through every page", async () => {
    for (const p of ['shop-pr-1', 'shop-pr-2', 'blog-pr-7']) await put(`${p}/index.html`, 'x');
    s3.clearRequests();
    expect((await listTopPrefixes(store)).sort()).toEqual(['blog-pr-7/', 'shop-pr-1/', 'shop-pr-2/', 'st/']);
    // s3rver does not count CommonPrefixes against max-keys: one page there
    expect(listRequests().length).toBeGreaterThanOrEqual(kind === 'rgw' ? 2 : 1);
  });

  it('deletes an object, and a missing one is fine', async () => {
    await writeJson(store, 'st/visited/shop-pr-1.json', { at: 'now' });
    await deleteJson(store, 'st/visited/shop-pr-1.json');
    expect(await readJson(store, 'st/visited/shop-pr-1.json')).toBeUndefined();
    await deleteJson(store, 'st/visited/never.json');
  });

  it('stops a listing whose server repeats its continuation token', async () => {
    // each page after the first says to go on from where it began
    const undo = s3.intercept((req) => {
      const token = new URL(req.url ?? '', 'http://tap').searchParams.get('continuation-token');
      const same = `<NextContinuationToken>${token ?? ''}</NextContinuationToken>`;
      return token
        ? { rewriteBody: (b) => b.replace(/<NextContinuationToken>[^<]*<\/NextContinuationToken>/, same) }
        : undefined;
    });
    try {
      await expect(listJsonNames(store, 'st/closed/')).rejects.toThrow(/repeated its continuation token/);
    } finally {
      undo();
    }
  });
}
