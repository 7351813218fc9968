/**
 * Pull requests: the ones a test gives to `setPull`, each a topic branch of this repository or of a fork, served
 * by `GET /pulls` and `GET /pulls/{number}` in the shape of GitHub's pull request objects.
 */
import { commentsOf } from './comments.js';
import {
  DEFAULT_BRANCH,
  WEB,
  nodeId,
  sha1,
  user,
  userId,
  type PullState,
  type Store,
  type StoredPull,
} from './model.js';
import { HttpError, page, route, validation, type Route } from './wire.js';

function repoObject(s: Store, name: string, fork: boolean) {
  const [o, r] = name.split('/');
  return {
    id: name === s.fullName ? s.repoId : parseInt(sha1(name).slice(0, 8), 16),
    node_id: nodeId('R', name === s.fullName ? s.repoId : parseInt(sha1(name).slice(0, 8), 16)),
    name: r,
    full_name: name,
    private: false,
    owner: user(o, userId(o)),
    html_url: `${WEB}/${name}`,
    fork,
    url: `${s.base}/repos/${name}`,
    default_branch: DEFAULT_BRANCH,
  };
}

export function headRepoName(s: Store, p: PullState): string {
  return p.headRepoFullName ?? (p.fork ? `contributor/${s.repo}` : s.fullName);
}

export function headRef(p: PullState): string {
  return p.headRef ?? `feature/pr-${p.number}`;
}

function labelObject(s: Store, name: string) {
  return {
    id: parseInt(sha1(`label:${name}`).slice(0, 8), 16),
    node_id: nodeId('LA', parseInt(sha1(`label:${name}`).slice(0, 8), 16)),
    url: `${s.apiRepo()}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'ededed',
    default: false,
    description: null,
  };
}

/** A pull request's `head` or `base`: a branch of a repository at a commit. */
function branchObject(s: Store, login: string, ref: string, sha: string, repoName: string, fork: boolean) {
  return { label: `${login}:${ref}`, ref, sha, user: user(login, userId(login)), repo: repoObject(s, repoName, fork) };
}

/** `single`: the fields GitHub adds when it answers for one pull request rather than a list. */
function pullObject(s: Store, p: StoredPull, single: boolean) {
  const headName = headRepoName(s, p);
  const headOwner = headName.split('/')[0];
  const merged = p.state === 'closed' && p.merged === true;
  const obj: Record<string, unknown> = {
    url: `${s.apiRepo()}/pulls/${p.number}`,
    id: 100_000 + p.number,
    node_id: nodeId('PR', p.number),
    html_url: `${WEB}/${s.fullName}/pull/${p.number}`,
    diff_url: `${WEB}/${s.fullName}/pull/${p.number}.diff`,
    patch_url: `${WEB}/${s.fullName}/pull/${p.number}.patch`,
    issue_url: `${s.apiRepo()}/issues/${p.number}`,
    comments_url: `${s.apiRepo()}/issues/${p.number}/comments`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title ?? `Pull request #${p.number}`,
    user: user(headOwner, userId(headOwner)),
    body: null,
    labels: (p.labels ?? []).map((name) => labelObject(s, name)),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.closedAt,
    merged_at: merged ? p.closedAt : null,
    merge_commit_sha: merged ? sha1(`merge:${p.number}:${p.headSha}`) : null,
    draft: false,
    head: branchObject(s, headOwner, headRef(p), p.headSha, headName, p.fork === true),
    base: branchObject(s, s.owner, DEFAULT_BRANCH, s.mainSha, s.fullName, false),
    author_association: p.fork ? 'CONTRIBUTOR' : 'MEMBER',
  };
  if (single) {
    Object.assign(obj, {
      merged,
      mergeable: p.state === 'open' ? true : null,
      comments: commentsOf(s, p.number).length,
      commits: 1,
    });
  }
  return obj;
}

/** A pull request as the test states it now; it keeps its creation time, and a closed one its closing time. */
export function setPull(s: Store, pr: PullState): void {
  if (!Number.isInteger(pr.number) || pr.number < 1) throw new Error(`setPull: invalid PR number ${pr.number}`);
  if (!/^[0-9a-f]{40}$/.test(pr.headSha))
    throw new Error(`setPull: headSha must be 40 lowercase hex characters, got ${pr.headSha}`);
  const at = s.timestamp();
  const prev = s.pulls.get(pr.number);
  const closedAt = pr.state === 'closed' ? (prev?.state === 'closed' ? prev.closedAt : at) : null;
  s.pulls.set(pr.number, { ...structuredClone(pr), createdAt: prev?.createdAt ?? at, updatedAt: at, closedAt });
  s.issues.add(pr.number);
  s.knownShas.add(pr.headSha);
}

export function pullRoutes(s: Store): Route[] {
  return [
    route('GET', '/pulls', (ctx) => {
      const state = ctx.url.searchParams.get('state') ?? 'open';
      if (!['open', 'closed', 'all'].includes(state))
        throw validation([{ resource: 'PullRequest', code: 'invalid', field: 'state' }]);
      const direction = ctx.url.searchParams.get('direction') ?? 'desc';
      if (!['asc', 'desc'].includes(direction))
        throw validation([{ resource: 'PullRequest', code: 'invalid', field: 'direction' }]);
      const list = [...s.pulls.values()]
        .filter((p) => state === 'all' || p.state === state)
        .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number));
      return page(ctx, list, (p) => pullObject(s, p, false));
    }),
    route('GET', '/pulls/(\\d+)', (_ctx, m) => {
      const p = s.pulls.get(Number(m[1]));
      if (!p) throw new HttpError(404, 'Not Found');
      return { status: 200, json: pullObject(s, p, true) };
    }),
  ];
}
