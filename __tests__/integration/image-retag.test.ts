/**
 * retagByDigest against the real docker-registry (distribution 2.8), with Basic auth and with token auth: the image
 * of another commit of the same PR is found by its build-digest label and its manifest copied to the new tag.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { retagByDigest } from '../../src/image/retag.js';
import { cleanupBuild, startRegistry, type Registry } from '../../test/support/registry.js';
import { describeWith } from '../../test/support/tools.js';

const { describe: withRegistry } = describeWith(['docker-registry', 'openssl']);

const LABEL = 'faas-preview/build-digest';
const D1 = '1111111111111111111111111111111111111111';
const D2 = '2222222222222222222222222222222222222222';
const D3 = '3333333333333333333333333333333333333333';
const deps = { timeoutMs: 10_000, platform: 'linux/amd64' };

function settings(r: Registry, password = r.password) {
  return cleanupBuild(`${r.host}/acme/app`, {
    registryUsername: r.username,
    registryPassword: password,
    registryInsecure: true,
  });
}

withRegistry('retagByDigest', () => {
  const started: Registry[] = [];
  afterAll(async () => {
    await Promise.allSettled(started.map((r) => r.close()));
  });

  async function seeded(o?: Parameters<typeof startRegistry>[0]): Promise<Registry> {
    const r = await startRegistry(o);
    started.push(r);
    await r.pushImage('acme/app', ['pr-7-aaaaaaa'], 'A', { [LABEL]: D1 });
    await r.pushImage('acme/app', ['pr-7-bbbbbbb'], 'B', { [LABEL]: D2 });
    await r.pushImage('acme/app', ['pr-8-ccccccc', 'latest'], 'C', { [LABEL]: D3 });
    await r.pushImage('acme/app', ['pr-7-eeeeeee'], 'E');
    return r;
  }

  describe.each(['basic', 'token'] as const)('%s auth', (auth) => {
    let r: Registry;
    beforeAll(async () => {
      r = await seeded({ auth });
    }, 30_000);

    test("the PR's image with the same digest is copied to the new tag, byte for byte", async () => {
      const result = await retagByDigest(settings(r), 7, `${r.host}/acme/app:pr-7-ddddddd`, D1, deps);
      const source = await r.digestOf('acme/app', 'pr-7-aaaaaaa');
      expect(result).toEqual({ retagged: true, from: 'pr-7-aaaaaaa', sha: 'aaaaaaa', manifest: source });
      expect(await r.digestOf('acme/app', 'pr-7-ddddddd')).toBe(source);
      expect((await r.image('acme/app', 'pr-7-ddddddd')).config.config?.Labels?.[LABEL]).toBe(D1);
      // The PUT needs push: distribution's challenge names `repository:acme/app:` with pull and push, in either order.
      const actions = r.tokenScopes.map((scope) =>
        scope.replace('repository:acme/app:', '').split(',').sort().join(','),
      );
      if (auth === 'token') expect(actions).toContain('pull,push');
    });

    test("another PR's image or an unlabelled one is never used: no retag, and a reason", async () => {
      const result = await retagByDigest(settings(r), 7, `${r.host}/acme/app:pr-7-fffffff`, D3, deps);
      expect(result).toEqual({
        retagged: false,
        reason: `no image with build digest ${D3}: none of the PR's 4 other image(s) has it`,
      });
      expect(await r.tags('acme/app')).not.toContain('pr-7-fffffff');
    });

    test('the caller may name the candidates; the new tag itself is never one', async () => {
      const named = await retagByDigest(settings(r), 7, `${r.host}/acme/app:pr-7-0000000`, D2, {
        ...deps,
        candidates: ['pr-7-aaaaaaa', 'pr-7-0000000'],
      });
      expect(named.retagged).toBe(false);
      const self = await retagByDigest(settings(r), 7, `${r.host}/acme/app:pr-7-bbbbbbb`, D2, deps);
      expect(self).toEqual({ retagged: false, reason: expect.stringContaining('none of the PR') });
    });

    test('a wrong password is an error naming the credentials', async () => {
      await expect(retagByDigest(settings(r, 'wrong'), 7, `${r.host}/acme/app:pr-7-1234567`, D1, deps)).rejects.toThrow(
        /answered 401.*registry-username \/ registry-password were refused for acme\/app/,
      );
    });
  });

  test('a token without push: the registry refuses the PUT and the error says push access is missing', async () => {
    const r = await seeded({ auth: 'token', tokenActions: ['pull'] });
    await expect(retagByDigest(settings(r), 7, `${r.host}/acme/app:pr-7-9999999`, D1, deps)).rejects.toThrow(
      /PUT http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/app\/manifests\/pr-7-9999999 answered 401.*need push access to acme\/app/,
    );
    expect(await r.tags('acme/app')).not.toContain('pr-7-9999999');
  }, 30_000);

  test('a repository nothing was pushed to: no retag', async () => {
    const r = await startRegistry();
    started.push(r);
    expect(await retagByDigest(settings(r), 7, `${r.host}/acme/app:pr-7-ddddddd`, D1, deps)).toEqual({
      retagged: false,
      reason: `no image with build digest ${D1}: the registry has no other image of this PR`,
    });
  });

  test('a multi-platform index is judged by the image for this platform, and copied whole', async () => {
    const r = await startRegistry();
    started.push(r);
    const amd64 = await r.pushImage('acme/app', ['amd64-part'], 'amd', { [LABEL]: D1 });
    const arm64 = await r.pushImage('acme/app', ['arm64-part'], 'arm', { [LABEL]: D2 });
    const index = await r.pushIndex('acme/app', 'pr-9-aaaaaaa', [
      { digest: amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: arm64, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    const onArm = await retagByDigest(settings(r), 9, `${r.host}/acme/app:pr-9-bbbbbbb`, D1, {
      ...deps,
      platform: 'linux/arm64',
    });
    expect(onArm.retagged).toBe(false);
    const onAmd = await retagByDigest(settings(r), 9, `${r.host}/acme/app:pr-9-bbbbbbb`, D1, deps);
    expect(onAmd).toEqual({ retagged: true, from: 'pr-9-aaaaaaa', sha: 'aaaaaaa', manifest: index });
    expect(await r.digestOf('acme/app', 'pr-9-bbbbbbb')).toBe(index);
  });
});
