/**
 * Emulated GitHub REST API (the slice faas-preview uses) for tests and the demo.
 *
 * It follows the REST contract strictly and rejects what api.github.com rejects: token auth (401), unknown
 * repository / route / resource (404), unparsable JSON (400), missing or invalid fields (422, "Validation Failed"),
 * a missing User-Agent (403), page-number pagination with the RFC 5988 `Link` header on every list.
 *
 * The repository it models: one repository (`owner/repo`) whose default branch `main` is at a fixed commit, and
 * the pull requests given to `setPull`. Every PR head is a topic branch that is behind `main` and whose checks are
 * still running (the workflow calling the API is one of them). That is why creating a deployment for a PR head is
 * strict the way GitHub is for such a branch:
 *   - `auto_merge` not `false`             → 202 "Auto-merged main into <ref> on deployment." and NO deployment;
 *   - `required_contexts` omitted          → 409 "Conflict: Commit status checks failed for <ref>.";
 *   - `required_contexts` non-empty        → 409 as well (no commit status is ever reported here);
 *   - `auto_merge: false, required_contexts: []` → 201.
 * Deploying `main` (or its sha) needs neither flag. A ref that is not `main`, a PR head ref or a PR head sha (full
 * or abbreviated, including shas of earlier `setPull` calls) is refused with 422 "No ref found for: <ref>".
 *
 * Deployment statuses: `success` with `auto_inactive` not `false` marks every PRIOR (lower id) deployment of the
 * same environment that is neither production nor transient, and whose latest status is not `inactive`, inactive
 * (GitHub's documented rule: "all prior non-transient, non-production environment deployments").
 *
 * Identity: every token belongs to one login. The default token is an Actions installation token, whose identity is
 * the bot `github-actions[bot]`: REST spells comment authors `github-actions[bot]` (type Bot), GraphQL's
 * `viewer { login }` answers `github-actions[bot]` too, and REST `GET /user` refuses it with 403 "Resource not
 * accessible by integration" as GitHub does for installation tokens. `addToken` adds user tokens (PAT-like).
 * Like GitHub for a token with write access, any token may edit or delete anyone's comment.
 * GraphQL: only the `viewer { login }` query is served; anything else gets GitHub's error shape.
 *
 * What it is NOT: no webhooks, no rate limiting (headers only), no commit statuses or check runs, no
 * permissions model (every token may do everything), no conditional requests / ETags.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHubOptions {
  token?: string; // default 'ghs_test_token', the Actions bot's installation token
  owner?: string; // default 'Codertocat'
  repo?: string; // default 'Hello-World'
  now?: () => number; // clock for created_at / updated_at (default Date.now)
}

export interface PullState {
  number: number;
  state: 'open' | 'closed';
  merged?: boolean;
  headSha: string;
  headRef?: string; // default `feature/pr-<number>`
  headRepoFullName?: string; // default owner/repo (`contributor/<repo>` when fork is true)
  fork?: boolean;
  labels?: string[];
  title?: string;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string };
  created_at: string;
  updated_at: string;
  issueNumber: number;
}

export interface Deployment {
  id: number;
  ref: string;
  sha: string;
  environment: string;
  transient_environment: boolean;
  production_environment: boolean;
  description: string | null;
  payload: unknown;
  created_at: string;
  statuses: DeploymentStatus[]; // oldest first (the API lists them newest first)
}

export interface DeploymentStatus {
  id: number;
  state: string;
  environment_url: string;
  log_url: string;
  description: string;
  created_at: string;
}

export interface GitHubCall {
  method: string;
  path: string; // pathname only
  query: string; // search string without '?', '' when none
  status: number;
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

const DOCS = 'https://docs.github.com/rest';
const WEB = 'https://github.com';
const BOT_LOGIN = 'github-actions[bot]';
const DEFAULT_BRANCH = 'main';
const STATUS_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'] as const;
const COMMENT_MAX = 65536;
const STATUS_DESCRIPTION_MAX = 140;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface FieldError {
  resource: string;
  code: 'missing_field' | 'invalid' | 'custom' | 'unprocessable';
  field: string;
  message?: string;
}

function validation(errors: FieldError[]): HttpError {
  return new HttpError(422, 'Validation Failed', { errors });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`faas-preview:${prefix}:${id}`).toString('base64url')}`;
}

function user(login: string, id: number) {
  const bot = login.endsWith('[bot]');
  return {
    login,
    id,
    node_id: nodeId(bot ? 'BOT' : 'U', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    html_url: bot ? `${WEB}/apps/${login.slice(0, -'[bot]'.length)}` : `${WEB}/${login}`,
    type: bot ? 'Bot' : 'User',
    site_admin: false,
  };
}

function userId(login: string): number {
  if (login === BOT_LOGIN) return 41898282;
  return parseInt(sha1(login).slice(0, 7), 16);
}

interface StoredPull extends PullState {
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

interface StoredStatus extends DeploymentStatus {
  target_url: string;
  environment: string;
  updated_at: string;
}

interface StoredDeployment extends Deployment {
  task: string;
  original_environment: string;
  updated_at: string;
  statuses: StoredStatus[];
}

interface Ctx {
  method: string;
  url: URL;
  body: unknown;
  /** The identity of the request's token. */
  login: string;
}

