/**
 * Private previews end to end: the bundle deploys a preview (its record names the repository), real nginx renders
 * deploy/edge/nginx.conf with the gate on, the bundled edge service (`node dist/waker/index.js`, WAKER_GATE=github)
 * answers nginx's auth_request, and visitors sign in with the emulated GitHub (its OAuth web flow and
 * `GET /repos/{owner}/{repo}` as the user) in headless Chromium. Chromium resolves `*.localhost` itself, so the
 * preview, the sign-in host `login.preview.localhost` and the share links are real hosts to it. The bucket is Ceph
 * radosgw's, private (no anonymous read): nginx fetches each file with a URL the edge service signed.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { signUserSession } from '../../src/gate/session.js';
import { shareToken } from '../../src/gate/share.js';
import { MANIFEST_KEY } from '../../src/assets/manifest.js';
import { SigningKey } from '../../src/gate/signed.js';
import { readRecord } from '../../src/state/records.js';
import { readSleeping, saveSleeping } from '../../src/state/sleeping.js';
import { readVisit } from '../../src/state/visits.js';
import { OWNER, REPO, ROOT, prPayload, runAction, stackInputs } from '../../test/support/action.js';
import { edgeRequest, startEdge, type Edge, type EdgeResponse } from '../../test/support/edge.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { findLeaks, secretForms } from '../../test/support/leaks.js';
import { RGW_PROGRAMS, startRgw } from '../../test/support/rgw.js';
import type { S3Emulator } from '../../test/support/s3.js';
import { describeWith, freePort, waitFor } from '../../test/support/tools.js';
import { startWakerProcess, type WakerProcess } from '../../test/support/waker.js';

const PASSWORD = 'gw-private-Pw3';
const DOMAIN = 'preview.localhost';
const KEY = 'k'.repeat(20) + 'signing-key-of-the-test-0123456789';
const CLIENT = { id: 'Iv1.faaspreviewtest', secret: 'client-secret-of-the-test-app-0123456789' };
const BYPASS = 'bypass-token-for-ci-tools-0123456789abcdef';
const PR = 31;
const SHA = '3131313' + 'f'.repeat(33);
const NAME = 'hello-world-pr-31';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const { describe: withTools } = describeWith(['nginx', 'chromium', ...RGW_PROGRAMS]);

withTools('private previews (bundle → nginx auth_request → edge service gate → GitHub sign-in → Chromium)', () => {
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let s3: S3Emulator;
  let service: WakerProcess;
  let edge: Edge;
  let browser: Browser;
  let workspace: string;
  let port: number;
  const key = new SigningKey(Buffer.from(KEY));
  const previewUrl = (name = NAME, rest = '/') => `http://${name}.${DOMAIN}:${port}${rest}`;
  const stateOf = () => s3.state();
  const get = (rest: string, headers: Record<string, string> = {}, name = NAME): Promise<EdgeResponse> =>
    edgeRequest(port, `${name}.${DOMAIN}:${port}`, rest, 'GET', undefined, headers);

  beforeAll(async () => {
    port = await freePort();
    [gateway, github, s3] = await Promise.all([
      startGateway({ edition: 'faasd-ce', password: PASSWORD }),
      startGitHub({
        ownerType: 'Organization',
        oauth: {
          clientId: CLIENT.id,
          clientSecret: CLIENT.secret,
          callbackUrls: [`http://login.${DOMAIN}:${port}/.faas-preview/callback`],
        },
        users: { alice: { name: 'Alice' }, mallory: { name: 'Mallory' } },
        collaborators: { alice: 'read' },
      }),
      startRgw(),
    ]);
    workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-private-'));
    cpSync(path.join(ROOT, 'examples/app'), path.join(workspace, 'app'), { recursive: true });
    github.setPull({ number: PR, state: 'open', headSha: SHA });
    const deploy = await runAction({
      event: 'pull_request',
      payload: prPayload('opened', { number: PR, sha: SHA }),
      inputs: stackInputs(
        {
          gateway,
          gatewayPassword: PASSWORD,
          s3,
          github,
          registryNamespace: 'examples',
          prebuiltImage: 'localhost/examples/hello-world:prebuilt',
        },
        { 'preview-domain': `${DOMAIN}:${port}`, 'static-dir': 'app/site', 'ready-timeout': '10s' },
      ),
      apiUrl: github.url,
      workspace,
    });
    if (deploy.code !== 0) throw new Error(`deploy failed:\n${deploy.stdout}\n${deploy.stderr}`);
    service = await startWakerProcess({
      WAKER_GATEWAY_URL: gateway.url,
      WAKER_GATEWAY_PASSWORD: PASSWORD,
      WAKER_BUCKET: s3.bucket,
      WAKER_S3_ENDPOINT: s3.endpoint,
      WAKER_AWS_ACCESS_KEY_ID: s3.settings.accessKeyId!,
      WAKER_AWS_SECRET_ACCESS_KEY: s3.settings.secretAccessKey!,
      WAKER_PREVIEW_DOMAIN: `${DOMAIN}:${port}`,
      WAKER_REPOSITORIES: `${OWNER}/${REPO}`,
      WAKER_GATE: 'github',
      WAKER_GATE_KEY: KEY,
      WAKER_GITHUB_CLIENT_ID: CLIENT.id,
      WAKER_GITHUB_CLIENT_SECRET: CLIENT.secret,
      WAKER_GITHUB_URL: github.url,
      WAKER_GITHUB_API_URL: github.url,
      WAKER_PUBLIC_SCHEME: 'http',
      WAKER_BYPASS_TOKEN: BYPASS,
      WAKER_BUCKET_READS: 'signed',
    });
    edge = await startEdge('nginx', {
      port,
      previewDomain: DOMAIN,
      gatewayUrl: gateway.url,
      bucketUrl: `${s3.endpoint}/${s3.bucket}`,
      wakerUrl: service.url,
      gate: true,
      bucketReads: 'signed',
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await edge?.close();
    await service?.close();
    await Promise.all([gateway?.close(), github?.close(), s3?.close()]);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  /** Opens the preview in a fresh browser context and signs in on the emulated GitHub as `login`. */
  async function signedIn(login: string, rest = '/'): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(previewUrl(NAME, rest));
    expect(new URL(page.url()).origin).toBe(github.url);
    await page.fill('input[name="login"]', login);
    await Promise.all([page.waitForLoadState('load'), page.click('button[value="1"]')]);
    return page;
  }

  describe('anonymous visitors', () => {
    test('a page navigation is sent to GitHub sign-in through the one sign-in host', async () => {
      const r = await get('/', { accept: 'text/html', 'sec-fetch-mode': 'navigate' });
      expect(r.status).toBe(302);
      const to = new URL(String(r.headers.location));
      expect(to.host).toBe(`login.${DOMAIN}:${port}`);
      expect(to.searchParams.get('next')).toBe(previewUrl());
    });

    test('an API call or a fetch gets 401, and neither the bucket nor the gateway is asked', async () => {
      const before = gateway.calls.length;
      const api = await get('/api/hello');
      const file = await get('/app.763378b3.css', { 'sec-fetch-mode': 'cors' });
      expect([api.status, file.status]).toEqual([401, 401]);
      expect(api.body).not.toContain('hello-world-pr-31');
      expect(gateway.calls.slice(before).filter((c) => c.path.startsWith('/function/'))).toEqual([]);
      // A refused request is no use of the preview: no visit is recorded.
      expect(await readVisit(stateOf(), NAME)).toBeUndefined();
    });

    test("a protected preview's status is not told to them: a missing page, an unknown preview and the status path itself get 401", async () => {
      const answers = [
        await get('/no-such-page.html'),
        await get('/', {}, 'nobody-pr-9'),
        await get('/.faas-preview/status'),
        await get('/.faas-preview/status', {}, 'nobody-pr-9'),
      ];
      expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
      for (const a of answers) expect(a.body).not.toMatch(/no such preview|being built|removed/);
    });

    test('every answer carries X-Robots-Tag: noindex', async () => {
      for (const r of [await get('/'), await get('/api/x'), await get('/.faas-preview/share'), await get('/../x')]) {
        expect(r.headers['x-robots-tag']).toBe('noindex');
      }
    });
  });

  describe('GitHub users', () => {
    test('a collaborator signs in once and sees the preview and its API; the function never sees the session', async () => {
      const page = await signedIn('alice');
      expect(page.url()).toBe(previewUrl());
      expect(await page.textContent('h1')).toBeTruthy();
      const api = await page.evaluate(async () => {
        const res = await fetch('/api/echo', { headers: { cookie: 'ignored=1' } });
        return { status: res.status, body: await res.text() };
      });
      expect(api.status).toBe(200);
      const toFunction = gateway.calls.filter((c) => c.path.startsWith(`/function/${NAME}`));
      expect(toFunction.length).toBeGreaterThan(0);
      for (const c of toFunction) expect(JSON.stringify(c.headers)).not.toContain('faas-preview-session');
      await page.context().close();
      // Let in, the visit is marked in the bucket (in the background, after the answers).
      await waitFor(async () => (await readVisit(stateOf(), NAME)) !== undefined, 'the visit mark');
    });

    test('someone who cannot read the repository gets a 403 page that offers another account', async () => {
      const page = await signedIn('mallory');
      expect(await page.textContent('h1')).toBe('No access to this preview');
      expect(await page.textContent('main')).toContain('mallory');
      const other = await page.getAttribute('a', 'href');
      expect(new URL(other!).searchParams.get('switch')).toBe('1');
      const again = await page.goto(previewUrl());
      expect(again?.status()).toBe(403);
      await page.context().close();
    });
  });

  describe('share links', () => {
    test('made from the preview, it opens that preview in a fresh browser without GitHub, and only that one', async () => {
      const page = await signedIn('alice', '/.faas-preview/share');
      await page.goto(previewUrl(NAME, '/.faas-preview/share'));
      await Promise.all([page.waitForLoadState('load'), page.click('button[type="submit"]')]);
      const link = await page.inputValue('input[readonly]');
      expect(link.startsWith(previewUrl(NAME, '/.faas-preview/s/'))).toBe(true);
      await page.context().close();
      const guest = await (await browser.newContext()).newPage();
      const opened = await guest.goto(link);
      expect(opened?.status()).toBe(200);
      expect(guest.url()).toBe(previewUrl());
      const elsewhere = await guest.goto(previewUrl('hello-world-pr-32'));
      expect(new URL(guest.url()).origin).toBe(github.url);
      expect(elsewhere?.status()).toBe(200);
      await guest.context().close();
    });

    test('an expired, tampered or other-preview link is refused', async () => {
      const now = Math.floor(Date.now() / 1000);
      const link = (o: { preview?: string; exp?: number }) =>
        shareToken(key, {
          v: 1,
          preview: o.preview ?? NAME,
          domain: DOMAIN,
          by: 'alice',
          iat: now,
          exp: o.exp ?? now + 600,
        });
      const good = link({});
      // The MAC's second-to-last character (six whole bits) changed: it failed 1 run in 64 while it looked at the last.
      const flipped = good.slice(0, -2) + (good.at(-2) === 'A' ? 'B' : 'A') + good.slice(-1);
      for (const token of [link({ exp: now - 1 }), flipped, link({ preview: 'hello-world-pr-32' })]) {
        const r = await get(`/.faas-preview/s/${token}`);
        expect(r.status).toBe(403);
        expect(r.headers['set-cookie']).toBeUndefined();
      }
      const opened = await get(`/.faas-preview/s/${good}`);
      expect(opened.status).toBe(302);
      expect(String(opened.headers['set-cookie'])).toMatch(/^faas-preview-share=/);
    });
  });

  describe('forged sessions', () => {
    const session = (o: { domain?: string; exp?: number; signer?: SigningKey }) => {
      const now = Math.floor(Date.now() / 1000);
      const value = signUserSession(o.signer ?? key, {
        v: 1,
        login: 'alice',
        domain: o.domain ?? DOMAIN,
        repos: [`${OWNER}/${REPO}`.toLowerCase()],
        iat: now,
        exp: o.exp ?? now + 600,
      });
      return { cookie: `faas-preview-session=${value}` };
    };

    test('a session signed with the key is let in (the baseline the refusals below differ from)', async () => {
      expect((await get('/api/x', session({}))).status).toBe(200);
    });

    test('a forged, expired, other-key or other-domain session is refused', async () => {
      const other = new SigningKey(Buffer.from('another-key-entirely-0123456789abcdef'));
      for (const headers of [
        { cookie: 'faas-preview-session=eyJ2IjoxfQ.AAAA' },
        session({ exp: Math.floor(Date.now() / 1000) - 1 }),
        session({ signer: other }),
        session({ domain: 'preview.example.com' }),
      ]) {
        expect((await get('/api/x', headers)).status).toBe(401);
      }
    });

    test('a sleeping protected preview is not woken by an anonymous request, and is woken by a signed-in one', async () => {
      const store = stateOf();
      const specs = (await readRecord(store, NAME))!.specs!;
      const removed = await fetch(`${gateway.url}/system/functions`, {
        method: 'DELETE',
        headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` },
        body: JSON.stringify({ functionName: NAME }),
      });
      expect(removed.status).toBe(200);
      await saveSleeping(store, NAME, specs, new Date()); // asleep, as the sweeper leaves it
      const since = gateway.calls.length;
      const creates = () =>
        gateway.calls.slice(since).filter((c) => c.method === 'POST' && c.path === '/system/functions');

      // A script and a page navigation alike: the API paths answer the gate's refusal with nginx's plain 401.
      const anonymous: Record<string, string>[] = [{}, { accept: 'text/html', 'sec-fetch-mode': 'navigate' }];
      for (const headers of anonymous) expect((await get('/api/hello', headers)).status).toBe(401);
      expect(creates()).toEqual([]);
      expect(await readSleeping(store, NAME)).toBeDefined();

      const woken = await get('/api/hello', session({}));
      expect(woken.status).toBe(200);
      expect(JSON.parse(woken.body)).toMatchObject({ function: NAME, path: '/hello' });
      expect(creates()).toHaveLength(1);
      expect(await readSleeping(store, NAME)).toBeUndefined();
    }, 60_000);
  });

  test('sign-in never redirects off the preview domain', async () => {
    for (const next of [
      'https://evil.example/',
      `http://evil.example:${port}/`,
      `http://${DOMAIN}.evil.example:${port}/`,
      '//evil.example',
    ]) {
      const r = await edgeRequest(
        port,
        `login.${DOMAIN}:${port}`,
        `/.faas-preview/login?next=${encodeURIComponent(next)}`,
      );
      expect(r.status).toBe(400);
      expect(r.headers.location).toBeUndefined();
    }
  });

  test('the bucket refuses an anonymous read while the edge serves the file, HEAD and the single-page fallback', async () => {
    const direct = await fetch(`${s3.endpoint}/${s3.bucket}/${NAME}/index.html`);
    expect(direct.status).toBe(403);
    const bypass = { 'x-faas-preview-bypass': BYPASS };
    const index = await get('/', bypass);
    expect(index.status).toBe(200);
    expect(index.body).toContain('<code id="commit">');
    expect((await get('/a/client/route', bypass)).body).toBe(index.body);
    expect((await get('/app.763378b3.css', bypass)).headers['content-type']).toMatch(/^text\/css/);
    expect((await get('/no-such-file.js', bypass)).status).toBe(404);
    const head = await edgeRequest(port, `${NAME}.${DOMAIN}:${port}`, '/', 'HEAD', undefined, bypass);
    expect([head.status, head.body]).toEqual([200, '']);
  });

  test("the deploy's content manifest is in the bucket; the edge sends its path to the edge service, which has no such page", async () => {
    expect(await s3.listKeys(`${NAME}/`)).toContain(`${NAME}/${MANIFEST_KEY}`);
    for (const p of [`/${MANIFEST_KEY}`, `//${MANIFEST_KEY}`]) {
      const res = await get(p, { 'x-faas-preview-bypass': BYPASS }); // let in: only the route keeps it out
      expect({ p, status: res.status }).toEqual({ p, status: 404 });
      expect(res.body).not.toContain('"files"');
    }
  });

  test('the bypass header lets a plain HTTP client in, and never reaches the function; a wrong one does not', async () => {
    const before = gateway.calls.length;
    expect((await get('/api/x', { 'x-faas-preview-bypass': BYPASS })).status).toBe(200);
    const toFunction = gateway.calls.slice(before).filter((c) => c.path.startsWith(`/function/${NAME}`));
    expect(toFunction).toHaveLength(1);
    expect(toFunction[0].headers['x-faas-preview-bypass']).toBeUndefined();
    expect((await get('/', { 'x-faas-preview-bypass': BYPASS })).status).toBe(200);
    expect((await get('/api/x', { 'x-faas-preview-bypass': `${BYPASS}x` })).status).toBe(401);
    // Let in, a missing page gets the edge service's status answer: the preview is ready, the page is not there.
    // Asked for as a browser asks for a page (Accept: text/html), which radosgw alone would answer by hanging up.
    const missing = await get('/no-such-page.html', { 'x-faas-preview-bypass': BYPASS, accept: 'text/html' });
    expect([missing.status, missing.headers['x-robots-tag']]).toEqual([404, 'noindex']);
    expect(missing.body).toContain('<title>Page not found</title>');
  });

  test("no secret is in the edge service's output or its pages", () => {
    const forms = secretForms({ values: [KEY, CLIENT.secret, BYPASS, PASSWORD, ...github.userTokens()] });
    expect(findLeaks({ 'edge service output': service.output(), 'nginx log': edge.log() }, forms)).toEqual([]);
  });
});
