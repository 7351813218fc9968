/**
 * The calls of the sync and the teardown on a bucket prefix: ListObjectsV2 pages and DeleteObjects batches, through
 * lean.ts's calls when there are (one attempt a call: retried here), else through the SDK (which retries by itself),
 * each through s3-call.ts (a failure names the operation, the prefix, the status and S3's code), and a count of the
 * HTTP attempts they made. The count is attached to each SDK command, not to the client, which other parts of the
 * action use at the same time (the state store).
 */
import type { LeanS3, ListPage, PageStart } from './lean.js';
import { createLeanS3 } from './lean.js';
import { batches, normalizeEtag, type RemoteObject } from './plan.js';
import type { S3Connection } from './s3.js';
import { S3OperationError, s3Operation } from './s3-call.js';

type Handler = (args: unknown) => Promise<unknown>;
interface Countable {
  middlewareStack: { add(mw: (next: Handler) => Handler, o: { step: 'deserialize'; name: string }): void };
}

/** Counts the HTTP attempts of the commands passed through `count` (the deserialize step runs once per attempt). */
export class RequestCounter {
  private n = 0;

  count<C>(command: C): C {
    (command as unknown as Countable).middlewareStack.add(
      (next) => async (args) => {
        this.n++;
        return next(args);
      },
      { step: 'deserialize', name: 'faasPreviewRequestCounter' },
    );
    return command;
  }

  get requests(): number {
    return this.n;
  }
}

export function checkPrefix(prefix: string): void {
  if (!prefix || !prefix.endsWith('/') || prefix.startsWith('/') || prefix.split('/').includes('..')) {
    throw new Error(`invalid asset prefix ${JSON.stringify(prefix)}: expected "<name>/"`);
  }
}

/** The calls on one bucket: the lean ones when the connection allows them (the SDK's XML parsing is most of a listing's time). */
export interface Remote {
  s3: S3Connection;
  lean?: LeanS3;
  counter: RequestCounter;
  log: (line: string) => void;
}

/** What is read of the SDK's ListObjectsV2 output. */
interface SdkListOutput {
  Contents?: { Key?: string; Size?: number; ETag?: string; LastModified?: Date }[];
  CommonPrefixes?: { Prefix?: string }[];
  IsTruncated?: boolean;
  NextContinuationToken?: string;
}

/** A page of the SDK's ListObjectsV2 output, as lean.ts reads one. */
function sdkPage(p: SdkListOutput): ListPage {
  return {
    objects: (p.Contents ?? []).map((o) => ({
      key: o.Key ?? '',
      size: o.Size ?? 0,
      etag: o.ETag ?? '',
      lastModified: o.LastModified,
    })),
    prefixes: (p.CommonPrefixes ?? []).flatMap((c) => (c.Prefix ? [c.Prefix] : [])),
    truncated: !!p.IsTruncated,
    nextToken: p.NextContinuationToken,
  };
}

/** One page of `prefix`'s listing (the sync's, the teardown's and the state store's). */
export async function listPage(l: Remote, bucket: string, prefix: string, from: PageStart): Promise<ListPage> {
  const { lean } = l;
  const target = { operation: 'ListObjectsV2', bucket, prefix };
  if (lean) return s3Operation(target, () => lean.list(prefix, from), { retry: true, log: l.log });
  const [client, { ListObjectsV2Command }] = await Promise.all([l.s3.client(), import('./sdk.js')]);
  const command = new ListObjectsV2Command({
    Bucket: bucket,
    Prefix: prefix,
    Delimiter: from.delimiter,
    ContinuationToken: from.token,
    StartAfter: from.startAfter,
    MaxKeys: from.maxKeys,
  });
  return sdkPage(await s3Operation(target, () => client.send(l.counter.count(command))));
}

/**
 * S3's order of keys: by their UTF-8 bytes, compared on the UTF-16 code units without encoding (a listing compares
 * thousands). The two orders agree but where a surrogate (half of a code point past U+FFFF, four bytes in UTF-8) meets
 * a unit from U+E000 to U+FFFF (three bytes, lower): there the surrogate's code point is the greater.
 */
export function keyOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogateX = x >= 0xd800 && x < 0xe000;
    if (surrogateX !== (y >= 0xd800 && y < 0xe000) && Math.max(x, y) >= 0xe000) return surrogateX ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Local keys per range of a cut listing: about a page, with room for keys only the bucket has (at most 1,000 a page). */
const RANGE_KEYS = 900;

/**
 * Where to cut `prefix`'s listing, from the keys expected there (any keys: they only decide where). Only printable
 * ASCII keys are cuts: any key compares with one alike by its UTF-8 bytes (S3's order) and by its UTF-16 code units
 * (some S3-compatible servers'), so a range ends where the server thinks it does.
 */
export function rangeCuts(expected: readonly string[], rangeKeys = RANGE_KEYS): string[] {
  const sorted = expected.filter((k) => /^[\x20-\x7e]*$/.test(k)).sort(keyOrder);
  const cuts: string[] = [];
  for (let i = rangeKeys - 1; i < sorted.length - 1; i += rangeKeys) cuts.push(sorted[i]);
  return cuts;
}

/**
 * The objects in (`after`, `upTo`] (unbounded where absent): pages from `after` on, until one is the last or reaches
 * `upTo`. `first` is that first page when it was asked for already.
 */
