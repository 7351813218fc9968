import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildCommands, buildImage, type Run } from '../../src/image/build.js';
import type { BuildSettings } from '../../src/settings.js';

const base: BuildSettings = {
  builder: 'buildah',
  context: '/src/app',
  dockerfile: 'Dockerfile',
  buildArgs: { MODE: 'preview' },
  repository: '127.0.0.1:5000/acme/shop',
  prebuiltImage: '',
  registryUsername: 'ci',
  registryPassword: 'top-secret',
  registryInsecure: true,
  deleteImage: false,
  rebuild: 'always',
};
const tag = '127.0.0.1:5000/acme/shop:pr-2-ec26c3e';

const argv = (b: BuildSettings) => buildCommands(b, tag).map((s) => [s.cmd, ...s.args]);

describe('buildCommands', () => {
  test('buildah: login through stdin, bud, push, TLS off for an insecure registry', () => {
    const steps = buildCommands(base, tag);
    expect(argv(base)).toEqual([
      ['buildah', 'login', '--tls-verify=false', '--username', 'ci', '--password-stdin', '127.0.0.1:5000'],
      ['buildah', 'bud', '--file', '/src/app/Dockerfile', '--tag', tag, '--build-arg', 'MODE=preview', '/src/app'],
      ['buildah', 'push', '--tls-verify=false', tag],
    ]);
    expect(steps.map((s) => s.step)).toEqual(['login', 'build', 'push']);
    expect(steps[0].input?.toString()).toBe('top-secret');
  });

  test('podman: the same flags, with build', () => {
    expect(argv({ ...base, builder: 'podman' })).toEqual([
      ['podman', 'login', '--tls-verify=false', '--username', 'ci', '--password-stdin', '127.0.0.1:5000'],
      ['podman', 'build', '--file', '/src/app/Dockerfile', '--tag', tag, '--build-arg', 'MODE=preview', '/src/app'],
      ['podman', 'push', '--tls-verify=false', tag],
    ]);
  });

  test('docker: no --tls-verify even for an insecure registry (the daemon decides)', () => {
    expect(argv({ ...base, builder: 'docker' })).toEqual([
      ['docker', 'login', '--username', 'ci', '--password-stdin', '127.0.0.1:5000'],
      ['docker', 'build', '--file', '/src/app/Dockerfile', '--tag', tag, '--build-arg', 'MODE=preview', '/src/app'],
      ['docker', 'push', tag],
    ]);
  });

  test('a TLS registry keeps verification on', () => {
    for (const builder of ['docker', 'buildah', 'podman'] as const) {
      expect(buildCommands({ ...base, builder, registryInsecure: false }, tag).flatMap((s) => s.args)).not.toContain(
        '--tls-verify=false',
      );
    }
  });

  test('the password never appears in any argv', () => {
    for (const builder of ['docker', 'buildah', 'podman'] as const) {
      for (const step of buildCommands({ ...base, builder }, tag))
        expect(step.args.join(' ')).not.toContain('top-secret');
    }
  });

  test('no login without credentials; none builds nothing', () => {
    expect(
      buildCommands({ ...base, builder: 'docker', registryUsername: '', registryPassword: '' }, tag).map((s) => s.step),
    ).toEqual(['build', 'push']);
    expect(buildCommands({ ...base, builder: 'none' }, tag)).toEqual([]);
  });
});

