/**
 * Issue 9 (and the hostile error bodies of issue 8) through the bundle: the fault proxy of test/support/faults.ts in
 * front of the gateway, the GitHub API and S3. Transient faults are retried and logged once; hung calls are cut by
 * the timeouts and the run ends by itself; permanent faults fail with an error that names the call; the PR never
 * says something false; a gateway error body that echoes the request's credentials and carries mentions and HTML
 * reaches the comment inert and scrubbed.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { commentMarker } from '../../src/naming.js';
import { prPayload, runAction, stackInputs, type ActionRun } from '../../test/support/action.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../../test/support/faults.js';
import { startGateway, type GatewayEmulator, type GatewayOptions } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator, type GitHubOptions } from '../../test/support/github.js';
import { addressLeaks, findLeaks, readableTexts, secretForms } from '../../test/support/leaks.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';

const PASSWORD = 'gw-faults-Pw8';
const SHA = 'd'.repeat(7) + '8'.repeat(33);
const PR = 31;
const NAME = `hello-world-pr-${PR}`;
const IMAGE = 'registry.example.com/acme/hello:1.0.0';
const BASIC = Buffer.from(`admin:${PASSWORD}`).toString('base64');

interface World {
  gateway: GatewayEmulator;
  github: GitHubEmulator;
  s3: S3Emulator;
  proxies: { gateway: FaultProxy; github: FaultProxy; s3: FaultProxy };
  workspace: string;
}
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await Promise.all([
      w.gateway.close(),
      w.github.close(),
      w.s3.close(),
      ...Object.values(w.proxies).map((p) => p.close()),
    ]);
    rmSync(w.workspace, { recursive: true, force: true });
  }
});

/** faasd CE behind proxies; faults are added per test. */
async function world(o: GatewayOptions = {}, gh: GitHubOptions = {}): Promise<World> {
  const [gateway, github, s3] = await Promise.all([
    startGateway({ edition: 'faasd-ce', password: PASSWORD, ...o }),
    startGitHub(gh),
    startS3(),
  ]);
  const [g, h, s] = await Promise.all([
    startFaultProxy(gateway.url),
    startFaultProxy(github.url),
    startFaultProxy(s3.endpoint),
  ]);
  const workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-faults-'));
  mkdirSync(path.join(workspace, 'site'));
  writeFileSync(path.join(workspace, 'site/index.html'), '<h1>hi</h1>');
  writeFileSync(path.join(workspace, 'site/app.0123abcd.js'), 'x');
  github.setPull({ number: PR, state: 'open', headSha: SHA });
  const w = { gateway, github, s3, proxies: { gateway: g, github: h, s3: s }, workspace };
  worlds.push(w);
  return w;
}

async function deploy(w: World, extra: Record<string, string> = {}): Promise<ActionRun> {
  const inputs = stackInputs(
    {
      gateway: { url: w.proxies.gateway.url },
      gatewayPassword: PASSWORD,
      s3: { ...w.s3, endpoint: w.proxies.s3.url },
      github: w.github,
      registryNamespace: 'acme',
      prebuiltImage: IMAGE,
    },
    {
      'preview-domain': 'preview.example.com',
      'static-dir': 'site',
      'ready-timeout': '10s',
      'request-timeout': '2s',
      ...extra,
    },
  );
  // The run must end by itself, well before this kill: every hung call is bounded by the action.
  const run = await runAction({
    event: 'pull_request',
    payload: prPayload('opened', { number: PR, sha: SHA }),
    inputs,
    apiUrl: w.proxies.github.url,
    workspace: w.workspace,
    timeoutMs: 60_000,
  });
  expect(run.code === 0 || run.code === 1).toBe(true);
  const forms = secretForms({
    values: [PASSWORD, w.github.token],
    basicAuth: [{ username: 'admin', password: PASSWORD }],
  });
  expect(findLeaks(readableTexts(run, w.github, [PR]), forms)).toEqual([]);
  expect(addressLeaks(run, w.github, [PR])).toEqual([]);
  return run;
}

const comment = (w: World) => w.github.comments(PR).find((c) => c.body.startsWith(commentMarker(NAME)))?.body ?? '';
const retryLines = (run: ActionRun) => run.stdout.split('\n').filter((l) => /retrying/.test(l));

