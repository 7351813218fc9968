/** The emulated GitHub REST API, exercised over real HTTP with the same octokit the action uses, and with raw fetch. */
import { request as httpRequest } from 'node:http';
import { getOctokit } from '@actions/github';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const repo = { owner: OWNER, repo: REPO };
const HEAD = 'a'.repeat(40);
const HEAD2 = 'b'.repeat(40);

let gh: GitHubEmulator;
let octokit: ReturnType<typeof getOctokit>;

beforeEach(async () => {
  gh = await startGitHub({ now: () => Date.UTC(2024, 0, 2, 3, 4, 5) });
  gh.setPull({
    number: 7,
    state: 'open',
    headSha: HEAD,
    headRef: 'topic-branch',
    labels: ['preview'],
    title: 'Add feature',
  });
  octokit = getOctokit(gh.token, { baseUrl: gh.url });
});

afterEach(async () => {
  await gh.close();
});

function api(path: string, init: RequestInit = {}, token: string | null = gh.token): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  return fetch(`${gh.url}/repos/${OWNER}/${REPO}${path}`, { ...init, headers });
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    const res = (await p) as { status: number };
    return res.status;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

/** Parses `<url>; rel="x", ...` into { x: url }. */
function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part);
    if (m) out[m[2]] = m[1];
  }
  return out;
}

