/**
 * The calls of the sync and the teardown on a bucket prefix: ListObjectsV2 pages and DeleteObjects batches, through
 * lean.ts's calls when there are (one attempt a call: retried here), else through the SDK (which retries by itself),
 * each through s3-call.ts (a failure names the operation, the prefix, the status and S3's code), and a count of the
 * HTTP attempts they made. The count is attached to each SDK command, not to the client, which other parts of the
 * action use at the same time (the state store).
 */
import type { LeanS3, ListPage } from './lean.js';
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

/** One page of `prefix`'s listing. */
async function page(l: Remote, bucket: string, prefix: string, token: string | undefined): Promise<ListPage> {
  const { lean } = l;
  const target = { operation: 'ListObjectsV2', bucket, prefix };
  if (lean) return s3Operation(target, () => lean.list(prefix, token), { retry: true, log: l.log });
  const [client, { ListObjectsV2Command }] = await Promise.all([l.s3.client(), import('@aws-sdk/client-s3')]);
  const p = await s3Operation(target, () =>
    client.send(
      l.counter.count(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
    ),
  );
  return {
    objects: (p.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, etag: o.ETag ?? '' })),
    truncated: !!p.IsTruncated,
    nextToken: p.NextContinuationToken,
  };
}

/** Every object under `prefix`, by key relative to it. */
export async function listRemote(l: Remote, bucket: string, prefix: string): Promise<Map<string, RemoteObject>> {
  const remote = new Map<string, RemoteObject>();
  let token: string | undefined;
  do {
    const p = await page(l, bucket, prefix, token);
    for (const o of p.objects) {
      if (o.key.startsWith(prefix))
        remote.set(o.key.slice(prefix.length), { size: o.size, etag: normalizeEtag(o.etag) });
    }
    token = p.truncated ? p.nextToken : undefined;
  } while (token);
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
  const [client, { DeleteObjectsCommand }] = await Promise.all([l.s3.client(), import('@aws-sdk/client-s3')]);
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
      const p = await page(l, bucket, prefix, token);
      const keys = p.objects.map((o) => o.key).filter((k) => k.startsWith(prefix));
      deleted += await deleteKeys(l, bucket, prefix, keys);
      token = p.truncated ? p.nextToken : undefined;
    } while (token);
    return { deleted, requests: l.counter.requests + (lean?.requests() ?? 0) };
  } finally {
    lean?.close();
  }
}
