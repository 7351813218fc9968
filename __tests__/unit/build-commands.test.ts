import { describe, expect, test } from '@jest/globals';
import { buildAndPush, buildCommands } from '../../src/image/build.js';
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
};
const tag = '127.0.0.1:5000/acme/shop:pr-2-ec26c3e';

describe('buildCommands', () => {
  test('buildah: login through stdin, bud, push, TLS off for an insecure registry', () => {
    const steps = buildCommands(base, tag);
    expect(steps.map((s) => [s.cmd, ...s.args])).toEqual([
      ['buildah', 'login', '--tls-verify=false', '--username', 'ci', '--password-stdin', '127.0.0.1:5000'],
      ['buildah', 'bud', '--file', '/src/app/Dockerfile', '--tag', tag, '--build-arg', 'MODE=preview', '/src/app'],
      ['buildah', 'push', '--tls-verify=false', tag],
    ]);
    expect(steps[0].input?.toString()).toBe('top-secret');
  });

  test('the password never appears in any argv', () => {
    for (const builder of ['docker', 'buildah', 'podman'] as const) {
      for (const step of buildCommands({ ...base, builder }, tag)) expect(step.args.join(' ')).not.toContain('top-secret');
    }
  });

  test('docker has no --tls-verify; no login without credentials; none builds nothing', () => {
    const steps = buildCommands({ ...base, builder: 'docker', registryUsername: '', registryPassword: '' }, tag);
    expect(steps.map((s) => s.args[0])).toEqual(['build', 'push']);
    expect(steps.flatMap((s) => s.args)).not.toContain('--tls-verify=false');
    expect(buildCommands({ ...base, builder: 'none' }, tag)).toEqual([]);
  });

  test('a failing step names the command and the image', async () => {
    const run = async (_cmd: string, args: string[]) => {
      if (args[0] === 'push') throw new Error('exit code 125');
    };
    await expect(buildAndPush(base, tag, run)).rejects.toThrow(`'buildah push' failed for ${tag}: exit code 125`);
  });
});