describe('auth and errors', () => {
  test('a wrong token is refused with 401 Bad credentials', async () => {
    const bad = getOctokit('ghs_wrong', { baseUrl: gh.url });
    await expect(bad.rest.pulls.get({ ...repo, pull_number: 7 })).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('Bad credentials'),
    });
    const res = await api('/pulls/7', {}, 'ghs_wrong');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    expect(gh.calls.map((c) => c.status)).toEqual([401, 401]);
  });

  test('both token schemes are accepted; a missing header is 401', async () => {
    expect((await api('/pulls/7', { headers: { Authorization: `token ${gh.token}` } }, null)).status).toBe(200);
    expect((await api('/pulls/7', {}, gh.token)).status).toBe(200);
    const none = await api('/pulls/7', {}, null);
    expect(none.status).toBe(401);
    expect((await none.json()).message).toBe('Requires authentication');
  });

  test('a request without User-Agent is refused with 403, as api.github.com does', async () => {
    const code = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${gh.url}/repos/${OWNER}/${REPO}/pulls/7`);
      const req = httpRequest(
        { host: u.hostname, port: u.port, path: u.pathname, headers: { Authorization: `token ${gh.token}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(code).toBe(403);
  });

  test('wrong repository, unknown route, wrong method are 404; owner/repo are case-insensitive', async () => {
    await expect(octokit.rest.pulls.get({ owner: OWNER, repo: 'Other', pull_number: 7 })).rejects.toMatchObject({
      status: 404,
    });
    const res = await fetch(`${gh.url}/repos/${OWNER}/${REPO}/nope`, {
      headers: { Authorization: `token ${gh.token}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ message: 'Not Found' });
    expect((await api('/pulls/7', { method: 'DELETE' })).status).toBe(404);
    expect(
      (
        await fetch(`${gh.url}/repos/codertocat/hello-world/pulls/7`, {
          headers: { Authorization: `token ${gh.token}` },
        })
      ).status,
    ).toBe(200);
  });

  test('invalid JSON is 400 Problems parsing JSON', async () => {
    const res = await api('/issues/7/comments', { method: 'POST', body: '{"body": ' });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toBe('Problems parsing JSON');
    expect(gh.comments(7)).toHaveLength(0);
  });

  test('calls records method, path, query and status of every request', async () => {
    await octokit.rest.issues.listComments({ ...repo, issue_number: 7, per_page: 5 });
    await status(octokit.rest.pulls.get({ ...repo, pull_number: 99 }));
    expect(gh.calls).toEqual([
      { method: 'GET', path: `/repos/${OWNER}/${REPO}/issues/7/comments`, query: 'per_page=5', status: 200 },
      { method: 'GET', path: `/repos/${OWNER}/${REPO}/pulls/99`, query: '', status: 404 },
    ]);
  });
});

describe('pagination', () => {
  test('octokit.paginate returns all 250 seeded comments in ascending id order', async () => {
    gh.seedComments(
      7,
      Array.from({ length: 250 }, (_, i) => `other ${i}`),
    );
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: 7, per_page: 100 });
    expect(all).toHaveLength(250);
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `other ${i}`));
    expect(all.every((c, i) => i === 0 || c.id > all[i - 1].id)).toBe(true);
    expect(gh.calls.filter((c) => c.path.endsWith('/issues/7/comments'))).toHaveLength(3);
  });

  test('Link header carries prev/next/last/first as absolute emulator URLs', async () => {
    gh.seedComments(
      7,
      Array.from({ length: 250 }, (_, i) => `c${i}`),
    );
    const path = `/repos/${OWNER}/${REPO}/issues/7/comments`;

    const p1 = await api('/issues/7/comments?per_page=100');
    expect((await p1.json()) as unknown[]).toHaveLength(100);
    expect(links(p1.headers.get('link'))).toEqual({
      next: `${gh.url}${path}?per_page=100&page=2`,
      last: `${gh.url}${path}?per_page=100&page=3`,
    });
    expect(p1.headers.get('link')).toBe(
      `<${gh.url}${path}?per_page=100&page=2>; rel="next", <${gh.url}${path}?per_page=100&page=3>; rel="last"`,
    );

    const p2 = await api('/issues/7/comments?per_page=100&page=2');
    expect(links(p2.headers.get('link'))).toEqual({
      prev: `${gh.url}${path}?per_page=100&page=1`,
      next: `${gh.url}${path}?per_page=100&page=3`,
      last: `${gh.url}${path}?per_page=100&page=3`,
      first: `${gh.url}${path}?per_page=100&page=1`,
    });

    const p3 = await api('/issues/7/comments?per_page=100&page=3');
    const last = (await p3.json()) as { body: string }[];
    expect(last).toHaveLength(50);
    expect(last[49].body).toBe('c249');
    expect(links(p3.headers.get('link'))).toEqual({
      prev: `${gh.url}${path}?per_page=100&page=2`,
      first: `${gh.url}${path}?per_page=100&page=1`,
    });
  });

  test('default per_page is 30, the maximum is 100, and one page means no Link header', async () => {
    gh.seedComments(
      7,
      Array.from({ length: 250 }, (_, i) => `c${i}`),
    );
    const def = await api('/issues/7/comments');
    expect((await def.json()) as unknown[]).toHaveLength(30);
    expect(links(def.headers.get('link')).last).toMatch(/[?&]page=9$/);

    const big = await api('/issues/7/comments?per_page=500');
    expect((await big.json()) as unknown[]).toHaveLength(100);

    gh.seedComments(8, ['only']);
    const one = await api('/issues/8/comments');
    expect((await one.json()) as unknown[]).toHaveLength(1);
    expect(one.headers.get('link')).toBeNull();
  });
});

describe('issue comments', () => {
  test('create, read, update, delete', async () => {
    const created = await octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: 'hello' });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      body: 'hello',
      user: { login: 'github-actions[bot]', type: 'Bot' },
      created_at: '2024-01-02T03:04:05Z',
      updated_at: '2024-01-02T03:04:05Z',
      html_url: `https://github.com/${OWNER}/${REPO}/pull/7#issuecomment-${created.data.id}`,
    });
    expect(typeof created.data.node_id).toBe('string');
    const id = created.data.id;

    expect((await octokit.rest.issues.getComment({ ...repo, comment_id: id })).data.body).toBe('hello');

    const updated = await octokit.rest.issues.updateComment({ ...repo, comment_id: id, body: 'edited' });
    expect(updated.status).toBe(200);
    expect(updated.data.body).toBe('edited');
    expect(gh.comments(7)).toEqual([
      expect.objectContaining({ id, body: 'edited', issueNumber: 7, user: { login: 'github-actions[bot]' } }),
    ]);

    expect((await octokit.rest.issues.deleteComment({ ...repo, comment_id: id })).status).toBe(204);
    expect(gh.comments(7)).toEqual([]);
    expect(await status(octokit.rest.issues.getComment({ ...repo, comment_id: id }))).toBe(404);
    expect(await status(octokit.rest.issues.updateComment({ ...repo, comment_id: id, body: 'x' }))).toBe(404);
    expect(await status(octokit.rest.issues.deleteComment({ ...repo, comment_id: id }))).toBe(404);
  });

  test('unknown issue is 404; missing, empty or oversized body is 422', async () => {
    expect(await status(octokit.rest.issues.createComment({ ...repo, issue_number: 404, body: 'x' }))).toBe(404);
    expect(await status(octokit.rest.issues.listComments({ ...repo, issue_number: 404 }))).toBe(404);

    const missing = await api('/issues/7/comments', { method: 'POST', body: '{}' });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({
      message: 'Validation Failed',
      errors: [{ field: 'body', code: 'missing_field' }],
    });
    expect(await status(octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: '' }))).toBe(422);
    expect(await status(octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: 'x'.repeat(65537) }))).toBe(
      422,
    );
    expect(gh.comments(7)).toHaveLength(0);

    const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: 'ok' });
    expect((await api(`/issues/comments/${data.id}`, { method: 'PATCH', body: '{}' })).status).toBe(422);
    expect(gh.comments(7)[0].body).toBe('ok');
  });
});

