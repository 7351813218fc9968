/**
 * The edge routers of deploy/edge, real nginx and real HAProxy (the same cases for both), in front of s3rver and
 * the emulated OpenFaaS gateway: Host → preview name → bucket prefix or function (the default one under /api, the
 * stack's others as <name>-<fn> under /fn/<fn>), SPA fallback, and nothing that lets one preview (or a crafted
 * Host / path) read another preview's keys or functions, or the gateway's /system API.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { NGINX_TEMPLATE, edgeVariables, renderNginx, renderTemplate } from '../../deploy/edge/render.js';
import { MANIFEST_KEY } from '../../src/assets/manifest.js';
import { ROOT } from '../../test/support/action.js';
import { edgeRequest, startEdge, type Edge } from '../../test/support/edge.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { describeWith, hasCommand } from '../../test/support/tools.js';

const A = 'shop-pr-1';
const B = 'shop-pr-2';
const SHA_A = 'a'.repeat(40);
/** Functions of a stack: A's web, B's web and admin, and the preview of app "shop-pr-1", PR 2, whose name A + "-pr-2" forms. */
const A_WEB = `${A}-web`;
const B_WEB = `${B}-web`;
const B_ADMIN = `${B}-admin`;
const NESTED = `${A}-pr-2`;
/** A preview name of 59 characters: with "-" and a function of 3 it is 63, of 4 it is 64. */
const LONG = `${'l'.repeat(54)}-pr-9`;
const SECRET = 'SECRET-OF-PR-2';
const OUTSIDE = 'NOT-A-PREVIEW-KEY';
/** The body of A's content manifest, which the action keeps under A's prefix and the edge never serves. */
const MANIFEST = 'MANIFEST-OF-PR-1';

const OBJECTS: Array<[key: string, body: string, type: string]> = [
  [`${A}/index.html`, '<h1>preview A</h1>', 'text/html; charset=utf-8'],
  [`${A}/app.0123abcd.js`, 'console.log("A")', 'application/javascript; charset=utf-8'],
  [`${A}/img/logo.svg`, '<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml; charset=utf-8'],
  [`${A}/my file.txt`, 'spaces are fine', 'text/plain; charset=utf-8'],
  [`${A}/LICENSE`, 'MIT (extension-less file)', 'text/plain; charset=utf-8'],
  [`${A}/${MANIFEST_KEY}`, MANIFEST, 'application/json'],
  [`${B}/index.html`, '<h1>preview B</h1>', 'text/html; charset=utf-8'],
  [`${B}/secret.json`, JSON.stringify({ secret: SECRET }), 'application/json; charset=utf-8'],
  ['secret.txt', OUTSIDE, 'text/plain; charset=utf-8'],
  [`${A}x/index.html`, OUTSIDE, 'text/html; charset=utf-8'],
];

