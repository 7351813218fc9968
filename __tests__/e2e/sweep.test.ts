/**
 * The idle sweeper as the runner runs it: `node dist/index.js` on a `schedule` (or `workflow_dispatch`) event, against
 * the emulated gateway (Community Edition and Pro), s3rver for its state and the assets, and the emulated GitHub API.
 * The action reads the real clock, so "idle" is arranged by seeding deploy times and state objects in the past.
 * Build the bundle first: `npm run bundle`.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getOctokit } from '@actions/github';
import { MANIFEST_KEY } from '../../src/assets/manifest.js';
import { readJson, writeJson } from '../../src/state/store.js';
import { markDeployment } from '../../src/github/deployments.js';
import { ANNOTATIONS, commentMarker, previewLabels } from '../../src/naming.js';
import { OWNER, REPO, dispatchPayload, runAction, type ActionRun } from '../../test/support/action.js';
import { startGateway, type Edition, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { startPrometheus, type PrometheusEmulator } from '../../test/support/prometheus.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const PASSWORD = 'gw-sweep-Pw9';
const STATE_KEY = '.faas-preview/sweeper.json';
const SCHEDULE = { schedule: '*/15 * * * *' };

const name = (pr: number) => `hello-world-pr-${pr}`;
const sha = (pr: number) => String(pr % 10).repeat(7) + 'f'.repeat(33);
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

interface World {
  gateway: GatewayEmulator;
  github: GitHubEmulator;
  s3: S3Emulator;
  prometheus?: PrometheusEmulator;
}

const open: World[] = [];
afterEach(async () => {
  await Promise.all(
    open.splice(0).map((w) => Promise.all([w.gateway.close(), w.github.close(), w.s3.close(), w.prometheus?.close()])),
  );
});

async function world(edition: Edition): Promise<World> {
  const [gateway, github, s3] = await Promise.all([
    startGateway({ edition, password: PASSWORD }),
    startGitHub({}),
    startS3(),
  ]);
  const w = { gateway, github, s3 };
  open.push(w);
  return w;
}

/** A preview as deploy leaves it: managed labels, deploy time and URL annotations; an open PR unless told otherwise. */
function preview(
  w: World,
  pr: number,
  o: { deployedAgo?: number; invocations?: number; replicas?: number; prState?: 'open' | 'closed' } = {},
) {
  const labels = previewLabels(OWNER, REPO, pr, sha(pr));
  if (w.gateway.edition === 'faas-netes' || w.gateway.edition === 'faasd') labels['com.openfaas.scale.zero'] = 'true';
  w.gateway.seed({
    name: name(pr),
    image: `registry.example.com/acme/hello-world:pr-${pr}-${sha(pr).slice(0, 7)}`,
    labels,
    annotations: {
      [ANNOTATIONS.deployedAt]: ago(o.deployedAgo ?? 3 * HOUR),
      [ANNOTATIONS.url]: `https://${name(pr)}.preview.example.com`,
    },
    invocationCount: o.invocations ?? 0,
    replicas: o.replicas ?? 1,
  });
  w.github.setPull({ number: pr, state: o.prState ?? 'open', headSha: sha(pr) });
}

/** What a deploy leaves under the prefix: its files and the sync's content manifest. */
const ASSETS = [MANIFEST_KEY, 'app.0123abcd.js', 'index.html'];
const assetKeys = (pr: number) => ASSETS.map((f) => `${name(pr)}/${f}`);

async function putAssets(w: World, pr: number) {
  for (const key of assetKeys(pr))
    await w.s3.client.send(new PutObjectCommand({ Bucket: w.s3.bucket, Key: key, Body: `${pr}:${key}` }));
}

async function seedState(w: World, functions: Record<string, { count: number; changedAt: string }>) {
  await writeJson(w.s3.state(), STATE_KEY, { version: 1, updatedAt: ago(HOUR), functions });
}

const readState = (w: World) =>
  readJson<{ version: number; functions: Record<string, { count: number; changedAt: string }> }>(
    w.s3.state(),
    STATE_KEY,
  );

