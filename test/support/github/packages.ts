/**
 * Packages API (GHCR).
 *
 * Container packages of the accounts a test declares with `addPackage`, for the image tag cleanup, served as
 * docs.github.com/rest/packages/packages describes and as users report api.github.com answering:
 *   - `GET /users/{username}` answers the account with `type` `User` or `Organization`; the repository owner is a
 *     User. A package is served under its own family only (/orgs/{org} or /users/{username}): stricter than GitHub
 *     if it also serves an org's packages under /users/{org}, which actions/delete-package-versions relies on.
 *   - `GET …/packages/container/{package_name}/versions[/{id}]`: the name is one path segment (a `/` in it is
 *     %2F); newest first, paged with the Link header; `state` active|deleted. A version's `name` is its digest and
 *     `metadata.container.tags` its tags.
 *   - `DELETE …/versions/{id}` → 204, except 400 "You cannot delete the last tagged version of a package. You
 *     must delete the package instead." (kairos-io/kairos#4723) and "…the last version…" for the only one left.
 *   - The Actions token's `packages` permission (`setPackagesPermission`; default `read`, what a job gets under
 *     the restricted default): `none` → 403 on every package route, `read` → 403 on DELETE, both "Resource not
 *     accessible by integration". Without the repository's Admin role on the package (`actionsAdmin: false`) a
 *     DELETE answers 404 "Package not found." (vlaurin/action-ghcr-prune#8, SmartsquareGmbH/delete-old-packages#27).
 *   - `/user/packages/…` serves the packages of the token's own login (`addToken`); the Actions token, an app
 *     installation, gets 403 there as at `GET /user`. The one `packages` permission applies to every token.
 */
import { createHash } from 'node:crypto';
import {
  WEB,
  user,
  userId,
  type PackageSeed,
  type Store,
  type StoredPackage,
  type StoredPackageVersion,
} from './model.js';
import { HttpError, page, validation, type Ctx, type Reply } from './wire.js';

const packageKey = (o: string, name: string) => `${o.toLowerCase()}/${name}`;
const PACKAGE_ROUTE = /^\/(?:(orgs|users)\/([^/]+)|user)\/packages\/container\/([^/]+)\/versions(?:\/(\d+))?$/;

function accountObject(s: Store, a: { login: string; type: string }) {
  return {
    ...user(a.login, userId(a.login)),
    type: a.type,
    html_url: `${WEB}/${a.login}`,
    url: `${s.base}/users/${a.login}`,
  };
}

function packageVersionObject(s: Store, p: StoredPackage, v: StoredPackageVersion) {
  const family = s.accounts.get(p.owner.toLowerCase())?.type === 'Organization' ? 'orgs' : 'users';
  const encoded = encodeURIComponent(p.name);
  return {
    id: v.id,
    name: v.name,
    url: `${s.base}/${family}/${p.owner}/packages/container/${encoded}/versions/${v.id}`,
    package_html_url: `${WEB}/${family === 'orgs' ? 'orgs/' : 'users/'}${p.owner}/packages/container/package/${encoded}`,
    html_url: `${WEB}/${family === 'orgs' ? 'orgs/' : 'users/'}${p.owner}/packages/container/${encoded}/${v.id}`,
    created_at: v.created_at,
    updated_at: v.created_at,
    ...(v.deleted_at ? { deleted_at: v.deleted_at } : {}),
    metadata: { package_type: 'container', container: { tags: [...v.tags] } },
  };
}

function findPackage(s: Store, family: string, o: string, rawName: string): StoredPackage {
  const account = s.accounts.get(o.toLowerCase());
  if (!account || (family === 'orgs') !== (account.type === 'Organization')) throw new HttpError(404, 'Not Found');
  if (s.packagesPermission === 'none') throw new HttpError(403, 'Resource not accessible by integration');
  const p = s.packages.get(packageKey(o, decodeURIComponent(rawName)));
  if (!p) throw new HttpError(404, 'Package not found.');
  return p;
}

