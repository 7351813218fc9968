/** deletePrTags for ghcr.io against the emulated GitHub Packages API, over real sockets through the action's Octokit. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createOctokit, type Octokit } from '../../src/github/client.js';
import { deletePrTags } from '../../src/image/tag-cleanup.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { cleanupBuild } from '../../test/support/registry.js';

let github: GitHubEmulator;
let octokit: Octokit;
const apiUrl = process.env.GITHUB_API_URL;
beforeAll(async () => {
  github = await startGitHub();
  // createOctokit reads GITHUB_API_URL, as on a runner.
  process.env.GITHUB_API_URL = github.url;
  octokit = createOctokit(github.token, { timeoutMs: 10_000, log: () => undefined });
});
afterAll(async () => {
  if (apiUrl === undefined) delete process.env.GITHUB_API_URL;
  else process.env.GITHUB_API_URL = apiUrl;
  await github.close();
});
beforeEach(() => {
  github.calls.length = 0;
  github.setPackagesPermission('write');
});

const clean = (repository: string, pr: number) =>
  deletePrTags(cleanupBuild(repository), pr, { octokit, timeoutMs: 10_000 });
const tagsLeft = (owner: string, name: string) => github.packageVersions(owner, name).flatMap((v) => v.tags);
const calls = () => github.calls.map((c) => `${c.method} ${c.path}${c.query ? `?${c.query}` : ''} ${c.status}`);

describe('an organization package whose name has a slash, listed over two pages', () => {
  let ids: number[];
  beforeAll(() => {
    const fillers = Array.from({ length: 125 }, (_, i) => [`build-${i}`]);
    ids = github.addPackage({
      owner: 'acme',
      name: 'tools/app',
      versions: [
        ['pr-7-aaaaaaa'],
        ['pr-7-bbbbbbb', 'latest'],
        ['pr-7-ccccccc', 'pr-7-ddddddd'],
        ['pr-8-eeeeeee'],
        [],
        ...fillers,
      ],
    });
  });

  test("deletes the versions that carry only this PR's tags, keeps the one 'latest' shares and says why", async () => {
    const result = await clean('ghcr.io/acme/tools/app', 7);
    expect(result.registry).toBe('ghcr');
    expect(result.deleted.sort()).toEqual(['pr-7-aaaaaaa', 'pr-7-ccccccc', 'pr-7-ddddddd']);
    expect(result.kept).toEqual([
      {
        tag: 'pr-7-bbbbbbb',
        reason: expect.stringMatching(
          new RegExp(
            `^package version ${ids[1]} \\(sha256:[0-9a-f]{64}\\) is also tagged 'latest'; the Packages API deletes whole versions`,
          ),
        ),
      },
    ]);
    expect(result.unsupported).toBeUndefined();
    expect(tagsLeft('acme', 'tools/app')).toEqual(
      expect.arrayContaining(['pr-7-bbbbbbb', 'latest', 'pr-8-eeeeeee', 'build-0', 'build-124']),
    );
    expect(tagsLeft('acme', 'tools/app')).not.toEqual(expect.arrayContaining(['pr-7-aaaaaaa']));
    expect(calls()).toEqual([
      'GET /users/acme 200',
      'GET /orgs/acme/packages/container/tools%2Fapp/versions?state=active&per_page=100 200',
      'GET /orgs/acme/packages/container/tools%2Fapp/versions?state=active&per_page=100&page=2 200',
      // GitHub lists newest first.
      `DELETE /orgs/acme/packages/container/tools%2Fapp/versions/${ids[2]} 204`,
      `DELETE /orgs/acme/packages/container/tools%2Fapp/versions/${ids[0]} 204`,
    ]);
  });

  test('a second run finds nothing more to delete', async () => {
    const result = await clean('ghcr.io/acme/tools/app', 7);
    expect(result.deleted).toEqual([]);
    expect(result.kept.map((k) => k.tag)).toEqual(['pr-7-bbbbbbb']);
    expect(calls().filter((c) => c.startsWith('DELETE'))).toEqual([]);
  });
});

test("a user's package goes through /users/{username} with the Actions token", async () => {
  github.addPackage({ owner: 'octo-user', ownerType: 'User', name: 'app', versions: [['main'], ['pr-3-aaaaaaa']] });
  const result = await clean('ghcr.io/octo-user/app', 3);
  expect(result.deleted).toEqual(['pr-3-aaaaaaa']);
  expect(tagsLeft('octo-user', 'app')).toEqual(['main']);
  expect(calls()).toEqual([
    'GET /users/octo-user 200',
    'GET /user 403',
    'GET /users/octo-user/packages/container/app/versions?state=active&per_page=100 200',
    expect.stringMatching(/^DELETE \/users\/octo-user\/packages\/container\/app\/versions\/\d+ 204$/),
  ]);
});

test("a user's own token (a PAT) goes through /user/packages", async () => {
  github.addPackage({ owner: 'octo-self', ownerType: 'User', name: 'app', versions: [['main'], ['pr-3-bbbbbbb']] });
  github.addToken('ghp_octo_self_token', 'octo-self');
  const own = createOctokit('ghp_octo_self_token', { timeoutMs: 10_000, log: () => undefined });
  const result = await deletePrTags(cleanupBuild('ghcr.io/octo-self/app'), 3, { octokit: own, timeoutMs: 10_000 });
  expect(result.deleted).toEqual(['pr-3-bbbbbbb']);
  expect(tagsLeft('octo-self', 'app')).toEqual(['main']);
  expect(calls()).toEqual([
    'GET /users/octo-self 200',
    'GET /user 200',
    'GET /user/packages/container/app/versions?state=active&per_page=100 200',
    expect.stringMatching(/^DELETE \/user\/packages\/container\/app\/versions\/\d+ 204$/),
  ]);
});

test('GitHub refusing to delete the last tagged version: the tag is kept with its answer, not an error', async () => {
  const [id] = github.addPackage({ owner: 'acme', name: 'lonely', versions: [['pr-9-aaaaaaa']] });
  const result = await clean('ghcr.io/acme/lonely', 9);
  expect(result.deleted).toEqual([]);
  expect(result.kept).toEqual([
    {
      tag: 'pr-9-aaaaaaa',
      reason: `GitHub refused to delete package version ${id} (You cannot delete the last tagged version of a package. You must delete the package instead.)`,
    },
  ]);
});

describe('permissions', () => {
  test("without 'packages: write': an error naming the call and the missing permission; nothing deleted", async () => {
    const [id] = github.addPackage({ owner: 'acme', name: 'readonly', versions: [['pr-4-aaaaaaa'], ['main']] });
    github.setPackagesPermission('read');
    await expect(clean('ghcr.io/acme/readonly', 4)).rejects.toThrow(
      `GitHub DELETE /orgs/acme/packages/container/readonly/versions/${id} answered 403 (Resource not accessible by integration): ` +
        "deleting versions of ghcr.io/acme/readonly needs the job permission 'packages: write' and the Admin role for this repository on the package",
    );
    expect(tagsLeft('acme', 'readonly')).toEqual(['main', 'pr-4-aaaaaaa']);
  });

  test("without any 'packages' permission: the listing fails and says 'packages: read'", async () => {
    github.addPackage({ owner: 'acme', name: 'hidden', versions: [['pr-4-aaaaaaa'], ['main']] });
    github.setPackagesPermission('none');
    await expect(clean('ghcr.io/acme/hidden', 4)).rejects.toThrow(
      "GitHub GET /orgs/acme/packages/container/hidden/versions answered 403 (Resource not accessible by integration): reading the versions of ghcr.io/acme/hidden needs the job permission 'packages: read'",
    );
  });

  test('without the Admin role on the package: the 404 of the DELETE is not taken for "already gone"', async () => {
    const [id] = github.addPackage({
      owner: 'acme',
      name: 'foreign',
      versions: [['pr-4-aaaaaaa'], ['main']],
      actionsAdmin: false,
    });
    await expect(clean('ghcr.io/acme/foreign', 4)).rejects.toThrow(
      `GitHub DELETE /orgs/acme/packages/container/foreign/versions/${id} answered 404 (Package not found.): deleting versions of ghcr.io/acme/foreign needs the job permission 'packages: write' and the Admin role`,
    );
    expect(tagsLeft('acme', 'foreign')).toEqual(['main', 'pr-4-aaaaaaa']);
    expect(calls()).toContain(`GET /orgs/acme/packages/container/foreign/versions/${id} 200`);
  });

  test('a package that does not exist (a PR whose build never pushed) or cannot be seen: nothing deleted, both causes said, no error', async () => {
    const result = await clean('ghcr.io/acme/never-pushed', 4);
    expect(result).toMatchObject({ deleted: [], kept: [] });
    expect(result.unsupported).toMatch(
      /^GitHub knows no package ghcr\.io\/acme\/never-pushed visible to 'github-token' \(404\): nothing was deleted\. If it exists, reading the versions .* needs the job permission 'packages: read'/,
    );
  });

  test('an owner GitHub does not know', async () => {
    await expect(clean('ghcr.io/nobody-here/app', 4)).rejects.toThrow(
      "GitHub GET /users/nobody-here answered 404 (Not Found): ghcr.io/nobody-here: GitHub has no user or organization 'nobody-here'",
    );
  });
});