describe('deployments', () => {
  const base = {
    ...repo,
    ref: HEAD,
    environment: 'preview/app-pr-7',
    transient_environment: true,
    production_environment: false,
  };

  test('auto_merge omitted → 202 Auto-merged and nothing created', async () => {
    const res = await octokit.rest.repos.createDeployment({
      ...repo,
      ref: 'topic-branch',
      environment: 'preview/app-pr-7',
      required_contexts: [],
    });
    expect(res.status).toBe(202);
    expect(res.data).toEqual({ message: 'Auto-merged main into topic-branch on deployment.' });
    expect(gh.deployments()).toEqual([]);
  });

  test('required_contexts omitted → 409 and nothing created', async () => {
    await expect(
      octokit.rest.repos.createDeployment({ ...repo, ref: 'topic-branch', auto_merge: false }),
    ).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('Conflict: Commit status checks failed for topic-branch.'),
    });
    expect(
      await status(
        octokit.rest.repos.createDeployment({ ...base, auto_merge: false, required_contexts: ['ci/build'] }),
      ),
    ).toBe(409);
    expect(gh.deployments()).toEqual([]);
  });

  test('auto_merge false and required_contexts [] → 201 with defaults filled in', async () => {
    const res = await octokit.rest.repos.createDeployment({
      ...base,
      auto_merge: false,
      required_contexts: [],
      description: 'PR #7',
    });
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({
      ref: HEAD,
      sha: HEAD,
      task: 'deploy',
      environment: 'preview/app-pr-7',
      transient_environment: true,
      production_environment: false,
      description: 'PR #7',
      payload: {},
      created_at: '2024-01-02T03:04:05Z',
    });
    expect(gh.deployments()).toEqual([
      expect.objectContaining({ id: (res.data as { id: number }).id, sha: HEAD, statuses: [] }),
    ]);

    const byBranch = await octokit.rest.repos.createDeployment({
      ...repo,
      ref: 'topic-branch',
      auto_merge: false,
      required_contexts: [],
    });
    expect(byBranch.status).toBe(201);
    expect(byBranch.data).toMatchObject({
      ref: 'topic-branch',
      sha: HEAD,
      environment: 'production',
      production_environment: true,
      transient_environment: false,
    });
  });

  test('missing ref → 422, unknown ref → 422, main needs no flags', async () => {
    const res = await api('/deployments', { method: 'POST', body: JSON.stringify({ environment: 'x' }) });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ message: 'Validation Failed', errors: [{ field: 'ref' }] });
    const unknown = await api('/deployments', {
      method: 'POST',
      body: JSON.stringify({ ref: 'c'.repeat(40), auto_merge: false, required_contexts: [] }),
    });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).message).toBe(`No ref found for: ${'c'.repeat(40)}`);
    expect(await status(octokit.rest.repos.createDeployment({ ...repo, ref: 'main', environment: 'staging' }))).toBe(
      201,
    );
    expect(gh.deployments()).toHaveLength(1);
  });

  test('list filters and orders newest first, paginated', async () => {
    gh.setPull({ number: 8, state: 'open', headSha: HEAD2 });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { data } = await octokit.rest.repos.createDeployment({
        ...base,
        ref: i % 2 ? HEAD2 : HEAD,
        auto_merge: false,
        required_contexts: [],
      });
      ids.push((data as { id: number }).id);
    }
    const all = await octokit.paginate(octokit.rest.repos.listDeployments, { ...repo, per_page: 2 });
    expect(all.map((d) => d.id)).toEqual([...ids].reverse());
    const bySha = await octokit.rest.repos.listDeployments({ ...repo, sha: HEAD2 });
    expect(bySha.data.map((d) => d.id)).toEqual([ids[3], ids[1]]);
    expect((await octokit.rest.repos.listDeployments({ ...repo, environment: 'other' })).data).toEqual([]);
    expect((await octokit.rest.repos.getDeployment({ ...repo, deployment_id: ids[0] })).data.id).toBe(ids[0]);
    expect(await status(octokit.rest.repos.getDeployment({ ...repo, deployment_id: 1 }))).toBe(404);
  });

  async function deploy(environment: string, extra: Record<string, unknown> = {}): Promise<number> {
    const { data } = await octokit.rest.repos.createDeployment({
      ...repo,
      ref: HEAD,
      environment,
      auto_merge: false,
      required_contexts: [],
      ...extra,
    });
    return (data as { id: number }).id;
  }
  const states = () => new Map(gh.deployments().map((d) => [d.id, d.statuses.map((s) => s.state)]));

  test('statuses: success with auto_inactive marks prior non-transient non-production deployments inactive', async () => {
    const older = await deploy('staging', { production_environment: false });
    const transient = await deploy('staging', { production_environment: false, transient_environment: true });
    const prod = await deploy('staging', { production_environment: true });
    const elsewhere = await deploy('qa');
    for (const id of [older, transient, prod, elsewhere])
      await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: id, state: 'success' });
    const newer = await deploy('staging', { production_environment: false });

    const created = await octokit.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: newer,
      state: 'success',
      environment_url: 'https://app-pr-7.preview.example.com',
      log_url: 'https://github.com/run/1',
      description: 'Deployed',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      state: 'success',
      environment_url: 'https://app-pr-7.preview.example.com',
      log_url: 'https://github.com/run/1',
      target_url: 'https://github.com/run/1',
    });

    const s = states();
    expect(s.get(older)).toEqual(['success', 'inactive']);
    expect(s.get(transient)).toEqual(['success']);
    expect(s.get(prod)).toEqual(['success']);
    expect(s.get(elsewhere)).toEqual(['success']);
    expect(s.get(newer)).toEqual(['success']);

    const listed = await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: older, per_page: 1 });
    expect(listed.data[0].state).toBe('inactive');
    expect(links(listed.headers.link ?? null).next).toBeDefined();
  });

  test('statuses: auto_inactive false leaves the others alone', async () => {
    const older = await deploy('staging');
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: older, state: 'success' });
    const newer = await deploy('staging');
    await octokit.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: newer,
      state: 'success',
      auto_inactive: false,
    });
    expect(states().get(older)).toEqual(['success']);
  });

  test('statuses: invalid or missing state → 422, too long description → 422, unknown deployment → 404', async () => {
    const id = await deploy('staging');
    const bad = await api(`/deployments/${id}/statuses`, { method: 'POST', body: JSON.stringify({ state: 'done' }) });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ message: 'Validation Failed', errors: [{ field: 'state' }] });
    expect((await api(`/deployments/${id}/statuses`, { method: 'POST', body: '{}' })).status).toBe(422);
    expect(
      await status(
        octokit.rest.repos.createDeploymentStatus({
          ...repo,
          deployment_id: id,
          state: 'success',
          description: 'x'.repeat(141),
        }),
      ),
    ).toBe(422);
    expect(
      await status(
        octokit.rest.repos.createDeploymentStatus({
          ...repo,
          deployment_id: id,
          state: 'success',
          environment_url: 'ftp://x',
        }),
      ),
    ).toBe(422);
    expect(
      await status(octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: 12345, state: 'success' })),
    ).toBe(404);
    expect(states().get(id)).toEqual([]);
  });

  test('delete: active with siblings → 422; inactive → 204; the only one in its environment → 204', async () => {
    const a = await deploy('preview/app-pr-7', { transient_environment: true });
    const b = await deploy('preview/app-pr-7', { transient_environment: true });
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: a, state: 'success' });

    const refused = await api(`/deployments/${a}`, { method: 'DELETE' });
    expect(refused.status).toBe(422);
    expect((await refused.json()).message).toBe(
      'We cannot delete an active deployment unless it is the only deployment in a given environment.',
    );
    expect(gh.deployments()).toHaveLength(2);

    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: a, state: 'inactive' });
    expect((await octokit.rest.repos.deleteDeployment({ ...repo, deployment_id: a })).status).toBe(204);
    expect((await octokit.rest.repos.deleteDeployment({ ...repo, deployment_id: b })).status).toBe(204);
    expect(gh.deployments()).toEqual([]);
    expect(await status(octokit.rest.repos.deleteDeployment({ ...repo, deployment_id: b }))).toBe(404);
  });
});

