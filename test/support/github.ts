/**
 * Emulated GitHub REST API (the slice faas-preview uses) for tests and the demo, and github.com's sign-in for a
 * GitHub App (the OAuth web application flow) on the same origin.
 *
 * It follows the REST contract strictly and rejects what api.github.com rejects: token auth (401), unknown
 * repository / route / resource (404), unparsable JSON (400), missing or invalid fields (422, "Validation Failed"),
 * a missing User-Agent (403), page-number pagination with the RFC 5988 `Link` header on every list.
 *
 * The repository it models: one repository (`owner/repo`, private unless `visibility` says otherwise) whose
 * default branch `main` is at a fixed commit, and the pull requests given to `setPull`. The routes live by
 * resource under test/support/github/:
 * - pulls.ts: the pull requests of `setPull`;
 * - comments.ts: issue comments (any token may edit or delete anyone's, as with write access);
 * - deployments.ts: deployments and statuses, with GitHub's strictness for a PR head that is behind `main` and
 *   whose checks are still running, and the `auto_inactive` rule;
 * - packages.ts: GHCR container packages (the image tag cleanup), the `packages` permission and the Admin role;
 * - identity.ts: whose token it is (`GET /user`, GraphQL `viewer { login }`); the default token is the Actions
 *   bot's installation token, `addToken` adds user tokens;
 * - oauth.ts (+ oauth-page.ts, its HTML): the `oauth` app's sign-in: `/login/oauth/authorize` (a sign-in form for
 *   the `users`, a session cookie), `/login/oauth/access_token` (codes for `ghu_` user-to-server tokens, which
 *   expire on the `now` clock when `expiringTokens`);
 * - users.ts: the accounts that sign in, the repository's `collaborators` and their roles, and what a `ghu_`
 *   token is served: `GET /user`, and `GET /repos/{owner}/{repo}` with `permissions` or a 404 when hidden;
 * - wire.ts: auth, bodies, error shapes, pagination, headers; router.ts: which module answers; model.ts: the store.
 *
 * What it is NOT: no webhooks, no rate limiting (headers only), no commit statuses or check runs, no
 * permissions model for `addToken` tokens (they may do everything; only `ghu_` tokens are held to roles, and the
 * Actions token to `permissions` when given: github/permissions.ts), no organization members or teams, no device flow, no conditional requests / ETags.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { commentsOf, seedComments } from './github/comments.js';
import { deploymentsSnapshot } from './github/deployments.js';
import {
  BOT_LOGIN,
  Store,
  type Comment,
  type Deployment,
  type GitHubCall,
  type OAuthApp,
  type PackageSeed,
  type PackagesPermission,
  type PullState,
  type RepoRole,
} from './github/model.js';
import { registerApp } from './github/oauth.js';
import type { Permissions } from './github/permissions.js';
import { addPackage, packageVersions } from './github/packages.js';
import { setPull } from './github/pulls.js';
import { requestListener } from './github/router.js';
import { addUser, configureAccess, setCollaborator, setVisibility, type UserProfile } from './github/users.js';

export interface GitHubOptions {
  token?: string; // default 'ghs_test_token', the Actions bot's installation token
  owner?: string; // default 'Codertocat'
  repo?: string; // default 'Hello-World'
  now?: () => number; // clock for created_at / updated_at and for code and token expiry (default Date.now)
  ownerType?: 'User' | 'Organization'; // the owner's account (default User: a personal repository)
  visibility?: 'private' | 'public'; // the repository's (default private)
  oauth?: OAuthApp; // the registered GitHub App whose users sign in
  users?: Record<string, UserProfile>; // GitHub accounts that can sign in, by login
  collaborators?: Record<string, RepoRole>; // roles on the repository; only `write` on a personal repository
  permissions?: Permissions; // the Actions token's `permissions:` (github/permissions.ts); default: all allowed
}

export interface GitHubEmulator {
  url: string; // http://127.0.0.1:<port>; use as baseUrl / GITHUB_API_URL
  token: string;
  calls: GitHubCall[]; // every request, in order of arrival
  addToken(token: string, login: string): void; // a user token (PAT-like) acting as `login`
  setPull(pr: PullState): void;
  comments(issue: number): Comment[]; // ascending by id
  seedComments(issue: number, bodies: string[], login?: string): void; // login default 'octocat'
  deployments(): Deployment[]; // oldest first
  addPackage(p: PackageSeed): number[]; // GHCR container package; returns the version ids, oldest first
  packageVersions(owner: string, name: string): { id: number; name: string; tags: string[] }[]; // active, newest first
  setPackagesPermission(permission: 'none' | 'read' | 'write'): void; // the token's `packages` permission
  addUser(login: string, profile?: UserProfile): void; // one more account that can sign in
  setCollaborator(login: string, role: RepoRole | undefined): void; // grants a role, or takes it away
  setVisibility(visibility: 'private' | 'public'): void;
  userTokens(): string[]; // every `ghu_` and `ghr_` token issued so far (for leak checks)
  close(): Promise<void>;
}

function handleFor(s: Store, token: string, server: Server): GitHubEmulator {
  return {
    url: s.base,
    token,
    calls: s.calls,
    addToken: (t: string, login: string) => void s.logins.set(t, login),
    setPull: (pr: PullState) => setPull(s, pr),
    comments: (issue: number) => structuredClone(commentsOf(s, issue)),
    seedComments: (issue: number, bodies: string[], login = 'octocat') => seedComments(s, issue, bodies, login),
    deployments: () => deploymentsSnapshot(s),
    addPackage: (seed: PackageSeed) => addPackage(s, seed),
    packageVersions: (o: string, name: string) => packageVersions(s, o, name),
    setPackagesPermission: (permission: PackagesPermission) => void (s.packagesPermission = permission),
    addUser: (login: string, profile?: UserProfile) => addUser(s, login, profile),
    setCollaborator: (login: string, role: RepoRole | undefined) => setCollaborator(s, login, role),
    setVisibility: (visibility: 'private' | 'public') => setVisibility(s, visibility),
    userTokens: () => [...s.oauth.tokens.keys(), ...s.oauth.refreshTokens.keys()],
    close(): Promise<void> {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export async function startGitHub(options: GitHubOptions = {}): Promise<GitHubEmulator> {
  const token = options.token ?? 'ghs_test_token';
  const s = new Store(options.owner ?? 'Codertocat', options.repo ?? 'Hello-World', options.now ?? Date.now);
  s.logins.set(token, BOT_LOGIN);
  s.permissions = options.permissions;
  configureAccess(s, options);
  if (options.oauth) registerApp(s, options.oauth);
  const server = createServer(requestListener(s));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  s.base = `http://127.0.0.1:${port}`;
  return handleFor(s, token, server);
}
