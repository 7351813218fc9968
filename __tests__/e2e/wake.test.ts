/**
 * Wake on the next visit, end to end, on OpenFaaS Community Edition: the bundle deploys examples/app
 * (`node dist/index.js` through runAction) into s3rver and the emulated faasd-ce gateway, the bundled sweeper puts the
 * previews to sleep, and the bundled waker (`node dist/waker/index.js`) sits behind real nginx and real HAProxy
 * (deploy/edge with the waker on). Headless Chromium opens a sleeping preview: the page comes from the bucket, its
 * /api call is answered 404 by the gateway, handed to the waker by the edge, and the function is re-created from the
 * saved spec before the page shows its answer.
 *
 * Each edge reaches its waker through a recording proxy (test/support/faults.ts, forwarding byte for byte), so the
 * tests see exactly which requests the edge handed over. nginx's waker reads the Host header, HAProxy's the
 * X-Forwarded-Host header (HAProxy rewrites Host), as deploy/waker documents. Build the bundle first: `npm run bundle`.
 *
 * Screenshot: test-artifacts/wake-preview.png (the page of a preview that was asleep, after its wake).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ANNOTATIONS, commentMarker, previewLabels } from '../../src/naming.js';
import type { FunctionDeployment } from '../../src/openfaas/types.js';
import { readRecord } from '../../src/state/records.js';
import { BUILDING_RETRY_S, WAKING_RETRY_S } from '../../src/gate/status.js';
import { readClosed } from '../../src/state/closed.js';
import { deleteVisit, readVisit } from '../../src/state/visits.js';
import { readSleeping, saveSleeping } from '../../src/state/sleeping.js';
import type { StateStore } from '../../src/state/store.js';
import { writeJson } from '../../src/state/store.js';
import {
  BUNDLE,
  OWNER,
  REPO,
  ROOT,
  prPayload,
  runAction,
  stackInputs,
  type ActionRun,
} from '../../test/support/action.js';
import { edgeRequest, startEdge, type Edge } from '../../test/support/edge.js';
import { startFaultProxy, type FaultProxy } from '../../test/support/faults.js';
import { startGateway, type GatewayCall, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { describeWith, waitFor } from '../../test/support/tools.js';
import { WAKER_BUNDLE, startWakerProcess, type WakerProcess } from '../../test/support/waker.js';

const PASSWORD = 'gw-wake-Pw7c1';
const DOMAIN = 'preview.localhost';
const STATE_PREFIX = '.faas-preview';
const HOUR = 3_600_000;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

const name = (pr: number) => `hello-world-pr-${pr}`;
const sha = (pr: number) => `${pr}`.padStart(7, '0') + 'e'.repeat(33);
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
/** Deployed by the bundle and put to sleep by the sweeper: visited through nginx, through HAProxy, closed while asleep. */
const [VIA_NGINX, VIA_HAPROXY, CLOSED] = [21, 22, 23];

const creates = (calls: GatewayCall[]) => calls.filter((c) => c.method === 'POST' && c.path === '/system/functions');
const writes = (calls: GatewayCall[]) => calls.filter((c) => c.path.startsWith('/system/') && c.method !== 'GET');
const invocations = (calls: GatewayCall[], fn: string) =>
  calls.filter((c) => c.path === `/function/${fn}` || c.path.startsWith(`/function/${fn}/`));

/** The real routers; the demo's node stand-in wakes previews in __tests__/e2e/demo.test.ts. */
type EdgeKind = 'nginx' | 'haproxy';

const { describe: withTools } = describeWith(['nginx', 'haproxy', 'chromium']);

