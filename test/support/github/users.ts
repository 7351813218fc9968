/**
 * The GitHub accounts that sign in (`users`), who may see the one repository, and what a user-to-server token
 * (`ghu_…`, issued by oauth.ts) is served.
 *
 * Repository access:
 *   - The roles, from least to most access, are read, triage, write, maintain and admin, and each one can do all
 *     that the ones below it can (docs.github.com "Repository roles for an organization"). The repository
 *     object's `permissions` flags (pull, triage, push, maintain, admin) are therefore true up to the user's role.
 *   - A repository owned by a personal account (`ownerType` 'User', the default) knows only its owner, who has
 *     full control (admin here), and collaborators, who all can pull and push: no read-only or other role exists
 *     there (docs.github.com "Permission levels for a personal account repository"; the REST "Add a repository
 *     collaborator" takes `permission` only for organization-owned repositories). Any other role is refused when
 *     set. Organization members and teams are not modelled: only the owner and the collaborators have roles.
 *   - A public repository can be read by anyone (pull only). A private one that the user cannot see answers 404
 *     "Not Found", not 403, so as not to reveal it (docs.github.com REST "Troubleshooting", "404 error for an
 *     existing repository").
 *
 * User-to-server tokens: such a token can do only what both the user and the app can do (docs.github.com
 * "Generating a user access token for a GitHub App", "About user access tokens"). The emulated app is installed on
 * the repository with the Metadata permission only, which is what `GET /repos/{owner}/{repo}` needs. Every other
 * route of the repository answers 403 "Resource not accessible by integration" (404 while the repository is
 * hidden from the user), and so does the Packages API. `GET /user` answers the user's own profile.
 */
import { DEFAULT_BRANCH, WEB, nodeId, user, userId, type GitHubUser, type RepoRole, type Store } from './model.js';
import { HttpError, type Ctx, type Reply } from './wire.js';

const ROLES: readonly RepoRole[] = ['read', 'triage', 'write', 'maintain', 'admin'];
const INTEGRATION = 'Resource not accessible by integration';
/** GitHub's sign-up rule: letters, digits and single hyphens, no hyphen first or last, at most 39 characters. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export interface UserProfile {
  id?: number; // default derived from the login, as for every other account of the emulator
  name?: string; // the profile's display name (null when not given)
}

/** The `startGitHub` options about accounts and access (see github.ts). */
export interface AccessOptions {
  ownerType?: 'User' | 'Organization';
  visibility?: 'private' | 'public';
  users?: Record<string, UserProfile>;
  collaborators?: Record<string, RepoRole>;
}

export function setVisibility(s: Store, visibility: 'private' | 'public'): void {
  if (visibility !== 'private' && visibility !== 'public')
    throw new Error(`setVisibility: '${String(visibility)}' is neither 'private' nor 'public'`);
  s.visibility = visibility;
}

/** Applies the options, refusing (throwing) what GitHub could not be set up to be; see the header. */
export function configureAccess(s: Store, o: AccessOptions): void {
  if (o.ownerType === 'Organization') s.accounts.set(s.owner.toLowerCase(), { login: s.owner, type: 'Organization' });
  setVisibility(s, o.visibility ?? 'private');
  for (const [login, profile] of Object.entries(o.users ?? {})) addUser(s, login, profile);
  for (const [login, role] of Object.entries(o.collaborators ?? {})) setCollaborator(s, login, role);
}

function ownerIsOrganization(s: Store): boolean {
  return s.accounts.get(s.owner.toLowerCase())?.type === 'Organization';
}

/** A GitHub account that can sign in; an organization cannot. */
export function addUser(s: Store, login: string, profile: UserProfile = {}): void {
  if (!LOGIN.test(login)) throw new Error(`addUser: '${login}' is not a GitHub login`);
  if (login.toLowerCase() === s.owner.toLowerCase() && ownerIsOrganization(s))
    throw new Error(`addUser: ${login} is the owning organization, which cannot sign in`);
  s.users.set(login.toLowerCase(), { login, id: profile.id ?? userId(login), name: profile.name ?? null });
}

