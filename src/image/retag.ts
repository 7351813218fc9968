/**
 * Retag instead of rebuild: when another commit of the same PR already built an image with the same build digest,
 * its manifest is copied to the new tag through the registry API (GET the manifest with every Accept type, PUT the
 * same bytes under the new tag), which distribution, GHCR and Docker Hub all allow with push access. Nothing is
 * pulled or rebuilt, and the new tag names exactly the bytes the old one did (the PUT's digest is checked).
 *
 * The image is found by its label: every PR tag (`pr-<n>-<sha>`) other than the new one is read (manifest, and the
 * config blob that carries the labels), a few at a time, until one carries the digest in `faas-preview/build-digest`.
 */
import { createHash } from 'node:crypto';
import type { CallResponse } from '../http/call.js';
import type { BuildSettings } from '../settings.js';
import { isPrTag } from './tag-cleanup-plan.js';
import { BUILD_DIGEST_LABEL } from '../naming.js';
import { hostPlatform } from './digest.js';
import { RegistryClient } from './distribution-client.js';
import { listAllTags, MANIFEST_TYPES } from './distribution.js';
import { apiOrigin } from './public.js';
import { parseRepository } from './reference.js';

const CONCURRENCY = 4;
const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export interface RetagDeps {
  /** Settings.requestTimeoutMs: the budget of each registry request. */
  timeoutMs: number;
  log?: (line: string) => void;
  /** The platform whose image a multi-platform index is judged by; default this machine's. */
  platform?: string;
  /** Tags to look at (e.g. the PR's earlier tags the caller knows); default every tag of the PR in the registry. */
  candidates?: string[];
}

export type RetagResult =
  /** `tag` now names the manifest `manifest` that `from` (a tag of commit `sha`) names. */
  | { retagged: true; from: string; sha: string; manifest: string }
  /** No image of the PR carries the digest: build it. */
  | { retagged: false; reason: string };

/** Copies the manifest of the PR's image whose build digest is `digest` to `tag`; registry errors are thrown. */
export async function retagByDigest(
  b: BuildSettings,
  pr: number,
  tag: string,
  digest: string,
  deps: RetagDeps,
): Promise<RetagResult> {
  const client = registryClient(b, deps);
  const target = tagOf(tag);
  const tags = (deps.candidates ?? (await listAllTags(client))).filter((t) => t !== target && isPrTag(t, pr));
  for (let i = 0; i < tags.length; i += CONCURRENCY) {
    const batch = tags.slice(i, i + CONCURRENCY);
    const found = await Promise.all(
      batch.map((t) => labelledManifest(client, t, digest, deps.platform ?? hostPlatform())),
    );
    const hit = found.findIndex((m) => m !== undefined);
    if (hit >= 0) {
      const manifest = await putManifest(client, found[hit]!, target);
      return { retagged: true, from: batch[hit], sha: batch[hit].replace(/^pr-\d+-/, ''), manifest };
    }
  }
  const looked =
    tags.length === 0
      ? 'the registry has no other image of this PR'
      : `none of the PR's ${tags.length} other image(s) has it`;
  return { retagged: false, reason: `no image with build digest ${digest}: ${looked}` };
}

function registryClient(b: BuildSettings, deps: RetagDeps): RegistryClient {
  const repo = parseRepository(b.repository);
  return new RegistryClient({
    origin: apiOrigin(repo.host, b.registryInsecure),
    name: repo.path,
    username: b.registryUsername || undefined,
    password: b.registryPassword || undefined,
    timeoutMs: deps.timeoutMs,
    log: deps.log,
  });
}

/** `registry/repo:tag` → `tag`. */
function tagOf(image: string): string {
  const m = /:([\w][\w.-]{0,127})$/.exec(image);
  if (!m || m[1].includes('/')) throw new Error(`image '${image}' has no tag; expected <repository>:<tag>`);
  return m[1];
}

interface Manifest {
  /** As the registry sent it: copied byte for byte. */
  body: Buffer;
  mediaType: string;
  digest: string;
}

/** The tag's manifest when its image (for `platform`, in an index) is labelled with `digest`. */
async function labelledManifest(
  client: RegistryClient,
  tag: string,
  digest: string,
  platform: string,
): Promise<Manifest | undefined> {
  const top = await getManifest(client, tag);
  if (!top) return undefined;
  let image = parseJson(top.body, 'manifest');
  if (INDEX_TYPES.has(top.mediaType)) {
    const child = pickPlatform(image, platform);
    const fetched = child ? await getManifest(client, child) : undefined;
    if (!fetched) return undefined;
    image = parseJson(fetched.body, 'manifest');
  }
  const config = (image as { config?: { digest?: unknown } }).config?.digest;
  if (typeof config !== 'string') return undefined;
  const res = await client.blob(config);
  const labels = (parseJson(verified(res, config), 'image config') as { config?: { Labels?: Record<string, unknown> } })
    .config?.Labels;
  return labels?.[BUILD_DIGEST_LABEL] === digest ? top : undefined;
}

async function getManifest(client: RegistryClient, reference: string): Promise<Manifest | undefined> {
  const res = await client.request(
    'GET',
    client.url(`manifests/${encodeURIComponent(reference)}`),
    (s) => s === 200 || s === 404,
    { accept: MANIFEST_TYPES },
  );
  if (res.status === 404) return undefined;
  const body = Buffer.from(res.text, 'utf8');
  const digest = sha256(body);
  const header = res.headers['docker-content-digest'];
  if (typeof header === 'string' && header !== digest)
    throw new Error(`${res.call}: the manifest read does not hash to its Docker-Content-Digest ${header}`);
  const declared = (parseJson(body, 'manifest') as { mediaType?: unknown }).mediaType;
  const mediaType = (res.headers['content-type'] ?? (typeof declared === 'string' ? declared : ''))
    .split(';')[0]
    .trim();
  return { body, mediaType, digest };
}

/** The child manifest of an index for `os/arch[/variant]`. */
function pickPlatform(index: unknown, platform: string): string | undefined {
  const [os, arch, variant] = platform.split('/');
  const entries =
    (
      index as {
        manifests?: { digest?: unknown; platform?: { os?: unknown; architecture?: unknown; variant?: unknown } }[];
      }
    ).manifests ?? [];
  const match = entries.find(
    (m) =>
      m.platform?.os === os &&
      m.platform?.architecture === arch &&
      (variant === undefined || m.platform?.variant === variant),
  );
  return typeof match?.digest === 'string' ? match.digest : undefined;
}

async function putManifest(client: RegistryClient, m: Manifest, tag: string): Promise<string> {
  const res = await client.request(
    'PUT',
    client.url(`manifests/${encodeURIComponent(tag)}`),
    (s) => s === 201,
    { 'content-type': m.mediaType },
    m.body,
  );
  const digest = res.headers['docker-content-digest'];
  if (typeof digest === 'string' && digest !== m.digest)
    throw new Error(
      `${res.call} stored the manifest as ${digest}, not ${m.digest}: the copy is not the image that was found`,
    );
  return m.digest;
}

function verified(res: CallResponse, digest: string): Buffer {
  const body = Buffer.from(res.text, 'utf8');
  if (sha256(body) !== digest) throw new Error(`${res.call}: the blob read does not hash to ${digest}`);
  return body;
}

function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error(`the registry sent a ${what} that is not JSON`);
  }
}

const sha256 = (data: Buffer): string => 'sha256:' + createHash('sha256').update(data).digest('hex');