describe('buildImage', () => {
  // A PATH where every builder "is installed", so these tests do not depend on the machine's programs.
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'faas-preview-bin-'));
    for (const name of ['docker', 'podman', 'buildah']) {
      writeFileSync(path.join(bin, name), '#!/bin/sh\n');
      chmodSync(path.join(bin, name), 0o755);
    }
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  const parent = () => ({
    PATH: bin,
    HOME: '/home/runner',
    DOCKER_HOST: 'unix:///run/d.sock',
    INPUT_GATEWAY_PASSWORD: 'gw-secret',
    INPUT_REGISTRY_PASSWORD: 'top-secret',
    ACTIONS_RUNTIME_TOKEN: 'runtime-token',
    AWS_SECRET_ACCESS_KEY: 's3-secret',
    GITHUB_TOKEN: 'ghs_token',
  });

  function recorder(fail?: { step: string; code: number; stderr?: string }) {
    const calls: { cmd: string; args: string[]; env: Record<string, string>; input?: string }[] = [];
    const run: Run = async (cmd, args, o) => {
      calls.push({ cmd, args, env: o.env, input: o.input?.toString() });
      o.started?.(); // as the first output of a real command would
      const failing = fail && args[0] === fail.step;
      return { code: failing ? fail.code : 0, stderr: failing ? (fail.stderr ?? '') : '' };
    };
    return { calls, run };
  }

  test('every step runs with the allow-listed environment only', async () => {
    const { calls, run } = recorder();
    await buildImage({ ...base, builder: 'docker' }, tag, { run, parent: parent() });
    expect(calls.map((c) => c.args[0])).toEqual(['login', 'build', 'push']);
    for (const c of calls)
      expect(c.env).toEqual({ PATH: bin, HOME: '/home/runner', DOCKER_HOST: 'unix:///run/d.sock' });
    expect(calls[0].input).toBe('top-secret');
  });

  test('says when the build command itself runs: after login, while the build runs, once', async () => {
    const { calls, run } = recorder();
    const seen: string[][] = [];
    await buildImage(base, tag, { run, parent: parent(), building: () => seen.push(calls.map((c) => c.args[0])) });
    expect(seen).toEqual([['login', 'bud']]);
    expect(calls.map((c) => c.args[0])).toEqual(['login', 'bud', 'push']);
  });

  test('a failing step names the builder, the step, the image and the exit code', async () => {
    const { calls, run } = recorder({ step: 'push', code: 125 });
    await expect(buildImage(base, tag, { run, parent: parent() })).rejects.toThrow(
      `buildah push failed for image ${tag} (exit code 125)`,
    );
    expect(calls).toHaveLength(3);
  });

  test('a failing login stops before the build', async () => {
    const { calls, run } = recorder({ step: 'login', code: 1 });
    await expect(buildImage({ ...base, builder: 'podman' }, tag, { run, parent: parent() })).rejects.toThrow(
      `podman login failed for image ${tag} (exit code 1)`,
    );
    expect(calls).toHaveLength(1);
  });

  // docker 20.10's stderr, measured against a plain-HTTP registry outside 127.0.0.0/8.
  const plainHttp = 'Get "https://10.1.2.3:5000/v2/": http: server gave HTTP response to HTTPS client\n';
  const remote = { ...base, builder: 'docker' as const, repository: '10.1.2.3:5000/acme/shop' };

  test('docker against a plain-HTTP registry: the error says how to allow it', async () => {
    const { run } = recorder({ step: 'push', code: 1, stderr: plainHttp });
    const login = recorder({ step: 'login', code: 1, stderr: `Error response from daemon: ${plainHttp}` });
    await expect(buildImage(remote, tag, { run: login.run, parent: parent() })).rejects.toThrow(
      /^docker login failed.*insecure-registries/,
    );
    const err = (await buildImage(remote, '10.1.2.3:5000/acme/shop:pr-2-ec26c3e', { run, parent: parent() }).catch(
      (e: Error) => e,
    )) as Error;
    expect(err.message).toMatch(
      /^docker push failed for image 10\.1\.2\.3:5000\/acme\/shop:pr-2-ec26c3e \(exit code 1\)/,
    );
    expect(err.message).toContain('add "10.1.2.3:5000" to "insecure-registries"');
    expect(err.message).toContain('/etc/docker/daemon.json');
    expect(err.message).not.toContain('HTTPS client');
  });

  test('the insecure-registries advice is for docker login and push, and only when docker said so', async () => {
    const podman = recorder({ step: 'push', code: 125, stderr: plainHttp });
    await expect(
      buildImage({ ...remote, builder: 'podman' }, tag, { run: podman.run, parent: parent() }),
    ).rejects.not.toThrow(/insecure-registries/);
    const denied = recorder({ step: 'push', code: 1, stderr: 'denied: requested access to the resource is denied\n' });
    await expect(buildImage(remote, tag, { run: denied.run, parent: parent() })).rejects.not.toThrow(
      /insecure-registries/,
    );
    // A build pulls its base image from elsewhere: a TLS failure there is not about the preview registry.
    const pull = recorder({
      step: 'build',
      code: 1,
      stderr: 'Get "https://docker.io/v2/": x509: certificate signed by unknown authority\n',
    });
    await expect(buildImage(remote, tag, { run: pull.run, parent: parent() })).rejects.not.toThrow(
      /insecure-registries/,
    );
  });

  test('a builder that is not installed: one error naming the input and the program, nothing runs', async () => {
    const { calls, run } = recorder();
    const empty = mkdtempSync(path.join(tmpdir(), 'faas-preview-empty-'));
    try {
      await expect(
        buildImage({ ...base, builder: 'podman' }, tag, { run, parent: { ...parent(), PATH: empty } }),
      ).rejects.toThrow("input 'builder': 'podman' needs the program 'podman', which is not on the runner's PATH");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    expect(calls).toEqual([]);
  });

  test('a program that cannot be started is named too', async () => {
    const run: Run = async () => {
      throw new Error('spawn EACCES');
    };
    await expect(buildImage(base, tag, { run, parent: parent() })).rejects.toThrow(
      `buildah login failed for image ${tag}: could not run 'buildah': spawn EACCES`,
    );
  });
});
