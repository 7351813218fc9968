/**
 * The waker in process, against the emulated Community Edition gateway (faasd-ce with prebuilt fake images,
 * faas-netes-ce with images pushed to a public test registry) and s3rver holding the specs the sweeper saved with
 * saveSleeping. Requests go to it exactly as the edge would hand them over: `/function/<fn>/<rest>` with the
 * visitor's Host. Counted on the gateway's wire: what was written (POST/PUT/DELETE on /system) and which functions
 * were called.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { request } from 'node:http';
import { previewLabels, secretPath } from '../../src/naming.js';
import type { FunctionDeployment } from '../../src/openfaas/types.js';
import { listMadeRoom, readMadeRoom } from '../../src/state/made-room.js';
import {
  clearWaking,
  deleteSleeping,
  markWaking,
  readSleeping,
  saveSleeping,
  sleepingKey,
  wakingUntil,
} from '../../src/state/sleeping.js';
import type { StateStore } from '../../src/state/store.js';
import { saveState } from '../../src/state/sweeper.js';
import { readVisit } from '../../src/state/visits.js';
import { loadConfig } from '../../src/waker/config.js';
import { wakerLog } from '../../src/waker/log.js';
import { connect, startWaker, type RunningWaker } from '../../src/waker/server.js';
import { startFaultProxy } from '../../test/support/faults.js';
import { startGateway, type Edition, type GatewayCall, type GatewayEmulator } from '../../test/support/gateway.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { describeWith, gate, waitFor } from '../../test/support/tools.js';

const DOMAIN = 'preview.localhost';
const GATEWAY_PASSWORD = 'gw-pass-8b1f0c2d9e';
const SHA = 'c0ffee'.padEnd(40, '0');
const EVIL = 'evil.example';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP/1.1 request with any Host, raw target, method, headers and body (fetch can set neither Host nor a raw path). */
function send(
  url: string,
  o: { host: string; path: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        method: o.method ?? 'GET',
        path: o.path,
        headers: { ...o.headers, host: o.host },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

const host = (name: string) => `${name}.${DOMAIN}`;

/** What the deploy would have sent for preview `name` (src/commands/deploy.ts functionSpec), as the sweeper saved it. */
function savedSpec(
  name: string,
  image: string,
  o: { service?: string; repo?: [string, string]; labels?: Record<string, string> } = {},
): FunctionDeployment {
  const [owner, repo] = o.repo ?? ['octo-org', 'shop'];
  return {
    service: o.service ?? name,
    image,
    envVars: {
      LOG_LEVEL: 'debug',
      DATABASE_URL_FILE: secretPath(`${name}-database-url`),
      FAAS_PREVIEW_NAME: name,
      FAAS_PREVIEW_SHA: SHA,
      FAAS_PREVIEW_PR: '7',
    },
    labels: { team: 'web', ...previewLabels(owner, repo, 7, SHA), ...o.labels },
    annotations: {
      'faas-preview/deployed-at': '2026-01-01T00:00:00.000Z',
      'faas-preview/url': `https://${host(name)}`,
    },
    secrets: [`${name}-database-url`],
    limits: { memory: '128Mi', cpu: '100m' },
  };
}

const writes = (calls: GatewayCall[]) => calls.filter((c) => c.path.startsWith('/system/') && c.method !== 'GET');
const creates = (calls: GatewayCall[], name: string) =>
  calls.filter(
    (c) => c.method === 'POST' && c.path === '/system/functions' && (c.body as { service?: string })?.service === name,
  );
const invocations = (calls: GatewayCall[], fn: string) =>
  calls.filter((c) => c.path === `/function/${fn}` || c.path.startsWith(`/function/${fn}/`));

interface Stack {
  gateway: GatewayEmulator;
  s3: S3Emulator;
  store: StateStore;
  image: (name: string) => Promise<string>;
}

interface TestWaker extends RunningWaker {
  lines: string[];
}

async function startTestWaker(
  gatewayUrl: string,
  s3: S3Emulator,
  env: Record<string, string> = {},
): Promise<TestWaker> {
  const config = loadConfig({
    WAKER_GATEWAY_URL: gatewayUrl,
    WAKER_GATEWAY_PASSWORD: GATEWAY_PASSWORD,
    WAKER_BUCKET: s3.bucket,
    WAKER_S3_ENDPOINT: s3.endpoint,
    WAKER_AWS_ACCESS_KEY_ID: s3.settings.accessKeyId!,
    WAKER_AWS_SECRET_ACCESS_KEY: s3.settings.secretAccessKey!,
    WAKER_PREVIEW_DOMAIN: DOMAIN,
    WAKER_REPOSITORIES: 'octo-org/shop, octo-org/blog',
    WAKER_STATE_PREFIX: '.faas-preview',
    ...env,
  });
  const lines: string[] = [];
  const log = wakerLog(config, (line) => lines.push(line));
  const services = connect(config, log);
  const waker = await startWaker({ config: { ...config, listen: { host: '127.0.0.1', port: 0 } }, ...services, log });
  return {
    ...waker,
    lines,
    close: async () => {
      await waker.close();
      services.s3.destroy();
    },
  };
}

const { describe: withRegistry } = describeWith(['docker-registry']);

describe('waker against faasd-ce (prebuilt fake images) and s3rver', () => wakerSuite('faasd-ce'));
withRegistry('waker against faas-netes-ce (images in a public test registry) and s3rver', () =>
  wakerSuite('faas-netes-ce'),
);

/** The same cases on both Community Edition providers. */
function wakerSuite(edition: Edition): void {
  let stack: Stack;
  let registry: Registry | undefined;
  let waker: TestWaker;

  beforeAll(async () => {
    const [gateway, s3] = await Promise.all([startGateway({ edition, password: GATEWAY_PASSWORD }), startS3()]);
    if (edition === 'faas-netes-ce') registry = await startRegistry({ auth: 'token', anonymousPull: true });
    const image = async (name: string) => {
      if (!registry) return `ghcr.io/octo-org/shop:${name}-prebuilt`;
      await registry.pushImage('octo-org/shop', [`pr-7-${name}`], name);
      return `${registry.host}/octo-org/shop:pr-7-${name}`;
    };
    stack = { gateway, s3, store: s3.state(), image };
    waker = await startTestWaker(gateway.url, s3);
  }, 30_000);

  afterAll(async () => {
    await waker?.close();
    await Promise.all([stack?.gateway.close(), stack?.s3.close(), registry?.close()]);
  });

  /** Puts preview `name` to sleep as the sweeper does: its secret stays, its specs are saved, its functions are gone. */
  async function asleep(name: string, specs?: FunctionDeployment[]): Promise<FunctionDeployment[]> {
    const saved = specs ?? [savedSpec(name, await stack.image(name))];
    for (const s of saved)
      for (const secret of s.secrets ?? []) stack.gateway.setSecret(secret, `postgres://${name}@db/${name}`);
    await saveSleeping(stack.store, name, saved, new Date());
    return saved;
  }

  test('GET /healthz answers 200 whatever the Host', async () => {
    expect(await send(waker.url, { host: 'anything', path: '/healthz' })).toMatchObject({ status: 200, body: 'ok\n' });
  });

  test('a request wakes a sleeping preview: same image, labels, env and secrets; the saved spec is deleted; the request is answered by the function', async () => {
    const name = 'shop-pr-101';
    const [spec] = await asleep(name);
    const before = stack.gateway.calls.length;
    const res = await send(waker.url, {
      host: host(name),
      path: `/function/${name}/orders/7?lang=en`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"qty":2}',
    });

    expect(res.status).toBe(200);
    expect(res.headers['x-faas-preview-emulated']).toBe('true');
    expect(JSON.parse(res.body)).toMatchObject({
      function: name,
      image: spec.image,
      sha: SHA,
      method: 'POST',
      path: '/orders/7',
    });
    const fn = stack.gateway.get(name)!;
    expect(fn).toMatchObject({
      image: spec.image,
      labels: spec.labels,
      envVars: spec.envVars,
      secrets: spec.secrets,
      annotations: spec.annotations,
    });
    expect(await readSleeping(stack.store, name)).toBeUndefined();
    expect(await stack.s3.listKeys(sleepingKey('.faas-preview', name))).toEqual([]);

    const calls = stack.gateway.calls.slice(before);
    expect(creates(calls, name)).toHaveLength(1);
    expect(writes(calls).map((c) => `${c.method} ${c.path}`)).toEqual(['POST /system/functions']);
    // The original request went through once, body and query included, after the readiness probe's GET.
    const forwarded = invocations(calls, name).filter((c) => c.method === 'POST');
    expect(forwarded).toEqual([
      expect.objectContaining({ path: `/function/${name}/orders/7`, query: 'lang=en', body: { qty: 2 }, status: 200 }),
    ]);
    expect(waker.lines.filter((l) => l.includes(`preview=${name} `))).toEqual([
      expect.stringMatching(
        new RegExp(`wake preview=${name} functions=${name} created=1 outcome=awake duration=\\d+\\.\\d\\ds$`),
      ),
    ]);
  });

  test('a preview with several functions wakes all of them, whichever function was asked for', async () => {
    const name = 'shop-pr-102';
    const image = await stack.image(name);
    await asleep(name, [savedSpec(name, image), savedSpec(name, image, { service: `${name}-api` })]);
    const res = await send(waker.url, { host: host(name), path: `/function/${name}-api/hello` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ function: `${name}-api`, path: '/hello' });
    expect(stack.gateway.get(name)).toBeDefined();
    expect(stack.gateway.get(`${name}-api`)).toBeDefined();
    expect(await readSleeping(stack.store, name)).toBeUndefined();
  });

  test('twenty concurrent requests cause exactly one re-create, and all of them are answered by the function', async () => {
    const name = 'shop-pr-103';
    await asleep(name);
    const before = stack.gateway.calls.length;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(waker.url, { host: host(name), path: `/function/${name}/item/${i}` })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.map((a) => JSON.parse(a.body).path).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `/item/${i}`).sort(),
    );
    const calls = stack.gateway.calls.slice(before);
    expect(creates(calls, name)).toHaveLength(1);
    expect(writes(calls)).toHaveLength(1); // the one POST: the waker creates, never updates
    expect(waker.lines.filter((l) => l.includes(`preview=${name} `))).toHaveLength(1);
  });

  test('a preview without a saved spec (never deployed, torn down) answers 404 and nothing is written', async () => {
    const torn = 'shop-pr-104';
    await asleep(torn);
    await deleteSleeping(stack.store, torn); // what a teardown does
    const before = stack.gateway.calls.length;
    for (const name of [torn, 'shop-pr-105']) {
      const res = await send(waker.url, { host: host(name), path: `/function/${name}/hello` });
      // No record and no tombstone in the bucket either (gate/status.ts): an unknown preview.
      expect(res).toMatchObject({ status: 404, body: `no such preview: ${name}\n` });
    }
    const calls = stack.gateway.calls.slice(before);
    expect(writes(calls)).toEqual([]);
    expect(calls.filter((c) => c.path.startsWith('/function/'))).toEqual([]);
    expect(stack.gateway.get(torn)).toBeUndefined();
  });

  test.each([
    ['another repository', { repo: ['evil-org', 'shop'] as [string, string] }],
    ['an unmanaged function', { labels: { 'faas-preview/managed': 'false' } }],
  ])(
    'a saved spec of %s is refused: 404, nothing written, the spec left where it is, the refusal logged once',
    async (_what, o) => {
      const name = `shop-pr-${'repo' in o ? 106 : 107}`;
      await asleep(name, [savedSpec(name, await stack.image(name), o)]);
      const before = stack.gateway.calls.length;
      for (let i = 0; i < 3; i++) {
        const res = await send(waker.url, { host: host(name), path: `/function/${name}/` });
        expect(res).toMatchObject({ status: 404, body: 'not found\n' });
      }
      expect(writes(stack.gateway.calls.slice(before))).toEqual([]);
      expect(stack.gateway.get(name)).toBeUndefined();
      expect(await readSleeping(stack.store, name)).toBeDefined();
      expect(waker.lines.filter((l) => l.includes(`preview=${name} `))).toEqual([
        expect.stringMatching(/ outcome=refused duration=\S+ reason="function /),
      ]);
    },
  );

  test("a function a deploy creates between the waker's listing and its create is not overwritten by the saved spec", async () => {
    const name = 'shop-pr-118';
    await asleep(name);
    const newer = {
      ...savedSpec(name, await stack.image(`${name}-newer`)),
      labels: { ...previewLabels('octo-org', 'shop', 7, 'd'.repeat(40)) },
    };
    const held = gate();
    const proxy = await startFaultProxy(stack.gateway.url, [
      { method: 'POST', path: '/system/functions', times: 1, fault: { until: held.promise } },
    ]);
    const raced = await startTestWaker(proxy.url, stack.s3);
    try {
      const answer = send(raced.url, { host: host(name), path: `/function/${name}/` });
      // The deploy of a newer commit lands while the waker's create is on its way: the waker has listed and sent it.
      const creating = () => proxy.requests.some((r) => r.method === 'POST' && r.path === '/system/functions');
      await waitFor(() => Promise.resolve(creating()), "the waker's create");
      stack.gateway.seed({ name, image: newer.image, labels: newer.labels });
      held.open();
      expect((await answer).status).toBe(200);
      expect(stack.gateway.get(name)).toMatchObject({
        labels: expect.objectContaining({ 'faas-preview/sha': 'd'.repeat(40) }),
      });
      expect(proxy.requests.filter((r) => r.method === 'PUT')).toEqual([]);
      // Missing when the waker looked: counted as created (the waiting request has not run), though not by this waker.
      expect(raced.lines.find((l) => l.includes(`preview=${name} `))).toMatch(/created=1 outcome=awake/);
      expect(proxy.requests.filter((r) => r.method === 'POST' && r.path === '/system/functions')).toHaveLength(1);
    } finally {
      await raced.close();
      await proxy.close();
    }
  });

  test('a function that exists is never re-created: with a stale saved spec it is answered as it is, the spec left alone', async () => {
    const name = 'shop-pr-108';
    const image = await stack.image(name);
    stack.gateway.seed({
      name,
      image,
      labels: previewLabels('octo-org', 'shop', 7, SHA),
      envVars: { FAAS_PREVIEW_SHA: SHA },
    });
    await asleep(name, [savedSpec(name, `${image}-older`)]);
    const before = stack.gateway.calls.length;
    const res = await send(waker.url, { host: host(name), path: `/function/${name}/hello` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ function: name, image });
    expect(writes(stack.gateway.calls.slice(before))).toEqual([]);
    expect(stack.gateway.get(name)).toMatchObject({ image, deployCount: 0 });
    expect(await readSleeping(stack.store, name)).toBeDefined();
    // It existed when the gateway was asked: a POST may have run already, so it is not sent again.
    const seen = stack.gateway.calls.length;
    const post = await send(waker.url, {
      host: host(name),
      path: `/function/${name}/`,
      method: 'POST',
      headers: { 'x-faas-preview-gateway-status': '503' },
      body: '',
    });
    expect(post.status).toBe(503);
    expect(invocations(stack.gateway.calls.slice(seen), name)).toEqual([]);
  });

  describe("another replica's wake under way (it marked the wake, created the function, has not seen it ready yet)", () => {
    /** The other replica's state: the function it created, the saved spec it has not deleted yet, its mark. */
    async function wakingElsewhere(name: string): Promise<void> {
      stack.gateway.seed({ name, image: await stack.image(name), labels: previewLabels('octo-org', 'shop', 7, SHA) });
      await asleep(name);
      await markWaking(stack.store, name, new Date(Date.now() + 30_000));
    }

    /** A POST the gateway answered 404 (the function did not exist yet), handed to this waker while the other wakes. */
    function post(name: string) {
      const headers = { 'x-faas-preview-gateway-status': '404' };
      return send(waker.url, {
        host: host(name),
        path: `/function/${name}/orders`,
        method: 'POST',
        headers,
        body: '{}',
      });
    }

    /** Resolves once this waker has listed the functions (it read the saved spec before). */
    const listed = (since: number) =>
      waitFor(async () => stack.gateway.calls.slice(since).some((c) => c.path === '/system/functions'), 'a listing');
    /** Resolves once the bucket has answered this waker's read of the other wake's mark (it reads it after listing). */
    const markRead = (name: string, since: number) =>
      waitFor(
        async () =>
          stack.s3
            .requests()
            .slice(since)
            .some((r) => r.method === 'GET' && r.url.includes(`/waking/${name}.json`) && r.end !== undefined),
        "the waker's read of the wake mark",
      );

    test('the waker waits until the other has seen it ready, then sends the POST once: it never ran', async () => {
      const name = 'shop-pr-111';
      await wakingElsewhere(name);
      const before = stack.gateway.calls.length;
      const read = stack.s3.requests().length;
      const answer = post(name);
      await listed(before);
      await markRead(name, read);
      await deleteSleeping(stack.store, name); // what the other replica does once the function is ready
      const res = await answer;
      await clearWaking(stack.store, name);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ function: name, method: 'POST', path: '/orders' });
      const calls = stack.gateway.calls.slice(before);
      expect(writes(calls)).toEqual([]);
      expect(invocations(calls, name).map((c) => c.method)).toEqual(['POST']);
    });

    test('when the other wake ends without deleting the saved spec (it failed), the waiting POST gets 503, unsent', async () => {
      const name = 'shop-pr-112';
      await wakingElsewhere(name);
      const before = stack.gateway.calls.length;
      const read = stack.s3.requests().length;
      const answer = post(name);
      await listed(before);
      await markRead(name, read); // cleared before the waker saw it, the mark would prove nothing was waking
      await clearWaking(stack.store, name); // what the other replica does when its wake fails
      const res = await answer;
      expect(res.status).toBe(503);
      const calls = stack.gateway.calls.slice(before);
      expect(writes(calls)).toEqual([]);
      expect(invocations(calls, name)).toEqual([]);
    });
  });

  test("a function that is awake and answered an error of its own is asked a GET once more and its answer returned; someone else's function is not", async () => {
    const name = 'shop-pr-109';
    const image = await stack.image(name);
    stack.gateway.setImage(image, { status: 503 });
    stack.gateway.seed({ name, image, labels: previewLabels('octo-org', 'shop', 7, SHA) });
    stack.gateway.seed({ name: 'shop-pr-110', image, labels: { team: 'not-a-preview' } });
    const before = stack.gateway.calls.length;
    const own = await send(waker.url, { host: host(name), path: `/function/${name}/hello` });
    expect(own.status).toBe(503);
    expect(JSON.parse(own.body)).toMatchObject({ function: name });
    const foreign = await send(waker.url, { host: host('shop-pr-110'), path: '/function/shop-pr-110/hello' });
    expect(foreign).toMatchObject({ status: 404, body: 'no such preview: shop-pr-110\n' });
    const calls = stack.gateway.calls.slice(before);
    expect(writes(calls)).toEqual([]);
    expect(invocations(calls, name)).toHaveLength(1);
    expect(invocations(calls, 'shop-pr-110')).toEqual([]);
  });

  test('any other method to a function that is awake is not sent again: answered with the status the edge passed on, else 502', async () => {
    const name = 'shop-pr-109'; // awake, answers 503 itself (the test above)
    const before = stack.gateway.calls.length;
    const body = '{"qty":2}';
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const request = (headers: Record<string, string>) =>
        send(waker.url, {
          host: host(name),
          path: `/function/${name}/orders/7`,
          method,
          headers: { ...headers, 'content-length': String(body.length) },
          body,
        });
      const passed = await request({ 'x-faas-preview-gateway-status': '503' });
      expect(passed).toMatchObject({
        status: 503,
        body: `the request to function ${name} was answered with 503; a ${method} request is not sent twice, because the function may have acted on it already\n`,
      });
      const unknown = await request({});
      expect(unknown).toMatchObject({
        status: 502,
        body: `the request to function ${name} was answered with an error; a ${method} request is not sent twice, because the function may have acted on it already\n`,
      });
      // Only the statuses the edge hands over: a made-up one is not echoed.
      expect((await request({ 'x-faas-preview-gateway-status': '200' })).status).toBe(502);
    }
    const calls = stack.gateway.calls.slice(before);
    expect(invocations(calls, name)).toEqual([]);
    expect(writes(calls)).toEqual([]);
  });

  test('Host forms the edge accepts (upper case, a port) wake that preview, and only that one', async () => {
    const name = 'shop-pr-111';
    await asleep(name);
    const res = await send(waker.url, {
      host: `${name.toUpperCase()}.${DOMAIN.toUpperCase()}:8443`,
      path: `/function/${name}/`,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ function: name });
  });

  test('behind an edge that rewrites Host (HAProxy), WAKER_HOST_HEADER=x-forwarded-host takes the preview from X-Forwarded-Host only', async () => {
    const forwarded = await startTestWaker(stack.gateway.url, stack.s3, { WAKER_HOST_HEADER: 'x-forwarded-host' });
    try {
      const name = 'shop-pr-112';
      await asleep(name);
      const gatewayHost = new URL(stack.gateway.url).host;
      const before = stack.gateway.calls.length;
      expect((await send(forwarded.url, { host: host(name), path: `/function/${name}/` })).status).toBe(404);
      expect(writes(stack.gateway.calls.slice(before))).toEqual([]);
      const res = await send(forwarded.url, {
        host: gatewayHost,
        path: `/function/${name}/`,
        headers: { 'x-forwarded-host': `${name}.${DOMAIN}:443` },
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ function: name });
    } finally {
      await forwarded.close();
    }
  });

  describe('hostile input: nothing written, no other preview reached', () => {
    const victim = 'shop-pr-120';
    const visitor = 'shop-pr-121';

    const hosts: [string, string | undefined][] = [
      ['a nested subdomain', `x.${victim}.${DOMAIN}`],
      ['another domain', `${victim}.${DOMAIN}.${EVIL}`],
      ['a domain that ends like it', `${victim}.x${DOMAIN}`],
      ['the bare domain', DOMAIN],
      ['an empty label', `.${DOMAIN}`],
      ['a label of 64 characters', `${'a'.repeat(64)}.${DOMAIN}`],
      ['an underscore', `shop_pr_120.${DOMAIN}`],
      ['an IPv4 address', '127.0.0.1'],
      ['an IPv6 literal', '[::1]:80'],
      ['an empty Host', ''],
      ['an over-long Host', `${'a.'.repeat(2000)}${DOMAIN}`],
      ['an encoded dot', `${victim}%2e${DOMAIN}`],
      ['a path in the Host', `${victim}.${DOMAIN}/..`],
      ['a trailing dot', `${victim}.${DOMAIN}.`],
      ['user info', `${EVIL}@${victim}.${DOMAIN}`],
    ];
    const paths: [string, string][] = [
      ['another preview', `/function/${victim}/`],
      ['a dot-dot segment', `/function/${visitor}/../${victim}/`],
      ['an encoded slash', `/function/${visitor}%2f..%2f${victim}/`],
      ['encoded dots', `/function/${visitor}/%2e%2e/%2e%2e/function/${victim}/`],
      ['upper-case encoded dots', `/function/${visitor}/%2E%2E/${victim}`],
      ['an encoded backslash', `/function/${visitor}/..%5c${victim}`],
      ['a backslash', `/function/${visitor}\\..\\${victim}`],
      ['a namespace suffix', `/function/${victim}.openfaas-fn/`],
      ['the system API', '/system/functions'],
      ['an absolute-form target', `http://127.0.0.1:1/function/${victim}/`],
      ['a preview that extends the name', `/function/${visitor}0/`],
    ];
    let before = 0;

    beforeAll(async () => {
      await asleep(victim);
      before = stack.gateway.calls.length;
    });

    test.each(hosts)('Host with %s → 404', async (_what, h) => {
      for (const path of [`/function/${victim}/`, `/function/${victim}/secret`]) {
        const res = await send(waker.url, { host: h ?? '', path, headers: { 'x-forwarded-host': host(victim) } });
        expect({ h, path, status: res.status }).toEqual({ h, path, status: 404 });
      }
    });

    test.each(paths)('a path to %s from another preview → 404', async (_what, path) => {
      const res = await send(waker.url, { host: host(visitor), path });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    });

    test.each(['TRACE', 'PROPFIND', 'MKCOL'])('method %s on the preview → 405, no wake', async (method) => {
      const res = await send(waker.url, { host: host(victim), path: `/function/${victim}/`, method });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
    });

    test('a method HTTP does not know is refused by the parser with 400', async () => {
      expect((await send(waker.url, { host: host(victim), path: `/function/${victim}/`, method: 'FOO' })).status).toBe(
        400,
      );
    });

    test('none of them wrote to the gateway, called a function or woke the victim', async () => {
      const calls = stack.gateway.calls.slice(before);
      expect(writes(calls)).toEqual([]);
      expect(calls.filter((c) => c.path.startsWith('/function/'))).toEqual([]);
      expect(stack.gateway.get(victim)).toBeUndefined();
      expect(await readSleeping(stack.store, victim)).toBeDefined();
      expect(waker.lines.filter((l) => l.includes(victim))).toEqual([]);
    });
  });

  test('a body larger than WAKER_MAX_BODY_BYTES is refused with 413 before anything wakes', async () => {
    const small = await startTestWaker(stack.gateway.url, stack.s3, { WAKER_MAX_BODY_BYTES: '1024' });
    try {
      const name = 'shop-pr-130';
      await asleep(name);
      const res = await send(small.url, {
        host: host(name),
        path: `/function/${name}/upload`,
        method: 'PUT',
        body: 'x'.repeat(4096),
      });
      expect(res.status).toBe(413);
      expect(res.body).toMatch(/larger than the 1024 bytes/);
      expect(stack.gateway.get(name)).toBeUndefined();
      expect(await readSleeping(stack.store, name)).toBeDefined();
    } finally {
      await small.close();
    }
  });

  test('a function that never becomes ready: 504 within the wake timeout, then 504 with Retry-After from memory, no second deploy', async () => {
    const quick = await startTestWaker(stack.gateway.url, stack.s3, {
      WAKER_WAKE_TIMEOUT: '1500ms',
      WAKER_RETRY_AFTER: '60s',
    });
    try {
      const name = 'shop-pr-131';
      const [spec] = await asleep(name);
      stack.gateway.setImage(spec.image, { neverStarts: true });
      const first = await send(quick.url, { host: host(name), path: `/function/${name}/` });
      expect(first.status).toBe(504);
      expect(first.headers['retry-after']).toBe('60');
      expect(first.body).toMatch(new RegExp(`^preview ${name} did not wake up within 2 s`));
      const before = stack.gateway.calls.length;
      const again = await send(quick.url, { host: host(name), path: `/function/${name}/` });
      expect(again.status).toBe(504);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(50);
      expect(stack.gateway.calls.slice(before)).toEqual([]);
      expect(creates(stack.gateway.calls, name)).toHaveLength(1);
      expect(await readSleeping(stack.store, name)).toBeDefined();
      expect(quick.lines.filter((l) => l.includes(`preview=${name} `))).toEqual([
        expect.stringMatching(/ outcome=timeout duration=\S+ reason="function .* was not ready within/),
      ]);
    } finally {
      await quick.close();
    }
  });

  test('no more pending requests than WAKER_MAX_PENDING: the rest get 503 with Retry-After at once', async () => {
    const narrow = await startTestWaker(stack.gateway.url, stack.s3, { WAKER_MAX_PENDING: '2' });
    try {
      const name = 'shop-pr-132';
      const [spec] = await asleep(name);
      stack.gateway.setImage(spec.image, { listenAfterMs: 1500 });
      const answers = await Promise.all(
        [0, 1, 2].map((i) => send(narrow.url, { host: host(name), path: `/function/${name}/${i}` })),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 503]);
      const busy = answers.find((a) => a.status === 503)!;
      expect(busy.headers['retry-after']).toBe('1');
      expect(busy.body).toMatch(/too many requests are waiting/);
    } finally {
      await narrow.close();
    }
  });
}

