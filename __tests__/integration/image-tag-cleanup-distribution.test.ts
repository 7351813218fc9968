/**
 * deletePrTags against the real docker-registry (distribution 2.8): Basic and token auth, deletes disabled, and
 * `Link` paging through a proxy (2.8 does not page tags/list itself).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { deletePrTags } from '../../src/image/tag-cleanup.js';
import type { BuildSettings } from '../../src/settings.js';
import {
  cleanupBuild,
  startLinkProxy,
  startRegistry,
  type LinkProxy,
  type Registry,
} from '../../test/support/registry.js';
import { describeWith } from '../../test/support/tools.js';

const { describe: withRegistry } = describeWith(['docker-registry', 'openssl']);

/** Distribution never talks to GitHub; a client that would fail loudly if it did. */
const octokit = getOctokit('unused', { baseUrl: 'http://127.0.0.1:1' });

function build(
  host: string,
  r: Pick<Registry, 'username' | 'password'>,
  repository = 'acme/app',
  password = r.password,
): BuildSettings {
  return cleanupBuild(`${host}/${repository}`, {
    registryUsername: r.username,
    registryPassword: password,
    registryInsecure: true,
  });
}

const deps = { octokit, timeoutMs: 10_000 };

withRegistry('deletePrTags on a distribution registry', () => {
  const started: { close(): Promise<void> }[] = [];
  // Every server is closed even when one of them fails to: a leaked docker-registry would outlive the run.
  afterAll(async () => {
    await Promise.allSettled(started.map((s) => s.close()));
  });
  async function registry(o?: Parameters<typeof startRegistry>[0]): Promise<Registry> {
    const r = await startRegistry(o);
    started.push(r);
    return r;
  }
  async function proxy(r: Registry, link: 'relative' | 'absolute' | 'foreign'): Promise<LinkProxy> {
    const p = await startLinkProxy(r, { pageSize: 2, link });
    started.push(p);
    return p;
  }

  describe('Basic auth, deletes enabled', () => {
    let r: Registry;
    beforeAll(async () => {
      r = await registry();
      await r.pushImage('acme/app', ['pr-7-aaaaaaa'], 'A');
      await r.pushImage('acme/app', ['pr-7-bbbbbbb'], 'B');
      await r.pushImage('acme/app', ['pr-7-ccccccc', 'latest'], 'C');
      await r.pushImage('acme/app', ['pr-8-ddddddd'], 'D');
      await r.pushImage('acme/app', ['pr-70-eeeeee0'], 'E');
    });

    test("deletes the PR's own manifests, keeps the one 'latest' shares and names it, leaves other PRs alone", async () => {
      const result = await deletePrTags(build(r.host, r), 7, deps);
      expect(result.registry).toBe('distribution');
      expect(result.deleted.sort()).toEqual(['pr-7-aaaaaaa', 'pr-7-bbbbbbb']);
      expect(result.kept).toEqual([
        {
          tag: 'pr-7-ccccccc',
          reason: expect.stringMatching(/^its manifest sha256:[0-9a-f]{64} is also tagged 'latest'; /),
        },
      ]);
      expect(result.unsupported).toBeUndefined();
      expect(await r.tags('acme/app')).toEqual(['latest', 'pr-7-ccccccc', 'pr-70-eeeeee0', 'pr-8-ddddddd']);
    });

    test('runs again without error and deletes nothing more', async () => {
      const result = await deletePrTags(build(r.host, r), 7, deps);
      expect(result.deleted).toEqual([]);
      expect(result.kept.map((k) => k.tag)).toEqual(['pr-7-ccccccc']);
    });

    test('a repository nothing was pushed to: nothing to delete', async () => {
      expect(await deletePrTags(build(r.host, r, 'acme/never-pushed'), 7, deps)).toEqual({
        registry: 'distribution',
        deleted: [],
        kept: [],
      });
    });

    test('a wrong password is an error naming the call, the status and the inputs', async () => {
      await expect(deletePrTags(build(r.host, r, 'acme/app', 'wrong-password'), 7, deps)).rejects.toThrow(
        new RegExp(
          `^GET http://${r.host}/v2/acme/app/tags/list\\?n=100 answered 401: .*registry-username / registry-password were refused for acme/app`,
        ),
      );
    });
  });

  test('deletes disabled (405 UNSUPPORTED): reported once, after one DELETE, not an error; every tag stays', async () => {
    const r = await registry({ deletes: false });
    await r.pushImage('acme/app', ['pr-3-aaaaaaa'], 'A');
    await r.pushImage('acme/app', ['pr-3-bbbbbbb'], 'B');
    const p = await proxy(r, 'relative');
    const result = await deletePrTags(build(p.host, r), 3, deps);
    expect(result.deleted).toEqual([]);
    expect(result.unsupported).toMatch(
      new RegExp(
        `^DELETE http://${p.host}/v2/acme/app/manifests/sha256:[0-9a-f]{64} answered 405 \\(UNSUPPORTED: The operation is unsupported\\.\\): this registry does not delete manifests`,
      ),
    );
    expect(result.kept.map((k) => k.tag).sort()).toEqual(['pr-3-aaaaaaa', 'pr-3-bbbbbbb']);
    expect(result.kept[0].reason).toBe('the registry refuses deletes (405)');
    expect(p.calls.filter((c) => c.startsWith('DELETE'))).toHaveLength(1);
    expect(await r.tags('acme/app')).toEqual(['pr-3-aaaaaaa', 'pr-3-bbbbbbb']);
  });

  describe('Link paging', () => {
    let r: Registry;
    beforeAll(async () => {
      r = await registry();
    });

    test.each(['relative', 'absolute'] as const)(
      '%s Link URLs: every page is read and the PR tags on later pages are deleted',
      async (link) => {
        const repo = `acme/${link}`;
        for (const [i, tag] of ['a1', 'a2', 'main', 'pr-5-aaaaaaa', 'pr-5-bbbbbbb'].entries())
          await r.pushImage(repo, [tag], `${link}-${i}`);
        const p = await proxy(r, link);
        const result = await deletePrTags(build(p.host, r, repo), 5, deps);
        expect(result.deleted.sort()).toEqual(['pr-5-aaaaaaa', 'pr-5-bbbbbbb']);
        expect(p.calls.filter((c) => c.includes('/tags/list'))).toEqual([
          `GET /v2/${repo}/tags/list?n=100`,
          `GET /v2/${repo}/tags/list?last=a2&n=2`,
          `GET /v2/${repo}/tags/list?last=pr-5-aaaaaaa&n=2`,
        ]);
        expect(await r.tags(repo)).toEqual(['a1', 'a2', 'main']);
      },
    );

    test('a Link to another host is an error, and nothing is deleted', async () => {
      const repo = 'acme/foreign';
      for (const [i, tag] of ['a1', 'a2', 'pr-5-aaaaaaa'].entries()) await r.pushImage(repo, [tag], `foreign-${i}`);
      const p = await proxy(r, 'foreign');
      await expect(deletePrTags(build(p.host, r, repo), 5, deps)).rejects.toThrow(
        `GET http://${p.host}/v2/${repo}/tags/list?n=100: the Link header sends the next page to http://registry.invalid, not to the registry http://${p.host}`,
      );
      expect(p.calls.filter((c) => !c.startsWith('GET /v2/acme/foreign/tags/list'))).toEqual([]);
      expect(await r.tags(repo)).toEqual(['a1', 'a2', 'pr-5-aaaaaaa']);
    });
  });

  describe('token auth', () => {
    test('reads with a pull token; the DELETE is challenged again and gets a delete token, once', async () => {
      const r = await registry({ auth: 'token' });
      await r.pushImage('acme/app', ['pr-4-aaaaaaa'], 'A');
      await r.pushImage('acme/app', ['pr-4-bbbbbbb'], 'B');
      const result = await deletePrTags(build(r.host, r), 4, deps);
      expect(result.deleted.sort()).toEqual(['pr-4-aaaaaaa', 'pr-4-bbbbbbb']);
      expect(r.tokenScopes).toEqual(['repository:acme/app:pull', 'repository:acme/app:delete']);
      expect(await r.tags('acme/app')).toEqual([]);
    });

    test('credentials that may not delete: an error that says so, and the tags stay', async () => {
      const r = await registry({ auth: 'token', tokenActions: ['pull', 'push'] });
      await r.pushImage('acme/app', ['pr-4-aaaaaaa'], 'A');
      await expect(deletePrTags(build(r.host, r), 4, deps)).rejects.toThrow(
        new RegExp(
          `^DELETE http://${r.host}/v2/acme/app/manifests/sha256:[0-9a-f]{64} answered 401: .*the registry credentials need delete access to acme/app\\)$`,
        ),
      );
      expect(r.tokenScopes).toEqual(['repository:acme/app:pull', 'repository:acme/app:delete']);
      expect(await r.tags('acme/app')).toEqual(['pr-4-aaaaaaa']);
    });
  });

  test('a registry that never answers: each attempt is cut at the request timeout, and the error names the call', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    started.push({
      close: () => new Promise<void>((resolve) => (silent.close(() => resolve()), sockets.forEach((s) => s.destroy()))),
    });
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    await expect(
      deletePrTags(build(host, { username: 'ci', password: 'unused' }), 4, { octokit, timeoutMs: 200 }),
    ).rejects.toThrow(`GET http://${host}/v2/acme/app/tags/list?n=100: no answer within 0.2s (after 3 attempts)`);
  });
});