describe('edge config files', () => {
  test('kubernetes.yaml embeds nginx.conf verbatim, with one wildcard Ingress and the template variables', () => {
    const docs = parseAllDocuments(readFileSync(`${ROOT}/deploy/edge/kubernetes.yaml`, 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Deployment', 'Service', 'Ingress']);
    expect(docs[0].data['faas-preview.conf.template']).toBe(readFileSync(NGINX_TEMPLATE, 'utf8'));
    const env = Object.fromEntries(
      docs[1].spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    const nginx = readFileSync(NGINX_TEMPLATE, 'utf8');
    const header = nginx.slice(0, nginx.indexOf('\nmap '));
    const used = new Set([...nginx.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]));
    for (const name of used) {
      expect(env[name]).toBeDefined();
      expect(name).toMatch(new RegExp(env.NGINX_ENVSUBST_FILTER));
      expect(header).toMatch(new RegExp(`^#\\s+${name}\\s`, 'm'));
    }
    expect(docs[3].spec.rules).toHaveLength(1);
    expect(docs[3].spec.rules[0].host).toMatch(/^\*\./);
  });

  test("kubernetes.yaml's WAKER_URL is the Service of deploy/waker/kubernetes.yaml, whose policy admits the edge's pods", () => {
    const edge = parseAllDocuments(readFileSync(`${ROOT}/deploy/edge/kubernetes.yaml`, 'utf8')).map((d) => d.toJS());
    const waker = parseAllDocuments(readFileSync(`${ROOT}/deploy/waker/kubernetes.yaml`, 'utf8')).map((d) => d.toJS());
    const envOf = (deployment: {
      spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } };
    }) => Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
    const edgeEnv = envOf(edge.find((d) => d.kind === 'Deployment'));
    const wakerEnv = envOf(waker.find((d) => d.kind === 'Deployment'));
    const service = waker.find((d) => d.kind === 'Service');
    // Both in the namespace the headers tell to apply them in; nginx resolves the name itself, so it is fully qualified.
    expect(edgeEnv.WAKER_URL).toBe(
      `http://${service.metadata.name}.faas-preview.svc.cluster.local:${service.spec.ports[0].port}`,
    );
    expect(['on', 'off']).toContain(edgeEnv.WAKER);
    expect(wakerEnv.WAKER_LISTEN).toBe(
      `0.0.0.0:${waker.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].ports[0].containerPort}`,
    );
    // nginx sends the visitor's Host to the waker.
    expect(wakerEnv.WAKER_HOST_HEADER).toBe('host');
    const policy = waker.find((d) => d.kind === 'NetworkPolicy');
    expect(edge.find((d) => d.kind === 'Deployment').spec.template.metadata.labels).toMatchObject(
      policy.spec.ingress[0].from[0].podSelector.matchLabels,
    );
  });

  test('every ${VAR} of haproxy.cfg is documented and derived from the same settings', () => {
    const vars = edgeVariables({
      listen: '0.0.0.0:8080',
      previewDomain: 'preview.example.com',
      gatewayUrl: 'http://gw:8080',
      bucketUrl: 'https://s3.example.com/previews/',
      wakerUrl: 'http://waker:8089',
    });
    expect(vars).toMatchObject({
      GATEWAY_ADDR: 'gw:8080',
      BUCKET_ADDR: 's3.example.com:443',
      BUCKET_PATH: '/previews',
      BUCKET_URL: 'https://s3.example.com/previews',
      API_PATH: '/api',
      WAKER_ADDR: 'waker:8089',
    });
    const haproxy = readFileSync(`${ROOT}/deploy/edge/haproxy.cfg`, 'utf8');
    const header = haproxy.slice(0, haproxy.indexOf('\nglobal'));
    for (const [, name] of haproxy.matchAll(/\$\{([A-Z_]+)\}/g)) {
      expect(vars[name]).toBeDefined();
      expect(header).toMatch(new RegExp(`^#\\s+${name}\\s`, 'm'));
    }
  });

  test('envsubst with the documented variable list renders nginx.conf exactly like render.ts', () => {
    if (!hasCommand('envsubst')) return; // gettext-base; the official nginx image has it
    const c = {
      listen: '127.0.0.1:8080',
      previewDomain: 'preview.localhost',
      gatewayUrl: 'http://127.0.0.1:8081',
      bucketUrl: 'http://127.0.0.1:9000/previews',
    };
    const vars = edgeVariables(c);
    const list = readFileSync(NGINX_TEMPLATE, 'utf8').match(/envsubst '([^']+)'/)![1];
    const out = execFileSync('envsubst', [list], {
      input: readFileSync(NGINX_TEMPLATE),
      env: { PATH: process.env.PATH, ...vars },
    }).toString();
    expect(out).toBe(renderNginx(c));
  });

  test('a placeholder without a value is an error, nginx variables are left alone', () => {
    expect(renderTemplate('proxy_pass ${GATEWAY_URL}/function/$name;', { GATEWAY_URL: 'http://g' })).toBe(
      'proxy_pass http://g/function/$name;',
    );
    expect(() => renderTemplate('listen ${LISTEN};', {})).toThrow('no value for ${LISTEN}');
    expect(() =>
      edgeVariables({ listen: '8080', previewDomain: 'x', gatewayUrl: 'http://g', bucketUrl: 'http://s/b' }),
    ).toThrow(/listen/);
    expect(() =>
      edgeVariables({
        listen: ':1',
        previewDomain: 'x',
        gatewayUrl: 'http://g',
        bucketUrl: 'http://s/b',
        apiPath: '/api/',
      }),
    ).toThrow(/apiPath/);
  });

  test('the waker is off unless its URL is given; the URL is a base URL without a path', () => {
    const base = {
      listen: '127.0.0.1:1',
      previewDomain: 'preview.localhost',
      gatewayUrl: 'http://g',
      bucketUrl: 'http://s/bucket',
    };
    const off = edgeVariables(base);
    expect(off).toMatchObject({ WAKER: 'off', WAKER_URL: '' });
    // haproxy.cfg tests `defined(WAKER_ADDR)`: without a waker the variable must not exist at all.
    expect(off).not.toHaveProperty('WAKER_ADDR');
    expect(edgeVariables({ ...base, wakerUrl: 'http://127.0.0.1:8089/' })).toMatchObject({
      WAKER: 'on',
      WAKER_URL: 'http://127.0.0.1:8089',
      WAKER_ADDR: '127.0.0.1:8089',
    });
    expect(() => edgeVariables({ ...base, wakerUrl: 'http://w:8089/wake' })).toThrow(
      "wakerUrl: 'http://w:8089/wake' must not have a path",
    );
    expect(() => edgeVariables({ ...base, wakerUrl: 'w:8089' })).toThrow(/wakerUrl: 'w:8089' is not http\(s\)/);
    expect(() => edgeVariables({ ...base, wakerUrl: 'http://w:8089/?x' })).toThrow(
      /wakerUrl: .* must be a plain base URL/,
    );
  });

  test('FUNCTIONS_PATH defaults to /fn, looks like API_PATH, and never overlaps it', () => {
    const base = {
      listen: '127.0.0.1:1',
      previewDomain: 'preview.localhost',
      gatewayUrl: 'http://g',
      bucketUrl: 'http://s/bucket',
    };
    expect(edgeVariables(base).FUNCTIONS_PATH).toBe('/fn');
    expect(edgeVariables({ ...base, apiPath: '/backend', functionsPath: '/backend-fn' }).FUNCTIONS_PATH).toBe(
      '/backend-fn',
    );
    expect(() => edgeVariables({ ...base, functionsPath: '/fn/' })).toThrow("functionsPath: '/fn/' must look like /fn");
    expect(() => edgeVariables({ ...base, functionsPath: '/f n' })).toThrow('must look like /fn');
    for (const [apiPath, functionsPath] of [
      ['/api', '/api'],
      ['/api', '/api/fn'],
      ['/x/api', '/x'],
    ]) {
      expect(() => edgeVariables({ ...base, apiPath, functionsPath })).toThrow(
        `functionsPath: '${functionsPath}' overlaps apiPath '${apiPath}'`,
      );
    }
  });
});