describe('waker against a Community Edition gateway with no room, or one that refuses', () => {
  let s3: S3Emulator;
  let store: StateStore;
  const gateways: GatewayEmulator[] = [];

  beforeAll(async () => {
    s3 = await startS3();
    store = s3.state();
  });

  afterAll(async () => {
    await Promise.all([...gateways.map((g) => g.close()), s3?.close()]);
  });

  async function gateway(): Promise<GatewayEmulator> {
    const g = await startGateway({ edition: 'faasd-ce', password: GATEWAY_PASSWORD });
    gateways.push(g);
    return g;
  }

  test('15 functions running: 503 with Retry-After and a plain answer, no POST; the next request is answered from memory', async () => {
    const full = await gateway();
    for (let i = 0; i < 15; i++) full.seed({ name: `other-${i}`, image: 'ghcr.io/other/app:1' });
    const waker = await startTestWaker(full.url, s3, { WAKER_RETRY_AFTER: '45s' });
    try {
      const name = 'shop-pr-140';
      await saveSleeping(store, name, [savedSpec(name, 'ghcr.io/octo-org/shop:pr-140')], new Date());
      const before = full.calls.length;
      const res = await send(waker.url, { host: host(name), path: `/function/${name}/` });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('45');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body).toBe(
        `preview ${name} is asleep, and waking it up needs 1 more function(s) on an OpenFaaS Community Edition gateway that already runs 15 of the 15 it allows; try again later, or close pull requests whose previews are no longer needed\n`,
      );
      expect(writes(full.calls.slice(before))).toEqual([]);
      const seen = full.calls.length;
      const again = await send(waker.url, { host: host(name), path: `/function/${name}/` });
      expect(again.status).toBe(503);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(40);
      expect(full.calls.length).toBe(seen);
      expect(await readSleeping(store, name)).toBeDefined();
    } finally {
      await waker.close();
    }
  });

  test('a gateway that refuses the deploy and echoes the credentials: 503 without its words, the log scrubbed', async () => {
    const refusing = await gateway();
    const proxy = await startFaultProxy(refusing.url);
    const basic = Buffer.from(`admin:${GATEWAY_PASSWORD}`).toString('base64');
    proxy.add({
      method: 'POST',
      path: '/system/functions',
      fault: {
        status: 400,
        body: `unable to pull image for admin:${GATEWAY_PASSWORD} (Authorization: Basic ${basic})`,
      },
    });
    const waker = await startTestWaker(proxy.url, s3, { WAKER_RETRY_AFTER: '20s' });
    try {
      const name = 'shop-pr-141';
      await saveSleeping(store, name, [savedSpec(name, 'ghcr.io/octo-org/shop:pr-141')], new Date());
      const res = await send(waker.url, { host: host(name), path: `/function/${name}/` });
      expect(res).toMatchObject({ status: 503, body: `preview ${name} could not be woken up; try again in 20 s\n` });
      expect(res.headers['retry-after']).toBe('20');
      const line = waker.lines.find((l) => l.includes(`preview=${name} `))!;
      expect(line).toMatch(
        /outcome=failed duration=\S+ reason=".*answered 400: unable to pull image for admin:\*\*\* \(Authorization: Basic \*\*\*\)/,
      );
      for (const secret of [GATEWAY_PASSWORD, basic]) expect(waker.lines.join('\n')).not.toContain(secret);
      expect(refusing.get(name)).toBeUndefined();
    } finally {
      await waker.close();
      await proxy.close();
    }
  });
});