describe('a transient fault is retried once and logged once', () => {
  test.each<[string, keyof World['proxies'], FaultRule]>([
    [
      'gateway PUT answers 502',
      'gateway',
      { method: 'PUT', path: '/system/functions', times: 1, fault: { status: 502, body: 'Bad Gateway' } },
    ],
    [
      'gateway info connection reset',
      'gateway',
      { method: 'GET', path: '/system/info', times: 1, fault: { reset: true } },
    ],
    [
      'GitHub comment create answers 502',
      'github',
      {
        method: 'POST',
        path: `/repos/Codertocat/Hello-World/issues/${PR}/comments`,
        times: 1,
        fault: { status: 502, body: '{"message":"Server Error"}' },
      },
    ],
    [
      'S3 PUT answers 503 SlowDown',
      's3',
      {
        method: 'PUT',
        path: /app\.0123abcd\.js/,
        times: 1,
        fault: { status: 503, body: '<Error><Code>SlowDown</Code><Message></Message></Error>' },
      },
    ],
  ])('%s', async (_what, where, rule) => {
    const w = await world();
    w.proxies[where].add(rule);
    const run = await deploy(w);
    if (run.code !== 0) throw new Error(run.stdout);
    expect(run.outputs.result).toBe('deployed');
    expect(w.proxies[where].requests.filter((r) => r.action !== 'forward')).toHaveLength(1);
    expect(retryLines(run)).toHaveLength(1);
  });

  test.each([
    [
      'a primary rate limit',
      {
        status: 403,
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)),
          'content-type': 'application/json',
        },
        body: '{"message":"API rate limit exceeded"}',
      },
    ],
    [
      'a secondary rate limit',
      {
        status: 403,
        headers: { 'retry-after': '1', 'content-type': 'application/json' },
        body: '{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}',
      },
    ],
    [
      'a 429',
      {
        status: 429,
        headers: { 'retry-after': '1', 'content-type': 'application/json' },
        body: '{"message":"Too Many Requests"}',
      },
    ],
  ])('GitHub answers %s once: waited for, retried, logged once', async (_what, fault) => {
    const w = await world();
    w.proxies.github.add({ method: 'GET', path: `/repos/Codertocat/Hello-World/pulls/${PR}`, times: 1, fault });
    const run = await deploy(w);
    if (run.code !== 0) throw new Error(run.stdout);
    expect(w.proxies.github.requests.filter((r) => r.path.endsWith(`/pulls/${PR}`)).length).toBeGreaterThanOrEqual(2);
    expect(run.stdout.split('\n').filter((l) => /rate limit|answered 429/.test(l))).toHaveLength(1);
  });
});

