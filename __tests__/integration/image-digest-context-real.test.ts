/**
 * The build digest's view of the context against what the real builders copy. Each fixture is built with
 * `COPY . /ctx/` by every builder (and docker CLI generation) installed, pushed to a real docker-registry, and the
 * image's layer is listed: buildah and podman must copy exactly what the digest covers; for docker the digest covers
 * what any of its generations copies (a file one of them sends must count), so it equals the union of theirs.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildImage } from '../../src/image/build.js';
import { selectContext } from '../../src/image/digest.js';
import { BUILD_DIGEST_LABEL } from '../../src/naming.js';
import type { BuildSettings } from '../../src/settings.js';
import { startDockerd, type Dockerd } from '../../test/support/dockerd.js';
import { startPodman, type Podman } from '../../test/support/podman.js';
import { layerPaths, startRegistry, type Registry } from '../../test/support/registry.js';
import { describeWith, hasCommand } from '../../test/support/tools.js';

/** Contexts whose ignore files the builders read differently (measured; see src/image/context-rules.ts). */
const FIXTURES: Record<string, Record<string, string>> = {
  syntax: {
    '.dockerignore':
      '# comment\n # hash\n**/node_modules\n*.log\n!keep.log\n/abs\ndir\n!dir/keep\nsub/*/deep\n!sub/q/deep/x\ne/**/h\n',
    ...files([
      'a/b/node_modules/x',
      'node_modules/y',
      'x/node_modules/z',
      'app.log',
      'keep.log',
      'abs',
      'dir/keep',
      'dir/other',
      'sub/q/deep/x',
      'sub/q/deep/y',
      'sub/r/deep/x',
      'e/f/g/h',
      '# hash',
      'plain',
    ]),
  },
  'exceptions below excluded directories': {
    '.dockerignore': '**/node_modules\n!a/b/node_modules/keep\ndockeronly\n!c/d\n',
    ...files([
      'a/b/node_modules/x',
      'a/b/node_modules/keep',
      'node_modules/y',
      'c/d/node_modules/q/f',
      'dockeronly',
      'plain',
    ]),
  },
  'which ignore file': {
    '.containerignore': 'a\n',
    '.dockerignore': 'b\n',
    'Dockerfile.containerignore': 'c\n',
    'Dockerfile.dockerignore': 'd\n',
    ...files(['a', 'b', 'c', 'd', 'e']),
  },
  'regexp characters': {
    '.dockerignore': '**oo\na+b\nx(y)\n',
    ...files(['barfoo', 'aab', 'a+b', 'x(y)', 'xy']),
  },
};

function files(names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `${n}\n`]));
}

interface Generation {
  name: string;
  builder: BuildSettings['builder'];
  env: () => Record<string, string>;
}

/** Each distinct docker CLI on PATH; a CLI older than 23 also with its built-in BuildKit (DOCKER_BUILDKIT=1). */
function dockerClis(): { cli: string; version: string }[] {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && existsSync(path.join(d, 'docker')));
  const real = [...new Set(dirs.map((d) => realpathSync(path.join(d, 'docker'))))];
  return real.map((cli) => ({
    cli,
    version: execFileSync(cli, ['--version'], { encoding: 'utf8' }).match(/(\d+)\.\d+/)?.[0] ?? '0',
  }));
}

const { describe: withBuilders } = describeWith(['docker-registry', 'buildah', 'podman', 'dockerd']);