function deletePackageVersion(s: Store, p: StoredPackage, v: StoredPackageVersion): Reply {
  if (s.packagesPermission !== 'write') throw new HttpError(403, 'Resource not accessible by integration');
  if (!p.actionsAdmin) throw new HttpError(404, 'Package not found.');
  const active = p.versions.filter((x) => !x.deleted_at);
  if (v.tags.length > 0 && !active.some((x) => x !== v && x.tags.length > 0)) {
    throw new HttpError(
      400,
      'You cannot delete the last tagged version of a package. You must delete the package instead.',
    );
  }
  if (active.length === 1)
    throw new HttpError(400, 'You cannot delete the last version of a package. You must delete the package instead.');
  v.deleted_at = s.timestamp();
  return { status: 204 };
}

function listVersions(s: Store, ctx: Ctx, p: StoredPackage): Reply {
  const state = ctx.url.searchParams.get('state') ?? 'active';
  if (state !== 'active' && state !== 'deleted')
    throw validation([{ resource: 'PackageVersion', code: 'invalid', field: 'state' }]);
  const list = p.versions.filter((v) => (state === 'active') === !v.deleted_at).sort((a, b) => b.id - a.id);
  return page(ctx, list, (v) => packageVersionObject(s, p, v));
}

/** The Packages API and `GET /users/{username}`; undefined for any other path. */
export function packagesApi(s: Store, ctx: Ctx): Reply | undefined {
  const path = ctx.url.pathname.replace(/\/$/, '');
  const userMatch = /^\/users\/([^/]+)$/.exec(path);
  if (userMatch && ctx.method === 'GET') {
    const a = s.accounts.get(decodeURIComponent(userMatch[1]).toLowerCase());
    if (!a) throw new HttpError(404, 'Not Found');
    return { status: 200, json: accountObject(s, a) };
  }
  const m = PACKAGE_ROUTE.exec(path);
  if (!m) return undefined;
  // `/user/packages`: the token's own packages, which an app installation (the Actions token) does not have.
  if (!m[1] && ctx.login.endsWith('[bot]')) throw new HttpError(403, 'Resource not accessible by integration');
  const p = m[1] ? findPackage(s, m[1], decodeURIComponent(m[2]), m[3]) : findPackage(s, 'users', ctx.login, m[3]);
  if (!m[4] && ctx.method === 'GET') return listVersions(s, ctx, p);
  const v = p.versions.find((x) => x.id === Number(m[4]) && !x.deleted_at);
  if (!m[4] || !v || (ctx.method !== 'GET' && ctx.method !== 'DELETE')) throw new HttpError(404, 'Not Found');
  return ctx.method === 'GET' ? { status: 200, json: packageVersionObject(s, p, v) } : deletePackageVersion(s, p, v);
}

/** Declares the owner as an account of its type and replaces any package of that name; version ids, oldest first. */
export function addPackage(s: Store, seed: PackageSeed): number[] {
  s.accounts.set(seed.owner.toLowerCase(), { login: seed.owner, type: seed.ownerType ?? 'Organization' });
  const p: StoredPackage = {
    owner: seed.owner,
    name: seed.name,
    actionsAdmin: seed.actionsAdmin ?? true,
    versions: [],
  };
  for (const tags of seed.versions) {
    const id = s.nextId('packageVersion');
    const name = 'sha256:' + createHash('sha256').update(`${seed.owner}/${seed.name}#${id}`).digest('hex');
    p.versions.push({ id, name, tags: [...tags], created_at: s.timestamp(), deleted_at: null });
  }
  s.packages.set(packageKey(seed.owner, seed.name), p);
  return p.versions.map((v) => v.id);
}

/** The active versions, newest first, as tests read them. */
export function packageVersions(s: Store, o: string, name: string): { id: number; name: string; tags: string[] }[] {
  const p = s.packages.get(packageKey(o, name));
  return (p?.versions ?? [])
    .filter((v) => !v.deleted_at)
    .sort((a, b) => b.id - a.id)
    .map((v) => ({ id: v.id, name: v.name, tags: [...v.tags] }));
}
