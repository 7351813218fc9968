/**
 * A PR's tags on GHCR, through the GitHub Packages REST API: GHCR answers the registry API's DELETE with 405. A
 * container package's versions are its manifests (`name` is the digest, `metadata.container.tags` its tags); deleting
 * a version deletes all of its tags, so a version that also carries a tag outside the PR's set is kept and reported.
 *
 * Endpoints (docs.github.com/rest/packages/packages, API version 2022-11-28):
 * - `GET /users/{username}` → `type` `Organization` or `User` decides the family (docs.github.com/rest/users/users);
 * - organization: `GET|DELETE /orgs/{org}/packages/container/{package_name}/versions[/{package_version_id}]`;
 * - a user's package: `/users/{username}/packages/…`, or `/user/packages/…` when the token is that user's own
 *   (`GET /user`; the Actions token is an app installation, which GitHub refuses there with 403).
 * The package name is URL-encoded (`/` → `%2F`) by Octokit's path expansion.
 *
 * Permissions: listing needs `packages: read`; deleting needs `packages: write` and the Admin role of the repository
 * on the package, which a package the repository's workflow published has ("Deleting and restoring a package",
 * docs.github.com/packages/learn-github-packages/deleting-and-restoring-a-package).
 */
import type { Octokit } from '../github/client.js';
import { sanitize } from '../text/untrusted.js';
import { planVersionDeletes, quoteTags, type PackageVersion, type TagCleanup } from './tag-cleanup-plan.js';
import type { GhcrPackage } from './reference.js';

/** The path family for the package's owner, with its path parameters. */
export interface OwnerPath {
  path: '/orgs/{org}' | '/users/{username}' | '/user';
  params: Record<string, string>;
}

export function ownerPath(owner: string, type: string, tokenLogin: string | undefined): OwnerPath {
  if (type === 'Organization') return { path: '/orgs/{org}', params: { org: owner } };
  if (tokenLogin && tokenLogin.toLowerCase() === owner.toLowerCase()) return { path: '/user', params: {} };
  return { path: '/users/{username}', params: { username: owner } };
}

export async function deleteGhcrPrTags(octokit: Octokit, pkg: GhcrPackage, pr: number): Promise<TagCleanup> {
  const where = await resolveOwner(octokit, pkg.owner);
  const versions = await listVersions(octokit, where, pkg);
  // A PR whose first build failed never pushed: a teardown must not fail on the package it never had.
  if (!versions) {
    return {
      deleted: [],
      kept: [],
      unsupported: `GitHub knows no package ghcr.io/${pkg.owner}/${pkg.name} visible to 'github-token' (404): nothing was deleted. If it exists, ${listHint(pkg)}`,
    };
  }
  const plan = planVersionDeletes(versions, pr);
  const result: TagCleanup = { deleted: [], kept: plan.kept };
  for (const v of plan.deletes) {
    const outcome = await deleteVersion(octokit, where, pkg, v, result.deleted);
    if (outcome === 'deleted') result.deleted.push(...v.tags);
    else result.kept.push(...v.tags.map((tag) => ({ tag, reason: outcome.refused })));
  }
  return result;
}

async function resolveOwner(octokit: Octokit, owner: string): Promise<OwnerPath> {
  const account = await octokit.request('GET /users/{username}', { username: owner }).catch((err: unknown) => {
    throw explain(err, `ghcr.io/${owner}: GitHub has no user or organization '${owner}'`, [404]);
  });
  const type = String(account.data.type);
  return ownerPath(owner, type, type === 'User' ? await tokenLogin(octokit) : undefined);
}

/** The token's own login; undefined for an Actions token, an app installation that GitHub refuses at GET /user. */
async function tokenLogin(octokit: Octokit): Promise<string | undefined> {
  try {
    return (await octokit.request('GET /user')).data.login;
  } catch (err) {
    if (statusOf(err) === undefined) throw err;
    return undefined;
  }
}