withBuilders('the digest covers what the real builders copy', () => {
  let registry: Registry;
  let dockerd: Dockerd;
  let podman: Podman;
  let root: string;
  const generations: Generation[] = [];
  /** Per fixture and generation: the paths under /ctx in the pushed image. */
  const copied = new Map<string, Map<string, string[]>>();

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'faas-preview-ctx-real-'));
    registry = await startRegistry();
    podman = startPodman();
    dockerd = await startDockerd();
    generations.push(
      { name: 'buildah', builder: 'buildah', env: () => registry.buildahEnv },
      { name: 'podman', builder: 'podman', env: () => podman.env },
    );
    for (const { cli, version } of dockerClis()) {
      const bin = path.join(root, `bin-${generations.length}`);
      mkdirSync(bin);
      symlinkSync(cli, path.join(bin, 'docker'));
      const env = (extra: Record<string, string>) => () => ({
        ...dockerd.env,
        PATH: `${bin}${path.delimiter}${process.env.PATH}`,
        ...extra,
      });
      generations.push({ name: `docker ${version} CLI`, builder: 'docker', env: env({}) });
      if (Number(version.split('.')[0]) < 23)
        generations.push({
          name: `docker ${version} CLI, BuildKit`,
          builder: 'docker',
          env: env({ DOCKER_BUILDKIT: '1' }),
        });
    }
    for (const [fixture, content] of Object.entries(FIXTURES)) {
      const ctx = path.join(root, fixture.replace(/\W+/g, '-'));
      for (const [rel, text] of Object.entries({ ...content, Dockerfile: 'FROM scratch\nCOPY . /ctx/\n' })) {
        mkdirSync(path.dirname(path.join(ctx, rel)), { recursive: true });
        writeFileSync(path.join(ctx, rel), text);
      }
      const byGeneration = new Map<string, string[]>();
      for (const [i, g] of generations.entries())
        byGeneration.set(g.name, await builtPaths(g, ctx, `t${Object.keys(Object.fromEntries(copied)).length}-${i}`));
      copied.set(fixture, byGeneration);
    }
  }, 600_000);

  afterAll(async () => {
    await Promise.allSettled([registry?.close(), dockerd?.close(), podman?.close()]);
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  async function builtPaths(g: Generation, ctx: string, tag: string): Promise<string[]> {
    const repository = `${registry.host}/ctx/${g.builder}`;
    const settings: BuildSettings = {
      builder: g.builder,
      context: ctx,
      dockerfile: 'Dockerfile',
      buildArgs: {},
      repository,
      prebuiltImage: '',
      registryUsername: registry.username,
      registryPassword: registry.password,
      registryInsecure: true,
      deleteImage: false,
      rebuild: 'always',
    };
    const env = { ...process.env, ...g.env() };
    // @actions/exec finds the program on this process's PATH, not the child's: point both at the same docker CLI.
    const PATH = process.env.PATH;
    process.env.PATH = env.PATH;
    try {
      await buildImage(settings, `${repository}:${tag}`, {
        parent: env,
        labels: { [BUILD_DIGEST_LABEL]: 'f'.repeat(40) },
      });
    } finally {
      process.env.PATH = PATH;
    }
    const image = await registry.image(`ctx/${g.builder}`, tag);
    expect(image.config.config?.Labels?.[BUILD_DIGEST_LABEL]).toBe('f'.repeat(40));
    return image.layers
      .flatMap(layerPaths)
      .filter((p) => p.startsWith('ctx/'))
      .map((p) => p.slice(4))
      .sort();
  }

  async function digestPaths(builder: BuildSettings['builder'], fixture: string): Promise<string[]> {
    const ctx = path.join(root, fixture.replace(/\W+/g, '-'));
    const { entries } = await selectContext(builder as 'docker', ctx, path.join(ctx, 'Dockerfile'));
    return entries.map((e) => e.rel).sort();
  }

  test('every builder generation installed here was built, and the fixtures tell them apart', () => {
    expect(generations.map((g) => g.name)).toEqual(expect.arrayContaining(['buildah', 'podman']));
    const docker = generations.filter((g) => g.builder === 'docker').map((g) => g.name);
    expect(docker.length).toBeGreaterThanOrEqual(hasCommand('docker') ? 1 : 0);
    const byGeneration = copied.get('exceptions below excluded directories')!;
    // docker 20.10 copies a/b/node_modules/x (its matcher checks one parent), buildah does not.
    expect(byGeneration.get('buildah')).not.toContain('a/b/node_modules/x');
    if (docker.some((n) => n.startsWith('docker 20.')))
      expect(byGeneration.get(docker.find((n) => n.startsWith('docker 20.'))!)).toContain('a/b/node_modules/x');
  });

  test.each(Object.keys(FIXTURES))('%s: buildah and podman copy exactly what the digest covers', async (fixture) => {
    const expected = await digestPaths('buildah', fixture);
    expect(copied.get(fixture)?.get('buildah')).toEqual(expected);
    expect(copied.get(fixture)?.get('podman')).toEqual(expected);
  });

  test.each(Object.keys(FIXTURES))(
    '%s: the docker digest covers the union of what its generations copy',
    async (fixture) => {
      const expected = await digestPaths('docker', fixture);
      const byGeneration = [...(copied.get(fixture)?.entries() ?? [])].filter(([name]) => name.startsWith('docker'));
      for (const [, paths] of byGeneration) expect(expected).toEqual(expect.arrayContaining(paths));
      expect(expected).toEqual([...new Set(byGeneration.flatMap(([, paths]) => paths))].sort());
    },
  );
});
