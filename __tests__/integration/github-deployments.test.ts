/**
 * A run's GitHub deployment (src/github/deployments.ts) against the emulated GitHub over real sockets: a success
 * retires the older deployments and, when a newer one already succeeded, itself, from one listing of the
 * environment taken after the success was written (also when a third run retired the newer deployment after that
 * listing); a teardown retires the live one; the walk reads its first two statuses at once, and none past the
 * deployment where it stops.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { createOctokit, type Octokit } from '../../src/github/client.js';
import { finishDeployment, markInactive, startDeployment, type DeploymentMark } from '../../src/github/deployments.js';
import { startFaultProxy, type FaultProxy } from '../../test/support/faults.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { gate, waitFor } from '../../test/support/tools.js';

const repo = { owner: 'Codertocat', repo: 'Hello-World' };
let github: GitHubEmulator;
let octokit: Octokit;
let environment: string;
let n = 0;
const apiUrl = process.env.GITHUB_API_URL;
const SHA = 'a'.repeat(40);
beforeAll(async () => {
  github = await startGitHub();
  process.env.GITHUB_API_URL = github.url; // createOctokit reads it, as on a runner
  octokit = createOctokit(github.token, { timeoutMs: 10_000, log: () => undefined });
  github.setPull({ number: 1, state: 'open', headSha: SHA });
});
afterAll(async () => {
  if (apiUrl === undefined) delete process.env.GITHUB_API_URL;
  else process.env.GITHUB_API_URL = apiUrl;
  await github.close();
});
beforeEach(() => {
  environment = `preview/hello-world-pr-${++n}`;
  github.calls.length = 0;
});

const mark = (description: string): DeploymentMark => ({
  environment,
  sha: SHA,
  url: 'https://hello-world-pr-1.preview.example.test/',
  logUrl: 'https://github.com/Codertocat/Hello-World/actions/runs/1',
  description,
});
/** The listings of the environment's deployments since the last reset. */
const listings = () =>
  github.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/deployments') && c.query.includes('environment='))
    .length;
const latest = async (id: number) =>
  (await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: id, per_page: 1 })).data[0];
const started = async (n: number) => {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(await startDeployment(octokit, repo, mark(`run ${i}`)));
  return ids;
};

test('a success retires the older deployments and stays active itself, from one listing of the environment', async () => {
  const [a, b, c] = await started(3);
  await finishDeployment(octokit, repo, a, mark('a'), 'success');
  github.calls.length = 0;
  await finishDeployment(octokit, repo, c, mark('c'), 'success');
  expect(listings()).toBe(1);
  expect(await latest(c)).toMatchObject({ state: 'success' });
  for (const older of [a, b])
    expect(await latest(older)).toMatchObject({ state: 'inactive', description: 'Replaced by a newer deployment' });
});

test('a success written after a newer one succeeded retires itself, from the same one listing', async () => {
  const [a, b] = await started(2);
  await finishDeployment(octokit, repo, b, mark('b'), 'success');
  github.calls.length = 0;
  await finishDeployment(octokit, repo, a, mark('a'), 'success');
  expect(listings()).toBe(1);
  expect(await latest(a)).toMatchObject({ state: 'inactive', description: 'Replaced by a newer deployment' });
  expect(await latest(b)).toMatchObject({ state: 'success' });
});

test('a teardown retires the live deployment, and stops at the first one a success already retired', async () => {
  const [a, b, c] = await started(3);
  await finishDeployment(octokit, repo, b, mark('b'), 'success');
  expect(await markInactive(octokit, repo, environment, mark('').logUrl)).toBe(2);
  for (const id of [b, c])
    expect(await latest(id)).toMatchObject({ state: 'inactive', description: 'Preview torn down' });
  expect(await latest(a)).toMatchObject({ state: 'inactive', description: 'Replaced by a newer deployment' });
});

