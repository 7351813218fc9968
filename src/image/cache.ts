/**
 * The registry layer cache of a real rebuild, with the flags each builder version has (measured here: docker 20.10
 * daemon with the 20.10 and 28.2 CLIs, buildah 1.28.2, podman 4.3.1):
 *
 * - docker: `--cache-from <image>` plus `--build-arg BUILDKIT_INLINE_CACHE=1`, and the built image pushed as the cache
 *   image afterwards. BuildKit (buildx, or the 20.10 CLI with DOCKER_BUILDKIT=1) reads the inline cache metadata
 *   straight from the registry; the classic builder (the CLI without buildx) only uses a local image, so the cache
 *   image is pulled first. Either way the cache holds the final stage's layers only (no `--cache-to type=registry`:
 *   the docker driver of buildx cannot export it). A cache image that is missing or unreachable is not an error for
 *   either builder; the pull and the push are allowed to fail.
 * - buildah, podman: `--layers --cache-from <repo> --cache-to <repo>` (buildah ≥ 1.27): every layer is pushed to the
 *   cache repository, tagged by its cache key, and pulled back by key. A missing or unreachable cache is ignored, but
 *   a cache push that fails fails the build ("failed pushing cache to …"), so such a build is run again without
 *   `--cache-to`: with `--layers` the steps already built are reused from local storage. Neither gets
 *   `--tls-verify=false` for the cache: it would apply to every pull of the build. A plain-HTTP registry needs an
 *   `insecure = true` entry in registries.conf for the cache.
 *
 * The cache lives in its own repository, `<repository>-buildcache`: a cache tag in the preview repository would
 * point at a PR's manifest, and the teardown keeps a manifest that a foreign tag shares.
 */
import { execFile } from 'node:child_process';
import type { BuildSettings } from '../settings.js';

export interface CacheOptions {
  /** The cache repository (no tag); default `<repository>-buildcache`. */
  repository?: string;
  /** Push the cache after building; false reads only (e.g. a fork's PR must not write what trusted builds reuse). */
  write?: boolean;
}

/** What the installed builder can do, from its own `build --help` and environment. */
export interface CacheSupport {
  /** buildah/podman: `--cache-from`/`--cache-to` exist. docker always has `--cache-from`. */
  registryCache: boolean;
  /** docker: BuildKit builds (buildx, or DOCKER_BUILDKIT=1): the cache image need not be pulled first. */
  buildkit: boolean;
}

/** The cache's part of the build: extra steps and flags, and what to say about it. */
export interface CachePlan {
  /** docker classic: pulled before the build (may fail). */
  pull?: string;
  /** Added to the build's argv. */
  buildFlags: string[];
  /** buildah/podman: the build's argv without the cache push, for a build that failed pushing its cache. */
  withoutPush?: string[];
  /** docker: the built image is tagged and pushed as this (may fail). */
  push?: string;
  /** One line for the log: the cache used, or why there is none. */
  note: string;
}

export const CACHE_PUSH_FAILED = /failed pushing cache to/;

function cacheRepository(b: BuildSettings, o: CacheOptions): string {
  return o.repository ?? `${b.repository}-buildcache`;
}

export function planCache(b: BuildSettings, support: CacheSupport, o: CacheOptions): CachePlan {
  const repo = cacheRepository(b, o);
  const write = o.write ?? true;
  if (b.builder === 'docker') {
    const image = `${repo}:latest`;
    const how = support.buildkit
      ? 'BuildKit reads its inline cache from the registry'
      : 'the classic builder uses it once pulled';
    return {
      pull: support.buildkit ? undefined : image,
      buildFlags: ['--cache-from', image, '--build-arg', 'BUILDKIT_INLINE_CACHE=1'],
      push: write ? image : undefined,
      note: `layer cache: ${image} (${how}${write ? '' : '; read only'})`,
    };
  }
  if (!support.registryCache) {
    return {
      buildFlags: ['--layers'],
      note: `layer cache: none (this ${b.builder} has no --cache-from/--cache-to; buildah 1.27 and podman 4.3 have them)`,
    };
  }
  const from = ['--layers', '--cache-from', repo];
  return {
    buildFlags: write ? [...from, '--cache-to', repo] : from,
    withoutPush: write ? from : undefined,
    note: `layer cache: ${repo}${write ? '' : ' (read only)'}`,
  };
}

/** Runs a program and gives back its exit code and output, without echoing it to the log. */
export type Probe = (
  cmd: string,
  args: string[],
  env: Record<string, string>,
) => Promise<{ code: number; output: string }>;

export const execProbe: Probe = (cmd, args, env) =>
  new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 20_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });

/** Reads what the builder supports from `build --help` (buildx's help lists --cache-to, the classic one does not). */
export async function detectCacheSupport(
  builder: 'docker' | 'buildah' | 'podman',
  env: Record<string, string>,
  probe: Probe = execProbe,
): Promise<CacheSupport> {
  const help = await probe(builder, [builder === 'buildah' ? 'bud' : 'build', '--help'], env);
  const cacheTo = help.code === 0 && /--cache-to\b/.test(help.output);
  if (builder !== 'docker') return { registryCache: cacheTo, buildkit: false };
  return {
    registryCache: true,
    buildkit: cacheTo || ['1', 'true'].includes((env.DOCKER_BUILDKIT ?? '').toLowerCase()),
  };
}