interface RawVersion {
  id?: unknown;
  name?: unknown;
  metadata?: { container?: { tags?: unknown } };
}

/** The package's versions; undefined when GitHub answers 404 (no such package, or one the token cannot see). */
async function listVersions(
  octokit: Octokit,
  where: OwnerPath,
  pkg: GhcrPackage,
): Promise<PackageVersion[] | undefined> {
  const route = `GET ${where.path}/packages/container/{package_name}/versions`;
  const versions: PackageVersion[] = [];
  try {
    for await (const page of octokit.paginate.iterator(route, {
      ...where.params,
      package_name: pkg.name,
      state: 'active',
      per_page: 100,
    })) {
      for (const v of page.data as RawVersion[]) {
        if (typeof v.id !== 'number' || typeof v.name !== 'string') continue;
        const tags = v.metadata?.container?.tags;
        versions.push({
          id: v.id,
          name: v.name,
          tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
        });
      }
    }
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw explain(err, listHint(pkg));
  }
  return versions;
}

type Outcome = 'deleted' | { refused: string };

async function deleteVersion(
  octokit: Octokit,
  where: OwnerPath,
  pkg: GhcrPackage,
  v: PackageVersion,
  before: string[],
): Promise<Outcome> {
  const params = { ...where.params, package_name: pkg.name, package_version_id: v.id };
  const path = `${where.path}/packages/container/{package_name}/versions/{package_version_id}`;
  try {
    await octokit.request(`DELETE ${path}`, params);
    return 'deleted';
  } catch (err) {
    const status = statusOf(err);
    // GitHub's own rules (the last tagged version of a package, a public version with over 5,000 downloads).
    if (status === 400) return { refused: `GitHub refused to delete package version ${v.id}${messageOf(err)}` };
    // A 404 is a version someone else deleted, or GitHub hiding the version from a token that may not delete it.
    if (status === 404 && !(await stillThere(octokit, path, params))) return 'deleted';
    const done = before.length ? `; deleted before this: ${quoteTags(before)}` : '';
    throw explain(err, deleteHint(pkg) + done);
  }
}

async function stillThere(octokit: Octokit, path: string, params: Record<string, string | number>): Promise<boolean> {
  try {
    await octokit.request(`GET ${path}`, params);
    return true;
  } catch (err) {
    return statusOf(err) !== 404;
  }
}

function listHint(pkg: GhcrPackage): string {
  return (
    `reading the versions of ghcr.io/${pkg.owner}/${pkg.name} needs the job permission 'packages: read' ('packages: write' to delete them) ` +
    `and access to the package (a package this repository's workflow published has it; otherwise add the repository under the package's ` +
    `settings → Manage Actions access); a personal access token needs the read:packages scope`
  );
}

function deleteHint(pkg: GhcrPackage): string {
  return (
    `deleting versions of ghcr.io/${pkg.owner}/${pkg.name} needs the job permission 'packages: write' and the Admin role for this ` +
    `repository on the package (package settings → Manage Actions access; a package this repository's workflow published has it); ` +
    `a personal access token needs the read:packages and delete:packages scopes and admin access to the package`
  );
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** ` (GitHub's message)`, sanitized: it is outside text. */
function messageOf(err: unknown): string {
  const message = (err as { response?: { data?: { message?: unknown } } } | undefined)?.response?.data?.message;
  return typeof message === 'string' && message ? ` (${sanitize(message, { max: 200 })})` : '';
}

/** A 403/404 as an error that names the call and says what is missing; other failures pass unchanged. */
function explain(err: unknown, hint: string, statuses = [403, 404]): unknown {
  const status = statusOf(err);
  const request = (err as { request?: { method?: string; url?: string } } | undefined)?.request;
  if (status === undefined || !statuses.includes(status) || !request?.url) return err;
  return new Error(
    `GitHub ${request.method ?? ''} ${new URL(request.url).pathname} answered ${status}${messageOf(err)}: ${hint}`,
    { cause: err },
  );
}
