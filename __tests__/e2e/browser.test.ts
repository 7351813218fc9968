/**
 * The preview URL works in a real browser. The whole loop as the runner runs it (`node dist/index.js` through
 * runAction) deploys examples/app into s3rver and the emulated gateway, and headless Chromium opens the URL the
 * PR comment gives, served by real nginx (and, once, real HAProxy) on 127.0.0.1 — Chromium resolves
 * `*.localhost` to the loopback address itself, so the Host header carries the preview name as it would in
 * production.
 *
 * The function is built with buildah and pushed to docker-registry when both are installed (builder `none` with a
 * prebuilt image name otherwise); the emulated gateway never runs it and answers for it with a JSON stand-in that
 * names the function, its image, its commit and the request path, which is what the page shows.
 *
 * Screenshots: test-artifacts/browser-preview.png (after deploy) and test-artifacts/browser-preview-synchronized.png;
 * the README's pictures in docs/images/, taken again with FAAS_PREVIEW_PICTURES=write (test/support/pictures.ts).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { BUNDLE, ROOT, prPayload, runAction, stackInputs, type ActionRun } from '../../test/support/action.js';
import { edgeRequest, startEdge, type Edge } from '../../test/support/edge.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { PICTURES_ENV, commentPicture, pictureMarkdown } from '../../test/support/pictures.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { describeWith, hasCommand } from '../../test/support/tools.js';

const SHA_A = '1a2b3c4' + 'a'.repeat(33);
const SHA_B = '5d6e7f8' + 'b'.repeat(33);
const SHA_C = '9c0d1e2' + 'c'.repeat(33);
const PR = 11;
const OTHER = 12;
const NAME = 'hello-world-pr-11';
const OTHER_NAME = 'hello-world-pr-12';
const GATEWAY_PASSWORD = 'gw-browser-Pw9';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const { describe: withTools } = describeWith(['nginx', 'haproxy', 'chromium']);
const withBuildah = hasCommand('buildah') && hasCommand('docker-registry');

withTools('the preview URL in a real browser (bundle → bucket + gateway → nginx → Chromium)', () => {
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let s3: S3Emulator;
  let registry: Registry | undefined;
  let nginx: Edge;
  let haproxy: Edge;
  let browser: Browser;
  let context: BrowserContext;
  let workspace: string;

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run 'npm run bundle' first`);
    [gateway, github, s3, registry] = await Promise.all([
      startGateway({ password: GATEWAY_PASSWORD }),
      startGitHub({}),
      startS3(),
      // Public like a public GHCR package: Community Edition on Kubernetes only runs images anyone can pull.
      withBuildah ? startRegistry({ auth: 'token', anonymousPull: true }) : Promise.resolve(undefined),
    ]);
    const upstreams = { gatewayUrl: gateway.url, bucketUrl: `${s3.endpoint}/${s3.bucket}` };
    [nginx, haproxy] = await Promise.all([startEdge('nginx', upstreams), startEdge('haproxy', upstreams)]);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 900, height: 640 } });
    workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-browser-'));
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([nginx?.close(), haproxy?.close()]);
    await Promise.all([gateway?.close(), github?.close(), s3?.close(), registry?.close()]);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  /**
   * The checkout of commit `sha`: examples/app, its page stamped with the commit as a build step would, and its
   * function changed too (a function whose build did not change keeps running: see the rebuild suite).
   */
  function checkout(sha: string) {
    rmSync(path.join(workspace, 'app'), { recursive: true, force: true });
    cpSync(path.join(ROOT, 'examples/app'), path.join(workspace, 'app'), { recursive: true });
    const index = path.join(workspace, 'app/site/index.html');
    const html = readFileSync(index, 'utf8');
    expect(html).toContain('<code id="commit">dev</code>');
    writeFileSync(index, html.replace('<code id="commit">dev</code>', `<code id="commit">${sha.slice(0, 7)}</code>`));
    writeFileSync(path.join(workspace, 'app/function/COMMIT'), `${sha}\n`);
  }

  async function act(action: string, number: number, sha: string): Promise<ActionRun> {
    const inputs = stackInputs(
      {
        gateway,
        gatewayPassword: GATEWAY_PASSWORD,
        s3,
        github,
        registry,
        registryNamespace: 'examples',
        prebuiltImage: 'localhost/examples/hello-world:prebuilt',
      },
      {
        'url-template': `http://{name}.preview.localhost:${nginx.port}/`,
        context: 'app/function',
        'static-dir': 'app/site',
        'ready-timeout': '10s',
      },
    );
    const run = await runAction({
      event: 'pull_request',
      payload: prPayload(action, { number, sha }),
      inputs,
      apiUrl: github.url,
      workspace,
      env: registry?.buildahEnv,
    });
    if (run.code !== 0) throw new Error(`action ${action} failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    const values = [GATEWAY_PASSWORD, github.token, ...(registry ? [registry.password] : [])];
    assertNoLeaks(run, { values, basicAuth: [{ username: 'admin', password: GATEWAY_PASSWORD }] }, github, [number]);
    return run;
  }

  /** Opens the URL and waits until the page has shown the function's answer (or its error). */
  async function open(page: Page, url: string) {
    const res = await page.goto(url, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    await page.waitForSelector('#answer:not([data-state="loading"])', { timeout: 10_000 });
    return {
      commit: await page.textContent('#commit'),
      state: await page.getAttribute('#answer', 'data-state'),
      answer: JSON.parse((await page.textContent('#answer')) ?? 'null') as Record<string, unknown>,
    };
  }

  test('after deploy the page loads from the preview URL and shows the function answer from /api/hello', async () => {
    checkout(SHA_A);
    github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    const run = await act('opened', PR, SHA_A);
    const url = `http://${NAME}.preview.localhost:${nginx.port}/`;
    expect(run.outputs).toMatchObject({ result: 'deployed', url, name: NAME });
    expect(
      github
        .comments(PR)
        .map((c) => c.body)
        .join('\n'),
    ).toContain(url);

    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    const shown = await open(page, url);
    expect(shown.commit).toBe(SHA_A.slice(0, 7));
    expect(shown.state).toBe('ok');
    expect(shown.answer).toMatchObject({ emulated: true, function: NAME, sha: SHA_A, method: 'GET', path: '/hello' });
    expect(String(shown.answer.image)).toMatch(/:pr-11-1a2b3c4$|:prebuilt$/);
    // Same origin, no preflight: the page's API call went to the preview host and reached this PR's function.
    expect(requests).toContain(`GET ${url}api/hello`);
    expect(requests.every((r) => r.includes(`//${NAME}.preview.localhost:${nginx.port}/`))).toBe(true);
    // The action's readiness probe (ready-path '/'), then the page's own call.
    expect(gateway.calls.filter((c) => c.path.startsWith('/function/')).map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /function/${NAME}/`,
      `GET /function/${NAME}/hello`,
    ]);
    const css = await page.evaluate(() => getComputedStyle(document.querySelector('main')!).borderRadius);
    expect(css).toBe('8px'); // the fingerprinted stylesheet loaded
    await page.screenshot({ path: path.join(ARTIFACTS, 'browser-preview.png'), fullPage: true });

    // A deep link of the single-page app is the same page, assets and API included.
    const deep = await open(page, `${url}orders/42`);
    expect(deep).toMatchObject({ commit: SHA_A.slice(0, 7), state: 'ok', answer: { function: NAME } });

    // The same preview through HAProxy: same page, same function.
    const viaHaproxy = await open(page, `http://${NAME}.preview.localhost:${haproxy.port}/`);
    expect(viaHaproxy).toMatchObject({
      commit: SHA_A.slice(0, 7),
      state: 'ok',
      answer: { function: NAME, sha: SHA_A },
    });
    await page.close();
  }, 120_000);

  // The pictures show a built image: without buildah the comment says 'prebuilt' and would not match.
  (withBuildah ? test : test.skip)(
    "the README's pictures show this run's comment and page (skipped without buildah and docker-registry: the pictures show a built image; FAAS_PREVIEW_PICTURES=write takes them again)",
    async () => {
      const origin = `http://${NAME}.preview.localhost:${nginx.port}`;
      const body = github.comments(PR).find((c) => c.body.includes(NAME))!.body;
      const markdown = pictureMarkdown(body, origin);
      const committed = path.join(ROOT, 'docs/images/pr-comment.md');
      if (process.env[PICTURES_ENV] === 'write') {
        writeFileSync(committed, markdown);
        await commentPicture(browser, markdown, path.join(ROOT, 'docs/images/pr-comment.png'));
        const page = await context.newPage();
        await open(page, `${origin}/`);
        await page.screenshot({ path: path.join(ROOT, 'docs/images/preview.png') });
        await page.close();
      }
      // The comment the pictures were taken from is the one the action writes now.
      expect(readFileSync(committed, 'utf8')).toBe(markdown);
      await commentPicture(browser, markdown, path.join(ARTIFACTS, 'pr-comment.png'));
      for (const png of ['pr-comment.png', 'preview.png'])
        expect(
          readFileSync(path.join(ROOT, 'docs/images', png))
            .subarray(1, 4)
            .toString(),
        ).toBe('PNG');
    },
    30_000,
  );

  test("a stack's second function answers on the same origin at /fn/<fn>, from the page, through nginx and HAProxy; another preview's function cannot be reached", async () => {
    // The routing only: a second function of this preview as a deploy of a stack leaves it (<name>-<fn>).
    gateway.seed({
      name: `${NAME}-orders`,
      image: 'registry.example/orders:pr-11-1a2b3c4',
      labels: { 'faas-preview/function': 'orders' },
    });
    gateway.seed({ name: `${OTHER_NAME}-orders`, image: 'registry.example/orders:pr-12-5d6e7f8' });
    const page = await context.newPage();
    for (const edge of [nginx, haproxy]) {
      await open(page, `http://${NAME}.preview.localhost:${edge.port}/`);
      const answers = await page.evaluate(async (other) => {
        const call = async (path: string) => {
          const res = await fetch(path, { method: 'POST', body: '{}' });
          return { status: res.status, body: await res.text() };
        };
        return {
          orders: await call('/fn/orders/list?page=2'),
          other: await call(`/fn/${other}-orders/list`),
          api: await call('/api/hello'),
        };
      }, OTHER_NAME);
      expect({ edge: edge.kind, status: answers.orders.status }).toEqual({ edge: edge.kind, status: 200 });
      expect(JSON.parse(answers.orders.body)).toMatchObject({
        function: `${NAME}-orders`,
        method: 'POST',
        path: '/list',
      });
      expect(JSON.parse(answers.api.body)).toMatchObject({ function: NAME, method: 'POST', path: '/hello' });
      expect({ edge: edge.kind, status: answers.other.status }).toEqual({ edge: edge.kind, status: 404 });
      expect(answers.other.body).not.toContain('"function"');
    }
    expect(gateway.calls.filter((c) => c.path.startsWith(`/function/${OTHER_NAME}`))).toEqual([]);
    await page.close();
  }, 60_000);

  test('after synchronize the same browser shows the new commit (no stale HTML) and the new function', async () => {
    const page = await context.newPage(); // same context: the first visit is in its HTTP cache
    const url = `http://${NAME}.preview.localhost:${nginx.port}/`;
    expect((await open(page, url)).commit).toBe(SHA_A.slice(0, 7));

    checkout(SHA_B);
    github.setPull({ number: PR, state: 'open', headSha: SHA_B });
    await act('synchronize', PR, SHA_B);

    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#answer:not([data-state="loading"])');
    expect(await page.textContent('#commit')).toBe(SHA_B.slice(0, 7));
    expect(JSON.parse((await page.textContent('#answer'))!)).toMatchObject({ function: NAME, sha: SHA_B });
    const again = await open(page, url);
    expect(again.commit).toBe(SHA_B.slice(0, 7));
    await page.screenshot({ path: path.join(ARTIFACTS, 'browser-preview-synchronized.png'), fullPage: true });
    await page.close();
  }, 120_000);

  test('a second PR gets its own page and function; the first is untouched', async () => {
    checkout(SHA_C);
    github.setPull({ number: OTHER, state: 'open', headSha: SHA_C });
    await act('opened', OTHER, SHA_C);
    const page = await context.newPage();
    const other = await open(page, `http://${OTHER_NAME}.preview.localhost:${nginx.port}/`);
    expect(other).toMatchObject({
      commit: SHA_C.slice(0, 7),
      state: 'ok',
      answer: { function: OTHER_NAME, sha: SHA_C },
    });
    const first = await open(page, `http://${NAME}.preview.localhost:${nginx.port}/`);
    expect(first).toMatchObject({ commit: SHA_B.slice(0, 7), answer: { function: NAME, sha: SHA_B } });
    await page.close();
  }, 120_000);

  test('after close the URL answers 404 and the other PR still works', async () => {
    github.setPull({ number: PR, state: 'closed', headSha: SHA_B });
    const run = await act('closed', PR, SHA_B);
    expect(run.outputs.result).toBe('torn-down');
    const page = await context.newPage();
    for (const p of ['', 'orders/42', 'api/hello']) {
      const res = await page.goto(`http://${NAME}.preview.localhost:${nginx.port}/${p}`);
      expect({ p, status: res?.status() }).toEqual({ p, status: 404 });
    }
    expect((await edgeRequest(haproxy.port, `${NAME}.preview.localhost`, '/')).status).toBe(404);
    const other = await open(page, `http://${OTHER_NAME}.preview.localhost:${nginx.port}/`);
    expect(other).toMatchObject({ state: 'ok', answer: { function: OTHER_NAME } });
    await page.close();
  }, 120_000);
});