const { describe: withRouters } = describeWith(['nginx', 'haproxy']);

/** The real routers when installed (skipped, saying so, when not) and the demo's stand-in, which needs nothing. */
const routers = (['nginx', 'haproxy', 'node'] as const).map((kind) => ({
  kind,
  describe: kind === 'node' ? describe : describeWith([kind]).describe,
}));

describe('edge router in front of the bucket and the gateway', () => {
  let gateway: GatewayEmulator;
  let s3: S3Emulator;

  beforeAll(async () => {
    [gateway, s3] = await Promise.all([startGateway(), startS3()]);
    gateway.seed({ name: A, image: 'registry.example/shop:pr-1-aaaaaaa', labels: { 'faas-preview/sha': SHA_A } });
    for (const name of [A_WEB, B_WEB, B_ADMIN, NESTED, `${LONG}-abc`])
      gateway.seed({ name, image: `registry.example/${name}:pr-1-aaaaaaa` });
    for (const [Key, Body, ContentType] of OBJECTS) {
      await s3.client.send(
        new PutObjectCommand({
          Bucket: s3.bucket,
          Key,
          Body,
          ContentType,
          CacheControl: Key.includes('.0123abcd.') ? 'public, max-age=31536000, immutable' : 'no-cache',
        }),
      );
    }
  }, 30_000);

  afterAll(async () => {
    await Promise.all([gateway?.close(), s3?.close()]);
  });

  for (const { kind, describe: describeKind } of routers)
    describeKind(kind === 'node' ? 'node stand-in (test/support/edge-node.ts)' : kind, () => {
      let edge: Edge;

      beforeAll(async () => {
        edge = await startEdge(kind, { gatewayUrl: gateway.url, bucketUrl: `${s3.endpoint}/${s3.bucket}` });
      }, 20_000);

      afterAll(async () => {
        await edge?.close();
      });

      /** No response of an attack may carry a byte of another preview's or a non-preview key. */
      function expectNoLeak(body: string) {
        expect(body).not.toContain(SECRET);
        expect(body).not.toContain(OUTSIDE);
        expect(body).not.toContain('<Error>'); // no S3 error document either
      }

      test('an asset is served from <name>/<path> with its stored Content-Type and Cache-Control', async () => {
        const js = await edge.get(A, '/app.0123abcd.js');
        expect(js).toMatchObject({ status: 200, body: 'console.log("A")' });
        expect(js.headers['content-type']).toBe('application/javascript; charset=utf-8');
        expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        const svg = await edge.get(A, '/img/logo.svg');
        expect(svg.status).toBe(200);
        expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
        const spaced = await edge.get(A, '/my%20file.txt');
        expect(spaced).toMatchObject({ status: 200, body: 'spaces are fine' });
      });

      test('/ and extension-less paths fall back to <name>/index.html (SPA); a missing file is a 404', async () => {
        for (const p of ['/', '/settings/profile', '/settings/', '/?tab=1', '/orders/42?x=y']) {
          const res = await edge.get(A, p);
          expect({ p, status: res.status, body: res.body }).toEqual({ p, status: 200, body: '<h1>preview A</h1>' });
          expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
          expect(res.headers['cache-control']).toBe('no-cache');
        }
        for (const p of ['/missing.js', '/img/none.png', '/index.htm']) {
          const res = await edge.get(A, p);
          expect({ p, status: res.status }).toEqual({ p, status: 404 });
          expectNoLeak(res.body);
        }
        // nginx serves an extension-less object when there is one; HAProxy cannot retry, so it is the SPA there.
        expect((await edge.get(A, '/LICENSE')).body).toBe(
          kind === 'haproxy' ? '<h1>preview A</h1>' : 'MIT (extension-less file)',
        );
      });

      test(`/api/hello reaches /function/${A}/hello on the gateway, query string included`, async () => {
        const res = await edge.get(A, '/api/hello?lang=en');
        expect(res.status).toBe(200);
        expect(res.headers['x-faas-preview-emulated']).toBe('true');
        expect(JSON.parse(res.body)).toMatchObject({ function: A, sha: SHA_A, method: 'GET', path: '/hello' });
        expect(gateway.calls.at(-1)).toMatchObject({ method: 'GET', path: `/function/${A}/hello`, query: 'lang=en' });

        const post = await edge.get(A, '/api/orders/7', 'POST');
        expect(JSON.parse(post.body)).toMatchObject({ function: A, method: 'POST', path: '/orders/7' });
        expect(JSON.parse((await edge.get(A, '/api')).body)).toMatchObject({ function: A, path: '/' });
        // /apix is not the API: it is a page.
        expect((await edge.get(A, '/apix')).body).toBe('<h1>preview A</h1>');
      });

      /** Requests through the edge that reached the gateway since `before`. */
      const forwarded = (before: number) => gateway.calls.slice(before).map((c) => c.path);

      test("a function's own Set-Cookie reaches the visitor (the bucket's cookies are dropped, a function's are not)", async () => {
        const image = `registry.example/cookie-${kind}:pr-1-aaaaaaa`;
        gateway.setImage(image, { headers: { 'Set-Cookie': 'session=abc123; Path=/; HttpOnly' } });
        gateway.seed({ name: `${A}-cookie${kind}`, image });
        const res = await edge.get(A, `/fn/cookie${kind}/login`, 'POST');
        expect({ status: res.status, cookie: res.headers['set-cookie'] }).toEqual({
          status: 200,
          cookie: ['session=abc123; Path=/; HttpOnly'],
        });
      });

      test('two functions of one preview answer on its origin: the default under /api, the other under /fn/<fn>', async () => {
        const before = gateway.calls.length;
        const web = await edge.get(A, '/fn/web/orders/7?expand=1');
        expect(web.status).toBe(200);
        expect(JSON.parse(web.body)).toMatchObject({
          emulated: true,
          function: A_WEB,
          method: 'GET',
          path: '/orders/7',
        });
        expect(gateway.calls.at(-1)).toMatchObject({
          method: 'GET',
          path: `/function/${A_WEB}/orders/7`,
          query: 'expand=1',
        });
        expect(JSON.parse((await edge.get(A, '/fn/web')).body)).toMatchObject({ function: A_WEB, path: '/' });
        expect(JSON.parse((await edge.get(A, '/fn/web/', 'POST')).body)).toMatchObject({
          function: A_WEB,
          method: 'POST',
          path: '/',
        });
        expect(JSON.parse((await edge.get(A, '/api/orders/7')).body)).toMatchObject({ function: A, path: '/orders/7' });
        expect(forwarded(before)).toEqual([
          `/function/${A_WEB}/orders/7`,
          `/function/${A_WEB}`,
          `/function/${A_WEB}/`,
          `/function/${A}/orders/7`,
        ]);
      });

      test("the same /fn/<fn> on another preview's Host is that preview's function", async () => {
        expect(JSON.parse((await edge.get(B, '/fn/web/x')).body)).toMatchObject({ function: B_WEB, path: '/x' });
        expect(JSON.parse((await edge.get(B, '/fn/admin')).body)).toMatchObject({ function: B_ADMIN });
        // A has no admin: the gateway's 404 for shop-pr-1-admin, never B's.
        const none = await edge.get(A, '/fn/admin');
        expect(none.status).toBe(404);
        expect(none.body).not.toContain(B_ADMIN);
        expect(gateway.calls.at(-1)?.path).toBe(`/function/${A}-admin`);
      });

      test('/fn alone names no function, and a path that only starts like it is a page', async () => {
        const before = gateway.calls.length;
        for (const p of ['/fn', '/fn/', '/fn?x=1']) {
          const res = await edge.get(A, p);
          expect({ p, status: res.status }).toEqual({ p, status: 404 });
        }
        expect((await edge.get(A, '/fnord')).body).toBe('<h1>preview A</h1>');
        expect((await edge.get(A, '/api/fn/web')).body).toContain(`"function":"${A}"`);
        expect(forwarded(before)).toEqual([`/function/${A}/fn/web`]);
      });

      test('<name>-<fn> may be 63 characters, not 64', async () => {
        const before = gateway.calls.length;
        expect(JSON.parse((await edge.get(LONG, '/fn/abc/x')).body)).toMatchObject({
          function: `${LONG}-abc`,
          path: '/x',
        });
        const over = await edge.get(LONG, '/fn/abcd/x');
        expect(over.status).toBe(404);
        expect(forwarded(before)).toEqual([`/function/${LONG}-abc/x`]);
      });

      test.each([
        ["a fn forming another preview's name (app shop-pr-1, PR 2)", '/fn/pr-2/x'],
        ['the same, without a rest', '/fn/pr-2'],
        ['a fn ending in another PR', '/fn/web-pr-2'],
        ['a fn starting with another PR', '/fn/pr-2-web'],
        ["another preview's whole function name", `/fn/${B_WEB}`],
        ["a dot, the gateway's namespace separator", `/fn/web.${B}`],
        ['upper case', '/fn/Web'],
        ['an underscore', '/fn/web_x'],
        ['a leading dash', '/fn/-web'],
        ['a trailing dash', '/fn/web-'],
        ['an encoded letter', '/fn/%77eb'],
        ['an encoded slash', `/fn/web%2f..%2f..%2f${B_WEB}`],
        ['encoded dots', `/fn/%2e%2e/${B_WEB}`],
        ['dot segments', `/fn/web/../../${B_WEB}/x`],
        ['dot segments to the api', '/fn/../api/x'],
        ['an empty fn', '/fn//web'],
        ['a fn of 64 characters', `/fn/${'a'.repeat(64)}`],
        ['a backslash', `/fn/web\\..\\${B_WEB}`],
        ['a NUL', '/fn/web%00'],
        ['a space', '/fn/we%20b'],
        ['unicode', '/fn/w%C3%A9b'],
      ])('%s (%s) is a 404 that reaches no function', async (_what, p) => {
        const before = gateway.calls.length;
        const res = await edge.get(A, p);
        expect(res.status).toBe(404);
        expect(res.body).not.toContain('"function"');
        expectNoLeak(res.body);
        expect(forwarded(before)).toEqual([]);
      });

      test('a double slash before fn is never a function either', async () => {
        const before = gateway.calls.length;
        const res = await edge.get(A, '//fn/web');
        expect(res.body).not.toContain('"function"');
        expect(forwarded(before)).toEqual([]);
      });

      test('a second preview is isolated: its own pages, its own function, never the other one', async () => {
        expect((await edge.get(B, '/')).body).toBe('<h1>preview B</h1>');
        expect((await edge.get(B, '/deep/link')).body).toBe('<h1>preview B</h1>');
        expect(JSON.parse((await edge.get(B, '/secret.json')).body)).toEqual({ secret: SECRET });
        const fromA = await edge.get(A, '/secret.json');
        expect(fromA.status).toBe(404);
        expectNoLeak(fromA.body);
        // B has no function: the gateway's 404, not A's function.
        const api = await edge.get(B, '/api/hello');
        expect(api.status).toBe(404);
        expect(api.body).not.toContain(A);
      });

      test.each([
        ['a label that is not a preview name', 'Shop_PR_1.preview.localhost'],
        ['a leading dash', '-shop-pr-1.preview.localhost'],
        ['a label of 64 characters', `${'a'.repeat(64)}.preview.localhost`],
        ['a nested subdomain', `x.${B}.preview.localhost`],
        ['the bare domain', 'preview.localhost'],
        ['an empty label', '.preview.localhost'],
        ['another domain', `${B}.preview.localhost.evil.example`],
        ['another domain with the preview domain inside', `${B}.evil.example`],
        ['..', '..'],
        ['../', '../'],
        ['a path in the Host', `${B}.preview.localhost/..`],
        ['an encoded dot', `${B}%2epreview.localhost`],
        ['a traversal label', '..%2f.preview.localhost'],
        ['no domain at all', B],
        ['an IP address', '127.0.0.1'],
      ])('Host with %s → 404, never a key', async (_what, host) => {
        for (const p of ['/', '/secret.json', '/api/hello']) {
          const res = await edgeRequest(edge.port, host, p);
          expect({ host, p, status: res.status }).toEqual({ host, p, status: 404 });
          expectNoLeak(res.body);
        }
      });

      test.each([
        `/../${B}/secret.json`,
        `/x/../../${B}/secret.json`,
        `/%2e%2e/${B}/secret.json`,
        `/%2E%2E/%2E%2E/secret.txt`,
        `/..%2f${B}%2fsecret.json`,
        `/x%2f..%2f..%2f${B}%2fsecret.json`,
        `/..%5c${B}%5csecret.json`,
        `/..\\${B}\\secret.json`,
        `/%252e%252e/${B}/secret.json`,
        `/./index.html`,
        `/secret.json%00.html`,
        `/api/../../system/functions`,
        `/api/%2e%2e/%2e%2e/system/functions`,
        `/api/..%2f..%2fsystem%2ffunctions`,
      ])('path %s → 404, never another key nor /system', async (p) => {
        const before = gateway.calls.length;
        const res = await edge.get(A, p);
        expect(res.status).toBe(404);
        expectNoLeak(res.body);
        expect(gateway.calls.slice(before).filter((c) => !c.path.startsWith(`/function/${A}/`))).toEqual([]);
      });

      test.each([
        '/.faas-preview/assets.json',
        '//.faas-preview/assets.json',
        '///.faas-preview/assets.json',
        '/.faas-preview//assets.json',
        '/.faas-preview/assets.json?x=1',
        '/.faas-preview/assets',
      ])("%s is the edge service's path, never the bucket's: the content manifest is not served", async (p) => {
        for (const method of ['GET', 'HEAD']) {
          const res = await edge.get(A, p, method);
          expect({ method, status: res.status }).toEqual({ method, status: 404 });
          expect(res.body).not.toContain(MANIFEST);
          expect(res.body).not.toContain('preview A'); // nor the SPA's page
        }
      });

      test('the bucket is read-only and S3 sub-resources cannot be reached through the edge', async () => {
        const put = await edge.get(A, '/evil.js', 'PUT');
        expect(put.status).toBeGreaterThanOrEqual(403);
        expect(put.status).toBeLessThan(406);
        const del = await edge.get(A, '/index.html', 'DELETE');
        expect(del.status).toBeGreaterThanOrEqual(403);
        expect((await s3.listKeys(`${A}/`)).sort()).toEqual(
          OBJECTS.map(([k]) => k)
            .filter((k) => k.startsWith(`${A}/`))
            .sort(),
        );
        // ?list-type=2 would list the bucket and ?acl would show the ACL if the query reached S3.
        for (const p of ['/?list-type=2', '/index.html?acl', '/index.html?list-type=2&prefix=']) {
          expect((await edge.get(A, p)).body).toBe('<h1>preview A</h1>');
        }
        const head = await edge.get(A, '/app.0123abcd.js', 'HEAD');
        expect(head.status).toBe(200);
      });
    });
});

