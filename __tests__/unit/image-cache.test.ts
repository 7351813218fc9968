/** Labels and the registry layer cache in the build's steps; the cache never fails a build. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildCommands, buildImage, type Run } from '../../src/image/build.js';
import { detectCacheSupport, planCache, type Probe } from '../../src/image/cache.js';
import type { BuildSettings } from '../../src/settings.js';

const base: BuildSettings = {
  builder: 'buildah',
  context: '/src/app',
  dockerfile: 'Dockerfile',
  buildArgs: { MODE: 'preview' },
  repository: 'registry.example.com/acme/shop',
  prebuiltImage: '',
  registryUsername: '',
  registryPassword: '',
  registryInsecure: false,
  deleteImage: false,
  rebuild: 'always',
};
const tag = 'registry.example.com/acme/shop:pr-2-ec26c3e';
const cacheRepo = 'registry.example.com/acme/shop-buildcache';
const labels = { 'faas-preview/build-digest': '0123456789abcdef0123456789abcdef01234567' };

const argv = (b: BuildSettings, extras: Parameters<typeof buildCommands>[2]) =>
  buildCommands(b, tag, extras).map((s) => [s.step, ...s.args]);

describe('labels', () => {
  test('every builder gets --label key=value on the build, nothing else changes', () => {
    for (const builder of ['docker', 'buildah', 'podman'] as const) {
      const verb = builder === 'buildah' ? 'bud' : 'build';
      expect(argv({ ...base, builder }, { labels })).toEqual([
        [
          'build',
          verb,
          '--file',
          '/src/app/Dockerfile',
          '--tag',
          tag,
          '--label',
          `faas-preview/build-digest=${labels['faas-preview/build-digest']}`,
          '--build-arg',
          'MODE=preview',
          '/src/app',
        ],
        ['push', 'push', tag],
      ]);
    }
  });
});

describe('planCache and the steps it adds', () => {
  test('docker, classic builder: pull the cache image first, build from it with inline cache, push it afterwards', () => {
    const plan = planCache({ ...base, builder: 'docker' }, { registryCache: true, buildkit: false }, {});
    const steps = buildCommands({ ...base, builder: 'docker' }, tag, { cache: plan });
    expect(steps.map((s) => [s.step, s.optional ?? '', ...s.args])).toEqual([
      ['cache-pull', 'cache-read', 'pull', `${cacheRepo}:latest`],
      [
        'build',
        '',
        'build',
        '--file',
        '/src/app/Dockerfile',
        '--tag',
        tag,
        '--cache-from',
        `${cacheRepo}:latest`,
        '--build-arg',
        'BUILDKIT_INLINE_CACHE=1',
        '--build-arg',
        'MODE=preview',
        '/src/app',
      ],
      ['push', '', 'push', tag],
      ['cache-tag', 'cache-write', 'tag', tag, `${cacheRepo}:latest`],
      ['cache-push', 'cache-write', 'push', `${cacheRepo}:latest`],
    ]);
    expect(plan.note).toBe(`layer cache: ${cacheRepo}:latest (the classic builder uses it once pulled)`);
  });

  test('docker with BuildKit: no pull (BuildKit reads the cache from the registry); read only: no push', () => {
    const plan = planCache(
      { ...base, builder: 'docker' },
      { registryCache: true, buildkit: true },
      { write: false, repository: 'r.example.com/cache' },
    );
    expect(argv({ ...base, builder: 'docker' }, { cache: plan }).map((a) => a[0])).toEqual(['build', 'push']);
    expect(plan.buildFlags).toEqual([
      '--cache-from',
      'r.example.com/cache:latest',
      '--build-arg',
      'BUILDKIT_INLINE_CACHE=1',
    ]);
    expect(plan.note).toContain('read only');
  });

  test('buildah and podman: --layers --cache-from --cache-to, and the same build without --cache-to to fall back on', () => {
    for (const builder of ['buildah', 'podman'] as const) {
      const plan = planCache({ ...base, builder }, { registryCache: true, buildkit: false }, {});
      const [build] = buildCommands({ ...base, builder }, tag, { cache: plan });
      expect(build.args).toContain('--cache-to');
      expect(build.args.slice(5, 11)).toEqual([
        '--layers',
        '--cache-from',
        cacheRepo,
        '--cache-to',
        cacheRepo,
        '--build-arg',
      ]);
      expect(build.fallback?.args).toEqual(
        build.args.filter((a, i, all) => a !== '--cache-to' && all[i - 1] !== '--cache-to'),
      );
      expect(
        build.fallback?.when.test(`Error: failed pushing cache to {{{"127.0.0.1:1" "x"} "b6e1"}}: connection refused`),
      ).toBe(true);
    }
  });

  test('buildah read only: no --cache-to, nothing to fall back on; an old buildah gets --layers and a note', () => {
    const ro = planCache(base, { registryCache: true, buildkit: false }, { write: false });
    expect(ro.buildFlags).toEqual(['--layers', '--cache-from', cacheRepo]);
    expect(ro.withoutPush).toBeUndefined();
    const old = planCache(base, { registryCache: false, buildkit: false }, {});
    expect(old.buildFlags).toEqual(['--layers']);
    expect(old.note).toMatch(/^layer cache: none \(this buildah has no --cache-from\/--cache-to/);
  });
});

describe('detectCacheSupport', () => {
  const probe =
    (output: string, code = 0): Probe =>
    async () => ({ code, output });
  // Excerpts of the real help texts: buildah 1.28.2 / podman 4.3.1, docker 28.2 without buildx, buildx 0.x.
  const buildahHelp =
    '      --cache-from string   remote repository to utilise as potential cache source.\n      --cache-to string   remote repository to utilise as potential cache destination.\n';
  const classicHelp =
    '      --cache-from strings      Images to consider as cache sources\n      --label list              Set metadata for an image\n';
  const buildxHelp =
    '      --cache-from stringArray  External cache sources\n      --cache-to stringArray    Cache export destinations\n';

  test('buildah and podman: --cache-to in the help', async () => {
    expect(await detectCacheSupport('buildah', {}, probe(buildahHelp))).toEqual({
      registryCache: true,
      buildkit: false,
    });
    expect(await detectCacheSupport('podman', {}, probe('      --layers   cache intermediate layers\n'))).toEqual({
      registryCache: false,
      buildkit: false,
    });
    expect(await detectCacheSupport('podman', {}, probe(buildahHelp, 125))).toEqual({
      registryCache: false,
      buildkit: false,
    });
  });

  test('docker: buildx (its help has --cache-to) or DOCKER_BUILDKIT=1 is BuildKit; otherwise the classic builder', async () => {
    expect(await detectCacheSupport('docker', {}, probe(buildxHelp))).toEqual({ registryCache: true, buildkit: true });
    expect(await detectCacheSupport('docker', {}, probe(classicHelp))).toEqual({
      registryCache: true,
      buildkit: false,
    });
    expect(await detectCacheSupport('docker', { DOCKER_BUILDKIT: '1' }, probe(classicHelp))).toEqual({
      registryCache: true,
      buildkit: true,
    });
  });

  test('buildah is asked about bud (its build verb), the others about build', async () => {
    const asked: string[][] = [];
    const recording: Probe = async (cmd, args) => (asked.push([cmd, ...args]), { code: 0, output: '' });
    await detectCacheSupport('buildah', {}, recording);
    await detectCacheSupport('docker', {}, recording);
    expect(asked).toEqual([
      ['buildah', 'bud', '--help'],
      ['docker', 'build', '--help'],
    ]);
  });
});

describe('buildImage with a cache', () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'faas-preview-bin-'));
    for (const name of ['docker', 'buildah']) {
      writeFileSync(path.join(bin, name), '#!/bin/sh\n');
      chmodSync(path.join(bin, name), 0o755);
    }
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  /** A builder whose steps answer from `answers` (by the step's first argv word and whether --cache-to is there). */
  function builder(answers: Record<string, { code: number; stderr?: string } | 'spawn'> = {}) {
    const calls: string[][] = [];
    const run: Run = async (_cmd, args) => {
      calls.push(args);
      const key =
        args[0] === 'tag'
          ? 'tag'
          : args.includes('--cache-to')
            ? `${args[0]}+cache-to`
            : args[0] === 'push' && args[1].includes('buildcache')
              ? 'cache-push'
              : args[0];
      const a = answers[key];
      if (a === 'spawn') throw new Error('spawn ENOENT');
      return { code: a?.code ?? 0, stderr: a?.stderr ?? '' };
    };
    const lines: string[] = [];
    return { calls, run, lines, log: (l: string) => lines.push(l) };
  }
  const help =
    (output: string): Probe =>
    async () => ({ code: 0, output });
  const options = (b: ReturnType<typeof builder>, output = '--cache-to') => ({
    run: b.run,
    log: b.log,
    probe: help(output),
    parent: { PATH: bin },
    cache: {},
    labels,
  });

  test('docker: a cache image that cannot be pulled or pushed is a warning; the image is built and pushed', async () => {
    const b = builder({ pull: { code: 1 }, 'cache-push': { code: 1 } });
    const result = await buildImage({ ...base, builder: 'docker' }, tag, options(b, '--cache-from only'));
    expect(b.calls.map((c) => c[0])).toEqual(['pull', 'build', 'push', 'tag', 'push']);
    expect(result.warnings).toEqual([
      `docker cache-pull failed for image ${tag} (exit code 1); its output is in the log above`,
      `docker cache-push failed for image ${tag} (exit code 1); its output is in the log above`,
    ]);
    expect(result.cache).toBe(`layer cache: ${cacheRepo}:latest (the classic builder uses it once pulled)`);
    expect(b.lines[0]).toBe(result.cache);
    expect(b.lines.slice(1).every((l) => l.endsWith('; the layer cache is skipped, the build goes on'))).toBe(true);
  });

  test('docker: a failed cache tag skips the cache push; a cache step that cannot start is a warning too', async () => {
    const tagFails = builder({ tag: { code: 1 } });
    await buildImage({ ...base, builder: 'docker' }, tag, options(tagFails, ''));
    expect(tagFails.calls.map((c) => c[0])).toEqual(['pull', 'build', 'push', 'tag']);
    const spawn = builder({ pull: 'spawn' });
    const result = await buildImage({ ...base, builder: 'docker' }, tag, options(spawn, ''));
    expect(result.warnings).toEqual([
      `docker cache-pull failed for image ${tag}: could not run 'docker': spawn ENOENT`,
    ]);
  });

  test('buildah: a build that failed pushing its cache runs again without --cache-to and succeeds', async () => {
    const b = builder({
      'bud+cache-to': { code: 125, stderr: 'Error: failed pushing cache to {{{"r" "x"} "k"}}: denied\n' },
    });
    const result = await buildImage(base, tag, options(b));
    expect(b.calls.map((c) => [c[0], c.includes('--cache-to'), c.includes('--cache-from')])).toEqual([
      ['bud', true, true],
      ['bud', false, true],
      ['push', false, false],
    ]);
    expect(result.warnings).toEqual([
      'the layer cache could not be pushed; the image was built without updating the cache',
    ]);
  });

  test('buildah: any other build failure fails the build, once, and names it', async () => {
    const b = builder({ 'bud+cache-to': { code: 1, stderr: 'Error: building at STEP "RUN make": exit status 2\n' } });
    await expect(buildImage(base, tag, options(b))).rejects.toThrow(
      `buildah build failed for image ${tag} (exit code 1); its output is in the log above`,
    );
    expect(b.calls).toHaveLength(1);
  });

  test('the builder logs in while its --help is read; a failed login fails the build before it starts', async () => {
    const creds = { ...base, registryUsername: 'ci', registryPassword: 'pw' };
    const b = builder();
    // both at once: login starts while the probe has not answered yet
    let probing = false;
    let overlapped = false;
    const probe: Probe = async () => {
      probing = true;
      await new Promise((resolve) => setImmediate(resolve));
      probing = false;
      return { code: 0, output: '--cache-to' };
    };
    const run: Run = async (cmd, args, opts) => {
      if (args[0] === 'login') overlapped = probing;
      return b.run(cmd, args, opts);
    };
    await buildImage(creds, tag, { ...options(b), run, probe });
    expect(overlapped).toBe(true);
    expect(b.calls.map((c) => c[0])).toEqual(['login', 'bud', 'push']);
    expect(b.lines).toEqual([expect.stringMatching(/^layer cache: /)]);

    const denied = builder({ login: { code: 1, stderr: 'unauthorized' } });
    await expect(buildImage(creds, tag, options(denied))).rejects.toThrow(`buildah login failed for image ${tag}`);
    expect(denied.calls.map((c) => c[0])).toEqual(['login']);
  });

  test('without cache options there is no probe and no cache step', async () => {
    const b = builder();
    const probe: Probe = async () => {
      throw new Error('must not be asked');
    };
    const result = await buildImage({ ...base, builder: 'docker' }, tag, { run: b.run, probe, parent: { PATH: bin } });
    expect(result).toEqual({ warnings: [] });
    expect(b.calls.map((c) => c[0])).toEqual(['build', 'push']);
  });
});