function inputs(w: World, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'gateway-url': w.gateway.url,
    'gateway-password': PASSWORD,
    'preview-domain': 'preview.example.com',
    builder: 'none',
    image: 'registry.example.com/acme/hello-world:latest',
    bucket: w.s3.bucket,
    's3-endpoint': w.s3.endpoint,
    'aws-access-key-id': 'S3RVER',
    'aws-secret-access-key': 'S3RVER',
    'github-token': w.github.token,
    'idle-after': '30m',
    ...extra,
  };
}

async function sweep(
  w: World,
  extra: Record<string, string> = {},
  event: 'schedule' | 'workflow_dispatch' = 'schedule',
): Promise<ActionRun> {
  const run = await runAction({
    event,
    payload: event === 'schedule' ? SCHEDULE : dispatchPayload(),
    inputs: inputs(w, extra),
    apiUrl: w.github.url,
  });
  assertNoLeaks(
    run,
    { values: [PASSWORD, w.github.token], basicAuth: [{ username: 'admin', password: PASSWORD }] },
    w.github,
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  return run;
}

function expectOk(run: ActionRun) {
  if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  expect(run.outputs.result).toBe('swept');
}

const lists = (gw: GatewayEmulator) => gw.calls.filter((c) => c.method === 'GET' && c.path === '/system/functions');
const writes = (gw: GatewayEmulator) =>
  gw.calls.filter((c) => c.method !== 'GET' && c.method !== 'HEAD' && c.path.startsWith('/system/'));
const ours = (w: World, pr: number) => w.github.comments(pr).filter((c) => c.body.startsWith(commentMarker(name(pr))));
const statePuts = (w: World) => w.s3.requests().filter((r) => r.method === 'PUT' && r.url.includes('sweeper.json'));

describe('sweep on Community Edition', () => {
  test.each<Edition>(['faas-netes-ce', 'faasd-ce'])(
    '%s: idle preview sleeps: function deleted, assets kept, PR comment says it sleeps; active and new ones kept; state written',
    async (edition) => {
      const w = await world(edition);
      preview(w, 2, { invocations: 10 });
      preview(w, 3, { invocations: 12 });
      preview(w, 4, { invocations: 1 });
      await putAssets(w, 2);
      await seedState(w, {
        [name(2)]: { count: 10, changedAt: ago(2 * HOUR) },
        [name(3)]: { count: 10, changedAt: ago(2 * HOUR) },
      });

      const run = await sweep(w, {}, 'workflow_dispatch');
      expectOk(run);

      expect(w.gateway.get(name(2))).toBeUndefined();
      expect(w.gateway.get(name(3))).toBeDefined();
      expect(w.gateway.get(name(4))).toBeDefined();
      expect(await w.s3.listKeys(`${name(2)}/`)).toEqual(assetKeys(2));
      const [comment] = ours(w, 2);
      expect(comment.body).toContain('is asleep: nobody called it for 2h');
      expect(comment.body).toContain(`https://${name(2)}.preview.example.com`);
      expect(comment.body).toMatch(/push a commit or re-run the preview workflow/);
      expect(ours(w, 3)).toHaveLength(0);
      // The spec the waker re-creates it from: exactly what the gateway had.
      const saved = await readJson<{ specs: { service: string; image: string; labels: Record<string, string> }[] }>(
        w.s3.state(),
        `.faas-preview/sleeping/${name(2)}.json`,
      );
      expect(saved?.specs).toEqual([
        expect.objectContaining({
          service: name(2),
          image: `registry.example.com/acme/hello-world:pr-2-${sha(2).slice(0, 7)}`,
          labels: expect.objectContaining({ 'faas-preview/pr': '2' }),
        }),
      ]);

      const state = (await readState(w))!;
      expect(Object.keys(state.functions).sort()).toEqual([name(3), name(4)]);
      expect(state.functions[name(3)].count).toBe(12);
      expect(Date.now() - Date.parse(state.functions[name(4)].changedAt)).toBeLessThan(MIN);

      expect(lists(w.gateway)).toHaveLength(1);
      expect(writes(w.gateway)).toEqual([
        expect.objectContaining({ method: 'DELETE', path: '/system/functions', body: { functionName: name(2) } }),
      ]);
      expect(run.stdout).toMatch(new RegExp(`${name(2)} \\(PR #2\\): sleep: idle for 2h`));
      expect(run.summary).toContain('<code>hello-world-pr-2</code>');
      expect(run.summary).toMatch(/Last activity/);
      expect(run.summary).toContain('2 of 15 (max-previews)');
      // What CE's cap counts: every function left on the gateway, whoever deployed it.
      expect(run.summary).toContain(
        '2 of 15 (Community Edition counts every function; 2 are previews of this repository)',
      );

      // Nothing changed since: the state object is not rewritten.
      w.s3.clearRequests();
      expectOk(await sweep(w));
      expect(statePuts(w)).toHaveLength(0);
      expect(w.gateway.functions()).toHaveLength(2);
    },
  );

  test('with the waker on the edge, the sleeping comment says the preview wakes on the next visit', async () => {
    const w = await world('faasd-ce');
    preview(w, 2, { invocations: 1 });
    await seedState(w, { [name(2)]: { count: 1, changedAt: ago(2 * HOUR) } });
    expectOk(await sweep(w, { waker: 'true' }));
    const [comment] = ours(w, 2);
    expect(comment.body).toMatch(
      /It wakes on the next visit to https:\/\/hello-world-pr-2\.preview\.example\.com: the first call to its API re-creates the function/,
    );
    expect(comment.body).not.toMatch(/push a commit/);
  });

  test('a counter reset (gateway restart) is activity, not idleness', async () => {
    const w = await world('faasd-ce');
    preview(w, 2, { invocations: 50 });
    await seedState(w, { [name(2)]: { count: 50, changedAt: ago(5 * HOUR) } });
    w.gateway.restart();

    const run = await sweep(w);
    expectOk(run);
    expect(w.gateway.get(name(2))).toBeDefined();
    expect(writes(w.gateway)).toHaveLength(0);
    expect(run.stdout).toMatch(/counter reset 50 → 0/);
    const state = (await readState(w))!;
    expect(state.functions[name(2)].count).toBe(0);
    expect(Date.now() - Date.parse(state.functions[name(2)].changedAt)).toBeLessThan(MIN);
  });

  test('closed PR: full teardown (function, assets, deployment, comment); orphan prefix of a closed PR removed; sleeping one kept', async () => {
    const w = await world('faas-netes-ce');
    preview(w, 5, { invocations: 3, prState: 'open' });
    await putAssets(w, 5);
    const octokit = getOctokit(w.github.token, { baseUrl: w.github.url });
    await markDeployment(
      octokit,
      { owner: OWNER, repo: REPO },
      { environment: `preview/${name(5)}`, sha: sha(5), url: 'https://x', logUrl: 'https://log', description: 'd' },
      'success',
    );
    w.github.seedComments(5, [`${commentMarker(name(5))}\n### Preview is ready`], 'github-actions[bot]');
    w.github.setPull({ number: 5, state: 'closed', headSha: sha(5) });
    // PR 6: closed, its function already gone, assets left behind. PR 7: open and asleep (CE): assets stay.
    w.github.setPull({ number: 6, state: 'closed', headSha: sha(6) });
    w.github.setPull({ number: 7, state: 'open', headSha: sha(7) });
    await putAssets(w, 6);
    await putAssets(w, 7);
    await seedState(w, { [name(5)]: { count: 3, changedAt: ago(MIN) } });

    const run = await sweep(w);
    expectOk(run);
    expect(w.gateway.functions()).toHaveLength(0);
    expect(await w.s3.listKeys(`${name(5)}/`)).toEqual([]);
    expect(await w.s3.listKeys(`${name(6)}/`)).toEqual([]);
    expect(await w.s3.listKeys(`${name(7)}/`)).toEqual(assetKeys(7));
    // What is left of the closed PR's preview is its tombstone (the edge's 410, state/closed.ts).
    expect(await w.s3.listKeys('.faas-preview/')).toEqual([`.faas-preview/closed/${name(5)}.json`, STATE_KEY]);
    expect(ours(w, 5)[0].body).toContain('was torn down: PR #5 is closed');
    expect(w.github.deployments()[0].statuses.at(-1)!.state).toBe('inactive');
    expect(writes(w.gateway)).toHaveLength(1);
    expect(run.summary).toContain('delete orphan prefix');
    expect((await readState(w))!.functions).toEqual({});
  });

  test('max-age expires an old preview even when it is busy', async () => {
    const w = await world('faas-netes-ce');
    preview(w, 8, { invocations: 100, deployedAgo: 8 * DAY });
    preview(w, 9, { invocations: 100, deployedAgo: 2 * DAY });
    await seedState(w, {
      [name(8)]: { count: 90, changedAt: ago(MIN) },
      [name(9)]: { count: 90, changedAt: ago(MIN) },
    });
    const run = await sweep(w, { 'max-age': '7d' });
    expectOk(run);
    expect(w.gateway.get(name(8))).toBeUndefined();
    expect(w.gateway.get(name(9))).toBeDefined();
    expect(run.stdout).toMatch(/hello-world-pr-8 \(PR #8\): teardown: last deployed 8d ago, more than max-age \(7d\)/);
  });

  test('dry-run prints the plan and changes nothing', async () => {
    const w = await world('faas-netes-ce');
    preview(w, 2, { invocations: 10 });
    preview(w, 5, { prState: 'closed' });
    w.github.setPull({ number: 6, state: 'closed', headSha: sha(6) });
    await putAssets(w, 2);
    await putAssets(w, 6);
    await seedState(w, { [name(2)]: { count: 10, changedAt: ago(2 * HOUR) } });
    const before = await readState(w);
    w.s3.clearRequests();
    const callsBefore = w.github.calls.length;

    const run = await sweep(w, { 'dry-run': 'true' });
    expectOk(run);
    expect(run.stdout).toMatch(/\[dry-run\] hello-world-pr-2 \(PR #2\): sleep/);
    expect(run.stdout).toMatch(/\[dry-run\] hello-world-pr-5 \(PR #5\): teardown: PR #5 is closed/);
    expect(run.stdout).toMatch(/\[dry-run\] hello-world-pr-6\/ \(PR #6\): delete orphan prefix/);
    expect(run.summary).toContain('dry run: nothing changed');
    expect(run.summary).toContain('dry run: not applied');
    expect(writes(w.gateway)).toHaveLength(0);
    expect(w.gateway.functions()).toHaveLength(2);
    expect(await w.s3.listKeys(`${name(6)}/`)).toEqual(assetKeys(6));
    expect(w.s3.requests().filter((r) => r.method !== 'GET')).toEqual([]);
    expect(await readState(w)).toEqual(before);
    expect(w.github.calls.slice(callsBefore).filter((c) => c.method !== 'GET')).toEqual([]);
  });

  test('neither prometheus-url nor bucket: a clear error naming both inputs', async () => {
    const w = await world('faas-netes-ce');
    const extra = { bucket: '', 's3-endpoint': '' };
    const run = await sweep(w, extra);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/::error::.*'prometheus-url'.*'bucket'/);
    expect(lists(w.gateway)).toHaveLength(0);
  });
});

describe('sweep on Pro', () => {
  test('idle preview scaled to zero; a request wakes it; the next sweep sees the activity', async () => {
    const w = await world('faas-netes');
    preview(w, 2, { invocations: 10 });
    preview(w, 3, { invocations: 4, replicas: 0 });
    await seedState(w, {
      [name(2)]: { count: 10, changedAt: ago(HOUR) },
      [name(3)]: { count: 4, changedAt: ago(DAY) },
    });

    const run = await sweep(w);
    expectOk(run);
    expect(w.gateway.get(name(2))!.replicas).toBe(0);
    expect(writes(w.gateway)).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: `/system/scale-function/${name(2)}`,
        body: { serviceName: name(2), replicas: 0 },
      }),
    ]);
    expect(run.stdout).toMatch(/hello-world-pr-3 \(PR #3\): already-asleep/);
    expect(ours(w, 2)).toHaveLength(0);
    expect(run.summary).toContain('2 (no limit)');

    const res = await fetch(`${w.gateway.url}/function/${name(2)}/api/hello`);
    expect(res.status).toBe(200);
    expect(w.gateway.get(name(2))).toMatchObject({ replicas: 1, invocationCount: 11 });

    const again = await sweep(w);
    expectOk(again);
    expect(again.stdout).toMatch(/hello-world-pr-2 \(PR #2\): keep: active; last activity now; invocations 10 → 11/);
    expect(w.gateway.get(name(2))!.replicas).toBe(1);
    expect((await readState(w))!.functions[name(2)].count).toBe(11);
  });

  test('1,000 managed previews: one function listing, one paginated PR listing, one write per acted-on function', async () => {
    const w = await world('faas-netes');
    const state: Record<string, { count: number; changedAt: string }> = {};
    let expectedScale = 0;
    let expectedTeardown = 0;
    for (let pr = 1; pr <= 1000; pr++) {
      const closed = pr > 990;
      preview(w, pr, { invocations: 5, prState: closed ? 'closed' : 'open' });
      const idle = pr % 10 === 0;
      state[name(pr)] = { count: 5, changedAt: ago(idle ? 2 * HOUR : 5 * MIN) };
      if (closed) expectedTeardown++;
      else if (idle) expectedScale++;
    }
    // Someone else's function on the same gateway is never touched.
    w.gateway.seed({
      name: 'billing',
      image: 'acme/billing:1',
      labels: { 'faas-preview/managed': 'true', 'faas-preview/repo': 'acme.other' },
    });
    await seedState(w, state);

    const run = await sweep(w);
    expectOk(run);
    expect(lists(w.gateway)).toHaveLength(1);
    const scales = writes(w.gateway).filter((c) => c.path.startsWith('/system/scale-function/'));
    const deletes = writes(w.gateway).filter((c) => c.method === 'DELETE');
    expect(scales).toHaveLength(expectedScale);
    expect(deletes).toHaveLength(expectedTeardown);
    expect(writes(w.gateway)).toHaveLength(expectedScale + expectedTeardown);
    expect(new Set(scales.map((c) => c.path)).size).toBe(expectedScale);
    expect(w.gateway.get('billing')).toBeDefined();
    expect(w.gateway.functions().filter((f) => f.replicas === 0)).toHaveLength(expectedScale);
    expect(w.github.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/pulls'))).toHaveLength(10);
    expect(Object.keys((await readState(w))!.functions)).toHaveLength(990);
    expect(run.summary).toContain('990 (no limit)');
  }, 120_000);

  test('Prometheus mode: idleness from the increase over idle-after, no state kept, no bucket needed', async () => {
    const w = await world('faas-netes');
    w.prometheus = await startPrometheus();
    preview(w, 2, { invocations: 10 });
    preview(w, 3, { invocations: 10 });
    preview(w, 4, { invocations: 0, deployedAgo: 10 * MIN });
    w.prometheus.setIncreases({
      [`${name(2)}.openfaas-fn`]: 0,
      [`${name(3)}.openfaas-fn`]: 4,
      'someone-else.openfaas-fn': 0,
    });

    const run = await sweep(w, {
      'prometheus-url': w.prometheus.url,
      'idle-after': '45m',
      bucket: '',
      's3-endpoint': '',
    });
    expectOk(run);
    expect(w.prometheus.windows).toEqual(['45m']);
    expect(w.prometheus.calls).toHaveLength(1);
    expect(w.gateway.get(name(2))!.replicas).toBe(0);
    expect(w.gateway.get(name(3))!.replicas).toBe(1);
    expect(w.gateway.get(name(4))!.replicas).toBe(1);
    expect(run.stdout).toMatch(/no invocations in the last 45m \(Prometheus\)/);
    expect(w.s3.requests()).toEqual([]);
    expect(run.summary).toContain('Prometheus');
  });
});
