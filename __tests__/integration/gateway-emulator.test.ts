/** The emulated OpenFaaS gateway keeps the real gateway's contract: these tests pin each rule over real HTTP. */
import { startGateway, type GatewayEmulator, type GatewayOptions } from '../../test/support/gateway.js';

const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const open: GatewayEmulator[] = [];

async function gateway(options: GatewayOptions = {}): Promise<GatewayEmulator> {
  const gw = await startGateway(options);
  open.push(gw);
  return gw;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((gw) => gw.close()));
});

function call(gw: GatewayEmulator, method: string, path: string, body?: unknown, auth = AUTH): Promise<Response> {
  const headers: Record<string, string> = {};
  if (auth) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(gw.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const deploy = (gw: GatewayEmulator, body: Record<string, unknown>) => call(gw, 'POST', '/system/functions', body);
const update = (gw: GatewayEmulator, body: Record<string, unknown>) => call(gw, 'PUT', '/system/functions', body);
const scale = (gw: GatewayEmulator, name: string, replicas: number) =>
  call(gw, 'POST', `/system/scale-function/${name}?namespace=openfaas-fn`, { serviceName: name, replicas, namespace: 'openfaas-fn' });

async function list(gw: GatewayEmulator, ns = 'openfaas-fn'): Promise<Record<string, unknown>[]> {
  const res = await call(gw, 'GET', `/system/functions?namespace=${ns}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('auth and plain routes', () => {
  it('answers /healthz without auth', async () => {
    const gw = await gateway();
    const res = await call(gw, 'GET', '/healthz', undefined, '');
    expect(res.status).toBe(200);
  });

  it('refuses /system/* without or with wrong Basic auth: 401 + WWW-Authenticate, text body', async () => {
    const gw = await gateway();
    for (const auth of ['', `Basic ${Buffer.from('admin:wrong').toString('base64')}`, 'Bearer abc']) {
      const res = await call(gw, 'GET', '/system/functions', undefined, auth);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="Restricted"');
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect((await res.text()).length).toBeGreaterThan(0);
    }
    expect((await call(gw, 'GET', '/system/functions')).status).toBe(200);
  });

  it('uses the configured credentials', async () => {
    const gw = await gateway({ username: 'ci', password: 'p:w' });
    expect((await call(gw, 'GET', '/system/info')).status).toBe(401);
    const ok = await call(gw, 'GET', '/system/info', undefined, `Basic ${Buffer.from('ci:p:w').toString('base64')}`);
    expect(ok.status).toBe(200);
  });

  it('404 on unknown paths, 405 on a wrong method for a known path', async () => {
    const gw = await gateway();
    expect((await call(gw, 'GET', '/nope')).status).toBe(404);
    expect((await call(gw, 'GET', '/system/nope')).status).toBe(404);
    expect((await call(gw, 'PATCH', '/system/functions', {})).status).toBe(405);
    expect((await call(gw, 'POST', '/system/info', {})).status).toBe(405);
    expect((await call(gw, 'GET', '/system/scale-function/x')).status).toBe(405);
    expect((await call(gw, 'DELETE', '/system/function/x')).status).toBe(405);
  });

  it('reports the edition in /system/info', async () => {
    for (const [edition, orchestration] of [
      ['faas-netes-ce', 'kubernetes'],
      ['faasd', 'containerd'],
    ] as const) {
      const gw = await gateway({ edition });
      const body = (await (await call(gw, 'GET', '/system/info')).json()) as {
        provider: { provider: string; orchestration: string; version: { release: string } };
        version: { release: string };
        arch: string;
      };
      expect(body.provider.provider).toBe(edition);
      expect(body.provider.orchestration).toBe(orchestration);
      expect(typeof body.provider.version.release).toBe('string');
      expect(typeof body.version.release).toBe('string');
      expect(body.arch).toBe('x86_64');
    }
  });

  it('records every call in order with method, path, query, status and body', async () => {
    const gw = await gateway();
    await call(gw, 'GET', '/system/functions?namespace=openfaas-fn');
    await deploy(gw, { service: 'a', image: 'img:1' });
    expect(gw.calls.map((c) => [c.method, c.path, c.query, c.status])).toEqual([
      ['GET', '/system/functions', 'namespace=openfaas-fn', 200],
      ['POST', '/system/functions', '', 202],
    ]);
    expect(gw.calls[1].body).toEqual({ service: 'a', image: 'img:1' });
  });
});

describe('deploy and update', () => {
  it('POST deploys (202 on faas-netes); a second POST of the same function is a 500, not a 409', async () => {
    const gw = await gateway();
    const first = await deploy(gw, { service: 'app-pr-1', image: 'r/app:pr-1-abc1234', labels: { 'faas-preview/pr': '1' } });
    expect(first.status).toBe(202);
    const again = await deploy(gw, { service: 'app-pr-1', image: 'r/app:pr-1-abc1234' });
    expect(again.status).toBe(500);
    expect(await again.text()).toContain('"app-pr-1" already exists');
    expect(gw.get('app-pr-1')?.deployCount).toBe(1);
  });

  it('PUT of a missing function is 404; PUT of an existing one is 202 and replaces the spec', async () => {
    const gw = await gateway({ now: () => Date.parse('2024-05-01T10:00:00Z') });
    expect((await update(gw, { service: 'ghost', image: 'x:1' })).status).toBe(404);
    expect(gw.get('ghost')).toBeUndefined();

    await deploy(gw, { service: 'fn', image: 'x:1', labels: { a: '1' }, envVars: { K: 'v' }, secrets: ['s'] });
    gw.invoke('fn', 3);
    const res = await update(gw, { service: 'fn', image: 'x:2', labels: { b: '2' } });
    expect(res.status).toBe(202);
    const rec = gw.get('fn')!;
    expect(rec.image).toBe('x:2');
    expect(rec.labels).toEqual({ b: '2' });
    expect(rec.envVars).toEqual({});
    expect(rec.secrets).toEqual([]);
    expect(rec.invocationCount).toBe(3);
    expect(rec.createdAt).toBe('2024-05-01T10:00:00.000Z');
    expect(rec.deployCount).toBe(2);
  });

  it('rejects invalid bodies, names and labels with 400', async () => {
    const gw = await gateway({ edition: 'faas-netes' });
    const bad: unknown[] = [
      '{not json',
      { image: 'x:1' },
      { service: 'fn' },
      { service: 'Upper', image: 'x:1' },
      { service: 'has_underscore', image: 'x:1' },
      { service: '-lead', image: 'x:1' },
      { service: 'a'.repeat(64), image: 'x:1' },
      { service: 'fn', image: 'x:1', labels: { 'bad key!': 'v' } },
      { service: 'fn', image: 'x:1', labels: { ok: 'has space' } },
      { service: 'fn', image: 'x:1', labels: { ok: 'v'.repeat(64) } },
      { service: 'fn', image: 'x:1', labels: { 'Bad_Prefix/name': 'v' } },
      { service: 'fn', image: 'x:1', labels: { n: 1 } },
    ];
    for (const body of bad) {
      const res = await call(gw, 'POST', '/system/functions', body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      const put = await call(gw, 'PUT', '/system/functions', body);
      expect([JSON.stringify(body), put.status]).toEqual([JSON.stringify(body), 400]);
    }
    expect(gw.functions()).toHaveLength(0);
    const good = await deploy(gw, {
      service: 'a'.repeat(63),
      image: 'x:1',
      labels: { 'faas-preview/repo': 'owner.repo', 'faas-preview/managed': 'true', empty: '' },
    });
    expect(good.status).toBe(202);
  });

  it('rejects an unknown namespace with 400 (CE allows only openfaas-fn, even if configured otherwise)', async () => {
    const ce = await gateway({ namespaces: ['openfaas-fn', 'dev'] });
    expect((await deploy(ce, { service: 'fn', image: 'x:1', namespace: 'dev' })).status).toBe(400);
    expect((await call(ce, 'GET', '/system/functions?namespace=dev')).status).toBe(400);

    const pro = await gateway({ edition: 'faas-netes', namespaces: ['openfaas-fn', 'dev'] });
    expect((await deploy(pro, { service: 'fn', image: 'x:1', namespace: 'dev' })).status).toBe(202);
    expect((await deploy(pro, { service: 'fn', image: 'x:1', namespace: 'other' })).status).toBe(400);
    expect((await list(pro, 'dev')).map((f) => f.name)).toEqual(['fn']);
    expect(await list(pro)).toEqual([]);
    expect(pro.get('fn', 'dev')?.namespace).toBe('dev');
  });

  it('CE: the 16th function is refused with 400 mentioning the Community Edition limit', async () => {
    const gw = await gateway();
    for (let i = 1; i <= 15; i++) {
      expect((await deploy(gw, { service: `fn-${i}`, image: 'x:1' })).status).toBe(202);
    }
    const res = await deploy(gw, { service: 'fn-16', image: 'x:1' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Community Edition/);
    expect(gw.functions()).toHaveLength(15);
    // updating an existing one is still fine at the limit
    expect((await update(gw, { service: 'fn-3', image: 'x:2' })).status).toBe(202);
  });

  it('Pro has no function limit by default', async () => {
    const gw = await gateway({ edition: 'faas-netes' });
    for (let i = 1; i <= 16; i++) {
      expect((await deploy(gw, { service: `fn-${i}`, image: 'x:1' })).status).toBe(202);
    }
    expect(gw.functions()).toHaveLength(16);
  });

  it('CE: com.openfaas.scale.zero* labels or annotations are refused with 400; Pro accepts them', async () => {
    const ce = await gateway();
    expect((await deploy(ce, { service: 'a', image: 'x:1', labels: { 'com.openfaas.scale.zero': 'true' } })).status).toBe(400);
    expect(
      (await deploy(ce, { service: 'b', image: 'x:1', annotations: { 'com.openfaas.scale.zero-duration': '15m' } })).status,
    ).toBe(400);
    expect(ce.functions()).toHaveLength(0);
    const pro = await gateway({ edition: 'faas-netes' });
    expect((await deploy(pro, { service: 'a', image: 'x:1', labels: { 'com.openfaas.scale.zero': 'true' } })).status).toBe(202);
  });

  it('faasd editions answer 200 on deploy/delete/scale, PUT stays 202', async () => {
    for (const edition of ['faasd', 'faasd-ce'] as const) {
      const gw = await gateway({ edition });
      expect((await deploy(gw, { service: 'fn', image: 'x:1' })).status).toBe(200);
      expect((await update(gw, { service: 'fn', image: 'x:2' })).status).toBe(202);
      expect((await scale(gw, 'fn', 2)).status).toBe(200);
      expect((await call(gw, 'DELETE', '/system/functions', { functionName: 'fn', namespace: 'openfaas-fn' })).status).toBe(200);
      expect(gw.get('fn')).toBeUndefined();
    }
  });

  it('a deploy starts at 1 replica / 0 available and becomes available after readyAfterMs', async () => {
    const gw = await gateway({ readyAfterMs: 150 });
    await deploy(gw, { service: 'fn', image: 'x:1' });
    const [before] = await list(gw);
    expect(before.replicas).toBe(1);
    expect('availableReplicas' in before).toBe(false);
    await sleep(200);
    const [after] = await list(gw);
    expect(after.availableReplicas).toBe(1);
    // update resets availability until ready again
    await update(gw, { service: 'fn', image: 'x:2' });
    expect(gw.get('fn')?.availableReplicas).toBe(0);
    await sleep(200);
    expect(gw.get('fn')?.availableReplicas).toBe(1);
  });

  it('readyAfterMs 0 means ready on the next poll', async () => {
    const gw = await gateway();
    await deploy(gw, { service: 'fn', image: 'x:1' });
    const res = await call(gw, 'GET', '/system/function/fn?namespace=openfaas-fn');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { availableReplicas?: number }).availableReplicas).toBe(1);
  });

  it("readiness 'never' keeps availableReplicas at 0 and /function answers 502", async () => {
    const gw = await gateway();
    gw.setReadiness('never');
    await deploy(gw, { service: 'fn', image: 'x:1' });
    await sleep(30);
    const [status] = await list(gw);
    expect(status.replicas).toBe(1);
    expect('availableReplicas' in status).toBe(false);
    expect((await fetch(`${gw.url}/function/fn`)).status).toBe(502);
    gw.setReadiness('normal');
    expect(gw.get('fn')?.availableReplicas).toBe(1);
  });
});

describe('list and describe', () => {
  it('omits replicas/availableReplicas/invocationCount at 0 and empty maps; invocationCount only on the list', async () => {
    const gw = await gateway({ edition: 'faas-netes' });
    gw.seed({ name: 'idle', image: 'x:1', replicas: 0, availableReplicas: 0 });
    gw.seed({ name: 'busy', image: 'x:2', labels: { a: 'b' }, invocationCount: 7, envVars: { K: 'v' } });
    const items = await list(gw);
    const idle = items.find((f) => f.name === 'idle')!;
    const busy = items.find((f) => f.name === 'busy')!;
    for (const k of ['replicas', 'availableReplicas', 'invocationCount', 'labels', 'annotations', 'envVars', 'secrets', 'limits']) {
      expect([k, k in idle]).toEqual([k, false]);
    }
    expect(idle).toMatchObject({ name: 'idle', image: 'x:1', namespace: 'openfaas-fn' });
    expect(typeof idle.createdAt).toBe('string');
    expect(busy).toMatchObject({ replicas: 1, availableReplicas: 1, invocationCount: 7, labels: { a: 'b' }, envVars: { K: 'v' } });
    expect('annotations' in busy).toBe(false);

    const one = (await (await call(gw, 'GET', '/system/function/busy?namespace=openfaas-fn')).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ name: 'busy', replicas: 1, availableReplicas: 1 });
    expect('invocationCount' in one).toBe(false);
    expect((await call(gw, 'GET', '/system/function/missing?namespace=openfaas-fn')).status).toBe(404);
  });

  it('createdAt is RFC3339 from the injected clock', async () => {
    const gw = await gateway({ now: () => Date.parse('2023-01-02T03:04:05Z') });
    await deploy(gw, { service: 'fn', image: 'x:1' });
    const [fn] = await list(gw);
    expect(fn.createdAt).toBe('2023-01-02T03:04:05.000Z');
  });

  it('seed() preloads many functions, ready at once, listed in one call', async () => {
    const gw = await gateway({ edition: 'faas-netes' });
    for (let i = 0; i < 1000; i++) gw.seed({ name: `f-${i}`, image: 'x:1' });
    const items = await list(gw);
    expect(items).toHaveLength(1000);
    expect(items.every((f) => f.availableReplicas === 1)).toBe(true);
    expect(gw.calls.filter((c) => c.method === 'GET' && c.path === '/system/functions')).toHaveLength(1);
    expect(() => gw.seed({ name: 'f-1', image: 'x:1' })).toThrow();
  });

  it('restart() resets every invocationCount (Prometheus counter reset)', async () => {
    const gw = await gateway();
    gw.seed({ name: 'a', image: 'x:1', invocationCount: 40 });
    gw.seed({ name: 'b', image: 'x:1' });
    gw.invoke('b', 2);
    await fetch(`${gw.url}/function/b`);
    expect((await list(gw)).map((f) => f.invocationCount)).toEqual([40, 3]);
    gw.restart();
    const after = await list(gw);
    expect(after.map((f) => 'invocationCount' in f)).toEqual([false, false]);
    expect(gw.get('a')?.invocationCount).toBe(0);
    expect(() => gw.invoke('nope')).toThrow();
  });
});

describe('delete', () => {
  it('accepts functionName + namespace from the body or the namespace from the query', async () => {
    const gw = await gateway({ edition: 'faas-netes', namespaces: ['openfaas-fn', 'dev'] });
    gw.seed({ name: 'a', image: 'x:1' });
    gw.seed({ name: 'b', image: 'x:1', namespace: 'dev' });
    gw.seed({ name: 'c', image: 'x:1', namespace: 'dev' });
    expect((await call(gw, 'DELETE', '/system/functions', { functionName: 'a' })).status).toBe(202);
    expect((await call(gw, 'DELETE', '/system/functions', { functionName: 'b', namespace: 'dev' })).status).toBe(202);
    expect((await call(gw, 'DELETE', '/system/functions?namespace=dev', { functionName: 'c' })).status).toBe(202);
    expect(gw.functions()).toEqual([]);
  });

  it('400 when query and body namespaces differ or functionName is missing; 404 when unknown', async () => {
    const gw = await gateway({ edition: 'faas-netes', namespaces: ['openfaas-fn', 'dev'] });
    gw.seed({ name: 'a', image: 'x:1' });
    expect((await call(gw, 'DELETE', '/system/functions?namespace=dev', { functionName: 'a', namespace: 'openfaas-fn' })).status).toBe(400);
    expect((await call(gw, 'DELETE', '/system/functions', { namespace: 'openfaas-fn' })).status).toBe(400);
    expect((await call(gw, 'DELETE', '/system/functions', '')).status).toBe(400);
    expect((await call(gw, 'DELETE', '/system/functions', { functionName: 'a', namespace: 'dev' })).status).toBe(404);
    expect((await call(gw, 'DELETE', '/system/functions', { functionName: 'ghost' })).status).toBe(404);
    expect(gw.get('a')).toBeDefined();
    expect(
      (await call(gw, 'DELETE', '/system/functions?namespace=openfaas-fn', { functionName: 'a', namespace: 'openfaas-fn' })).status,
    ).toBe(202);
    expect(gw.get('a')).toBeUndefined();
  });
});

describe('scale', () => {
  it('unknown function: 500 on faas-netes editions, 404 on faasd editions', async () => {
    const expected = { 'faas-netes-ce': 500, 'faas-netes': 500, 'faasd-ce': 404, faasd: 404 } as const;
    for (const [edition, status] of Object.entries(expected)) {
      const gw = await gateway({ edition: edition as keyof typeof expected });
      expect([edition, (await scale(gw, 'ghost', 1)).status]).toEqual([edition, status]);
    }
  });

  it('CE: scale to 0 is refused with 400; replicas are clamped to 1..5', async () => {
    const gw = await gateway();
    gw.seed({ name: 'fn', image: 'x:1' });
    const zero = await scale(gw, 'fn', 0);
    expect(zero.status).toBe(400);
    expect(gw.get('fn')?.replicas).toBe(1);
    expect((await scale(gw, 'fn', 9)).status).toBe(202);
    expect(gw.get('fn')?.replicas).toBe(5);
    expect((await scale(gw, 'fn', 3)).status).toBe(202);
    expect(gw.get('fn')?.replicas).toBe(3);
  });

  it('Pro: scale to 0 works and the first /function request wakes the function', async () => {
    const gw = await gateway({ edition: 'faas-netes' });
    gw.seed({ name: 'fn', image: 'x:1', labels: { 'com.openfaas.scale.zero': 'true' } });
    expect((await scale(gw, 'fn', 0)).status).toBe(202);
    const [asleep] = await list(gw);
    expect('replicas' in asleep).toBe(false);
    expect('availableReplicas' in asleep).toBe(false);

    const res = await fetch(`${gw.url}/function/fn/hello`);
    expect(res.status).toBe(200);
    expect(gw.get('fn')).toMatchObject({ replicas: 1, availableReplicas: 1, invocationCount: 1 });
  });

  it('Pro on faasd: scale to 0 answers 200', async () => {
    const gw = await gateway({ edition: 'faasd' });
    gw.seed({ name: 'fn', image: 'x:1' });
    expect((await scale(gw, 'fn', 0)).status).toBe(200);
    expect(gw.get('fn')).toMatchObject({ replicas: 0, availableReplicas: 0 });
  });
});

describe('/function stand-in', () => {
  it('returns an honest emulated JSON body, counts one invocation, no auth needed', async () => {
    const gw = await gateway();
    await deploy(gw, { service: 'app-pr-7', image: 'r/app:pr-7-abcdef0', labels: { 'faas-preview/sha': 'abcdef0123' } });
    const res = await fetch(`${gw.url}/function/app-pr-7/api/items?x=1`, { method: 'POST', body: 'hi' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-faas-preview-emulated')).toBe('true');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      emulated: true,
      function: 'app-pr-7',
      namespace: 'openfaas-fn',
      image: 'r/app:pr-7-abcdef0',
      sha: 'abcdef0123',
      method: 'POST',
      path: '/api/items',
    });
    expect(gw.get('app-pr-7')?.invocationCount).toBe(1);
  });

  it('supports name.namespace, a bare name (path "/"), sha null without the label; unknown is 404', async () => {
    const gw = await gateway({ edition: 'faasd', namespaces: ['openfaas-fn', 'dev'] });
    gw.seed({ name: 'fn', image: 'x:1', namespace: 'dev' });
    const res = await fetch(`${gw.url}/function/fn.dev`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ function: 'fn', namespace: 'dev', sha: null, method: 'GET', path: '/' });
    expect((await fetch(`${gw.url}/function/fn`)).status).toBe(404);
    expect((await fetch(`${gw.url}/function/ghost/x`)).status).toBe(404);
    expect(gw.get('fn', 'dev')?.invocationCount).toBe(1);
  });

  it('CE does not scale from zero: a function at 0 replicas answers 502', async () => {
    const gw = await gateway();
    gw.seed({ name: 'fn', image: 'x:1', replicas: 0 });
    expect((await fetch(`${gw.url}/function/fn`)).status).toBe(502);
    expect(gw.get('fn')?.replicas).toBe(0);
  });
});
