/**
 * Emulated GitHub REST API (the slice faas-preview uses) for tests and the demo.
 *
 * It follows the REST contract strictly and rejects what api.github.com rejects: token auth (401), unknown
 * repository / route / resource (404), unparsable JSON (400), missing or invalid fields (422, "Validation Failed"),
 * a missing User-Agent (403), page-number pagination with the RFC 5988 `Link` header on every list.
 *
 * The repository it models: one repository (`owner/repo`) whose default branch `main` is at a fixed commit, and
 * the pull requests given to `setPull`. The routes live by resource under test/support/github/:
 * - pulls.ts: the pull requests of `setPull`;
 * - comments.ts: issue comments (any token may edit or delete anyone's, as with write access);
 * - deployments.ts: deployments and statuses, with GitHub's strictness for a PR head that is behind `main` and
 *   whose checks are still running, and the `auto_inactive` rule;
 * - packages.ts: GHCR container packages (the image tag cleanup), the `packages` permission and the Admin role;
 * - identity.ts: whose token it is (`GET /user`, GraphQL `viewer { login }`); the default token is the Actions
 *   bot's installation token, `addToken` adds user tokens;
 * - wire.ts: auth, bodies, error shapes, pagination, headers; router.ts: which module answers; model.ts: the store.
 *
 * What it is NOT: no webhooks, no rate limiting (headers only), no commit statuses or check runs, no
 * permissions model (every token may do everything), no conditional requests / ETags.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { commentsOf, seedComments } from './github/comments.js';
import { deploymentsSnapshot } from './github/deployments.js';
import { BOT_LOGIN, Store, type Comment, type Deployment, type GitHubCall, type PackageSeed, type PackagesPermission, type PullState } from './github/model.js';
import { addPackage, packageVersions } from './github/packages.js';
import { setPull } from './github/pulls.js';
import { requestListener } from './github/router.js';


export interface GitHubOptions {
  token?: string; // default 'ghs_test_token', the Actions bot's installation token
  owner?: string; // default 'Codertocat'
  repo?: string; // default 'Hello-World'
  now?: () => number; // clock for created_at / updated_at (default Date.now)
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
