/**
 * Removes a PR's image tags through the Docker Registry HTTP API v2: list the repository's tags, resolve each
 * `pr-<n>-*` tag to its manifest digest, DELETE by digest. Handles Basic auth and the Bearer token challenge
 * that hosted registries answer with.
 */
import type { BuildSettings } from '../settings.js';
import { registryHost } from './build.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Target {
  base: string;
  name: string;
  basic?: string;
}

function target(b: BuildSettings): Target {
  const host = registryHost(b.repository);
  return {
    base: `${b.registryInsecure ? 'http' : 'https'}://${host}/v2/`,
    name: b.repository.slice(host.length + 1),
    basic: b.registryUsername && b.registryPassword ? 'Basic ' + Buffer.from(`${b.registryUsername}:${b.registryPassword}`).toString('base64') : undefined,
  };
}

function parseChallenge(header: string): Record<string, string> | undefined {
  if (!/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params[m[1]] = m[2];
  return params.realm ? params : undefined;
}

class RegistryApi {
  private bearer?: string;
  constructor(private readonly t: Target) {}

  async call(method: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
    const send = () =>
      fetch(this.t.base + path, {
        method,
        headers: { ...headers, ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : this.t.basic ? { authorization: this.t.basic } : {}) },
      });
    let res = await send();
    const challenge = res.status === 401 ? parseChallenge(res.headers.get('www-authenticate') ?? '') : undefined;
    if (challenge && !this.bearer) {
      await res.arrayBuffer();
      const scope = `repository:${this.t.name}:pull,delete`;
      const url = new URL(challenge.realm);
      if (challenge.service) url.searchParams.set('service', challenge.service);
      url.searchParams.set('scope', scope);
      const tokenRes = await fetch(url, { headers: this.t.basic ? { authorization: this.t.basic } : {} });
      if (!tokenRes.ok) throw new Error(`registry token request to ${url.origin} answered ${tokenRes.status}`);
      const body = (await tokenRes.json()) as { token?: string; access_token?: string };
      this.bearer = body.token ?? body.access_token;
      res = await send();
    }
    return res;
  }
}

export interface TagCleanup {
  deleted: string[];
  /** Set when the registry refuses deletes (405: storage.delete not enabled); not an error for a teardown. */
  unsupported?: string;
}

export async function deletePrTags(b: BuildSettings, pr: number): Promise<TagCleanup> {
  const api = new RegistryApi(target(b));
  const name = target(b).name;
  const tags: string[] = [];
  let next: string | undefined = `${name}/tags/list?n=1000`;
  while (next) {
    const res = await api.call('GET', next);
    if (res.status === 404) return { deleted: [] };
    if (!res.ok) throw new Error(`registry GET ${name}/tags/list answered ${res.status}`);
    tags.push(...(((await res.json()) as { tags?: string[] | null }).tags ?? []));
    const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
    next = link ? link[1].replace(/^\/v2\//, '') : undefined;
  }
  const prefix = `pr-${pr}-`;
  const deleted: string[] = [];
  for (const tag of tags.filter((t) => t.startsWith(prefix))) {
    const head = await api.call('HEAD', `${name}/manifests/${tag}`, { accept: MANIFEST_TYPES });
    if (head.status === 404) continue;
    const digest = head.headers.get('docker-content-digest');
    if (!head.ok || !digest) throw new Error(`registry HEAD ${name}/manifests/${tag} answered ${head.status} without a digest`);
    const del = await api.call('DELETE', `${name}/manifests/${digest}`);
    if (del.status === 405) return { deleted, unsupported: `the registry does not allow deletes (405); ${name}:${tag} stays` };
    if (!del.ok && del.status !== 404) throw new Error(`registry DELETE ${name}/manifests/${digest} answered ${del.status}`);
    deleted.push(tag);
  }
  return { deleted };
}
