/**
 * A wake needing a slot (issue 23), end to end on the faasd-ce emulator profile (15 functions, foreign ones counted):
 * the bundled waker (`node dist/waker/index.js`) gets a sleeping preview's API request as the edge hands it over,
 * puts the least recently used idle preview of the same repository to sleep, wakes the preview and leaves a note in
 * the bucket; the bundled sweeper (`node dist/index.js` on a schedule) then turns the note into the evicted PR's
 * comment, and forgets a note whose preview was woken again without touching its comment; the bundled teardown
 * removes the note of the preview it tears down. The action and the waker read the real clock, so "idle" and "in use"
 * are arranged by seeding deploy times and the sweeper's memory in the past. Build the bundle first: `npm run bundle`.
 */
import { afterEach, beforeAll, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { ANNOTATIONS, commentMarker, previewLabels } from '../../src/naming.js';
import type { FunctionDeployment } from '../../src/openfaas/types.js';
import { listMadeRoom, readMadeRoom, saveMadeRoom } from '../../src/state/made-room.js';
import { readSleeping, saveSleeping } from '../../src/state/sleeping.js';
import type { StateStore } from '../../src/state/store.js';
import { saveState } from '../../src/state/sweeper.js';
import { BUNDLE, OWNER, REPO, prPayload, runAction, type ActionRun } from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { WAKER_BUNDLE, startWakerProcess, type WakerProcess } from '../../test/support/waker.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const PASSWORD = 'gw-wake-room-Pw3';
const DOMAIN = 'preview.example.com';
const STATE_PREFIX = '.faas-preview';

const name = (pr: number) => `hello-world-pr-${pr}`;
const sha = (pr: number) => String(pr % 10).repeat(7) + 'd'.repeat(33);
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
/** Woken by a visit; put to sleep for it (least recently used); in use; woken again after an older eviction. */
const [WOKEN, VICTIM, IN_USE, AWAKE_AGAIN] = [40, 41, 42, 43];

interface World {
  gateway: GatewayEmulator;
  github: GitHubEmulator;
  s3: S3Emulator;
  store: StateStore;
  waker: WakerProcess;
}

const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) {
    await w.waker.close();
    await Promise.all([w.gateway.close(), w.github.close(), w.s3.close()]);
  }
});

beforeAll(() => {
  for (const bundle of [BUNDLE, WAKER_BUNDLE])
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run 'npm run bundle' first`);
});

/** What deploy sent for a preview, as deploy leaves it on the gateway and in a saved spec. */
function spec(pr: number): FunctionDeployment {
  return {
    service: name(pr),
    image: `registry.example.com/acme/hello-world:pr-${pr}-${sha(pr).slice(0, 7)}`,
    labels: previewLabels(OWNER, REPO, pr, sha(pr)),
    annotations: { [ANNOTATIONS.deployedAt]: ago(6 * HOUR), [ANNOTATIONS.url]: `https://${name(pr)}.${DOMAIN}` },
  };
}

/**
 * A full faasd-ce gateway: previews VICTIM, IN_USE and AWAKE_AGAIN running (deployed 6 h ago, 2 calls each), 12
 * foreign functions; WOKEN asleep with its specs saved; every PR open; the waker running with idle-after 30m.
 */
async function world(): Promise<World> {
  const [gateway, github, s3] = await Promise.all([
    startGateway({ edition: 'faasd-ce', password: PASSWORD }),
    startGitHub({}),
    startS3(),
  ]);
  const store = s3.state(STATE_PREFIX);
  for (const pr of [VICTIM, IN_USE, AWAKE_AGAIN]) {
    const s = spec(pr);
    gateway.seed({ name: s.service, image: s.image, labels: s.labels, annotations: s.annotations, invocationCount: 2 });
  }
  for (let i = 0; i < 12; i++) gateway.seed({ name: `other-app-${i}`, image: 'ghcr.io/else/app:1' });
  for (const pr of [WOKEN, VICTIM, IN_USE, AWAKE_AGAIN])
    github.setPull({ number: pr, state: 'open', headSha: sha(pr) });
  await saveSleeping(store, name(WOKEN), [spec(WOKEN)], new Date(Date.now() - 2 * HOUR));
  // The sweeper's memory: when each running preview's count (2) last changed.
  const used = { [VICTIM]: 5 * HOUR, [IN_USE]: 10 * MIN, [AWAKE_AGAIN]: 5 * MIN };
  await saveState(
    store,
    Object.fromEntries(Object.entries(used).map(([pr, ms]) => [name(Number(pr)), { count: 2, changedAt: ago(ms) }])),
    new Date(),
  );
  const waker = await startWakerProcess({
    WAKER_GATEWAY_URL: gateway.url,
    WAKER_GATEWAY_PASSWORD: PASSWORD,
    WAKER_BUCKET: s3.bucket,
    WAKER_S3_ENDPOINT: s3.endpoint,
    WAKER_AWS_ACCESS_KEY_ID: s3.settings.accessKeyId!,
    WAKER_AWS_SECRET_ACCESS_KEY: s3.settings.secretAccessKey!,
    WAKER_STATE_PREFIX: STATE_PREFIX,
    WAKER_PREVIEW_DOMAIN: DOMAIN,
    WAKER_REPOSITORIES: `${OWNER}/${REPO}`,
    WAKER_IDLE_AFTER: '30m',
  });
  const w = { gateway, github, s3, store, waker };
  open.push(w);
  return w;
}