withTools('wake on the next visit (bundle deploy → sweeper sleep → nginx / HAProxy → waker → Chromium)', () => {
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let s3: S3Emulator;
  let store: StateStore;
  const wakers = {} as Record<EdgeKind, WakerProcess>;
  const handedOver = {} as Record<EdgeKind, FaultProxy>;
  const edges = {} as Record<EdgeKind, Edge>;
  let browser: Browser;
  let workspace: string;

  beforeAll(async () => {
    for (const bundle of [BUNDLE, WAKER_BUNDLE])
      if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run 'npm run bundle' first`);
    [gateway, github, s3] = await Promise.all([
      startGateway({ edition: 'faasd-ce', password: PASSWORD }),
      startGitHub({}),
      startS3(),
    ]);
    store = s3.state(STATE_PREFIX);
    const common = {
      WAKER_GATEWAY_URL: gateway.url,
      WAKER_GATEWAY_PASSWORD: PASSWORD,
      WAKER_BUCKET: s3.bucket,
      WAKER_S3_ENDPOINT: s3.endpoint,
      WAKER_AWS_ACCESS_KEY_ID: s3.settings.accessKeyId!,
      WAKER_AWS_SECRET_ACCESS_KEY: s3.settings.secretAccessKey!,
      WAKER_STATE_PREFIX: STATE_PREFIX,
      WAKER_PREVIEW_DOMAIN: DOMAIN,
      WAKER_REPOSITORIES: `${OWNER}/${REPO}`,
      WAKER_RETRY_AFTER: '40s',
    };
    [wakers.nginx, wakers.haproxy] = await Promise.all([
      startWakerProcess({ ...common, WAKER_HOST_HEADER: 'host' }),
      startWakerProcess({ ...common, WAKER_HOST_HEADER: 'x-forwarded-host' }),
    ]);
    [handedOver.nginx, handedOver.haproxy] = await Promise.all([
      startFaultProxy(wakers.nginx.url),
      startFaultProxy(wakers.haproxy.url),
    ]);
    const upstreams = { gatewayUrl: gateway.url, bucketUrl: `${s3.endpoint}/${s3.bucket}` };
    [edges.nginx, edges.haproxy] = await Promise.all([
      startEdge('nginx', { ...upstreams, wakerUrl: handedOver.nginx.url }),
      startEdge('haproxy', { ...upstreams, wakerUrl: handedOver.haproxy.url }),
    ]);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-wake-'));
    cpSync(path.join(ROOT, 'examples/app'), path.join(workspace, 'app'), { recursive: true });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(Object.values(edges).map((e) => e.close()));
    await Promise.all(Object.values(handedOver).map((p) => p.close()));
    await Promise.all(Object.values(wakers).map((w) => w.close()));
    await Promise.all([gateway?.close(), github?.close(), s3?.close()]);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  function inputs(extra: Record<string, string> = {}): Record<string, string> {
    return stackInputs(
      {
        gateway,
        gatewayPassword: PASSWORD,
        s3,
        github,
        registryNamespace: 'examples',
        prebuiltImage: 'localhost/examples/hello-world:prebuilt',
      },
      {
        'url-template': `http://{name}.${DOMAIN}:${edges.nginx.port}/`,
        context: 'app/function',
        'static-dir': 'app/site',
        'ready-timeout': '10s',
        waker: 'true',
        ...extra,
      },
    );
  }

  async function act(
    event: string,
    payload: Record<string, unknown>,
    extra: Record<string, string> = {},
    prs: number[] = [],
  ): Promise<ActionRun> {
    const run = await runAction({ event, payload, inputs: inputs(extra), apiUrl: github.url, workspace });
    if (run.code !== 0) throw new Error(`action ${event} failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    assertNoLeaks(
      run,
      { values: [PASSWORD, github.token], basicAuth: [{ username: 'admin', password: PASSWORD }] },
      github,
      prs,
    );
    return run;
  }

  /** Any call to the gateway's API with its credentials, as an operator (or an earlier deploy) would make it. */
  async function admin(method: string, body: unknown): Promise<void> {
    const res = await fetch(`${gateway.url}/system/functions`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} /system/functions answered ${res.status}: ${await res.text()}`);
  }

  /** A preview asleep without the sweeper: the spec a deploy would have sent, saved as the sweeper saves it. */
  async function asleep(pr: number): Promise<FunctionDeployment> {
    const spec: FunctionDeployment = {
      service: name(pr),
      image: `localhost/examples/hello-world:pr-${pr}-${sha(pr).slice(0, 7)}`,
      envVars: { FAAS_PREVIEW_NAME: name(pr), FAAS_PREVIEW_SHA: sha(pr) },
      labels: previewLabels(OWNER, REPO, pr, sha(pr)),
      annotations: { [ANNOTATIONS.url]: `http://${name(pr)}.${DOMAIN}/` },
      secrets: [],
    };
    await saveSleeping(store, name(pr), [spec], new Date());
    return spec;
  }

  /** A preview that is awake, with a function answering `status` itself. */
  function awake(pr: number, status: number): void {
    const image = `localhost/examples/hello-world:answers-${status}`;
    gateway.setImage(image, { status });
    gateway.seed({ name: name(pr), image, labels: previewLabels(OWNER, REPO, pr, sha(pr)) });
  }

  /** What the edge handed to the waker since `since`: API requests, or (`status`) the requests it found nothing for. */
  const handed = (kind: EdgeKind, since: number, what: 'api' | 'status' = 'api') =>
    handedOver[kind].requests
      .slice(since)
      .filter((r) => r.path.startsWith('/function/') === (what === 'api'))
      .map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`);
  const mark = () => ({
    calls: gateway.calls.length,
    nginx: handedOver.nginx.requests.length,
    haproxy: handedOver.haproxy.requests.length,
  });

  /** Opens the URL and waits until the page has shown the function's answer (or its error). */
  async function open(page: Page, url: string) {
    const res = await page.goto(url, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    await page.waitForSelector('#answer:not([data-state="loading"])', { timeout: 30_000 });
    return {
      state: await page.getAttribute('#answer', 'data-state'),
      answer: JSON.parse((await page.textContent('#answer')) ?? 'null') as Record<string, unknown>,
    };
  }

  test('the bundle deploys three previews and the sweeper, finding them idle, puts them to sleep with their exact specs', async () => {
    for (const pr of [VIA_NGINX, VIA_HAPROXY, CLOSED]) {
      github.setPull({ number: pr, state: 'open', headSha: sha(pr) });
      const run = await act('pull_request', prPayload('opened', { number: pr, sha: sha(pr) }), {}, [pr]);
      expect(run.outputs.result).toBe('deployed');
    }
    // Idle: deployed three hours ago (the same spec with an older deploy time), no call for two hours.
    const state: Record<string, { count: number; changedAt: string }> = {};
    for (const pr of [VIA_NGINX, VIA_HAPROXY, CLOSED]) {
      const [spec] = (await readRecord(store, name(pr)))!.specs!;
      await admin('PUT', { ...spec, annotations: { ...spec.annotations, [ANNOTATIONS.deployedAt]: ago(3 * HOUR) } });
      state[name(pr)] = { count: gateway.get(name(pr))!.invocationCount, changedAt: ago(2 * HOUR) };
    }
    await writeJson(s3.state(), `${STATE_PREFIX}/sweeper.json`, {
      version: 1,
      updatedAt: ago(HOUR),
      functions: state,
    });

    const run = await act('schedule', { schedule: '*/15 * * * *' }, { 'idle-after': '30m' }, [
      VIA_NGINX,
      VIA_HAPROXY,
      CLOSED,
    ]);
    expect(run.outputs.result).toBe('swept');
    for (const pr of [VIA_NGINX, VIA_HAPROXY, CLOSED]) {
      expect(gateway.get(name(pr))).toBeUndefined();
      expect((await readSleeping(store, name(pr)))?.specs).toEqual((await readRecord(store, name(pr)))!.specs);
      const comment = github.comments(pr).find((c) => c.body.startsWith(commentMarker(name(pr))))!;
      expect(comment.body).toMatch(
        new RegExp(
          `It wakes on the next visit to http://${name(pr)}\\.${DOMAIN.replace('.', '\\.')}:${edges.nginx.port}/`,
        ),
      );
    }
  }, 120_000);

  test.each<[EdgeKind, number]>([
    ['nginx', VIA_NGINX],
    ['haproxy', VIA_HAPROXY],
  ])(
    '%s: the sleeping page loads from the bucket, its /api call wakes the function from the saved spec, the page shows the answer',
    async (kind, pr) => {
      const saved = (await readSleeping(store, name(pr)))!.specs[0];
      const since = mark();
      const page = await browser.newPage();
      const url = `http://${name(pr)}.${DOMAIN}:${edges[kind].port}/`;
      const shown = await open(page, url);
      expect(shown).toMatchObject({
        state: 'ok',
        answer: { emulated: true, function: name(pr), sha: sha(pr), image: saved.image, method: 'GET', path: '/hello' },
      });
      if (kind === 'nginx') await page.screenshot({ path: path.join(ARTIFACTS, 'wake-preview.png'), fullPage: true });
      await page.close();

      // Re-created once, from the saved spec: same image, labels, env, secrets and annotations.
      const calls = gateway.calls.slice(since.calls);
      expect(creates(calls).map((c) => c.body)).toEqual([saved]);
      expect(writes(calls)).toHaveLength(1);
      expect(gateway.get(name(pr))).toMatchObject({
        image: saved.image,
        labels: saved.labels,
        envVars: saved.envVars,
        secrets: saved.secrets,
        annotations: saved.annotations,
      });
      expect(await readSleeping(store, name(pr))).toBeUndefined();
      // The page's API call: the gateway's 404, handed over once, then answered by the woken function.
      expect(handed(kind, since[kind])).toEqual([`GET /function/${name(pr)}/hello`]);
      expect(invocations(calls, name(pr)).map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
        `GET /function/${name(pr)}/hello 404`,
        `GET /function/${name(pr)}/ 200`,
        `GET /function/${name(pr)}/hello 200`,
      ]);
      expect(wakers[kind].lines().filter((l) => l.includes(`preview=${name(pr)} `))).toEqual([
        expect.stringMatching(
          new RegExp(`wake preview=${name(pr)} functions=${name(pr)} created=1 outcome=awake duration=`),
        ),
      ]);

      // Awake now: the next call goes to the function directly.
      const next = mark();
      expect(JSON.parse((await edges[kind].get(name(pr), '/api/hello')).body)).toMatchObject({ function: name(pr) });
      expect(handed(kind, next[kind])).toEqual([]);
    },
    60_000,
  );

  test.each<[EdgeKind, number]>([
    ['nginx', 31],
    ['haproxy', 32],
  ])(
    '%s: twenty concurrent API requests to a sleeping preview cause exactly one re-create, and all are answered by the function',
    async (kind, pr) => {
      await asleep(pr);
      const since = mark();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => edges[kind].get(name(pr), `/api/item/${i}?n=${i}`)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(answers.map((a) => JSON.parse(a.body).path).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `/item/${i}`).sort(),
      );
      const calls = gateway.calls.slice(since.calls);
      expect(creates(calls)).toHaveLength(1);
      expect(writes(calls)).toHaveLength(1);
      expect(handed(kind, since[kind]).length).toBeGreaterThan(0);
      expect(wakers[kind].lines().filter((l) => l.includes(`preview=${name(pr)} `))).toHaveLength(1);
    },
    60_000,
  );

  test('a POST wakes a sleeping preview and runs once, on the woken function: nginx hands over a 40 kB body, HAProxy only what fits its buffer', async () => {
    const body = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - 10) });
    const posted = (calls: GatewayCall[], fn: string) =>
      invocations(calls, fn)
        .filter((c) => c.method === 'POST')
        .map((c) => `${c.status} ${(c.body as { pad: string }).pad.length}`);
    const cases: [EdgeKind, number, number][] = [
      ['nginx', 33, 40_000],
      ['haproxy', 34, 10_000],
    ];
    for (const [kind, pr, bytes] of cases) {
      await asleep(pr);
      const since = mark();
      const res = await edges[kind].get(name(pr), '/api/upload', 'POST', body(bytes));
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ function: name(pr), method: 'POST', path: '/upload' });
      // The gateway's 404 (no function), then the woken function: the body arrived whole both times.
      expect(posted(gateway.calls.slice(since.calls), name(pr))).toEqual([`404 ${bytes - 10}`, `200 ${bytes - 10}`]);
      expect(handed(kind, since[kind])).toEqual([`POST /function/${name(pr)}/upload`]);
    }
    // HAProxy retries only requests that fit in one buffer (tune.bufsize): a larger one keeps the gateway's 404.
    const pr = 35;
    await asleep(pr);
    const since = mark();
    const res = await edges.haproxy.get(name(pr), '/api/upload', 'POST', body(20_000));
    expect(res.status).toBe(404);
    expect(res.body).toMatch(/^error finding function/);
    expect(handed('haproxy', since.haproxy)).toEqual([]);
    expect(await readSleeping(store, name(pr))).toBeDefined();
  }, 60_000);

  test('a preview closed while asleep answers 410 (removed) and is not re-created: nginx for every path, HAProxy for the API (its bucket misses stay 404)', async () => {
    github.setPull({ number: CLOSED, state: 'closed', headSha: sha(CLOSED) });
    const run = await act('pull_request', prPayload('closed', { number: CLOSED, sha: sha(CLOSED) }), {}, [CLOSED]);
    expect(run.outputs.result).toBe('torn-down');
    expect(await readSleeping(store, name(CLOSED))).toBeUndefined();
    expect(await readClosed(store, name(CLOSED))).toMatchObject({ pr: CLOSED, reason: `PR #${CLOSED} was closed` });
    const since = mark();
    for (const kind of ['nginx', 'haproxy'] as const) {
      for (const method of ['GET', 'POST']) {
        const res = await edges[kind].get(name(CLOSED), '/api/hello', method, method === 'POST' ? '{}' : undefined);
        expect({ kind, method, status: res.status, body: res.body }).toEqual({
          kind,
          method,
          status: 410,
          body: `preview ${name(CLOSED)} was removed\n`,
        });
      }
      expect((await edges[kind].get(name(CLOSED), '/')).status).toBe(kind === 'nginx' ? 410 : 404);
      expect(handed(kind, since[kind])).toEqual([
        `GET /function/${name(CLOSED)}/hello`,
        `POST /function/${name(CLOSED)}/hello`,
      ]);
      expect(handed(kind, since[kind], 'status')).toEqual(kind === 'nginx' ? ['GET /.faas-preview/status'] : []);
    }
    expect(writes(gateway.calls.slice(since.calls))).toEqual([]);
    expect(gateway.get(name(CLOSED))).toBeUndefined();

    const page = await browser.newPage();
    const shown = await page.goto(`http://${name(CLOSED)}.${DOMAIN}:${edges.nginx.port}/`);
    expect(shown?.status()).toBe(410);
    expect(await page.title()).toBe('This preview was removed');
    expect(await page.textContent('main p')).toMatch(
      new RegExp(
        `^Preview ${name(CLOSED)} was removed on \\d{1,2} \\w{3} \\d{4}: PR #${CLOSED} was closed\\. Its pages`,
      ),
    );
    await page.close();
  }, 60_000);

  test.each([500, 504])(
    "a function's own %s passes through both edges untouched: the waker is not asked, nothing runs twice",
    async (status) => {
      const pr = status === 500 ? 41 : 42;
      awake(pr, status);
      const since = mark();
      for (const kind of ['nginx', 'haproxy'] as const) {
        for (const method of ['GET', 'POST']) {
          const res = await edges[kind].get(
            name(pr),
            '/api/orders',
            method,
            method === 'POST' ? '{"qty":1}' : undefined,
          );
          expect({ kind, method, status: res.status }).toEqual({ kind, method, status });
          expect(JSON.parse(res.body)).toMatchObject({ emulated: true, function: name(pr), method });
        }
        expect(handed(kind, since[kind])).toEqual([]);
      }
      expect(invocations(gateway.calls.slice(since.calls), name(pr)).map((c) => c.method)).toEqual([
        'GET',
        'POST',
        'GET',
        'POST',
      ]);
    },
    30_000,
  );

  test("a POST that gets the function's own 404 runs exactly once: nginx answers the gateway's status, HAProxy a 502; a GET is asked again", async () => {
    const pr = 43;
    awake(pr, 404);
    const expected = { nginx: 404, haproxy: 502 };
    for (const kind of ['nginx', 'haproxy'] as const) {
      const since = mark();
      const post = await edges[kind].get(name(pr), '/api/orders', 'POST', '{"qty":1}');
      expect(post.status).toBe(expected[kind]);
      expect(post.body).toBe(
        `the request to function ${name(pr)} was answered with ${kind === 'nginx' ? '404' : 'an error'}; a POST request is not sent twice, because the function may have acted on it already\n`,
      );
      expect(invocations(gateway.calls.slice(since.calls), name(pr)).map((c) => `${c.method} ${c.status}`)).toEqual([
        'POST 404',
      ]);
      expect(handed(kind, since[kind])).toEqual([`POST /function/${name(pr)}/orders`]);

      const again = mark();
      const get = await edges[kind].get(name(pr), '/api/orders');
      expect(get.status).toBe(404);
      expect(JSON.parse(get.body)).toMatchObject({ function: name(pr), method: 'GET' });
      expect(invocations(gateway.calls.slice(again.calls), name(pr)).map((c) => `${c.method} ${c.status}`)).toEqual([
        'GET 404',
        'GET 404',
      ]);
    }
    expect(writes(gateway.calls)).not.toContainEqual(
      expect.objectContaining({ body: expect.objectContaining({ service: name(pr) }) }),
    );
  }, 30_000);

  describe('hostile input through the edge: never handed to the waker, nothing woken', () => {
    const victim = 51;
    const visitor = 52;
    let since: ReturnType<typeof mark>;

    beforeAll(async () => {
      await Promise.all([asleep(victim), asleep(visitor)]);
      since = mark();
    });

    test.each([
      ['a nested subdomain', `x.${name(victim)}.${DOMAIN}`],
      ['another domain around it', `${name(victim)}.${DOMAIN}.evil.example`],
      ['a label that is not a preview name', `Hello_World_PR_${victim}.${DOMAIN}`],
      ['a label of 64 characters', `${'a'.repeat(64)}.${DOMAIN}`],
      ['the bare domain', DOMAIN],
      ['an encoded dot', `${name(victim)}%2e${DOMAIN}`],
      ['an IP address', '127.0.0.1'],
    ])('Host with %s → 404', async (_what, host) => {
      for (const kind of ['nginx', 'haproxy'] as const) {
        for (const p of ['/api/hello', `/fn/web/x`]) {
          const res = await edgeRequest(edges[kind].port, host, p, 'POST', '{}');
          expect({ kind, host, p, status: res.status }).toEqual({ kind, host, p, status: 404 });
        }
      }
    });

    test.each([
      ["the victim's PR under FUNCTIONS_PATH", `/fn/pr-${victim}/x`],
      ["the victim's whole function name", `/fn/${name(victim)}`],
      ['a namespace suffix', `/fn/web.openfaas-fn/x`],
      ['dot segments out of the API', `/api/../../function/${name(victim)}/`],
      ['dot segments out of FUNCTIONS_PATH', `/fn/web/../../api/x`],
      ['encoded dots', `/api/%2e%2e/%2e%2e/function/${name(victim)}/`],
      ['encoded slashes', `/api/..%2f..%2ffunction%2f${name(victim)}%2f`],
      ['a backslash', `/api\\..\\..\\function\\${name(victim)}`],
    ])("from another preview's Host, %s → 404", async (_what, p) => {
      for (const kind of ['nginx', 'haproxy'] as const) {
        for (const method of ['GET', 'POST']) {
          const res = await edges[kind].get(name(visitor), p, method, method === 'POST' ? '{}' : undefined);
          expect({ kind, p, method, status: res.status }).toEqual({ kind, p, method, status: 404 });
        }
      }
    });

    test('none of them reached the waker, wrote to the gateway or woke either preview', async () => {
      for (const what of ['api', 'status'] as const) {
        expect(handed('nginx', since.nginx, what)).toEqual([]);
        expect(handed('haproxy', since.haproxy, what)).toEqual([]);
      }
      const calls = gateway.calls.slice(since.calls);
      expect(writes(calls)).toEqual([]);
      expect(calls.filter((c) => c.path.startsWith('/function/'))).toEqual([]);
      for (const pr of [victim, visitor]) {
        expect(gateway.get(name(pr))).toBeUndefined();
        expect(await readSleeping(store, name(pr))).toBeDefined();
      }
    });
  });

  test('a full Community Edition gateway (15 functions): 503 with Retry-After through both edges, nothing created, the preview still asleep', async () => {
    const pr = 61;
    await asleep(pr);
    const others = Array.from({ length: 15 - gateway.functions().length }, (_, i) => `someone-else-${i}`);
    for (const other of others) gateway.seed({ name: other, image: 'ghcr.io/someone/else:1' });
    try {
      const since = mark();
      for (const kind of ['nginx', 'haproxy'] as const) {
        const res = await edges[kind].get(name(pr), '/api/hello');
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('40');
        expect(res.body).toBe(
          `preview ${name(pr)} is asleep, and waking it up needs 1 more function(s) on an OpenFaaS Community Edition gateway that already runs 15 of the 15 it allows; try again later, or close pull requests whose previews are no longer needed\n`,
        );
        expect(handed(kind, since[kind])).toEqual([`GET /function/${name(pr)}/hello`]);
      }
      expect(writes(gateway.calls.slice(since.calls))).toEqual([]);
      expect(await readSleeping(store, name(pr))).toBeDefined();
    } finally {
      for (const other of others) await admin('DELETE', { functionName: other });
    }
  }, 30_000);

  describe('status pages: what a person sees when there is nothing to serve yet, or any more', () => {
    const [WAKING, BUILDING, FAILED] = [71, 72, 73];
    const url = (pr: number, p = '/') => `http://${name(pr)}.${DOMAIN}:${edges.nginx.port}${p}`;

    /** Opens `target` in a fresh page: the status, Retry-After, the title and whether the page reloads itself. */
    async function visit(target: string) {
      const page = await browser.newPage();
      try {
        const res = await page.goto(target);
        return {
          status: res?.status(),
          retryAfter: res?.headers()['retry-after'],
          title: await page.title(),
          text: await page.textContent('main'),
          reloads: (await page.locator('meta[http-equiv="refresh"]').count()) > 0,
        };
      } finally {
        await page.close();
      }
    }

    test("nginx: a person opening a sleeping preview's API address gets a page saying it is waking up, which reloads itself into the function's answer", async () => {
      await asleep(WAKING);
      const since = mark();
      const page = await browser.newPage();
      const answered = page.waitForResponse((r) => r.url() === url(WAKING, '/api/hello') && r.status() === 200, {
        timeout: 40_000,
      });
      const first = await page.goto(url(WAKING, '/api/hello'));
      expect(first?.status()).toBe(503);
      expect(first?.headers()['retry-after']).toBe(String(WAKING_RETRY_S));
      expect(await page.title()).toBe('This preview is waking up');
      expect(JSON.parse(await (await answered).text())).toMatchObject({ function: name(WAKING), path: '/hello' });
      await page.close();
      expect(creates(gateway.calls.slice(since.calls))).toHaveLength(1);
      expect(await readSleeping(store, name(WAKING))).toBeUndefined();
    }, 60_000);

    test('a first deploy that failed, and one still running: 503 pages saying so (the running one with Retry-After, reloading itself), a line for scripts', async () => {
      const front = await startFaultProxy(gateway.url, [
        { method: 'POST', path: '/system/functions', times: 1, fault: { status: 400, body: 'unable to pull image' } },
      ]);
      const deploy = (pr: number) => {
        github.setPull({ number: pr, state: 'open', headSha: sha(pr) });
        const extra = { 'gateway-url': front.url, 'static-dir': '', 'request-timeout': '5s' };
        return runAction({
          event: 'pull_request',
          payload: prPayload('opened', { number: pr, sha: sha(pr) }),
          inputs: inputs(extra),
          apiUrl: github.url,
          workspace,
        });
      };
      try {
        const failed = await deploy(FAILED);
        expect(failed.code).not.toBe(0);
        expect(await readRecord(store, name(FAILED))).toMatchObject({ failedStep: 'deploy' });
        expect(await visit(url(FAILED))).toMatchObject({
          status: 503,
          retryAfter: undefined,
          title: 'This preview is not available',
          reloads: false,
        });

        front.add({ method: 'POST', path: '/system/functions', fault: { hang: true } });
        const running = deploy(BUILDING);
        await waitFor(
          async () => front.requests.some((r) => r.action === 'hang'),
          'the deploy to reach the gateway',
          30_000,
        );
        const building = { status: 503, retryAfter: String(BUILDING_RETRY_S), title: 'This preview is being built' };
        expect(await visit(url(BUILDING))).toMatchObject({ ...building, reloads: true });
        expect(await visit(url(BUILDING, '/api/hello'))).toMatchObject({ ...building, reloads: true });
        const script = await edges.nginx.get(name(BUILDING), '/api/hello');
        expect([script.status, script.headers['retry-after'], script.body]).toEqual([
          503,
          String(BUILDING_RETRY_S),
          `preview ${name(BUILDING)} is being built; try again in ${BUILDING_RETRY_S} s\n`,
        ]);
        await front.close();
        expect((await running).code).not.toBe(0);
      } finally {
        await front.close();
      }
    }, 90_000);

    test('an unknown preview: 404, a page for a person, a line for a script', async () => {
      expect(await visit(url(74))).toMatchObject({ status: 404, title: 'No such preview', reloads: false });
      const script = await edges.nginx.get(name(74), '/');
      expect([script.status, script.body]).toEqual([404, `no such preview: ${name(74)}\n`]);
    });
  });

  test('nginx asking the edge service about every request, its gate off: previews stay public, and a page read from the bucket alone marks the preview as visited', async () => {
    const visitor = await startEdge('nginx', {
      gatewayUrl: gateway.url,
      bucketUrl: `${s3.endpoint}/${s3.bucket}`,
      // The waker that never handled this preview: each writes a preview's mark at most every 5 minutes.
      wakerUrl: wakers.haproxy.url,
      gate: true,
    });
    try {
      await deleteVisit(store, name(VIA_NGINX)); // written when nginx's waker woke it
      expect(await readVisit(store, name(VIA_NGINX))).toBeUndefined();
      const calls = gateway.calls.length;
      const page = await visitor.get(name(VIA_NGINX), '/');
      expect(page.status).toBe(200);
      expect(page.body).toContain('<code id="commit">');
      expect(gateway.calls.slice(calls).filter((c) => c.path.startsWith('/function/'))).toEqual([]);
      // Written in the background, after the answer.
      await waitFor(async () => (await readVisit(store, name(VIA_NGINX))) !== undefined, 'the visit mark');
    } finally {
      await visitor.close();
    }
  }, 30_000);

  test("the wakers' logs hold no credential", () => {
    const basic = Buffer.from(`admin:${PASSWORD}`).toString('base64');
    for (const kind of ['nginx', 'haproxy'] as const) {
      const output = wakers[kind].output();
      expect(output).toMatch(/wake preview=/);
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(basic);
    }
  });
});
