/**
 * A PR's tags on a registry that deletes through the distribution API (the CNCF distribution server and the like):
 * list the tags (following `Link` pages), resolve every tag to its manifest digest, and DELETE each of the PR's
 * digests that no other tag points at. DELETE works on digests and takes every tag of that manifest with it, which is
 * why the other tags are resolved too. A registry that refuses deletes (400/405: distribution with
 * `storage.delete.enabled: false` answers 405 UNSUPPORTED) is reported once, not an error.
 */
import { forEachLimited } from '../concurrency.js';
import type { CallResponse } from '../http/call.js';
import { sanitize } from '../text/untrusted.js';
import {
  isPrTag,
  planDigestDeletes,
  quoteTags,
  type DigestPlan,
  type TagCleanup,
  type TagDigest,
} from './tag-cleanup-plan.js';
import type { RegistryClient } from './distribution-client.js';
import { nextLink, nextPageUrl } from './link.js';

/** HEAD must accept every manifest type, or a registry may convert the manifest and answer another digest. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Tags per page asked for; distribution 2.x ignores it and answers all tags at once. */
const PAGE_SIZE = 100;
const RESOLVE_CONCURRENCY = 8;

export async function deleteDistributionPrTags(client: RegistryClient, pr: number): Promise<TagCleanup> {
  const tags = await listAllTags(client);
  if (!tags.some((t) => isPrTag(t, pr))) return { deleted: [], kept: [] };
  const resolved = await resolveDigests(client, tags);
  const mine = resolved.filter((r) => isPrTag(r.tag, pr));
  const vanished = tags.filter((t) => isPrTag(t, pr) && !mine.some((m) => m.tag === t));
  const plan = planDigestDeletes(
    mine,
    resolved.filter((r) => !isPrTag(r.tag, pr)),
  );
  return deleteDigests(client, plan, vanished);
}

export async function listAllTags(client: RegistryClient): Promise<string[]> {
  const tags: string[] = [];
  const seen = new Set<string>();
  let url: URL | undefined = client.url(`tags/list?n=${PAGE_SIZE}`);
  while (url) {
    const res = await client.request('GET', url, (s) => s === 200 || s === 404);
    // NAME_UNKNOWN: nothing was ever pushed to this repository.
    if (res.status === 404) return tags;
    tags.push(...tagsOf(res));
    seen.add(url.href);
    const link = nextLink(res.headers.link);
    url = link ? nextPageUrl(link, url, client.origin, res.call) : undefined;
    if (url && seen.has(url.href))
      throw new Error(`${res.call}: the Link header points back at a page already read (${url.pathname}${url.search})`);
  }
  return tags;
}

function tagsOf(res: CallResponse): string[] {
  let body: { tags?: unknown };
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    throw new Error(`${res.call} answered 200 with a body that is not JSON; expected {"name": …, "tags": […]}`);
  }
  return Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
}

/** Every tag's digest in tag order, a few HEADs at a time; a tag deleted since the listing is left out. */
async function resolveDigests(client: RegistryClient, tags: string[]): Promise<TagDigest[]> {
  const digests: (string | undefined)[] = [];
  await forEachLimited(tags, RESOLVE_CONCURRENCY, async (tag, i) => {
    digests[i] = await headDigest(client, tag);
  });
  return tags.flatMap((tag, i) => (digests[i] ? [{ tag, digest: digests[i] }] : []));
}

async function headDigest(client: RegistryClient, tag: string): Promise<string | undefined> {
  const res = await client.request(
    'HEAD',
    client.url(`manifests/${encodeURIComponent(tag)}`),
    (s) => s === 200 || s === 404,
    { accept: MANIFEST_TYPES },
  );
  if (res.status === 404) return undefined;
  const digest = res.headers['docker-content-digest'];
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    throw new Error(
      `${res.call} answered 200 without a valid Docker-Content-Digest header, so the tag's manifest cannot be named for deletion`,
    );
  }
  return digest;
}

async function deleteDigests(client: RegistryClient, plan: DigestPlan, vanished: string[]): Promise<TagCleanup> {
  const result: TagCleanup = { deleted: [...vanished], kept: [...plan.kept] };
  for (const [i, d] of plan.deletes.entries()) {
    const res = await client.request('DELETE', client.url(`manifests/${d.digest}`), (s) =>
      [200, 202, 404, 400, 405].includes(s),
    );
    if (res.status === 400 || res.status === 405) {
      const left = plan.deletes.slice(i).flatMap((x) => x.tags);
      result.unsupported =
        `${res.call} answered ${res.status}${registryError(res.text)}: this registry does not delete manifests ` +
        `(a distribution registry needs storage.delete.enabled: true); this PR's ${quoteTags(left)} stay`;
      result.kept.push(...left.map((tag) => ({ tag, reason: `the registry refuses deletes (${res.status})` })));
      break;
    }
    result.deleted.push(...d.tags);
  }
  return result;
}

/** ` (UNSUPPORTED: The operation is unsupported.)` from a distribution error body; empty for anything else. */
function registryError(text: string): string {
  try {
    const first = (JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] }).errors?.[0];
    const parts = [first?.code, first?.message].filter((p): p is string => typeof p === 'string' && p !== '');
    return parts.length ? ` (${sanitize(parts.join(': '), { max: 200 })})` : '';
  } catch {
    return '';
  }
}
