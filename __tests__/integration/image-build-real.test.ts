/**
 * buildAndPush with the real programs and its real runner (@actions/exec): what each builder's failures look like
 * to the user, against a real docker-registry. The happy paths run through the bundle in e2e/builders.test.ts.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildImage } from '../../src/image/build.js';
import type { BuildSettings } from '../../src/settings.js';
import { startDockerd } from '../../test/support/dockerd.js';
import { startPodman } from '../../test/support/podman.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { describeWith } from '../../test/support/tools.js';

interface Case {
  builder: 'docker' | 'podman' | 'buildah';
  programs: string[];
  start(registry: Registry): Promise<{ env: Record<string, string>; close(): Promise<void> }>;
}

const CASES: Case[] = [
  { builder: 'docker', programs: ['docker', 'dockerd'], start: () => startDockerd() },
  { builder: 'podman', programs: ['podman'], start: async () => startPodman() },
  { builder: 'buildah', programs: ['buildah'], start: async (r) => ({ env: r.buildahEnv, close: async () => {} }) },
];

for (const c of CASES) {
  const { describe: withTools } = describeWith([...c.programs, 'docker-registry']);

  withTools(`${c.builder} through buildImage, for real`, () => {
    let registry: Registry;
    let builder: { env: Record<string, string>; close(): Promise<void> } | undefined;
    let context: string;
    let settings: BuildSettings;
    let tag: string;
    const parent = () => ({ ...process.env, ...builder!.env });

    beforeAll(async () => {
      context = mkdtempSync(path.join(tmpdir(), 'faas-preview-ctx-'));
      writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /Dockerfile\n');
      registry = await startRegistry();
      builder = await c.start(registry);
      const repository = `${registry.host}/acme/shop`;
      tag = `${repository}:pr-3-ec26c3e`;
      settings = {
        builder: c.builder,
        context,
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
    }, 60_000);

    afterAll(async () => {
      await Promise.all([builder?.close(), registry?.close()]);
      if (context) rmSync(context, { recursive: true, force: true });
    }, 30_000);

    test('a wrong registry password stops at login, named with the image and the exit code', async () => {
      const wrong = { ...settings, registryPassword: 'not-the-password' };
      let cued = 0;
      await expect(buildImage(wrong, tag, { parent: parent(), building: () => cued++ })).rejects.toThrow(
        new RegExp(
          `^${c.builder} login failed for image ${tag} \\(exit code [1-9]\\d*\\); its output is in the log above$`,
        ),
      );
      expect(await registry.tags('acme/shop')).toEqual([]);
      expect(cued).toBe(0); // the deploy's uploads never started
    }, 60_000);

    test('with the right password the image arrives', async () => {
      let cued = 0;
      await buildImage(settings, tag, { parent: parent(), building: () => cued++ });
      expect(await registry.tags('acme/shop')).toEqual(['pr-3-ec26c3e']);
      expect(cued).toBe(1); // once, from the build command's first output
    }, 60_000);
  });
}

const { describe: withDockerd } = describeWith(['dockerd']);

withDockerd('the private dockerd', () => {
  test('close() after the daemon was killed still leaves no process, mount or directory behind', async () => {
    const daemon = await startDockerd();
    const dir = path.dirname(daemon.env.DOCKER_HOST.replace(/^unix:\/\//, ''));
    const processes = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
          } catch {
            return false;
          }
        });
    const mounts = () =>
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter((l) => l.includes(dir));
    // dockerd and the containerd it started; the data root bind-mounted onto itself.
    expect(processes().length).toBeGreaterThanOrEqual(2);
    expect(mounts()).toHaveLength(1);
    process.kill(Number(readFileSync(path.join(dir, 'docker.pid'), 'utf8')), 'SIGKILL');
    await daemon.close();
    expect(processes()).toEqual([]);
    expect(mounts()).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  }, 60_000);
});