interface Reply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export async function startGitHub(options: GitHubOptions = {}): Promise<GitHubEmulator> {
  const token = options.token ?? 'ghs_test_token';
  const logins = new Map<string, string>([[token, BOT_LOGIN]]);
  const owner = options.owner ?? 'Codertocat';
  const repo = options.repo ?? 'Hello-World';
  const fullName = `${owner}/${repo}`;
  const now = options.now ?? Date.now;
  const mainSha = sha1(`${fullName}@${DEFAULT_BRANCH}`);
  const repoId = parseInt(sha1(fullName).slice(0, 8), 16);

  const pulls = new Map<number, StoredPull>();
  const issues = new Set<number>(); // issue or PR numbers that exist
  const knownShas = new Set<string>([mainSha]);
  const comments = new Map<number, Comment>();
  const deployments: StoredDeployment[] = [];
  const calls: GitHubCall[] = [];
  let nextCommentId = 1_000_000_001;
  let nextDeploymentId = 200_000_001;
  let nextStatusId = 300_000_001;
  let remaining = 5000;
  let base = ''; // set once listening

  const timestamp = () => new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const apiRepo = () => `${base}/repos/${owner}/${repo}`;

  function repoObject(name: string, fork: boolean) {
    const [o, r] = name.split('/');
    return {
      id: name === fullName ? repoId : parseInt(sha1(name).slice(0, 8), 16),
      node_id: nodeId('R', name === fullName ? repoId : parseInt(sha1(name).slice(0, 8), 16)),
      name: r,
      full_name: name,
      private: false,
      owner: user(o, userId(o)),
      html_url: `${WEB}/${name}`,
      fork,
      url: `${base}/repos/${name}`,
      default_branch: DEFAULT_BRANCH,
    };
  }

  function headRepoName(p: PullState): string {
    return p.headRepoFullName ?? (p.fork ? `contributor/${repo}` : fullName);
  }

  function headRef(p: PullState): string {
    return p.headRef ?? `feature/pr-${p.number}`;
  }

  function pullObject(p: StoredPull, single: boolean) {
    const headName = headRepoName(p);
    const headOwner = headName.split('/')[0];
    const merged = p.state === 'closed' && p.merged === true;
    const obj: Record<string, unknown> = {
      url: `${apiRepo()}/pulls/${p.number}`,
      id: 100_000 + p.number,
      node_id: nodeId('PR', p.number),
      html_url: `${WEB}/${fullName}/pull/${p.number}`,
      diff_url: `${WEB}/${fullName}/pull/${p.number}.diff`,
      patch_url: `${WEB}/${fullName}/pull/${p.number}.patch`,
      issue_url: `${apiRepo()}/issues/${p.number}`,
      comments_url: `${apiRepo()}/issues/${p.number}/comments`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title ?? `Pull request #${p.number}`,
      user: user(headOwner, userId(headOwner)),
      body: null,
      labels: (p.labels ?? []).map((name) => ({
        id: parseInt(sha1(`label:${name}`).slice(0, 8), 16),
        node_id: nodeId('LA', parseInt(sha1(`label:${name}`).slice(0, 8), 16)),
        url: `${apiRepo()}/labels/${encodeURIComponent(name)}`,
        name,
        color: 'ededed',
        default: false,
        description: null,
      })),
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      closed_at: p.closedAt,
      merged_at: merged ? p.closedAt : null,
      merge_commit_sha: merged ? sha1(`merge:${p.number}:${p.headSha}`) : null,
      draft: false,
      head: {
        label: `${headOwner}:${headRef(p)}`,
        ref: headRef(p),
        sha: p.headSha,
        user: user(headOwner, userId(headOwner)),
        repo: repoObject(headName, p.fork === true),
      },
      base: {
        label: `${owner}:${DEFAULT_BRANCH}`,
        ref: DEFAULT_BRANCH,
        sha: mainSha,
        user: user(owner, userId(owner)),
        repo: repoObject(fullName, false),
      },
      author_association: p.fork ? 'CONTRIBUTOR' : 'MEMBER',
    };
    if (single) {
      Object.assign(obj, { merged, mergeable: p.state === 'open' ? true : null, comments: commentsOf(p.number).length, commits: 1 });
    }
    return obj;
  }

  function commentsOf(issue: number): Comment[] {
    return [...comments.values()].filter((c) => c.issueNumber === issue).sort((a, b) => a.id - b.id);
  }