/** An Octokit whose requests go through a fault proxy in front of the emulator, for the test's `use`. */
async function throughProxy(use: (proxied: Octokit, proxy: FaultProxy) => Promise<void>): Promise<void> {
  const proxy = await startFaultProxy(github.url);
  try {
    process.env.GITHUB_API_URL = proxy.url;
    await use(createOctokit(github.token, { timeoutMs: 10_000, log: () => undefined }), proxy);
  } finally {
    process.env.GITHUB_API_URL = github.url;
    await proxy.close();
  }
}
const statusesOf = (id: number) => new RegExp(`/deployments/${id}/statuses\\?`);
/** Status reads the emulator answered since the last reset: the deployment ids, in order. */
const statusReads = () =>
  github.calls
    .filter((x) => x.method === 'GET' && /\/deployments\/\d+\/statuses$/.test(x.path))
    .map((x) => Number(x.path.split('/').at(-2)));

test("the walk asks for the next deployment's status while the first one's answer is on its way", async () => {
  const [a, b, c] = await started(3);
  await finishDeployment(octokit, repo, a, mark('a'), 'success');
  await finishDeployment(octokit, repo, b, mark('b'), 'success'); // b live, a retired by it
  await throughProxy(async (proxied, proxy) => {
    const held = gate();
    proxy.add({ method: 'GET', path: statusesOf(b), times: 1, fault: { until: held.promise } });
    const finished = finishDeployment(proxied, repo, c, mark('c'), 'success');
    try {
      // b's answer is held: a's read arrives all the same
      const reads = () => proxy.requests.filter((r) => r.method === 'GET' && /\/statuses$/.test(r.path));
      await waitFor(async () => reads().some((r) => r.path.endsWith(`/deployments/${a}/statuses`)), "a's status read");
    } finally {
      held.open();
      await finished;
    }
  });
  expect(await latest(b)).toMatchObject({ state: 'inactive', description: 'Replaced by a newer deployment' });
  expect(await latest(c)).toMatchObject({ state: 'success' });
});

test('the walk reads no status past the deployment where it stops', async () => {
  const [a, b, c, d] = await started(4);
  for (const [id, name] of [
    [a, 'a'],
    [b, 'b'],
    [c, 'c'],
  ] as const)
    await finishDeployment(octokit, repo, id, mark(name), 'success');
  github.calls.length = 0;
  await finishDeployment(octokit, repo, d, mark('d'), 'success');
  // taken as the walk ends: it waits for every read it started, so each one has been answered by now
  const looked = statusReads();
  // c was live and is retired; b was retired by c's walk, so the walk stops there, and a is not looked at
  expect([...looked].sort()).toEqual([b, c].sort());
  expect(await latest(c)).toMatchObject({ state: 'inactive', description: 'Replaced by a newer deployment' });
  expect(await latest(d)).toMatchObject({ state: 'success' });
});

test('three runs: a success whose newer deployment a third run retired after the listing retires itself', async () => {
  const [o, a, x, y] = await started(4);
  await finishDeployment(octokit, repo, y, mark('y'), 'success'); // x, a and o retired by y's walk, still running
  expect(await latest(x)).toMatchObject({ state: 'inactive', description: 'Replaced by a newer deployment' });
  await throughProxy(async (proxied, proxy) => {
    const held = gate();
    proxy.add({ method: 'GET', path: statusesOf(o), times: 1, fault: { until: held.promise } });
    // a succeeds late and lists [y, x, a, o]; its walk is held at o
    const finished = finishDeployment(proxied, repo, a, mark('a'), 'success');
    try {
      await waitFor(async () => proxy.requests.some((r) => r.path.endsWith(`/deployments/${o}/statuses`)), "a's walk");
      // meanwhile a newer run succeeds: its walk retires y and stops at x, which y retired; it never reaches a
      const [d] = await started(1);
      await finishDeployment(octokit, repo, d, mark('d'), 'success');
      expect(await latest(d)).toMatchObject({ state: 'success' });
    } finally {
      held.open();
      await finished;
    }
  });
  // a's listing shows y and x, neither a success any more: their being retired as replaced proves a newer success
  expect(await latest(a)).toMatchObject({ state: 'inactive', description: 'Replaced by a newer deployment' });
  const active = github
    .deployments()
    .filter((x) => x.environment === environment && x.statuses.at(-1)?.state === 'success');
  expect(active).toHaveLength(1);
});