/** Grants `login` a role on the repository, or takes it away (`undefined`). See the header for what is refused. */
export function setCollaborator(s: Store, login: string, role: RepoRole | undefined): void {
  if (!LOGIN.test(login)) throw new Error(`setCollaborator: '${login}' is not a GitHub login`);
  if (login.toLowerCase() === s.owner.toLowerCase())
    throw new Error(`setCollaborator: ${login} owns the repository and cannot be a collaborator`);
  if (role === undefined) return void s.collaborators.delete(login.toLowerCase());
  if (!ROLES.includes(role)) throw new Error(`setCollaborator: unknown role '${String(role)}'`);
  if (role !== 'write' && !ownerIsOrganization(s)) {
    throw new Error(
      `setCollaborator: ${s.owner} is a personal account, whose repositories give every collaborator write ` +
        `access; '${role}' exists only on organization-owned repositories (startGitHub({ ownerType: 'Organization' }))`,
    );
  }
  s.collaborators.set(login.toLowerCase(), role);
}

/** The user's role on the repository; public repositories are readable by all; undefined: hidden from the user. */
function roleOf(s: Store, login: string): RepoRole | undefined {
  const key = login.toLowerCase();
  if (key === s.owner.toLowerCase() && !ownerIsOrganization(s)) return 'admin';
  return s.collaborators.get(key) ?? (s.visibility === 'public' ? 'read' : undefined);
}

function permissionsOf(role: RepoRole) {
  const rank = ROLES.indexOf(role);
  return { admin: rank >= 4, maintain: rank >= 3, push: rank >= 2, triage: rank >= 1, pull: true };
}

function repositoryObject(s: Store, role: RepoRole) {
  const ownerType = ownerIsOrganization(s) ? 'Organization' : 'User';
  return {
    id: s.repoId,
    node_id: nodeId('R', s.repoId),
    name: s.repo,
    full_name: s.fullName,
    private: s.visibility === 'private',
    owner: { ...user(s.owner, userId(s.owner)), type: ownerType, url: `${s.base}/users/${s.owner}` },
    html_url: `${WEB}/${s.fullName}`,
    description: null,
    fork: false,
    url: s.apiRepo(),
    archived: false,
    disabled: false,
    visibility: s.visibility,
    default_branch: DEFAULT_BRANCH,
    permissions: permissionsOf(role),
  };
}

/** `GET /user` with a user token: the user's private profile, name included. */
function profile(s: Store, login: string) {
  const u: GitHubUser = s.users.get(login.toLowerCase()) ?? { login, id: userId(login), name: null };
  return { ...user(u.login, u.id), url: `${s.base}/users/${u.login}`, name: u.name };
}

function repositoryRoute(s: Store, ctx: Ctx, m: RegExpMatchArray): Reply {
  const same =
    decodeURIComponent(m[1]).toLowerCase() === s.owner.toLowerCase() &&
    decodeURIComponent(m[2]).toLowerCase() === s.repo.toLowerCase();
  const role = same ? roleOf(s, ctx.login) : undefined;
  if (!role) throw new HttpError(404, 'Not Found');
  if (m[3] || ctx.method !== 'GET') throw new HttpError(403, INTEGRATION);
  return { status: 200, json: repositoryObject(s, role) };
}

/** The routes as a user-to-server token sees them (see the header); undefined: answered as for any token. */
export function userTokenApi(s: Store, ctx: Ctx): Reply | undefined {
  const path = ctx.url.pathname.replace(/\/$/, '');
  if (path === '/user' && ctx.method === 'GET') return { status: 200, json: profile(s, ctx.login) };
  const m = /^\/repos\/([^/]+)\/([^/]+)(\/.+)?$/.exec(path);
  if (m) return repositoryRoute(s, ctx, m);
  if (/\/packages\//.test(path)) throw new HttpError(403, INTEGRATION);
  return undefined;
}

/** Drops the user-to-server tokens whose time is up: from then on they are unknown, a 401 "Bad credentials". */
export function expireUserTokens(s: Store): void {
  const now = s.now();
  for (const [token, t] of s.oauth.tokens) {
    if (t.expiresAt === null || now < t.expiresAt) continue;
    s.oauth.tokens.delete(token);
    s.logins.delete(token);
  }
}