describe('pull requests', () => {
  test('get returns a realistic pull request; unknown is 404', async () => {
    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: 7 });
    expect(data).toMatchObject({
      number: 7,
      state: 'open',
      merged: false,
      title: 'Add feature',
      html_url: `https://github.com/${OWNER}/${REPO}/pull/7`,
      labels: [{ name: 'preview' }],
      head: { sha: HEAD, ref: 'topic-branch', repo: { full_name: `${OWNER}/${REPO}`, fork: false } },
      base: { ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } },
    });
    expect(data.base.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof data.user?.login).toBe('string');
    expect(await status(octokit.rest.pulls.get({ ...repo, pull_number: 99 }))).toBe(404);

    gh.setPull({
      number: 9,
      state: 'closed',
      merged: true,
      headSha: HEAD2,
      fork: true,
      headRepoFullName: 'someone/Hello-World',
    });
    const merged = (await octokit.rest.pulls.get({ ...repo, pull_number: 9 })).data;
    expect(merged).toMatchObject({
      state: 'closed',
      merged: true,
      head: { repo: { full_name: 'someone/Hello-World', fork: true } },
    });
    expect(merged.merged_at).not.toBeNull();
  });

  test('list filters by state and paginates', async () => {
    for (let n = 10; n < 45; n++) gh.setPull({ number: n, state: n % 5 === 0 ? 'closed' : 'open', headSha: HEAD });
    const open = await octokit.paginate(octokit.rest.pulls.list, { ...repo, state: 'open', per_page: 10 });
    expect(open.map((p) => p.number).sort((a, b) => a - b)).toEqual([
      7,
      ...Array.from({ length: 35 }, (_, i) => i + 10).filter((n) => n % 5 !== 0),
    ]);
    const closed = await octokit.paginate(octokit.rest.pulls.list, { ...repo, state: 'closed' });
    expect(closed.map((p) => p.number)).toEqual([40, 35, 30, 25, 20, 15, 10]);
    expect(await octokit.paginate(octokit.rest.pulls.list, { ...repo, state: 'all', per_page: 100 })).toHaveLength(36);
    const first = await octokit.rest.pulls.list({ ...repo });
    expect(first.data).toHaveLength(29);
    expect(first.headers.link).toBeUndefined();
    expect((await api('/pulls?state=merged')).status).toBe(422);
  });
});

