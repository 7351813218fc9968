/**
 * The emulated OpenFaaS gateway keeps each real provider's contract (docs/architecture.md "Provider facts" and the providers'
 * handlers): these tests pin every modelled rule over real HTTP, per profile.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { startGateway, type Edition, type GatewayEmulator, type GatewayOptions } from '../../test/support/gateway.js';
import { waitFor } from '../../test/support/tools.js';

const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
const PROFILES: Edition[] = ['faasd-ce', 'faas-netes-ce', 'faasd', 'faas-netes'];
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
const remove = (gw: GatewayEmulator, body: unknown, query = '') =>
  call(gw, 'DELETE', `/system/functions${query}`, body);
const scale = (gw: GatewayEmulator, name: string, replicas: unknown, query = '?namespace=openfaas-fn') =>
  call(gw, 'POST', `/system/scale-function/${name}${query}`, { serviceName: name, replicas, namespace: 'openfaas-fn' });
const invoke = (gw: GatewayEmulator, path: string, init?: RequestInit) => fetch(`${gw.url}/function/${path}`, init);

async function list(gw: GatewayEmulator, ns = 'openfaas-fn'): Promise<Record<string, unknown>[]> {
  const res = await call(gw, 'GET', `/system/functions?namespace=${ns}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>[];
}

async function describeFn(gw: GatewayEmulator, name: string): Promise<Record<string, unknown>> {
  const res = await call(gw, 'GET', `/system/function/${name}?namespace=openfaas-fn`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isFaasd = (e: Edition) => e.startsWith('faasd');
const isCe = (e: Edition) => e.endsWith('-ce');

describe('auth and plain routes', () => {
  it('answers /healthz without auth', async () => {
    const gw = await gateway();
    expect((await call(gw, 'GET', '/healthz', undefined, '')).status).toBe(200);
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
    expect(
      (await call(gw, 'GET', '/system/info', undefined, `Basic ${Buffer.from('ci:p:w').toString('base64')}`)).status,
    ).toBe(200);
  });

  it('404 on unknown paths, 405 on a wrong method for a known path (HEAD included)', async () => {
    const gw = await gateway();
    expect((await call(gw, 'GET', '/nope')).status).toBe(404);
    expect((await call(gw, 'GET', '/system/nope')).status).toBe(404);
    expect((await call(gw, 'PATCH', '/system/functions', {})).status).toBe(405);
    expect((await call(gw, 'HEAD', '/system/functions')).status).toBe(405);
    expect((await call(gw, 'POST', '/system/info', {})).status).toBe(405);
    expect((await call(gw, 'GET', '/system/scale-function/x')).status).toBe(405);
    expect((await call(gw, 'DELETE', '/system/function/x')).status).toBe(405);
  });

  it.each(PROFILES)(
    '%s: /system/info names the provider and its orchestration; the legacy option drops -ce',
    async (edition) => {
      type Info = {
        provider: { provider: string; orchestration: string; version: { release: string } };
        version: { release: string };
        arch: string;
      };
      const now = (await (await call(await gateway({ edition }), 'GET', '/system/info')).json()) as Info;
      expect(now.provider.provider).toBe(edition);
      expect(now.provider.orchestration).toBe(isFaasd(edition) ? 'containerd' : 'kubernetes');
      expect(now.version.release).toMatch(/^\d+\.\d+\.\d+$/);
      expect(now.arch).toBe('x86_64');
      const old = (await (
        await call(await gateway({ edition, legacyProviderName: true }), 'GET', '/system/info')
      ).json()) as Info;
      expect(old.provider.provider).toBe(isFaasd(edition) ? 'faasd' : 'faas-netes');
    },
  );

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

describe('status codes per provider', () => {
  const expected: Record<Edition, Record<string, number>> = {
    'faasd-ce': {
      post: 200,
      dup: 400,
      put: 200,
      putMissing: 404,
      scale: 200,
      scaleMissing: 404,
      del: 200,
      delEmpty: 404,
      delMissing: 404,
    },
    faasd: {
      post: 200,
      dup: 400,
      put: 200,
      putMissing: 404,
      scale: 200,
      scaleMissing: 404,
      del: 200,
      delEmpty: 404,
      delMissing: 404,
    },
    'faas-netes-ce': {
      post: 202,
      dup: 500,
      put: 202,
      putMissing: 404,
      scale: 202,
      scaleMissing: 500,
      del: 202,
      delEmpty: 400,
      delMissing: 404,
    },
    'faas-netes': {
      post: 202,
      dup: 500,
      put: 202,
      putMissing: 404,
      scale: 202,
      scaleMissing: 500,
      del: 202,
      delEmpty: 400,
      delMissing: 404,
    },
  };

  it.each(PROFILES)('%s', async (edition) => {
    const gw = await gateway({ edition });
    const seen: Record<string, number> = {};
    seen.post = (await deploy(gw, { service: 'fn', image: 'r/app:1' })).status;
    const dup = await deploy(gw, { service: 'fn', image: 'r/app:1' });
    seen.dup = dup.status;
    expect(await dup.text()).toMatch(
      isFaasd(edition) ? /snapshot fn-snapshot: already exists/ : /deployments\.apps "fn" already exists/,
    );
    seen.put = (await update(gw, { service: 'fn', image: 'r/app:2' })).status;
    seen.putMissing = (await update(gw, { service: 'ghost', image: 'r/app:2' })).status;
    seen.scale = (await scale(gw, 'fn', 2)).status;
    seen.scaleMissing = (await scale(gw, 'ghost', 1)).status;
    seen.delEmpty = (await remove(gw, {})).status;
    seen.delMissing = (await remove(gw, { functionName: 'ghost' })).status;
    seen.del = (await remove(gw, { functionName: 'fn', namespace: 'openfaas-fn' }, '?namespace=openfaas-fn')).status;
    expect(seen).toEqual(expected[edition]);
    expect(gw.functions()).toEqual([]);
  });
});

describe('DELETE reads the namespace from one side only', () => {
  it('faas-netes: the query, never the body', async () => {
    const gw = await gateway({ edition: 'faas-netes', namespaces: ['openfaas-fn', 'dev'] });
    gw.seed({ name: 'a', image: 'x:1', namespace: 'dev' });
    expect((await remove(gw, { functionName: 'a', namespace: 'dev' })).status).toBe(404);
    expect(gw.get('a', 'dev')).toBeDefined();
    expect((await remove(gw, { functionName: 'a' }, '?namespace=dev')).status).toBe(202);
    expect(gw.get('a', 'dev')).toBeUndefined();
  });

  it('faas-netes-ce: a body namespace is ignored, the default namespace is used', async () => {
    const gw = await gateway({ edition: 'faas-netes-ce' });
    gw.seed({ name: 'a', image: 'x:1' });
    expect((await remove(gw, { functionName: 'a', namespace: 'elsewhere' })).status).toBe(202);
    expect(gw.functions()).toEqual([]);
  });

  it('faasd (Edge): the body, never the query', async () => {
    const gw = await gateway({ edition: 'faasd', namespaces: ['openfaas-fn', 'dev'] });
    gw.seed({ name: 'a', image: 'x:1', namespace: 'dev' });
    expect((await remove(gw, { functionName: 'a' }, '?namespace=dev')).status).toBe(404);
    expect(gw.get('a', 'dev')).toBeDefined();
    expect((await remove(gw, { functionName: 'a', namespace: 'dev' })).status).toBe(200);
    expect(gw.get('a', 'dev')).toBeUndefined();
  });

  it('faasd-ce: a query namespace is ignored; an unknown body namespace is 400', async () => {
    const gw = await gateway({ edition: 'faasd-ce' });
    gw.seed({ name: 'a', image: 'x:1' });
    expect((await remove(gw, { functionName: 'a', namespace: 'elsewhere' })).status).toBe(400);
    expect((await remove(gw, { functionName: 'a' }, '?namespace=elsewhere')).status).toBe(200);
    expect(gw.functions()).toEqual([]);
  });
});

describe('validation', () => {
  it.each(['faasd-ce', 'faasd'] as Edition[])(
    '%s validates nothing Kubernetes would: names, labels, annotations',
    async (edition) => {
      const gw = await gateway({ edition });
      const body = {
        service: 'Upper_Case',
        image: 'r/x:1',
        labels: { 'bad key!': 'has space' },
        annotations: { 'not a key': 'v', 'x.amazonaws.com/role': 'r' },
      };
      expect((await deploy(gw, body)).status).toBe(200);
      const [fn] = await list(gw);
      expect(fn).toMatchObject({
        name: 'Upper_Case',
        labels: { 'bad key!': 'has space' },
        annotations: { 'not a key': 'v', 'x.amazonaws.com/role': 'r' },
      });
      expect((await deploy(gw, { service: '9lives', image: 'r/x:1', envVars: { '1BAD': 'v' } })).status).toBe(200);
      expect((await deploy(gw, { service: 'a'.repeat(70), image: 'r/x:1' })).status).toBe(200);
      // containerd itself refuses identifiers that do not start with a letter or digit
      expect((await deploy(gw, { service: '-lead', image: 'r/x:1' })).status).toBe(400);
    },
  );

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    '%s: name, image and Kubernetes objects are validated',
    async (edition) => {
      const gw = await gateway({ edition });
      for (const [body, status, text] of [
        ['{not json', 400, /failed to unmarshal request/],
        [{ image: 'x:1' }, 400, /validation failed: service: is required/],
        [{ service: 'Upper', image: 'x:1' }, 400, /must be a valid DNS entry/],
        [{ service: 'fn' }, 400, /image: is required/],
        [{ service: 'fn', image: 'x:1', labels: { n: 1 } }, 400, /cannot unmarshal number/],
        [{ service: 'fn', image: 'x:1', labels: { 'bad key!': 'v' } }, 500, /Deployment\.apps "fn" is invalid/],
        [{ service: 'fn', image: 'x:1', labels: { ok: 'v'.repeat(64) } }, 500, /is invalid/],
        [{ service: 'fn', image: 'x:1', annotations: { 'not a key': 'v' } }, 500, /is invalid/],
        [{ service: 'fn', image: 'x:1', envVars: { '1BAD': 'v' } }, 500, /is invalid/],
        [{ service: 'a'.repeat(64), image: 'x:1' }, 500, /is invalid/],
        [
          { service: 'fn', image: 'x:1', limits: { memory: 'lots' } },
          400,
          /failed create Deployment spec: quantities must match/,
        ],
      ] as [unknown, number, RegExp][]) {
        const res = await call(gw, 'POST', '/system/functions', body);
        expect([JSON.stringify(body), res.status, await res.text()]).toEqual([
          JSON.stringify(body),
          status,
          expect.stringMatching(text),
        ]);
      }
      expect(gw.functions()).toEqual([]);
      const good = await deploy(gw, {
        service: 'a'.repeat(63),
        image: 'x:1',
        labels: { 'faas-preview/repo': 'owner.repo', empty: '' },
      });
      expect(good.status).toBe(202);
    },
  );

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    '%s: a name that is no DNS-1035 label leaves a Deployment without a Service',
    async (edition) => {
      const gw = await gateway({ edition });
      const res = await deploy(gw, { service: '9lives', image: 'x:1' });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/failed create Service: Service "9lives" is invalid: metadata\.name.*DNS-1035/);
      expect((await list(gw)).map((f) => f.name)).toEqual(['9lives']);
      expect((await invoke(gw, '9lives')).status).toBe(404);
      expect((await deploy(gw, { service: '9lives', image: 'x:1' })).status).toBe(500);
      const put = await update(gw, { service: '9lives', image: 'x:2' });
      expect(put.status).toBe(404);
      expect(await put.text()).toMatch(/unable update Service/);
      expect(gw.get('9lives')?.image).toBe('x:2');
      expect((await remove(gw, { functionName: '9lives' })).status).toBe(404);
      expect(gw.functions()).toEqual([]);
    },
  );

  describe('scaling labels (CE refuses labels, not annotations)', () => {
    const cases: [string, Record<string, unknown>, boolean][] = [
      ['scale.zero=true', { labels: { 'com.openfaas.scale.zero': 'true' } }, false],
      ['scale.zero=false', { labels: { 'com.openfaas.scale.zero': 'false' } }, true],
      ['scale.zero-duration', { labels: { 'com.openfaas.scale.zero-duration': '15m' } }, false],
      ['scale.target', { labels: { 'com.openfaas.scale.target': '50' } }, false],
      ['scale.type', { labels: { 'com.openfaas.scale.type': 'rps' } }, false],
      ['scale.max=6', { labels: { 'com.openfaas.scale.max': '6' } }, false],
      ['scale.min=6', { labels: { 'com.openfaas.scale.min': '6' } }, false],
      ['scale.max=5', { labels: { 'com.openfaas.scale.max': '5' } }, true],
      ['scale.zero=true as annotation', { annotations: { 'com.openfaas.scale.zero': 'true' } }, true],
    ];

    it.each(PROFILES)('%s', async (edition) => {
      const gw = await gateway({ edition });
      const refuses = edition === 'faas-netes-ce';
      for (const [what, extra, allowedOnCe] of cases) {
        const res = await deploy(gw, { service: 'fn', image: 'x:1', ...extra });
        const ok = isFaasd(edition) ? 200 : 202;
        expect([what, res.status]).toEqual([what, refuses && !allowedOnCe ? 400 : ok]);
        if (res.status === 400)
          expect(await res.text()).toMatch(/not available for Community Edition|too high for Community Edition/);
        if (res.status !== 400) expect((await remove(gw, { functionName: 'fn' })).status).toBeLessThan(300);
      }
    });
  });

  it.each(PROFILES)('%s: CE annotation rules of faas-netes (one topic, no cloud IAM annotations)', async (edition) => {
    const gw = await gateway({ edition });
    const topic = await deploy(gw, { service: 'a', image: 'x:1', annotations: { topic: 'one,two' } });
    const iam = await deploy(gw, { service: 'b', image: 'x:1', annotations: { 'eks.amazonaws.com/role-arn': 'arn' } });
    const refused = edition === 'faas-netes-ce';
    expect([topic.status, iam.status]).toEqual(refused ? [400, 400] : isFaasd(edition) ? [200, 200] : [202, 202]);
    if (refused)
      expect(await iam.text()).toMatch(
        /annotation "eks\.amazonaws\.com\/role-arn" is not supported in the Community Edition/,
      );
  });

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    '%s: com.openfaas.scale.min sets the replicas on create and on update',
    async (edition) => {
      const gw = await gateway({ edition });
      await deploy(gw, { service: 'fn', image: 'x:1', labels: { 'com.openfaas.scale.min': '3' } });
      expect(gw.get('fn')?.replicas).toBe(3);
      await update(gw, { service: 'fn', image: 'x:2', labels: { 'com.openfaas.scale.min': '2' } });
      expect(gw.get('fn')?.replicas).toBe(2);
    },
  );
});

describe('images: public, private, missing', () => {
  const isPublic = (image: string) => !image.startsWith('private/');
  const isPullable = (image: string) => !image.startsWith('missing/');

  it('faas-netes-ce: a private image is refused on create and silently not applied on update', async () => {
    const gw = await gateway({ edition: 'faas-netes-ce', isPublic, isPullable });
    const post = await deploy(gw, { service: 'a', image: 'private/app:1' });
    expect(post.status).toBe(400);
    expect(await post.text()).toMatch(/only supports public images/);
    expect((await deploy(gw, { service: 'b', image: 'missing/app:1' })).status).toBe(400);
    expect((await deploy(gw, { service: 'fn', image: 'public/app:1' })).status).toBe(202);
    const put = await update(gw, { service: 'fn', image: 'private/app:2' });
    expect(put.status).toBe(200);
    expect(await put.text()).toBe('');
    expect(gw.get('fn')).toMatchObject({ image: 'public/app:1', deployCount: 1 });
  });

  it('faas-netes (Pro): a private image deploys; an image that cannot be pulled never becomes ready', async () => {
    const gw = await gateway({ edition: 'faas-netes', isPublic, isPullable });
    expect((await deploy(gw, { service: 'a', image: 'private/app:1' })).status).toBe(202);
    expect(gw.get('a')?.availableReplicas).toBe(1);
    expect((await deploy(gw, { service: 'b', image: 'missing/app:1' })).status).toBe(202);
    expect(gw.get('b')).toMatchObject({ replicas: 1, availableReplicas: 0 });
  });

  it.each(['faasd-ce', 'faasd'] as Edition[])(
    '%s: private images pull with its own credentials; a missing one is refused at once',
    async (edition) => {
      const gw = await gateway({ edition, isPublic, isPullable });
      expect((await deploy(gw, { service: 'a', image: 'private/app:1' })).status).toBe(200);
      const missing = await deploy(gw, { service: 'b', image: 'missing/app:1' });
      expect(missing.status).toBe(400);
      expect(await missing.text()).toMatch(/unable to pull image docker\.io\/missing\/app:1/);
      expect(gw.get('b')).toBeUndefined();
    },
  );
});

describe('update semantics', () => {
  it.each(['faasd-ce', 'faasd'] as Edition[])(
    '%s: delete + recreate — createdAt (nanoseconds) changes, even with a fixed clock',
    async (edition) => {
      const gw = await gateway({ edition, now: () => Date.parse('2024-05-01T10:00:00.250Z') });
      await deploy(gw, { service: 'fn', image: 'r/x:1' });
      const before = (await describeFn(gw, 'fn')).createdAt as string;
      expect(before).toMatch(/^2024-05-01T10:00:00\.25\d*[1-9]Z$/);
      expect((await update(gw, { service: 'fn', image: 'r/x:2' })).status).toBe(200);
      const after = (await describeFn(gw, 'fn')).createdAt as string;
      expect(after).not.toBe(before);
      expect(gw.get('fn')).toMatchObject({ image: 'docker.io/r/x:2', deployCount: 2 });
    },
  );

  it.each(['faasd-ce', 'faasd'] as Edition[])('%s: an unpullable image on PUT leaves no function', async (edition) => {
    const gw = await gateway({ edition, isPullable: (i) => i !== 'r/x:gone' });
    await deploy(gw, { service: 'fn', image: 'r/x:1' });
    const res = await update(gw, { service: 'fn', image: 'r/x:gone' });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/unable to pull image/);
    expect(gw.get('fn')).toBeUndefined();
    expect(await list(gw)).toEqual([]);
  });

  it.each(['faasd-ce', 'faasd'] as Edition[])(
    '%s: a missing secret on PUT leaves a stopped function that wakes once the secret exists',
    async (edition) => {
      const gw = await gateway({ edition });
      await deploy(gw, { service: 'fn', image: 'r/x:1' });
      const res = await update(gw, { service: 'fn', image: 'r/x:2', secrets: ['fn-token'] });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/unable to find secret: fn-token/);
      expect(gw.get('fn')).toMatchObject({ image: 'docker.io/r/x:2', replicas: 0, availableReplicas: 0 });
      const [listed] = await list(gw);
      expect('replicas' in listed).toBe(false);
      const refused = await invoke(gw, 'fn');
      expect(refused.status).toBe(500);
      expect(await refused.text()).toMatch(/unable to scale function \[fn\]/);
      gw.setSecret('fn-token', 's3cret');
      expect((await invoke(gw, 'fn')).status).toBe(200);
      expect(gw.get('fn')?.replicas).toBe(1);
    },
  );

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    '%s: rolling update — the old pod counts and answers until the new one is ready',
    async (edition) => {
      const gw = await gateway({ edition, readyAfterMs: 1500 });
      const v = (sha: string) => ({
        service: 'fn',
        image: `r/app:${sha}`,
        labels: { 'faas-preview/sha': sha },
        envVars: { FAAS_PREVIEW_SHA: sha },
      });
      await deploy(gw, v('aaa'));
      await waitFor(async () => gw.get('fn')?.availableReplicas === 1, 'first version ready');
      const createdAt = (await describeFn(gw, 'fn')).createdAt;
      expect(createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      gw.setReadiness('never'); // the new pod stays unready while the old one is looked at, however slow the test
      expect((await update(gw, v('bbb'))).status).toBe(202);
      const during = await describeFn(gw, 'fn');
      expect(during).toMatchObject({ image: 'r/app:bbb', replicas: 1, availableReplicas: 1, createdAt });
      const old = await invoke(gw, 'fn/hello');
      expect(old.headers.get('x-faas-preview-sha')).toBe('aaa');
      expect(await old.json()).toMatchObject({ image: 'r/app:aaa', sha: 'aaa' });
      gw.setReadiness('normal'); // ready readyAfterMs from now

      await waitFor(
        async () => (await invoke(gw, 'fn')).headers.get('x-faas-preview-sha') === 'bbb',
        'new version answering',
      );
      expect(gw.get('fn')).toMatchObject({ availableReplicas: 1, serving: { image: 'r/app:bbb', sha: 'bbb' } });
    },
  );

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    '%s: a new version that never starts leaves the old one serving',
    async (edition) => {
      const gw = await gateway({ edition, images: { 'r/app:broken': { neverStarts: true } } });
      await deploy(gw, { service: 'fn', image: 'r/app:good', envVars: { FAAS_PREVIEW_SHA: 'good' } });
      expect(
        (await update(gw, { service: 'fn', image: 'r/app:broken', envVars: { FAAS_PREVIEW_SHA: 'broken' } })).status,
      ).toBe(202);
      await sleep(50);
      expect(await describeFn(gw, 'fn')).toMatchObject({ image: 'r/app:broken', availableReplicas: 1 });
      expect((await invoke(gw, 'fn')).headers.get('x-faas-preview-sha')).toBe('good');
      expect(gw.get('fn')?.serving).toEqual({ image: 'r/app:good' });
    },
  );

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    '%s: update errors other than "not found" answer 200 and change nothing',
    async (edition) => {
      const gw = await gateway({ edition });
      await deploy(gw, { service: 'fn', image: 'r/app:1', labels: { a: '1' } });
      for (const body of [
        { service: 'fn', image: 'r/app:2', limits: { memory: 'lots' } },
        { service: 'fn', image: 'r/app:2', labels: { 'bad key!': 'v' } },
        { service: 'fn', image: 'r/app:2', envVars: { '1BAD': 'v' } },
      ]) {
        const res = await update(gw, body);
        expect([JSON.stringify(body), res.status, await res.text()]).toEqual([JSON.stringify(body), 200, '']);
      }
      expect(gw.get('fn')).toMatchObject({ image: 'r/app:1', labels: { a: '1' }, deployCount: 1 });
    },
  );

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    '%s: a missing secret is a "not found": 400 on create and on update, nothing changes',
    async (edition) => {
      const gw = await gateway({ edition });
      const post = await deploy(gw, { service: 'a', image: 'r/app:1', secrets: ['a-token'] });
      expect(post.status).toBe(400);
      expect(await post.text()).toMatch(/unable to fetch secrets: secrets "a-token" not found/);
      await deploy(gw, { service: 'fn', image: 'r/app:1' });
      const put = await update(gw, { service: 'fn', image: 'r/app:2', secrets: ['fn-token'] });
      expect(put.status).toBe(400);
      expect(await put.text()).toMatch(/secrets "fn-token" not found/);
      expect(gw.get('fn')?.image).toBe('r/app:1');
      gw.setSecret('fn-token');
      expect((await update(gw, { service: 'fn', image: 'r/app:2', secrets: ['fn-token'] })).status).toBe(202);
      expect(gw.get('fn')).toMatchObject({ image: 'r/app:2', secrets: ['fn-token'] });
    },
  );

  it('faasd: a missing secret on create is refused before anything exists', async () => {
    const gw = await gateway({ edition: 'faasd-ce' });
    const res = await deploy(gw, { service: 'fn', image: 'r/x:1', secrets: ['fn-token'] });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/unable to find secret: fn-token/);
    expect(gw.functions()).toEqual([]);
  });
});

describe('Community Edition: 15 functions', () => {
  it('faas-netes-ce: POST counts existing+1 (other functions too); a duplicate at the limit is the limit, PUT is not limited', async () => {
    const gw = await gateway({ edition: 'faas-netes-ce' });
    for (let i = 1; i <= 5; i++) gw.seed({ name: `other-${i}`, image: 'x:1', labels: { team: 'billing' } });
    for (let i = 1; i <= 10; i++) expect((await deploy(gw, { service: `fn-${i}`, image: 'x:1' })).status).toBe(202);
    const res = await deploy(gw, { service: 'fn-16', image: 'x:1' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/unable to create function, maximum: 15/);
    expect((await deploy(gw, { service: 'fn-3', image: 'x:1' })).status).toBe(400);
    expect((await update(gw, { service: 'fn-3', image: 'x:2' })).status).toBe(202);
    expect(gw.functions()).toHaveLength(15);
  });

  it('faas-netes-ce deletes in the foreground: with terminationMs a deleted function is still listed and counted, and its name taken, until its pods have terminated', async () => {
    const gw = await gateway({ edition: 'faas-netes-ce', terminationMs: 600_000 });
    for (let i = 1; i <= 15; i++) gw.seed({ name: `fn-${i}`, image: 'x:1' });
    expect((await remove(gw, { functionName: 'fn-1' })).status).toBe(202);
    expect((await list(gw)).find((f) => f.name === 'fn-1')).toMatchObject({ replicas: 1 });
    expect((await describeFn(gw, 'fn-1')).availableReplicas).toBeUndefined();
    const full = await deploy(gw, { service: 'fn-16', image: 'x:1' });
    expect(full.status).toBe(400);
    expect(await full.text()).toMatch(/maximum: 15/);
    // Its Service went with the first DELETE: a second DELETE and an update answer 404.
    expect((await remove(gw, { functionName: 'fn-1' })).status).toBe(404);
    expect((await update(gw, { service: 'fn-1', image: 'x:2' })).status).toBe(404);
    expect((await remove(gw, { functionName: 'fn-2' })).status).toBe(202);
    expect((await deploy(gw, { service: 'fn-1', image: 'x:1' })).status).toBe(400); // still 15 Deployments
    expect(gw.functions()).toHaveLength(15);

    const named = await gateway({ edition: 'faas-netes-ce', terminationMs: 600_000 });
    named.seed({ name: 'fn', image: 'x:1' });
    expect((await remove(named, { functionName: 'fn' })).status).toBe(202);
    const again = await deploy(named, { service: 'fn', image: 'x:1' });
    expect(again.status).toBe(500);
    expect(await again.text()).toMatch(/already exists/);
  });

  it('faas-netes-ce: once the pods have terminated the Deployment is gone and its slot free; without terminationMs at once', async () => {
    const gw = await gateway({ edition: 'faas-netes-ce', terminationMs: 200 });
    for (let i = 1; i <= 15; i++) gw.seed({ name: `fn-${i}`, image: 'x:1' });
    expect((await remove(gw, { functionName: 'fn-1' })).status).toBe(202);
    await waitFor(async () => !(await list(gw)).some((f) => f.name === 'fn-1'), 'fn-1 to go');
    expect((await deploy(gw, { service: 'fn-16', image: 'x:1' })).status).toBe(202);

    const instant = await gateway({ edition: 'faas-netes-ce' });
    for (let i = 1; i <= 15; i++) instant.seed({ name: `fn-${i}`, image: 'x:1' });
    expect((await remove(instant, { functionName: 'fn-1' })).status).toBe(202);
    expect((await list(instant)).some((f) => f.name === 'fn-1')).toBe(false);
    expect((await deploy(instant, { service: 'fn-16', image: 'x:1' })).status).toBe(202);
  });

  it('faasd-ce: POST counts existing+1, PUT refuses only beyond 15', async () => {
    const gw = await gateway({ edition: 'faasd-ce' });
    for (let i = 1; i <= 15; i++) expect((await deploy(gw, { service: `fn-${i}`, image: 'x:1' })).status).toBe(200);
    expect((await deploy(gw, { service: 'fn-16', image: 'x:1' })).status).toBe(400);
    expect((await update(gw, { service: 'fn-3', image: 'x:2' })).status).toBe(200);
    gw.seed({ name: 'sixteenth', image: 'x:1' });
    const put = await update(gw, { service: 'fn-3', image: 'x:3' });
    expect(put.status).toBe(400);
    expect(await put.text()).toMatch(/15 functions/);
  });

  it.each(['faasd', 'faas-netes'] as Edition[])('%s has no function limit', async (edition) => {
    const gw = await gateway({ edition });
    for (let i = 1; i <= 16; i++)
      expect((await deploy(gw, { service: `fn-${i}`, image: 'x:1' })).status).toBeLessThan(300);
    expect(gw.functions()).toHaveLength(16);
  });

  it('CE allows only openfaas-fn, even when configured otherwise; Pro allows the configured namespaces', async () => {
    for (const edition of ['faas-netes-ce', 'faasd-ce'] as Edition[]) {
      const ce = await gateway({ edition, namespaces: ['openfaas-fn', 'dev'] });
      expect((await deploy(ce, { service: 'fn', image: 'x:1', namespace: 'dev' })).status).toBe(400);
      expect((await call(ce, 'GET', '/system/functions?namespace=dev')).status).toBe(500);
    }
    const pro = await gateway({ edition: 'faas-netes', namespaces: ['openfaas-fn', 'dev'] });
    expect((await deploy(pro, { service: 'fn', image: 'x:1', namespace: 'dev' })).status).toBe(202);
    expect((await deploy(pro, { service: 'fn', image: 'x:1', namespace: 'other' })).status).toBe(400);
    expect((await list(pro, 'dev')).map((f) => f.name)).toEqual(['fn']);
    expect(await list(pro)).toEqual([]);
  });
});

describe('scale', () => {
  it.each(['faasd-ce', 'faas-netes-ce'] as Edition[])(
    '%s: the gateway clamps to 1..5 and answers with the provider status (0 is not refused)',
    async (edition) => {
      const gw = await gateway({ edition });
      gw.seed({ name: 'fn', image: 'x:1' });
      const ok = isFaasd(edition) ? 200 : 202;
      expect((await scale(gw, 'fn', 0)).status).toBe(ok);
      expect(gw.get('fn')?.replicas).toBe(1);
      expect((await scale(gw, 'fn', 9)).status).toBe(ok);
      expect(gw.get('fn')?.replicas).toBe(isFaasd(edition) ? 1 : 5);
      const bad = await call(gw, 'POST', '/system/scale-function/fn', { serviceName: 'fn', replicas: -1 });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/Error unmarshalling request body/);
    },
  );

  it('faas-netes (Pro): no clamp, scale to zero works; the name comes from the path, the namespace from the query', async () => {
    const gw = await gateway({ edition: 'faas-netes', namespaces: ['openfaas-fn', 'dev'] });
    gw.seed({ name: 'fn', image: 'x:1' });
    gw.seed({ name: 'fn', image: 'x:1', namespace: 'dev' });
    expect((await scale(gw, 'fn', 9)).status).toBe(202);
    expect(gw.get('fn')?.replicas).toBe(9);
    expect(
      (
        await call(gw, 'POST', '/system/scale-function/fn?namespace=dev', {
          serviceName: 'other',
          replicas: 0,
          namespace: 'openfaas-fn',
        })
      ).status,
    ).toBe(202);
    expect(gw.get('fn', 'dev')?.replicas).toBe(0);
    expect(gw.get('fn')?.replicas).toBe(9);
    const [asleep] = await list(gw, 'dev');
    expect('replicas' in asleep || 'availableReplicas' in asleep).toBe(false);
  });

  it('faasd (Edge): the name comes from the body; 0 pauses, and scaling a paused function to 0 resumes it', async () => {
    const gw = await gateway({ edition: 'faasd' });
    gw.seed({ name: 'fn', image: 'x:1' });
    expect((await call(gw, 'POST', '/system/scale-function/whatever', { serviceName: 'fn', replicas: 0 })).status).toBe(
      200,
    );
    expect(gw.get('fn')?.replicas).toBe(0);
    expect((await scale(gw, 'fn', 0)).status).toBe(200);
    expect(gw.get('fn')?.replicas).toBe(1);
    expect((await scale(gw, 'fn', 3)).status).toBe(200);
    expect(gw.get('fn')?.replicas).toBe(1);
  });
});

describe('list and describe fields', () => {
  it.each(['faasd-ce', 'faasd'] as Edition[])(
    '%s: list without availableReplicas, memory-only limits in BinarySI; describe without limits',
    async (edition) => {
      const gw = await gateway({ edition, now: () => Date.parse('2023-01-02T03:04:05Z') });
      await deploy(gw, { service: 'a', image: 'x:1', limits: { memory: '128Mi', cpu: '200m' } });
      await deploy(gw, {
        service: 'b',
        image: 'ghcr.io/o/b:2',
        limits: { memory: '128M' },
        envVars: { URL: 'https://h/?q=1', K: 'v' },
        envProcess: 'node index.js',
      });
      const [a, b] = await list(gw);
      expect(a).toMatchObject({
        name: 'a',
        image: 'docker.io/library/x:1',
        replicas: 1,
        labels: {},
        annotations: {},
        limits: { memory: '128Mi' },
      });
      expect('availableReplicas' in a || 'envVars' in a || 'secrets' in a).toBe(false);
      expect(a.createdAt).toMatch(/^2023-01-02T03:04:05\.\d*[1-9]Z$/);
      expect(b).toMatchObject({
        image: 'ghcr.io/o/b:2',
        limits: { memory: '125000Ki' },
        envVars: { URL: 'https://h/?q', K: 'v' },
        envProcess: 'node index.js',
      });
      const one = await describeFn(gw, 'a');
      expect(one).toMatchObject({ replicas: 1, availableReplicas: 1, labels: {}, annotations: {} });
      expect('limits' in one || 'invocationCount' in one).toBe(false);
    },
  );

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])('%s: Deployment-derived fields', async (edition) => {
    const gw = await gateway({ edition, now: () => Date.parse('2023-01-02T03:04:05.678Z') });
    gw.setSecret('z-token');
    gw.setSecret('a-token');
    await deploy(gw, {
      service: 'fn',
      image: 'x:1',
      limits: { memory: '128Mi' },
      secrets: ['z-token', 'a-token'],
      envProcess: 'node index.js',
    });
    const [fn] = await list(gw);
    expect(fn).toMatchObject({
      image: 'x:1',
      replicas: 1,
      availableReplicas: 1,
      labels: { faas_function: 'fn' },
      annotations: { 'prometheus.io.scrape': 'false' },
      limits: { memory: '128Mi', cpu: '0' },
      secrets: ['a-token', 'z-token'],
      envProcess: 'node index.js',
      envVars: { fprocess: 'node index.js' },
      createdAt: '2023-01-02T03:04:05Z',
    });
    await update(gw, { service: 'fn', image: 'x:2', labels: { a: 'b' } });
    expect((await describeFn(gw, 'fn')).labels).toEqual({
      faas_function: 'fn',
      uid: expect.stringMatching(/^\d+$/),
      a: 'b',
    });
  });

  it.each(PROFILES)(
    '%s: zero values are omitted (replicas, invocationCount, empty maps and lists)',
    async (edition) => {
      const gw = await gateway({ edition });
      gw.seed({ name: 'idle', image: 'x:1', replicas: 0, availableReplicas: 0 });
      const [idle] = await list(gw);
      for (const k of ['replicas', 'availableReplicas', 'invocationCount', 'envVars', 'secrets', 'limits'])
        expect([k, k in idle]).toEqual([k, false]);
      expect(idle).toMatchObject({ name: 'idle', namespace: 'openfaas-fn' });
      expect(typeof idle.createdAt).toBe('string');
    },
  );
});

describe('invocationCount from Prometheus', () => {
  it.each(PROFILES)(
    '%s: counted per call through the gateway, on the list only; survives delete + recreate; gone after a restart',
    async (edition) => {
      const gw = await gateway({ edition });
      await deploy(gw, { service: 'fn', image: 'x:1' });
      for (let i = 0; i < 3; i++) expect((await invoke(gw, 'fn/x')).status).toBe(200);
      expect((await list(gw))[0].invocationCount).toBe(3);
      expect('invocationCount' in (await describeFn(gw, 'fn'))).toBe(false);
      await remove(gw, { functionName: 'fn' });
      await deploy(gw, { service: 'fn', image: 'x:1' });
      expect((await list(gw))[0].invocationCount).toBe(3);
      gw.restart();
      expect('invocationCount' in (await list(gw))[0]).toBe(false);
      expect(gw.get('fn')?.invocationCount).toBe(0);
      expect(() => gw.invoke('nope')).toThrow();
    },
  );

  it('lags until Prometheus scrapes', async () => {
    const gw = await gateway({ scrapeIntervalMs: 3_600_000 });
    gw.seed({ name: 'fn', image: 'x:1', invocationCount: 40 });
    await invoke(gw, 'fn');
    gw.invoke('fn', 2);
    expect((await list(gw))[0].invocationCount).toBe(40);
    expect(gw.get('fn')?.invocationCount).toBe(43);
    gw.scrape();
    expect((await list(gw))[0].invocationCount).toBe(43);
  });

  it('scrapes on its schedule', async () => {
    const gw = await gateway({ scrapeIntervalMs: 200 });
    gw.seed({ name: 'fn', image: 'x:1' });
    gw.invoke('fn', 5);
    await waitFor(async () => (await list(gw))[0].invocationCount === 5, 'the next scrape');
  });

  it.each(PROFILES)(
    '%s: with Prometheus down the list drops the connection; describe still answers',
    async (edition) => {
      const gw = await gateway({ edition, prometheus: 'down' });
      gw.seed({ name: 'fn', image: 'x:1' });
      await expect(call(gw, 'GET', '/system/functions')).rejects.toThrow();
      expect(gw.calls.at(-1)).toMatchObject({ path: '/system/functions', status: 0 });
      expect((await call(gw, 'GET', '/system/function/fn')).status).toBe(200);
      gw.setPrometheus('up');
      expect(await list(gw)).toHaveLength(1);
    },
  );
});

describe('the function behind /function/<name>', () => {
  it.each(PROFILES)('%s: an honest stand-in that exposes FAAS_PREVIEW_SHA, no auth needed', async (edition) => {
    const gw = await gateway({ edition, images: { 'r/quiet:1': { exposeSha: false } } });
    await deploy(gw, {
      service: 'app-pr-7',
      image: 'r/app:pr-7-abcdef0',
      labels: { 'faas-preview/sha': 'abcdef0123' },
      envVars: { FAAS_PREVIEW_SHA: 'abcdef0123' },
    });
    const res = await invoke(gw, 'app-pr-7/api/items?x=1', { method: 'POST', body: 'hi' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-faas-preview-emulated')).toBe('true');
    expect(res.headers.get('x-faas-preview-sha')).toBe('abcdef0123');
    expect(await res.json()).toEqual({
      emulated: true,
      function: 'app-pr-7',
      namespace: 'openfaas-fn',
      image: isFaasd(edition) ? 'docker.io/r/app:pr-7-abcdef0' : 'r/app:pr-7-abcdef0',
      sha: 'abcdef0123',
      method: 'POST',
      path: '/api/items',
    });
    await deploy(gw, { service: 'quiet', image: 'r/quiet:1', envVars: { FAAS_PREVIEW_SHA: 'abcdef0123' } });
    const quiet = await invoke(gw, 'quiet');
    expect(quiet.status).toBe(200);
    expect(quiet.headers.get('x-faas-preview-sha')).toBeNull();
    expect((await invoke(gw, 'ghost/x')).status).toBe(404);
    expect((await invoke(gw, 'app-pr-7', { method: 'OPTIONS' })).status).toBe(405);
  });

  it('supports name.namespace and a bare name (path "/"); sha null without the label', async () => {
    const gw = await gateway({ edition: 'faasd', namespaces: ['openfaas-fn', 'dev'] });
    gw.seed({ name: 'fn', image: 'x:1', namespace: 'dev' });
    const res = await invoke(gw, 'fn.dev');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ function: 'fn', namespace: 'dev', sha: null, method: 'GET', path: '/' });
    expect((await invoke(gw, 'fn')).status).toBe(404);
    expect(gw.get('fn', 'dev')?.invocationCount).toBe(1);
  });

  it.each(PROFILES)('%s: a function answers with its own status', async (edition) => {
    const gw = await gateway({ edition, images: { 'r/app:1': { status: 503 } } });
    await deploy(gw, { service: 'fn', image: 'r/app:1' });
    const res = await invoke(gw, 'fn');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ emulated: true, function: 'fn' });
  });

  it.each(['faasd-ce', 'faasd'] as Edition[])(
    '%s: available before it listens — 500 "Can\'t reach service"',
    async (edition) => {
      const gw = await gateway({
        edition,
        images: { 'r/slow:1': { listenAfterMs: Number.POSITIVE_INFINITY }, 'r/late:1': { listenAfterMs: 300 } },
      });
      await deploy(gw, { service: 'slow', image: 'r/slow:1' });
      expect((await describeFn(gw, 'slow')).availableReplicas).toBe(1);
      const res = await invoke(gw, 'slow/x');
      expect(res.status).toBe(500);
      expect(await res.text()).toBe("Can't reach service for: slow.");
      await deploy(gw, { service: 'late', image: 'r/late:1' });
      await waitFor(async () => (await invoke(gw, 'late')).status === 200, 'the late function to listen');
    },
  );

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    "%s: a ready pod whose process does not listen yet — the watchdog's empty 500",
    async (edition) => {
      const gw = await gateway({
        edition,
        images: { 'r/slow:1': { listenAfterMs: Number.POSITIVE_INFINITY }, 'r/late:1': { listenAfterMs: 300 } },
      });
      await deploy(gw, { service: 'slow', image: 'r/slow:1' });
      expect((await describeFn(gw, 'slow')).availableReplicas).toBe(1);
      const res = await invoke(gw, 'slow');
      expect(res.status).toBe(500);
      expect(res.headers.get('x-duration-seconds')).not.toBeNull();
      expect(await res.text()).toBe('');
      await deploy(gw, { service: 'late', image: 'r/late:1' });
      await waitFor(async () => (await invoke(gw, 'late')).status === 200, 'the late function to listen');
    },
  );

  it.each(PROFILES)(
    '%s: a function that never starts — the gateway waits for a replica, then forwards anyway',
    async (edition) => {
      const gw = await gateway({ edition, coldStartTimeoutMs: 300, images: { 'r/crash:1': { neverStarts: true } } });
      await deploy(gw, { service: 'fn', image: 'r/crash:1' });
      expect(gw.get('fn')?.availableReplicas).toBe(0);
      const res = await invoke(gw, 'fn');
      expect(res.status).toBe(isFaasd(edition) ? 500 : 404);
      expect(await res.text()).toBe(isFaasd(edition) ? "Can't reach service for: fn." : 'Cannot find service: fn.');
      expect(gw.get('fn')?.invocationCount).toBe(1);
    },
  );

  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    '%s: a request during a cold start is held until a replica is ready',
    async (edition) => {
      const gw = await gateway({ edition, readyAfterMs: 1500 });
      gw.setReadiness('never'); // unready until the request has arrived, however slow the test
      await deploy(gw, { service: 'fn', image: 'x:1' });
      expect(gw.get('fn')?.availableReplicas).toBe(0);
      const answer = invoke(gw, 'fn');
      await waitFor(async () => gw.calls.some((c) => c.path === '/function/fn'), 'the request to arrive');
      gw.setReadiness('normal'); // ready readyAfterMs from now
      const res = await answer;
      expect(res.status).toBe(200);
      expect(gw.get('fn')?.availableReplicas).toBe(1);
    },
  );

  it.each(PROFILES)('%s: scale from zero — a function at 0 replicas is woken by the first request', async (edition) => {
    const gw = await gateway({ edition });
    gw.seed({ name: 'fn', image: 'x:1', replicas: 0 });
    expect((await invoke(gw, 'fn/hello')).status).toBe(200);
    expect(gw.get('fn')).toMatchObject({ replicas: 1, availableReplicas: 1, invocationCount: 1 });
  });
});

describe('readiness', () => {
  it('faas-netes: a deploy starts at 1 replica / 0 available and becomes available after readyAfterMs', async () => {
    const gw = await gateway({ readyAfterMs: 1500 });
    await deploy(gw, { service: 'fn', image: 'x:1' });
    const [before] = await list(gw);
    expect(before.replicas).toBe(1);
    expect('availableReplicas' in before).toBe(false);
    await waitFor(async () => (await list(gw))[0].availableReplicas === 1, 'the pod to become ready');
  });

  it("faas-netes: readiness 'never' keeps new pods unready until set back to normal", async () => {
    const gw = await gateway();
    gw.setReadiness('never');
    await deploy(gw, { service: 'fn', image: 'x:1' });
    await sleep(30);
    const [status] = await list(gw);
    expect(status.replicas).toBe(1);
    expect('availableReplicas' in status).toBe(false);
    gw.setReadiness('normal');
    expect(gw.get('fn')?.availableReplicas).toBe(1);
  });

  it("faasd: readiness 'never' makes new tasks crash (stopped, 0 replicas)", async () => {
    const gw = await gateway({ edition: 'faasd-ce' });
    gw.setReadiness('never');
    await deploy(gw, { service: 'fn', image: 'x:1' });
    expect(gw.get('fn')).toMatchObject({ replicas: 0, availableReplicas: 0 });
    gw.setReadiness('normal');
    expect((await scale(gw, 'fn', 1)).status).toBe(200);
    expect(gw.get('fn')?.replicas).toBe(1);
  });
});

describe('secrets API', () => {
  it.each(['faas-netes-ce', 'faas-netes'] as Edition[])(
    '%s: Kubernetes secrets — 202s, 409 on a duplicate, 404 when missing, 422 on a bad name',
    async (edition) => {
      const gw = await gateway({ edition });
      const secret = (method: string, body: unknown) => call(gw, method, '/system/secrets', body);
      expect((await secret('POST', { name: 'fn-token', value: 'a' })).status).toBe(202);
      expect((await secret('POST', { name: 'fn-token', value: 'b' })).status).toBe(409);
      expect((await secret('PUT', { name: 'fn-token', value: 'c' })).status).toBe(202);
      expect((await secret('PUT', { name: 'ghost', value: 'c' })).status).toBe(404);
      expect((await secret('POST', { name: 'Bad_Name', value: 'c' })).status).toBe(422);
      const listed = await call(gw, 'GET', '/system/secrets');
      expect(listed.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await listed.json()).toEqual([{ name: 'fn-token', namespace: 'openfaas-fn' }]);
      expect((await secret('DELETE', { name: 'fn-token' })).status).toBe(202);
      expect((await secret('DELETE', { name: 'fn-token' })).status).toBe(404);
      expect(gw.secrets()).toEqual([]);
    },
  );

  it.each(['faasd-ce', 'faasd'] as Edition[])(
    '%s: files — 200s, create or overwrite, 500 when deleting a missing one',
    async (edition) => {
      const gw = await gateway({ edition });
      const secret = (method: string, body: unknown) => call(gw, method, '/system/secrets', body);
      expect((await secret('POST', { name: 'fn-token', value: 'a' })).status).toBe(200);
      expect((await secret('POST', { name: 'fn-token', value: 'b' })).status).toBe(200);
      expect((await secret('PUT', { name: 'other', value: 'c' })).status).toBe(200);
      expect((await secret('POST', { name: '../etc', value: 'c' })).status).toBe(400);
      expect((await secret('POST', { name: ' ', value: 'c' })).status).toBe(400);
      const listed = await call(gw, 'GET', '/system/secrets');
      expect(listed.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(JSON.parse(await listed.text())).toEqual([
        { name: 'fn-token', namespace: 'openfaas-fn' },
        { name: 'other', namespace: 'openfaas-fn' },
      ]);
      expect((await secret('DELETE', { name: 'fn-token' })).status).toBe(200);
      const again = await secret('DELETE', { name: 'fn-token' });
      expect(again.status).toBe(500);
      expect(await again.text()).toMatch(/no such file or directory/);
      expect(gw.secrets()).toEqual(['other']);
    },
  );
});

describe('seed', () => {
  it('preloads many functions, ready at once, listed in one call', async () => {
    const gw = await gateway({ edition: 'faas-netes' });
    for (let i = 0; i < 1000; i++) gw.seed({ name: `f-${i}`, image: 'x:1' });
    const items = await list(gw);
    expect(items).toHaveLength(1000);
    expect(items.every((f) => f.availableReplicas === 1)).toBe(true);
    expect(gw.calls.filter((c) => c.method === 'GET' && c.path === '/system/functions')).toHaveLength(1);
    expect(() => gw.seed({ name: 'f-1', image: 'x:1' })).toThrow();
    expect(() => gw.seed({ name: 'g', image: 'x:1', namespace: 'elsewhere' })).toThrow();
  });

  it.each(PROFILES.filter(isCe))('%s: createdAt from the injected clock', async (edition) => {
    const gw = await gateway({ edition, now: () => Date.parse('2023-01-02T03:04:05Z') });
    await deploy(gw, { service: 'fn', image: 'x:1' });
    expect((await list(gw))[0].createdAt).toMatch(/^2023-01-02T03:04:05(\.\d+)?Z$/);
  });
});