  function commentObject(c: Comment) {
    const kind = pulls.has(c.issueNumber) ? 'pull' : 'issues';
    return {
      url: `${apiRepo()}/issues/comments/${c.id}`,
      html_url: `${WEB}/${fullName}/${kind}/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${apiRepo()}/issues/${c.issueNumber}`,
      id: c.id,
      node_id: nodeId('IC', c.id),
      user: user(c.user.login, userId(c.user.login)),
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.user.login === BOT_LOGIN ? 'NONE' : 'MEMBER',
      body: c.body,
      performed_via_github_app: null,
    };
  }

  function deploymentObject(d: StoredDeployment) {
    return {
      url: `${apiRepo()}/deployments/${d.id}`,
      id: d.id,
      node_id: nodeId('DE', d.id),
      sha: d.sha,
      ref: d.ref,
      task: d.task,
      payload: d.payload,
      original_environment: d.original_environment,
      environment: d.environment,
      description: d.description,
      creator: user(BOT_LOGIN, userId(BOT_LOGIN)),
      created_at: d.created_at,
      updated_at: d.updated_at,
      statuses_url: `${apiRepo()}/deployments/${d.id}/statuses`,
      repository_url: apiRepo(),
      transient_environment: d.transient_environment,
      production_environment: d.production_environment,
      performed_via_github_app: null,
    };
  }

  function statusObject(d: StoredDeployment, s: StoredStatus) {
    return {
      url: `${apiRepo()}/deployments/${d.id}/statuses/${s.id}`,
      id: s.id,
      node_id: nodeId('DES', s.id),
      state: s.state,
      creator: user(BOT_LOGIN, userId(BOT_LOGIN)),
      description: s.description,
      environment: s.environment,
      target_url: s.target_url,
      created_at: s.created_at,
      updated_at: s.updated_at,
      deployment_url: `${apiRepo()}/deployments/${d.id}`,
      repository_url: apiRepo(),
      environment_url: s.environment_url,
      log_url: s.log_url,
      performed_via_github_app: null,
    };
  }