describe("the Actions token's permissions (a workflow's `permissions:`)", () => {
  test('unset, the token may do everything; set, a key left out is none and a read is not a write', async () => {
    const limited = await startGitHub({ permissions: { 'pull-requests': 'read', contents: 'read' } });
    try {
      limited.setPull({ number: 7, state: 'open', headSha: HEAD });
      const o = getOctokit(limited.token, { baseUrl: limited.url });
      expect((await o.rest.pulls.get({ ...repo, pull_number: 7 })).status).toBe(200);
      expect((await o.rest.issues.listComments({ ...repo, issue_number: 7 })).status).toBe(200);
      const refused = await o.rest.issues.createComment({ ...repo, issue_number: 7, body: 'x' }).catch((e) => e);
      expect([refused.status, refused.response.data.message]).toEqual([403, 'Resource not accessible by integration']);
      expect(await status(o.rest.repos.listDeployments(repo))).toBe(403);
    } finally {
      await limited.close();
    }
    // The default emulator (no permissions given) is unchanged.
    expect((await octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: 'x' })).status).toBe(201);
  });

  test('issue comments are granted by either issues or pull-requests write, deployments by deployments', async () => {
    const gh2 = await startGitHub({ permissions: { issues: 'write', deployments: 'write' } });
    try {
      gh2.setPull({ number: 7, state: 'open', headSha: HEAD });
      const o = getOctokit(gh2.token, { baseUrl: gh2.url });
      expect((await o.rest.issues.createComment({ ...repo, issue_number: 7, body: 'x' })).status).toBe(201);
      expect(await status(o.rest.pulls.get({ ...repo, pull_number: 7 }))).toBe(403);
      expect((await o.rest.repos.listDeployments(repo)).status).toBe(200);
    } finally {
      await gh2.close();
    }
  });
});