describe('a hung call is cut by the timeouts and the run ends by itself', () => {
  test('the readiness poll hangs: NotReady within ready-timeout, naming what it saw; the comment says so', async () => {
    const w = await world();
    w.proxies.gateway.add({ method: 'GET', path: `/system/function/${NAME}`, fault: { hang: true } });
    const run = await deploy(w, { 'ready-timeout': '3s' });
    expect(run.code).toBe(1);
    // The annotation (public: the checks page) says <gateway>; the log line just before it names the address.
    expect(run.stdout).toMatch(
      new RegExp(
        `^function '${NAME}' was not ready within 3s \\(input 'ready-timeout'\\); last seen: GET http://127\\.0\\.0\\.1:\\d+/system/function/${NAME}: no answer within.*\\n::error::function '${NAME}' was not ready within 3s \\(input 'ready-timeout'\\); last seen: GET <gateway>/system/function/${NAME}: no answer within`,
        'm',
      ),
    );
    expect(comment(w)).toMatch(/did not become ready/);
  });

  test('the function deploy hangs: the deploy is cut within its budget, and the comment says what is true on faasd', async () => {
    const w = await world();
    w.proxies.gateway.add({ method: 'PUT', path: '/system/functions', fault: { hang: true } });
    const run = await deploy(w, { 'request-timeout': '1s', 'ready-timeout': '2s' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^PUT http:\/\/127\.0\.0\.1:\d+\/system\/functions: no answer within/m);
    expect(run.stdout).toMatch(/::error::PUT <gateway>\/system\/functions: no answer within/);
    expect(comment(w)).toMatch(/could not deploy the function/);
    expect(comment(w)).toMatch(/This PR had no preview before/);
  });

  test('the GitHub API hangs on the comment: the run fails naming the call; nothing claims the live preview failed', async () => {
    const w = await world();
    w.proxies.github.add({
      method: 'POST',
      path: `/repos/Codertocat/Hello-World/issues/${PR}/comments`,
      fault: { hang: true },
    });
    const run = await deploy(w, { 'request-timeout': '1s' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::the preview is live at https:\/\/hello-world-pr-31\.preview\.example\.com, but telling the PR failed: GitHub POST \/repos\/Codertocat\/Hello-World\/issues\/31\/comments failed: no answer within 1s/,
    );
    expect(w.gateway.get(NAME)).toBeDefined();
    expect(w.github.comments(PR)).toEqual([]);
    expect(w.github.deployments().at(-1)!.statuses.at(-1)!.state).toBe('success');
    // The building comment's hang was a warning, not the end of the run.
    expect(run.stdout).toMatch(/::warning::could not post the building comment: GitHub POST .*no answer within 1s/);
  }, 90_000);
});

describe('a permanent fault fails with an error that names the call, and the PR is told the truth', () => {
  test('the gateway refuses connections: the error names the call and the cause; the comment says nothing was touched', async () => {
    const w = await world();
    const run = await deploy(w, { 'gateway-url': 'http://127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^GET http:\/\/127\.0\.0\.1:1\/system\/info: ECONNREFUSED 127\.0\.0\.1:1 \(after 3 attempts\).*\n::error::GET <gateway>\/system\/info: ECONNREFUSED <gateway> \(after 3 attempts\)/m,
    );
    expect(comment(w)).toMatch(/could not reach the OpenFaaS gateway/);
    expect(comment(w)).toMatch(/The function was not touched/);
    expect(comment(w)).toContain(
      "**What to do:** check `gateway-url` and that this runner can reach the gateway's `/system/*` API",
    );
    // The annotation carries the same advice as the comment, not less.
    expect(run.stdout).toMatch(
      /::error::.*ECONNREFUSED.*\. What to do: check `gateway-url` and that this runner can reach/,
    );
    expect(w.github.deployments().at(-1)!.statuses.at(-1)!.state).toBe('error');
  });

  test('show-internal-addresses: true: the annotation names the gateway as it is, in one line', async () => {
    const w = await world();
    const run = await deploy(w, { 'gateway-url': 'http://127.0.0.1:1', 'show-internal-addresses': 'true' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::GET http:\/\/127\.0\.0\.1:1\/system\/info: ECONNREFUSED 127\.0\.0\.1:1 /);
    // No second, unredacted line before it: nothing was hidden.
    expect(
      run.stdout.split('\n').filter((l) => l.includes('ECONNREFUSED 127.0.0.1:1 (after 3 attempts)')),
    ).toHaveLength(1);
    expect(run.stdout + comment(w)).not.toContain('<gateway>');
  });

  test("the gateway's Prometheus is down: the dropped list names the likely cause", async () => {
    const w = await world({ prometheus: 'down' });
    const run = await deploy(w);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::GET <gateway>\/system\/functions: (socket hang up|read ECONNRESET).*cannot reach its Prometheus/,
    );
  });

  test('a gateway error body that echoes the credentials and carries mentions, HTML and links reaches the comment inert and scrubbed', async () => {
    const w = await world();
    const body = `error: could not apply\n@acme/team @octocat <img src=x onerror=alert(1)> [click](https://evil.example) | table |\nrequest headers: Authorization: Basic ${BASIC}\npassword=${PASSWORD}`;
    w.proxies.gateway.add({ method: 'PUT', path: '/system/functions', fault: { status: 400, body } });
    const run = await deploy(w);
    expect(run.code).toBe(1);
    const text = comment(w);
    expect(text).toMatch(/could not deploy the function/);
    const block = /\n(`{3,})text\n([\s\S]*?)\n\1\n/.exec(text);
    expect(block).not.toBeNull();
    expect(block![2]).toContain('@acme/team @octocat <img src=x onerror=alert(1)> [click](https://evil.example)');
    expect(block![2]).toContain('Authorization: Basic ***');
    expect(block![2]).toContain('password=***');
    expect(text.replace(block![0], '')).not.toMatch(/@acme|<img|evil\.example/);
  });

  test('the gateway refuses the credentials: said as such, never as out of reach, with what to check', async () => {
    const w = await world();
    const run = await deploy(w, { 'gateway-password': 'not-the-password' });
    expect(run.code).toBe(1);
    expect(comment(w)).toContain('failed: the OpenFaaS gateway refused the credentials.');
    expect(comment(w)).not.toMatch(/could not reach/);
    expect(comment(w)).toContain('**What to do:** check the `gateway-username` and `gateway-password` inputs');
    expect(run.stdout).toMatch(/::error::GET \S+\/system\/info answered 401.*What to do: check the `gateway-username`/);
  });

  test('the bucket does not exist: the annotation and the comment say to check the bucket input', async () => {
    const w = await world();
    const run = await deploy(w, { bucket: 'no-such-bucket' });
    expect(run.code).toBe(1);
    expect(comment(w)).toContain('**What to do:** check the `bucket` input');
    expect(run.stdout).toMatch(/::error::.*What to do: check the `bucket` input/);
  });
});

describe("GitHub refuses a call the workflow's permissions do not allow", () => {
  test('no pull-requests: write: the 403 names the missing permissions entry, in the log and the annotation', async () => {
    const w = await world({}, { permissions: { 'pull-requests': 'read', deployments: 'write', contents: 'read' } });
    const run = await deploy(w);
    expect(run.code).toBe(1);
    expect(w.github.comments(PR)).toEqual([]);
    expect(w.gateway.get(NAME)).toBeDefined();
    expect(run.stdout).toMatch(
      /::error::the preview is live at \S+, but telling the PR failed: GitHub POST \/repos\/Codertocat\/Hello-World\/issues\/31\/comments answered 403: Resource not accessible by integration.*add `pull-requests: write` under `permissions:`/,
    );
  });
});