/** An API request of preview `pr` as the edge hands it to the waker after the gateway's 404. */
function visit(w: World, pr: number): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(w.waker.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path: `/function/${name(pr)}/api/hello`, headers: { host: `${name(pr)}.${DOMAIN}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function act(w: World, event: 'schedule' | 'pull_request', payload: Record<string, unknown>): Promise<ActionRun> {
  const run = await runAction({
    event,
    payload,
    inputs: {
      'gateway-url': w.gateway.url,
      'gateway-password': PASSWORD,
      'preview-domain': DOMAIN,
      builder: 'none',
      image: 'registry.example.com/acme/hello-world:latest',
      bucket: w.s3.bucket,
      's3-endpoint': w.s3.endpoint,
      'aws-access-key-id': 'S3RVER',
      'aws-secret-access-key': 'S3RVER',
      'github-token': w.github.token,
      'idle-after': '30m',
      waker: 'true',
    },
    apiUrl: w.github.url,
  });
  assertNoLeaks(
    run,
    { values: [PASSWORD, w.github.token], basicAuth: [{ username: 'admin', password: PASSWORD }] },
    w.github,
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  return run;
}

const comments = (w: World, pr: number) =>
  w.github.comments(pr).filter((c) => c.body.startsWith(commentMarker(name(pr))));

test('a wake on a full gateway puts the least recently used idle preview to sleep; the next sweep tells its PR and forgets a stale note', async () => {
  const w = await world();
  // An older eviction of AWAKE_AGAIN, which has been woken since (its function runs): its note is stale.
  await saveMadeRoom(w.store, {
    name: name(AWAKE_AGAIN),
    pr: AWAKE_AGAIN,
    forName: name(39),
    forPr: 39,
    at: ago(3 * HOUR),
    idleFor: '2h',
  });

  const res = await visit(w, WOKEN);
  expect(res.status).toBe(200);
  expect(JSON.parse(res.body)).toMatchObject({ function: name(WOKEN), path: '/api/hello' });
  expect(w.gateway.get(name(WOKEN))).toBeDefined();
  expect(w.gateway.get(name(VICTIM))).toBeUndefined();
  expect(w.gateway.get(name(IN_USE))).toBeDefined();
  expect(w.gateway.functions()).toHaveLength(15);
  const slept = await readSleeping(w.store, name(VICTIM));
  expect(slept?.specs.map((s) => s.service)).toEqual([name(VICTIM)]);
  expect(await readMadeRoom(w.store, name(VICTIM))).toMatchObject({ forPr: WOKEN, at: slept!.since, idleFor: '5h' });
  // The edge service cannot reach GitHub: no PR was told anything yet.
  expect(w.github.comments(VICTIM)).toEqual([]);

  const run = await act(w, 'schedule', { schedule: '*/15 * * * *' });
  const [told] = comments(w, VICTIM);
  expect(comments(w, VICTIM)).toHaveLength(1);
  expect(told.body).toContain(
    `\`${name(VICTIM)}\` is asleep: it was put to sleep to make room for #${WOKEN} on this full OpenFaaS Community Edition gateway, as nobody had called it for 5h.`,
  );
  expect(told.body).toContain(`It wakes on the next visit to https://${name(VICTIM)}.${DOMAIN}`);
  // The woken-again preview runs: its comment is not touched, and the note goes either way.
  expect(comments(w, AWAKE_AGAIN)).toEqual([]);
  expect(await listMadeRoom(w.store)).toEqual([]);
  expect(run.summary).toContain(`tell PR #${VICTIM} its preview was put to sleep by the edge service`);
  expect(run.summary).toContain('woken again since');
  // The sweeper left the running previews alone (in use, or woken and first seen) and the victim asleep.
  expect(w.gateway.functions()).toHaveLength(15);
  expect(await readSleeping(w.store, name(VICTIM))).toBeDefined();
});

test('a teardown removes the note of the preview it tears down', async () => {
  const w = await world();
  expect((await visit(w, WOKEN)).status).toBe(200);
  expect(await listMadeRoom(w.store)).toEqual([name(VICTIM)]);
  w.github.setPull({ number: VICTIM, state: 'closed', headSha: sha(VICTIM) });
  await act(w, 'pull_request', prPayload('closed', { number: VICTIM, sha: sha(VICTIM) }));
  expect(await listMadeRoom(w.store)).toEqual([]);
  expect(await readSleeping(w.store, name(VICTIM))).toBeUndefined();
});
