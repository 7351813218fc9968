/**
 * The registry layer cache with the real builders and a real docker-registry: a rebuild in an empty image store
 * takes its unchanged layers from the registry, and a cache that is missing or refused never fails the build.
 * The builders' own words tell a cache hit: "Using cache" (buildah, podman, docker's classic builder).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildImage, type Run } from '../../src/image/build.js';
import type { CacheOptions } from '../../src/image/cache.js';
import { BUILD_DIGEST_LABEL } from '../../src/naming.js';
import type { BuildSettings } from '../../src/settings.js';
import { startDockerd } from '../../test/support/dockerd.js';
import { startPodman } from '../../test/support/podman.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { describeWith } from '../../test/support/tools.js';

interface Builder {
  env: Record<string, string>;
  /** Empties the local image store (and build cache): the next build starts like one on a fresh runner. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

interface Case {
  builder: 'docker' | 'podman' | 'buildah';
  programs: string[];
  start(registries: Registry[], dir: string): Promise<Builder>;
}

/** buildah and podman reach the plain-HTTP test registries through registries.conf, as the README tells users to. */
function registriesConf(registries: Registry[], dir: string): string {
  const file = path.join(dir, 'registries.conf');
  writeFileSync(file, registries.map((r) => `[[registry]]\nlocation = "${r.host}"\ninsecure = true\n`).join('\n'));
  return file;
}

const CASES: Case[] = [
  {
    builder: 'docker',
    programs: ['docker', 'dockerd'],
    start: async () => {
      const d = await startDockerd();
      return {
        env: d.env,
        close: () => d.close(),
        reset: () => sh('docker', ['system', 'prune', '--all', '--force'], d.env),
      };
    },
  },
  {
    builder: 'podman',
    programs: ['podman'],
    start: async (registries, dir) => {
      const p = startPodman();
      const env = { ...p.env, CONTAINERS_REGISTRIES_CONF: registriesConf(registries, dir) };
      return { env, close: () => p.close(), reset: () => sh('podman', ['rmi', '--all', '--force'], env) };
    },
  },
  {
    builder: 'buildah',
    programs: ['buildah'],
    start: async (registries, dir) => {
      const env = { ...registries[0].buildahEnv, CONTAINERS_REGISTRIES_CONF: registriesConf(registries, dir) };
      return { env, close: async () => {}, reset: () => sh('buildah', ['rmi', '--all', '--force'], env) };
    },
  },
];

/** Runs a program to the end; its output is kept for the test to read. */
function spawnRun(output: string[]): Run {
  return (cmd, args, { input, env }) =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        output.push(d.toString());
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
      child.stdin.end(input);
    });
}

async function sh(cmd: string, args: string[], env: Record<string, string>): Promise<void> {
  const out: string[] = [];
  const { code } = await spawnRun(out)(cmd, args, { env: { ...process.env, ...env } as Record<string, string> });
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.join('').slice(-500)}`);
}

for (const c of CASES) {
  const { describe: withTools } = describeWith([...c.programs, 'docker-registry']);

  withTools(`${c.builder}: the registry layer cache, for real`, () => {
    let registry: Registry;
    let refusing: Registry;
    let builder: Builder | undefined;
    let dir: string;
    let settings: BuildSettings;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-cache-'));
      mkdirSync(path.join(dir, 'ctx/deps'), { recursive: true });
      mkdirSync(path.join(dir, 'ctx/src'));
      // A layer worth caching, the same on every run (the cache key covers its content).
      writeFileSync(path.join(dir, 'ctx/deps/vendor.bin'), Buffer.alloc(4 << 20, 'dependency bytes '));
      writeFileSync(path.join(dir, 'ctx/Dockerfile'), 'FROM scratch\nCOPY deps/ /deps/\nCOPY src/ /src/\n');
      [registry, refusing] = await Promise.all([startRegistry(), startRegistry()]);
      builder = await c.start([registry, refusing], dir);
      settings = {
        builder: c.builder,
        context: path.join(dir, 'ctx'),
        dockerfile: 'Dockerfile',
        buildArgs: {},
        repository: `${registry.host}/acme/shop`,
        prebuiltImage: '',
        registryUsername: registry.username,
        registryPassword: registry.password,
        registryInsecure: true,
        deleteImage: false,
        rebuild: 'always',
      };
    }, 60_000);

    afterAll(async () => {
      await Promise.allSettled([builder?.close(), registry?.close(), refusing?.close()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    /** Builds commit `sha` with `src/app` = `version`, from an empty image store. */
    async function build(sha: string, version: string, cache?: CacheOptions) {
      writeFileSync(path.join(dir, 'ctx/src/app'), version);
      await builder!.reset();
      const output: string[] = [];
      const result = await buildImage(settings, `${settings.repository}:pr-1-${sha}`, {
        run: spawnRun(output),
        parent: { ...process.env, ...builder!.env },
        labels: { [BUILD_DIGEST_LABEL]: sha.padEnd(40, '0') },
        cache,
      });
      return { result, output: output.join('') };
    }

    test('a rebuild in an empty store takes the unchanged layer from the registry cache; without the cache it does not', async () => {
      const cold = await build('aaaaaaa', 'v1', {});
      expect(cold.result.warnings.filter((w) => !w.includes('cache-pull'))).toEqual([]);
      expect(await registry.tags('acme/shop-buildcache')).not.toEqual([]);
      const plain = await build('bbbbbbb', 'v2');
      expect(plain.output).not.toMatch(/Using cache/);
      const cached = await build('ccccccc', 'v3', {});
      expect(cached.output).toMatch(/Using cache/);
      // buildah and podman say where the layer came from; docker's classic builder pulled the cache image first.
      expect(cached.output).toMatch(c.builder === 'docker' ? /buildcache:latest/ : /Cache pulled from remote/);
      expect(cached.result.warnings).toEqual([]);
      const image = await registry.image('acme/shop', 'pr-1-ccccccc');
      expect(image.config.config?.Labels?.[BUILD_DIGEST_LABEL]).toBe('ccccccc'.padEnd(40, '0'));
    }, 300_000);

    test('a cache repository that does not exist: the build goes on and pushes the image', async () => {
      const { result } = await build('ddddddd', 'v4', { repository: `${registry.host}/nothing/here`, write: false });
      // docker's classic builder pulls the cache image first: that pull fails, as a warning.
      expect(result.warnings.every((w) => w.startsWith('docker cache-pull failed'))).toBe(true);
      expect(await registry.tags('acme/shop')).toContain('pr-1-ddddddd');
      expect(await registry.tags('nothing/here')).toEqual([]);
    }, 300_000);

    test('a registry that refuses the cache (no credentials for it): the image is built and pushed, with a warning', async () => {
      const { result } = await build('eeeeeee', 'v5', { repository: `${refusing.host}/acme/cache` });
      expect(await registry.tags('acme/shop')).toContain('pr-1-eeeeeee');
      expect(result.warnings.length).toBeGreaterThan(0);
      expect(result.warnings.join('\n')).toMatch(
        c.builder === 'docker' ? /docker cache-push failed/ : /the layer cache could not be pushed/,
      );
      expect(await refusing.tags('acme/cache')).toEqual([]);
    }, 300_000);
  });
}