  /** One page of `items` per `per_page` / `page`, with GitHub's Link header (prev, next, last, first). */
  function page<T>(ctx: Ctx, items: T[], map: (item: T) => unknown): Reply {
    const q = ctx.url.searchParams;
    const rawPer = parseInt(q.get('per_page') ?? '', 10);
    const perPage = Number.isFinite(rawPer) && rawPer > 0 ? Math.min(rawPer, 100) : 30;
    const rawPage = parseInt(q.get('page') ?? '', 10);
    const pageNo = Number.isFinite(rawPage) && rawPage > 0 ? rawPage : 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number) => {
      const params = new URLSearchParams(q);
      params.delete('page');
      params.append('page', String(n));
      return `<${base}${ctx.url.pathname}?${params.toString()}>`;
    };
    const rels: string[] = [];
    if (pageNo > 1) rels.push(`${link(pageNo - 1)}; rel="prev"`);
    if (pageNo < last) rels.push(`${link(pageNo + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (pageNo > 1) rels.push(`${link(1)}; rel="first"`);
    const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage).map(map);
    return { status: 200, json: slice, headers: rels.length ? { Link: rels.join(', ') } : {} };
  }

  function body(ctx: Ctx): Record<string, unknown> {
    if (ctx.body === undefined) return {};
    if (!isPlainObject(ctx.body)) throw new HttpError(400, 'Problems parsing JSON');
    return ctx.body;
  }

  function optional(b: Record<string, unknown>, field: string, type: 'string' | 'boolean', resource: string, nullable = false): void {
    const v = b[field];
    if (v === undefined || (nullable && v === null)) return;
    if (typeof v !== type) throw validation([{ resource, code: 'invalid', field }]);
  }

  function httpUrl(b: Record<string, unknown>, field: string): void {
    const v = b[field];
    if (v === undefined || v === '') return;
    if (typeof v !== 'string') throw validation([{ resource: 'DeploymentStatus', code: 'invalid', field }]);
    let ok = false;
    try {
      const u = new URL(v);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) throw validation([{ resource: 'DeploymentStatus', code: 'custom', field, message: `${field} must use http(s) scheme` }]);
  }

  function commentBody(b: Record<string, unknown>): string {
    const v = b.body;
    if (v === undefined || v === null || v === '') throw validation([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
    if (typeof v !== 'string') throw validation([{ resource: 'IssueComment', code: 'invalid', field: 'body' }]);
    if (v.length > COMMENT_MAX) {
      throw validation([{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message: `Body is too long (maximum is ${COMMENT_MAX} characters)` }]);
    }
    return v;
  }

  function findComment(id: string): Comment {
    const c = comments.get(Number(id));
    if (!c) throw new HttpError(404, 'Not Found');
    return c;
  }

  function findDeployment(id: string): StoredDeployment {
    const d = deployments.find((x) => x.id === Number(id));
    if (!d) throw new HttpError(404, 'Not Found');
    return d;
  }

  /** A branch name (optionally refs/heads/...) or a full / abbreviated commit sha known to the repository. */
  function resolveRef(ref: string): string | undefined {
    const name = ref.replace(/^refs\/heads\//, '');
    if (name === DEFAULT_BRANCH) return mainSha;
    for (const p of pulls.values()) if (headRepoName(p) === fullName && headRef(p) === name) return p.headSha;
    if (/^[0-9a-f]{7,40}$/i.test(ref)) {
      const lower = ref.toLowerCase();
      for (const sha of knownShas) if (sha.startsWith(lower)) return sha;
    }
    return undefined;
  }

  const latestState = (d: StoredDeployment) => d.statuses[d.statuses.length - 1]?.state;

  function createDeployment(ctx: Ctx): Reply {
    const b = body(ctx);
    const R = 'Deployment';
    if (b.ref === undefined || b.ref === null || b.ref === '') throw validation([{ resource: R, code: 'missing_field', field: 'ref' }]);
    optional(b, 'ref', 'string', R);
    optional(b, 'task', 'string', R);
    optional(b, 'auto_merge', 'boolean', R);
    optional(b, 'environment', 'string', R);
    optional(b, 'description', 'string', R, true);
    optional(b, 'transient_environment', 'boolean', R);
    optional(b, 'production_environment', 'boolean', R);
    const contexts = b.required_contexts;
    if (contexts !== undefined && (!Array.isArray(contexts) || contexts.some((c) => typeof c !== 'string'))) {
      throw validation([{ resource: R, code: 'invalid', field: 'required_contexts' }]);
    }
    if (b.payload !== undefined && !isPlainObject(b.payload) && typeof b.payload !== 'string') {
      throw validation([{ resource: R, code: 'invalid', field: 'payload' }]);
    }
    const ref = b.ref as string;
    const sha = resolveRef(ref);
    if (!sha) throw new HttpError(422, `No ref found for: ${ref}`);
    const upToDate = sha === mainSha;
    if (!upToDate && b.auto_merge !== false) {
      return { status: 202, json: { message: `Auto-merged ${DEFAULT_BRANCH} into ${ref} on deployment.` } };
    }
    const required = contexts as string[] | undefined;
    if ((!upToDate && required === undefined) || (required !== undefined && required.length > 0)) {
      const errors = required?.length
        ? [{ contexts: required.map((context) => ({ context, state: 'missing' })), resource: R, field: 'required_contexts', code: 'invalid' }]
        : undefined;
      throw new HttpError(409, `Conflict: Commit status checks failed for ${ref}.`, errors ? { errors } : {});
    }
    const environment = (b.environment as string | undefined) ?? 'production';
    const at = timestamp();
    const d: StoredDeployment = {
      id: nextDeploymentId++,
      ref,
      sha,
      task: (b.task as string | undefined) ?? 'deploy',
      environment,
      original_environment: environment,
      transient_environment: (b.transient_environment as boolean | undefined) ?? false,
      production_environment: (b.production_environment as boolean | undefined) ?? environment === 'production',
      description: (b.description as string | null | undefined) ?? null,
      payload: b.payload ?? {},
      created_at: at,
      updated_at: at,
      statuses: [],
    };
    deployments.push(d);
    return { status: 201, json: deploymentObject(d) };
  }

  function createStatus(ctx: Ctx, d: StoredDeployment): Reply {
    const b = body(ctx);
    const R = 'DeploymentStatus';
    if (b.state === undefined || b.state === null || b.state === '') throw validation([{ resource: R, code: 'missing_field', field: 'state' }]);
    if (typeof b.state !== 'string' || !(STATUS_STATES as readonly string[]).includes(b.state)) {
      throw validation([{ resource: R, code: 'custom', field: 'state', message: 'state is not included in the list' }]);
    }
    for (const f of ['target_url', 'log_url', 'environment_url', 'description', 'environment']) optional(b, f, 'string', R);
    optional(b, 'auto_inactive', 'boolean', R);
    for (const f of ['target_url', 'log_url', 'environment_url']) httpUrl(b, f);
    const description = (b.description as string | undefined) ?? '';
    if (description.length > STATUS_DESCRIPTION_MAX) {
      throw validation([{ resource: R, code: 'custom', field: 'description', message: `description is too long (maximum is ${STATUS_DESCRIPTION_MAX} characters)` }]);
    }
    const at = timestamp();
    if (typeof b.environment === 'string' && b.environment !== '') d.environment = b.environment;
    const logUrl = (b.log_url as string | undefined) ?? (b.target_url as string | undefined) ?? '';
    const status: StoredStatus = {
      id: nextStatusId++,
      state: b.state,
      description,
      environment: d.environment,
      target_url: logUrl,
      log_url: logUrl,
      environment_url: (b.environment_url as string | undefined) ?? '',
      created_at: at,
      updated_at: at,
    };
    d.statuses.push(status);
    d.updated_at = at;
    if (status.state === 'success' && b.auto_inactive !== false) {
      for (const other of deployments) {
        if (other.id >= d.id || other.environment !== d.environment) continue;
        if (other.production_environment || other.transient_environment || latestState(other) === 'inactive') continue;
        other.statuses.push({
          id: nextStatusId++,
          state: 'inactive',
          description: '',
          environment: other.environment,
          target_url: '',
          log_url: '',
          environment_url: other.statuses[other.statuses.length - 1]?.environment_url ?? '',
          created_at: at,
          updated_at: at,
        });
        other.updated_at = at;
      }
    }
    return { status: 201, json: statusObject(d, status) };
  }

  type Handler = (ctx: Ctx, m: RegExpMatchArray) => Reply;
  const routes: { method: string; re: RegExp; handle: Handler }[] = [];
  const route = (method: string, path: string, handle: Handler) => routes.push({ method, re: new RegExp(`^${path}$`), handle });

  route('GET', '/pulls', (ctx) => {
    const state = ctx.url.searchParams.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) throw validation([{ resource: 'PullRequest', code: 'invalid', field: 'state' }]);
    const direction = ctx.url.searchParams.get('direction') ?? 'desc';
    if (!['asc', 'desc'].includes(direction)) throw validation([{ resource: 'PullRequest', code: 'invalid', field: 'direction' }]);
    const list = [...pulls.values()]
      .filter((p) => state === 'all' || p.state === state)
      .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number));
    return page(ctx, list, (p) => pullObject(p, false));
  });
  route('GET', '/pulls/(\\d+)', (_ctx, m) => {
    const p = pulls.get(Number(m[1]));
    if (!p) throw new HttpError(404, 'Not Found');
    return { status: 200, json: pullObject(p, true) };
  });
  route('GET', '/issues/(\\d+)/comments', (ctx, m) => {
    const n = Number(m[1]);
    if (!issues.has(n)) throw new HttpError(404, 'Not Found');
    return page(ctx, commentsOf(n), commentObject);
  });
  route('POST', '/issues/(\\d+)/comments', (ctx, m) => {
    const n = Number(m[1]);
    if (!issues.has(n)) throw new HttpError(404, 'Not Found');
    const text = commentBody(body(ctx));
    const at = timestamp();
    const c: Comment = { id: nextCommentId++, body: text, user: { login: ctx.login }, created_at: at, updated_at: at, issueNumber: n };
    comments.set(c.id, c);
    return { status: 201, json: commentObject(c), headers: { Location: `${apiRepo()}/issues/comments/${c.id}` } };
  });
  route('GET', '/issues/comments/(\\d+)', (_ctx, m) => ({ status: 200, json: commentObject(findComment(m[1])) }));
  route('PATCH', '/issues/comments/(\\d+)', (ctx, m) => {
    const c = findComment(m[1]);
    c.body = commentBody(body(ctx));
    c.updated_at = timestamp();
    return { status: 200, json: commentObject(c) };
  });
  route('DELETE', '/issues/comments/(\\d+)', (_ctx, m) => {
    comments.delete(findComment(m[1]).id);
    return { status: 204 };
  });
  route('POST', '/deployments', createDeployment);
  route('GET', '/deployments', (ctx) => {
    const q = ctx.url.searchParams;
    const filters: [keyof StoredDeployment, string | null][] = [
      ['sha', q.get('sha')],
      ['ref', q.get('ref')],
      ['task', q.get('task')],
      ['environment', q.get('environment')],
    ];
    const list = deployments.filter((d) => filters.every(([k, v]) => v === null || v === '' || d[k] === v)).sort((a, b) => b.id - a.id);
    return page(ctx, list, deploymentObject);
  });
  route('GET', '/deployments/(\\d+)', (_ctx, m) => ({ status: 200, json: deploymentObject(findDeployment(m[1])) }));
  route('DELETE', '/deployments/(\\d+)', (_ctx, m) => {
    const d = findDeployment(m[1]);
    const alone = deployments.every((o) => o === d || o.environment !== d.environment);
    if (latestState(d) !== 'inactive' && !alone) {
      throw new HttpError(422, 'We cannot delete an active deployment unless it is the only deployment in a given environment.');
    }
    deployments.splice(deployments.indexOf(d), 1);
    return { status: 204 };
  });
  route('POST', '/deployments/(\\d+)/statuses', (ctx, m) => createStatus(ctx, findDeployment(m[1])));
  route('GET', '/deployments/(\\d+)/statuses', (ctx, m) => {
    const d = findDeployment(m[1]);
    return page(ctx, [...d.statuses].reverse(), (s) => statusObject(d, s));
  });
  route('GET', '/deployments/(\\d+)/statuses/(\\d+)', (_ctx, m) => {
    const d = findDeployment(m[1]);
    const s = d.statuses.find((x) => x.id === Number(m[2]));
    if (!s) throw new HttpError(404, 'Not Found');
    return { status: 200, json: statusObject(d, s) };
  });

  // ---- Packages API (GHCR)
  // Container packages of the accounts a test declares with `addPackage`, for the image tag cleanup, served as
  // docs.github.com/rest/packages/packages describes and as users report api.github.com answering:
  //   - `GET /users/{username}` answers the account with `type` `User` or `Organization`; the repository owner is a
  //     User. A package is served under its own family only (/orgs/{org} or /users/{username}): stricter than GitHub
  //     if it also serves an org's packages under /users/{org}, which actions/delete-package-versions relies on.
  //   - `GET …/packages/container/{package_name}/versions[/{id}]`: the name is one path segment (a `/` in it is
  //     %2F); newest first, paged with the Link header; `state` active|deleted. A version's `name` is its digest and
  //     `metadata.container.tags` its tags.
  //   - `DELETE …/versions/{id}` → 204, except 400 "You cannot delete the last tagged version of a package. You
  //     must delete the package instead." (kairos-io/kairos#4723) and "…the last version…" for the only one left.
  //   - The Actions token's `packages` permission (`setPackagesPermission`; default `read`, what a job gets under
  //     the restricted default): `none` → 403 on every package route, `read` → 403 on DELETE, both "Resource not
  //     accessible by integration". Without the repository's Admin role on the package (`actionsAdmin: false`) a
  //     DELETE answers 404 "Package not found." (vlaurin/action-ghcr-prune#8, SmartsquareGmbH/delete-old-packages#27).
  //   - `/user/packages/…` serves the packages of the token's own login (`addToken`); the Actions token, an app
  //     installation, gets 403 there as at `GET /user`. The one `packages` permission applies to every token.
  type PackagesPermission = 'none' | 'read' | 'write';
  interface StoredPackageVersion {
    id: number;
    name: string;
    tags: string[];
    created_at: string;
    deleted_at: string | null;
  }
  interface StoredPackage {
    owner: string;
    name: string;
    actionsAdmin: boolean;
    versions: StoredPackageVersion[];
  }
  const accounts = new Map<string, { login: string; type: 'User' | 'Organization' }>([[owner.toLowerCase(), { login: owner, type: 'User' }]]);
  const packages = new Map<string, StoredPackage>();
  let packagesPermission: PackagesPermission = 'read';
  let nextPackageVersionId = 500_000_001;
  const packageKey = (o: string, name: string) => `${o.toLowerCase()}/${name}`;

  function accountObject(a: { login: string; type: string }) {
    return { ...user(a.login, userId(a.login)), type: a.type, html_url: `${WEB}/${a.login}`, url: `${base}/users/${a.login}` };
  }

  function packageVersionObject(p: StoredPackage, v: StoredPackageVersion) {
    const family = accounts.get(p.owner.toLowerCase())?.type === 'Organization' ? 'orgs' : 'users';
    const encoded = encodeURIComponent(p.name);
    return {
      id: v.id,
      name: v.name,
      url: `${base}/${family}/${p.owner}/packages/container/${encoded}/versions/${v.id}`,
      package_html_url: `${WEB}/${family === 'orgs' ? 'orgs/' : 'users/'}${p.owner}/packages/container/package/${encoded}`,
      html_url: `${WEB}/${family === 'orgs' ? 'orgs/' : 'users/'}${p.owner}/packages/container/${encoded}/${v.id}`,
      created_at: v.created_at,
      updated_at: v.created_at,
      ...(v.deleted_at ? { deleted_at: v.deleted_at } : {}),
      metadata: { package_type: 'container', container: { tags: [...v.tags] } },
    };
  }

  function findPackage(family: string, o: string, rawName: string): StoredPackage {
    const account = accounts.get(o.toLowerCase());
    if (!account || (family === 'orgs') !== (account.type === 'Organization')) throw new HttpError(404, 'Not Found');
    if (packagesPermission === 'none') throw new HttpError(403, 'Resource not accessible by integration');
    const p = packages.get(packageKey(o, decodeURIComponent(rawName)));
    if (!p) throw new HttpError(404, 'Package not found.');
    return p;
  }

  function deletePackageVersion(p: StoredPackage, v: StoredPackageVersion): Reply {
    if (packagesPermission !== 'write') throw new HttpError(403, 'Resource not accessible by integration');
    if (!p.actionsAdmin) throw new HttpError(404, 'Package not found.');
    const active = p.versions.filter((x) => !x.deleted_at);
    if (v.tags.length > 0 && !active.some((x) => x !== v && x.tags.length > 0)) {
      throw new HttpError(400, 'You cannot delete the last tagged version of a package. You must delete the package instead.');
    }
    if (active.length === 1) throw new HttpError(400, 'You cannot delete the last version of a package. You must delete the package instead.');
    v.deleted_at = timestamp();
    return { status: 204 };
  }

  /** The Packages API and `GET /users/{username}`; undefined for any other path. */
  function packagesApi(ctx: Ctx): Reply | undefined {
    const path = ctx.url.pathname.replace(/\/$/, '');
    const userMatch = /^\/users\/([^/]+)$/.exec(path);
    if (userMatch && ctx.method === 'GET') {
      const a = accounts.get(decodeURIComponent(userMatch[1]).toLowerCase());
      if (!a) throw new HttpError(404, 'Not Found');
      return { status: 200, json: accountObject(a) };
    }
    const m = /^\/(?:(orgs|users)\/([^/]+)|user)\/packages\/container\/([^/]+)\/versions(?:\/(\d+))?$/.exec(path);
    if (!m) return undefined;
    // `/user/packages`: the token's own packages, which an app installation (the Actions token) does not have.
    if (!m[1] && ctx.login.endsWith('[bot]')) throw new HttpError(403, 'Resource not accessible by integration');
    const p = m[1] ? findPackage(m[1], decodeURIComponent(m[2]), m[3]) : findPackage('users', ctx.login, m[3]);
    if (!m[4] && ctx.method === 'GET') {
      const state = ctx.url.searchParams.get('state') ?? 'active';
      if (state !== 'active' && state !== 'deleted') throw validation([{ resource: 'PackageVersion', code: 'invalid', field: 'state' }]);
      const list = p.versions.filter((v) => (state === 'active') === !v.deleted_at).sort((a, b) => b.id - a.id);
      return page(ctx, list, (v) => packageVersionObject(p, v));
    }
    const v = p.versions.find((x) => x.id === Number(m[4]) && !x.deleted_at);
    if (!m[4] || !v || (ctx.method !== 'GET' && ctx.method !== 'DELETE')) throw new HttpError(404, 'Not Found');
    return ctx.method === 'GET' ? { status: 200, json: packageVersionObject(p, v) } : deletePackageVersion(p, v);
  }
  // ---- end of Packages API (GHCR)

  function dispatch(ctx: Ctx, rawBody: string): Reply {
    const packageReply = packagesApi(ctx);
    if (packageReply) return packageReply;
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(ctx.url.pathname);
    if (!m) throw new HttpError(404, 'Not Found');
    if (decodeURIComponent(m[1]).toLowerCase() !== owner.toLowerCase() || decodeURIComponent(m[2]).toLowerCase() !== repo.toLowerCase()) {
      throw new HttpError(404, 'Not Found');
    }
    const rest = m[3].replace(/\/$/, '');
    for (const r of routes) {
      const hit = r.re.exec(rest);
      if (!hit || r.method !== ctx.method) continue;
      if (rawBody.trim() !== '') {
        try {
          ctx.body = JSON.parse(rawBody);
        } catch {
          throw new HttpError(400, 'Problems parsing JSON');
        }
      }
      return r.handle(ctx, hit);
    }
    throw new HttpError(404, 'Not Found');
  }

  function authorize(req: IncomingMessage): string {
    if (!req.headers['user-agent']) {
      throw new HttpError(403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.');
    }
    const header = req.headers.authorization;
    if (!header) throw new HttpError(401, 'Requires authentication');
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
    const login = m ? logins.get(m[1]) : undefined;
    if (!login) throw new HttpError(401, 'Bad credentials');
    return login;
  }

  /** `GET /user` and `POST /graphql`: who the token is, as GitHub answers each (see the header comment). */
  function identity(ctx: Ctx, rawBody: string): Reply | undefined {
    const path = ctx.url.pathname.replace(/\/$/, '');
    if (path === '/user' && ctx.method === 'GET') {
      if (ctx.login.endsWith('[bot]')) throw new HttpError(403, 'Resource not accessible by integration');
      return { status: 200, json: user(ctx.login, userId(ctx.login)) };
    }
    if (path !== '/graphql') return undefined;
    if (ctx.method !== 'POST') throw new HttpError(404, 'Not Found');
    let query = '';
    try {
      query = String((JSON.parse(rawBody) as { query?: unknown }).query ?? '');
    } catch {
      throw new HttpError(400, 'Problems parsing JSON');
    }
    if (/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query)) return { status: 200, json: { data: { viewer: { login: ctx.login } } } };
    return { status: 200, json: { errors: [{ message: 'faas-preview emulator: only `{ viewer { login } }` is served', type: 'NOT_SUPPORTED' }] } };
  }

  function send(req: IncomingMessage, res: ServerResponse, url: URL, reply: Reply): void {
    calls.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search.replace(/^\?/, ''), status: reply.status });
    remaining = Math.max(0, remaining - 1);
    const headers: Record<string, string> = {
      'X-GitHub-Media-Type': 'github.v3; format=json',
      'X-GitHub-Api-Version-Selected': '2022-11-28',
      'X-RateLimit-Limit': '5000',
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Used': String(5000 - remaining),
      'X-RateLimit-Reset': String(Math.floor(now() / 1000) + 3600),
      'X-RateLimit-Resource': 'core',
      ...reply.headers,
    };
    if (reply.status === 204 || reply.json === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    const text = JSON.stringify(reply.json);
    res.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) }).end(text);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      let reply: Reply;
      try {
        const ctx: Ctx = { method: req.method ?? 'GET', url, body: undefined, login: authorize(req) };
        const raw = Buffer.concat(chunks).toString('utf8');
        reply = identity(ctx, raw) ?? dispatch(ctx, raw);
      } catch (err) {
        if (err instanceof HttpError) {
          reply = { status: err.status, json: { message: err.message, ...err.extra, documentation_url: DOCS, status: String(err.status) } };
        } else {
          reply = { status: 500, json: { message: `Emulator error: ${(err as Error).message}`, status: '500' } };
        }
      }
      send(req, res, url, reply);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    token,
    calls,
    addToken(t: string, login: string): void {
      logins.set(t, login);
    },
    setPull(pr: PullState): void {
      if (!Number.isInteger(pr.number) || pr.number < 1) throw new Error(`setPull: invalid PR number ${pr.number}`);
      if (!/^[0-9a-f]{40}$/.test(pr.headSha)) throw new Error(`setPull: headSha must be 40 lowercase hex characters, got ${pr.headSha}`);
      const at = timestamp();
      const prev = pulls.get(pr.number);
      const closedAt = pr.state === 'closed' ? (prev?.state === 'closed' ? prev.closedAt : at) : null;
      pulls.set(pr.number, { ...structuredClone(pr), createdAt: prev?.createdAt ?? at, updatedAt: at, closedAt });
      issues.add(pr.number);
      knownShas.add(pr.headSha);
    },
    comments(issue: number): Comment[] {
      return structuredClone(commentsOf(issue));
    },
    seedComments(issue: number, bodies: string[], login = 'octocat'): void {
      issues.add(issue);
      for (const text of bodies) {
        const at = timestamp();
        const c: Comment = { id: nextCommentId++, body: text, user: { login }, created_at: at, updated_at: at, issueNumber: issue };
        comments.set(c.id, c);
      }
    },
    deployments(): Deployment[] {
      return deployments.map((d) =>
        structuredClone({
          id: d.id,
          ref: d.ref,
          sha: d.sha,
          environment: d.environment,
          transient_environment: d.transient_environment,
          production_environment: d.production_environment,
          description: d.description,
          payload: d.payload,
          created_at: d.created_at,
          statuses: d.statuses.map(({ id, state, environment_url, log_url, description, created_at }) => ({ id, state, environment_url, log_url, description, created_at })),
        }),
      );
    },
    addPackage(seed: PackageSeed): number[] {
      accounts.set(seed.owner.toLowerCase(), { login: seed.owner, type: seed.ownerType ?? 'Organization' });
      const p: StoredPackage = { owner: seed.owner, name: seed.name, actionsAdmin: seed.actionsAdmin ?? true, versions: [] };
      for (const tags of seed.versions) {
        const id = nextPackageVersionId++;
        const name = 'sha256:' + createHash('sha256').update(`${seed.owner}/${seed.name}#${id}`).digest('hex');
        p.versions.push({ id, name, tags: [...tags], created_at: timestamp(), deleted_at: null });
      }
      packages.set(packageKey(seed.owner, seed.name), p);
      return p.versions.map((v) => v.id);
    },
    packageVersions(o: string, name: string) {
      const p = packages.get(packageKey(o, name));
      return (p?.versions ?? []).filter((v) => !v.deleted_at).sort((a, b) => b.id - a.id).map((v) => ({ id: v.id, name: v.name, tags: [...v.tags] }));
    },
    setPackagesPermission(permission: PackagesPermission): void {
      packagesPermission = permission;
    },
    close(): Promise<void> {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** A container package on GHCR: its owner (declared as an account of that type) and versions, oldest first, by tags. */
export interface PackageSeed {
  owner: string;
  ownerType?: 'User' | 'Organization'; // default Organization
  name: string;
  versions: string[][];
  actionsAdmin?: boolean; // the repository's Admin role on the package (default true: its workflow published it)
}
