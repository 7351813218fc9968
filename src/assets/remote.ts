/**
 * The calls of the sync and the teardown on a bucket prefix: ListObjectsV2 pages (lean.ts's when there is one, else
 * the SDK's) and DeleteObjects batches (the SDK's), each through s3-call.ts (a failure names the operation, the
 * prefix, the status and S3's code), and a count of the HTTP attempts they made. The count is attached to each
 * command, not to the client, which other parts of the action use at the same time (the state store).
 */
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { LeanS3, ListPage } from './lean.js';
import { batches, normalizeEtag, type RemoteObject } from './plan.js';
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

/** One page of `prefix`'s listing. */
function listPage(
  client: S3Client,
  counter: RequestCounter,
  bucket: string,
  prefix: string,
  token: string | undefined,
): Promise<ListObjectsV2CommandOutput> {
  return s3Operation({ operation: 'ListObjectsV2', bucket, prefix }, () =>
    client.send(counter.count(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))),
  );
}

export interface Lister {
  client: S3Client;
  /** The lean listing when the client allows it (the SDK's XML parsing is most of a listing's time). */
  lean?: LeanS3;
  counter: RequestCounter;
  log: (line: string) => void;
}

/** One page, through the lean call (one attempt a call: retried here) or the SDK (which retries by itself). */
async function page(l: Lister, bucket: string, prefix: string, token: string | undefined): Promise<ListPage> {
  const { lean } = l;
  if (lean)
    return s3Operation({ operation: 'ListObjectsV2', bucket, prefix }, () => lean.list(prefix, token), {
      retry: true,
      log: l.log,
    });
  const p = await listPage(l.client, l.counter, bucket, prefix, token);
  return {
    objects: (p.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, etag: o.ETag ?? '' })),
    truncated: !!p.IsTruncated,
    nextToken: p.NextContinuationToken,
  };
}

/** Every object under `prefix`, by key relative to it. */
export async function listRemote(l: Lister, bucket: string, prefix: string): Promise<Map<string, RemoteObject>> {
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

/**
 * Deletes `keys` (all under `prefix`) in batches of 1,000. Quiet mode: the answer lists only the keys that failed
 * (radosgw honours Quiet; s3rver ignores it and lists every key, which is read the same way).
 */
export async function deleteKeys(
  client: S3Client,
  counter: RequestCounter,
  bucket: string,
  prefix: string,
  keys: string[],
): Promise<number> {
  let deleted = 0;
  for (const batch of batches(keys, 1000)) {
    const out = await s3Operation({ operation: 'DeleteObjects', bucket, prefix }, () =>
      client.send(
        counter.count(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        ),
      ),
    );
    const failed = out.Errors ?? [];
    if (failed.length) {
      const [e] = failed;
      const others = failed.length > 1 ? `; ${failed.length - 1} other key(s) of the same request failed too` : '';
      // S3 answered 200: the error is the key's own, without an HTTP status
      throw new S3OperationError(
        { operation: 'DeleteObjects', bucket, key: e.Key ?? prefix },
        { kind: 'answer', code: e.Code, message: `${e.Message ?? ''}${others}`, headers: {} },
      );
    }
    deleted += batch.length;
  }
  return deleted;
}

/** Delete every object under `prefix` (teardown). Empty or missing prefix: 0 deleted. */
export async function deletePrefix(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ deleted: number; requests: number }> {
  checkPrefix(prefix);
  const counter = new RequestCounter();
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await listPage(client, counter, bucket, prefix, token);
    const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => !!k && k.startsWith(prefix));
    deleted += await deleteKeys(client, counter, bucket, prefix, keys);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { deleted, requests: counter.requests };
}