withRouters('edge router with its own API_PATH and FUNCTIONS_PATH', () => {
  let gateway: GatewayEmulator;
  let s3: S3Emulator;
  const edges: Edge[] = [];

  beforeAll(async () => {
    [gateway, s3] = await Promise.all([startGateway(), startS3()]);
    gateway.seed({ name: A, image: 'registry.example/shop:pr-1-aaaaaaa' });
    gateway.seed({ name: A_WEB, image: 'registry.example/shop-web:pr-1-aaaaaaa' });
    await s3.client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: `${A}/index.html`,
        Body: '<h1>preview A</h1>',
        ContentType: 'text/html; charset=utf-8',
      }),
    );
    for (const kind of ['nginx', 'haproxy'] as const) {
      edges.push(
        await startEdge(kind, {
          gatewayUrl: gateway.url,
          bucketUrl: `${s3.endpoint}/${s3.bucket}`,
          apiPath: '/backend/v1',
          functionsPath: '/backend/fns',
        }),
      );
    }
  }, 30_000);

  afterAll(async () => {
    await Promise.all([...edges.map((e) => e.close()), gateway?.close(), s3?.close()]);
  });

  test.each(['nginx', 'haproxy'])('%s: the prefixes are the configured ones, /fn is a page again', async (kind) => {
    const edge = edges.find((e) => e.kind === kind)!;
    expect(JSON.parse((await edge.get(A, '/backend/fns/web/x?y=1')).body)).toMatchObject({
      function: A_WEB,
      path: '/x',
    });
    expect(gateway.calls.at(-1)).toMatchObject({ path: `/function/${A_WEB}/x`, query: 'y=1' });
    expect(JSON.parse((await edge.get(A, '/backend/v1/x')).body)).toMatchObject({ function: A, path: '/x' });
    expect((await edge.get(A, '/backend/fns/pr-2/x')).status).toBe(404);
    expect((await edge.get(A, '/fn/web/x')).body).toBe('<h1>preview A</h1>');
  });
});