describe('a wake on a full Community Edition gateway makes room, as a deploy does (issue 23)', () => {
  const HOUR = 3_600_000;
  let s3: S3Emulator;
  let store: StateStore;
  const gateways: GatewayEmulator[] = [];

  beforeAll(async () => {
    s3 = await startS3();
    store = s3.state();
  });

  afterAll(async () => {
    await Promise.all([...gateways.map((g) => g.close()), s3?.close()]);
  });

  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  /**
   * A faasd-ce gateway full to its 15 functions: `previews` of octo-org/shop (and, with `repo`, of another
   * repository), each deployed 6 h ago and called 3 times in its life, the rest foreign functions.
   */
  async function fullGateway(previews: { name: string; repo?: [string, string] }[]): Promise<GatewayEmulator> {
    const g = await startGateway({ edition: 'faasd-ce', password: GATEWAY_PASSWORD });
    gateways.push(g);
    for (const p of previews) {
      const [owner, repo] = p.repo ?? ['octo-org', 'shop'];
      g.seed({
        name: p.name,
        image: `ghcr.io/${owner}/${repo}:1`,
        labels: previewLabels(owner, repo, Number(/\d+$/.exec(p.name)![0]), SHA),
        annotations: { 'faas-preview/deployed-at': ago(6 * HOUR) },
        invocationCount: 3,
      });
    }
    for (let i = previews.length; i < 15; i++) g.seed({ name: `other-${i}`, image: 'ghcr.io/other/app:1' });
    return g;
  }

  /** The sweeper's memory: each preview's count (3, as seeded) last changed `usedAgo` ms ago. */
  async function lastUsed(usedAgo: Record<string, number>): Promise<void> {
    const functions = Object.fromEntries(
      Object.entries(usedAgo).map(([name, ms]) => [name, { count: 3, changedAt: ago(ms) }]),
    );
    await saveState(store, functions, new Date());
  }

  test('the least recently used idle preview of the same repository sleeps, with a note for the sweeper; nothing else is touched', async () => {
    const woken = 'shop-pr-210';
    const [inUse, lru, idle, wakingToo, unknown] = [201, 202, 203, 204, 205].map((n) => `shop-pr-${n}`);
    // Named like this app's previews, but deployed from octo-org/blog.
    const foreignRepo = 'shop-pr-206';
    // The other repository's preview is the least recently used of all: another repository's is never a candidate.
    const gateway = await fullGateway([
      ...[inUse, lru, idle, wakingToo, unknown].map((name) => ({ name })),
      { name: foreignRepo, repo: ['octo-org', 'blog'] as [string, string] },
    ]);
    await lastUsed({
      [inUse]: 10 * 60_000,
      [lru]: 5 * HOUR,
      [idle]: 2 * HOUR,
      [wakingToo]: 9 * HOUR,
      [foreignRepo]: 10 * HOUR,
    });
    // Another replica is waking shop-pr-204 (its wake mark): never a victim, however long it was idle.
    await markWaking(store, wakingToo, new Date(Date.now() + 60_000));
    await saveSleeping(store, woken, [savedSpec(woken, 'ghcr.io/octo-org/shop:pr-210')], new Date());
    gateway.setSecret(`${woken}-database-url`, 'postgres://shop-pr-210@db/shop_pr_210');
    const waker = await startTestWaker(gateway.url, s3, { WAKER_IDLE_AFTER: '30m' });
    try {
      const before = gateway.calls.length;
      const res = await send(waker.url, { host: host(woken), path: `/function/${woken}/cart` });

      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ function: woken, path: '/cart' });
      expect(writes(gateway.calls.slice(before)).map((c) => `${c.method} ${c.path} ${JSON.stringify(c.body)}`)).toEqual(
        [
          `DELETE /system/functions {"functionName":"${lru}"}`,
          expect.stringMatching(/^POST \/system\/functions \{"service":"shop-pr-210"/),
        ],
      );
      expect(gateway.functions()).toHaveLength(15);
      for (const stays of [inUse, idle, wakingToo, unknown, foreignRepo, 'other-6'])
        expect(gateway.get(stays)).toBeDefined();
      // Put to sleep as the sweeper does: its spec saved from the listing (no record), to wake on its next visit.
      const slept = await readSleeping(store, lru);
      expect(slept?.specs).toEqual([expect.objectContaining({ service: lru, image: 'ghcr.io/octo-org/shop:1' })]);
      expect(await readMadeRoom(store, lru)).toEqual({
        version: 1,
        name: lru,
        pr: 202,
        forName: woken,
        forPr: 210,
        at: slept!.since,
        idleFor: '5h',
      });
      expect(await listMadeRoom(store)).toEqual([lru]);
      expect(await readSleeping(store, woken)).toBeUndefined();
      expect(await wakingUntil(store, woken)).toBeUndefined();
      // The woken preview's visit is recorded: a deploy right after does not take it for idle.
      await waitFor(async () => (await readVisit(store, woken)) !== undefined, 'the visit of the woken preview');
      expect(waker.lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            ` made room for ${woken} \\(PR #210\\): ${lru} \\(PR #202, 1 function\\(s\\), idle for 5h\\) put to sleep`,
          ),
        ),
      );
      expect(waker.lines).toContainEqual(expect.stringMatching(new RegExp(` wake preview=${woken} .*outcome=awake`)));
    } finally {
      await waker.close();
      await clearWaking(store, wakingToo);
    }
  });

  test('every preview in use, or of unknown last use: 503 full with the counts, nothing touched, no note', async () => {
    const woken = 'shop-pr-220';
    const previews = ['shop-pr-221', 'shop-pr-222', 'shop-pr-223'];
    const gateway = await fullGateway(previews.map((name) => ({ name })));
    // Two used within idle-after (2 h here), the third not in the sweeper's memory: last use unknown.
    await lastUsed({ 'shop-pr-221': 90 * 60_000, 'shop-pr-222': 20 * 60_000 });
    await saveSleeping(store, woken, [savedSpec(woken, 'ghcr.io/octo-org/shop:pr-220')], new Date());
    const waker = await startTestWaker(gateway.url, s3, { WAKER_IDLE_AFTER: '2h', WAKER_RETRY_AFTER: '40s' });
    try {
      const before = gateway.calls.length;
      const res = await send(waker.url, { host: host(woken), path: `/function/${woken}/` });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('40');
      expect(res.body).toBe(
        `preview ${woken} is asleep, and waking it up needs 1 more function(s) on an OpenFaaS Community Edition gateway that already runs 15 of the 15 it allows; try again later, or close pull requests whose previews are no longer needed\n`,
      );
      expect(writes(gateway.calls.slice(before))).toEqual([]);
      expect(gateway.functions()).toHaveLength(15);
      for (const p of previews) expect(await readSleeping(store, p)).toBeUndefined();
      expect(await listMadeRoom(store)).not.toEqual(expect.arrayContaining(previews));
      // Still asleep, and no wake mark left behind to hold another replica.
      expect(await readSleeping(store, woken)).toBeDefined();
      expect(await wakingUntil(store, woken)).toBeUndefined();
    } finally {
      await waker.close();
    }
  });
});