async function listRange(
  l: Remote,
  bucket: string,
  prefix: string,
  r: { after?: string; upTo?: string; maxKeys?: number },
  first?: Promise<ListPage>,
): Promise<ListPage['objects']> {
  const out: ListPage['objects'] = [];
  const { maxKeys } = r;
  let p = await (first ?? listPage(l, bucket, prefix, { startAfter: r.after, maxKeys }));
  for (;;) {
    out.push(...p.objects);
    const last = p.objects.at(-1)?.key;
    const reached = r.upTo !== undefined && last !== undefined && keyOrder(last, r.upTo) >= 0;
    if (!p.truncated || !p.nextToken || reached) break;
    p = await listPage(l, bucket, prefix, { token: p.nextToken, maxKeys });
  }
  const inRange = (k: string) =>
    (r.after === undefined || keyOrder(k, r.after) > 0) && (r.upTo === undefined || keyOrder(k, r.upTo) <= 0);
  return out.filter((o) => inRange(o.key));
}

/**
 * Every object under `prefix`, by key relative to it. The first page is asked for at once; with `expected` (the keys
 * the caller expects there: the local files'), the rest of the listing is cut into ranges of about a page each
 * (rangeCuts), listed at the same time instead of one page after the other. A range's listing goes on until it has
 * passed the range's end, so the listing is whole whatever `expected` holds: it only decides where to cut.
 */
export async function listRemote(
  l: Remote,
  bucket: string,
  prefix: string,
  expected?: Promise<readonly string[]>,
  /** Smaller ranges and pages than S3's (tests). */
  tuning: { rangeKeys?: number; maxKeys?: number } = {},
): Promise<Map<string, RemoteObject>> {
  const { maxKeys } = tuning;
  const first = listPage(l, bucket, prefix, { maxKeys });
  first.catch(() => undefined); // awaited below
  const cuts = rangeCuts((await expected) ?? [], tuning.rangeKeys);
  const ranges = [
    listRange(l, bucket, prefix, { upTo: cuts[0], maxKeys }, first),
    ...cuts.map((after, i) => listRange(l, bucket, prefix, { after, upTo: cuts[i + 1], maxKeys })),
  ];
  const remote = new Map<string, RemoteObject>();
  for (const objects of await Promise.all(ranges))
    for (const o of objects)
      if (o.key.startsWith(prefix))
        remote.set(o.key.slice(prefix.length), { size: o.size, etag: normalizeEtag(o.etag) });
  return remote;
}

/** One DeleteObjects request (Quiet): the keys S3 says it could not delete. */
async function deleteBatch(
  l: Remote,
  bucket: string,
  prefix: string,
  batch: string[],
): Promise<{ key?: string; code?: string; message?: string }[]> {
  const { lean } = l;
  const target = { operation: 'DeleteObjects', bucket, prefix };
  if (lean) return s3Operation(target, () => lean.deleteMany(batch), { retry: true, log: l.log });
  const [client, { DeleteObjectsCommand }] = await Promise.all([l.s3.client(), import('./sdk.js')]);
  const Delete = { Objects: batch.map((Key) => ({ Key })), Quiet: true };
  const out = await s3Operation(target, () =>
    client.send(l.counter.count(new DeleteObjectsCommand({ Bucket: bucket, Delete }))),
  );
  return (out.Errors ?? []).map((e) => ({ key: e.Key, code: e.Code, message: e.Message }));
}

/**
 * Deletes `keys` (all under `prefix`) in batches of 1,000. Quiet mode: the answer lists only the keys that failed
 * (radosgw honours Quiet; s3rver ignores it and lists every key as deleted, which is read the same way).
 */
export async function deleteKeys(l: Remote, bucket: string, prefix: string, keys: string[]): Promise<number> {
  let deleted = 0;
  for (const batch of batches(keys, 1000)) {
    const failed = await deleteBatch(l, bucket, prefix, batch);
    if (failed.length) {
      const [e] = failed;
      const others = failed.length > 1 ? `; ${failed.length - 1} other key(s) of the same request failed too` : '';
      // S3 answered 200: the error is the key's own, without an HTTP status
      throw new S3OperationError(
        { operation: 'DeleteObjects', bucket, key: e.key ?? prefix },
        { kind: 'answer', code: e.code, message: `${e.message ?? ''}${others}`, headers: {} },
      );
    }
    deleted += batch.length;
  }
  return deleted;
}

/** Delete every object under `prefix` (teardown). Empty or missing prefix: 0 deleted. */
export async function deletePrefix(
  s3: S3Connection,
  bucket: string,
  prefix: string,
): Promise<{ deleted: number; requests: number }> {
  checkPrefix(prefix);
  const lean = await createLeanS3(s3, bucket, { maxSockets: 2 });
  const l: Remote = { s3, lean, counter: new RequestCounter(), log: () => undefined };
  try {
    let deleted = 0;
    let token: string | undefined;
    do {
      const p = await listPage(l, bucket, prefix, { token });
      const keys = p.objects.map((o) => o.key).filter((k) => k.startsWith(prefix));
      deleted += await deleteKeys(l, bucket, prefix, keys);
      token = p.truncated ? p.nextToken : undefined;
    } while (token);
    return { deleted, requests: l.counter.requests + (lean?.requests() ?? 0) };
  } finally {
    lean?.close();
  }
}
