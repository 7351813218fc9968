/**
 * Issue 8 through the bundle: runs that cannot have secrets skip cleanly (fork PRs under pull_request, Dependabot),
 * the PR comment is only ever the token's own, and a broken event payload gets an error that names the file and the
 * field. Prebuilt image (`builder: none`), the gateway and GitHub emulators, s3rver.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MANIFEST_KEY } from '../../src/assets/manifest.js';
import { commentMarker } from '../../src/naming.js';
import { prPayload, runAction, stackInputs, type ActionRun } from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { addressLeaks, findLeaks, readableTexts, secretForms } from '../../test/support/leaks.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';

const PASSWORD = 'gw-trust-Pw71';
const sha = (c: string) => c.repeat(7) + '0'.repeat(33);
const name = (pr: number) => `hello-world-pr-${pr}`;

let gateway: GatewayEmulator;
let github: GitHubEmulator;
let s3: S3Emulator;
let workspace: string;

beforeAll(async () => {
  [gateway, github, s3] = await Promise.all([
    startGateway({ edition: 'faasd-ce', password: PASSWORD }),
    startGitHub({}),
    startS3(),
  ]);
  workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-trust-'));
  mkdirSync(path.join(workspace, 'site'));
  writeFileSync(path.join(workspace, 'site/index.html'), '<h1>hi</h1>');
});

afterAll(async () => {
  await Promise.all([gateway?.close(), github?.close(), s3?.close()]);
  rmSync(workspace, { recursive: true, force: true });
});

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return stackInputs(
    {
      gateway,
      gatewayPassword: PASSWORD,
      s3,
      github,
      registryNamespace: 'acme',
      prebuiltImage: 'registry.example.com/acme/hello:1.0.0',
    },
    { 'preview-domain': 'preview.example.com', 'static-dir': 'site', 'ready-timeout': '5s', ...extra },
  );
}

async function act(
  event: string,
  payload: Record<string, unknown>,
  o: { inputs?: Record<string, string>; env?: Record<string, string> } = {},
): Promise<ActionRun> {
  const run = await runAction({ event, payload, inputs: inputs(o.inputs), apiUrl: github.url, workspace, env: o.env });
  const forms = secretForms({
    values: [PASSWORD, github.token],
    basicAuth: [{ username: 'admin', password: PASSWORD }],
  });
  expect(findLeaks(readableTexts(run, github, [1, 2, 3, 4, 5]), forms)).toEqual([]);
  expect(addressLeaks(run, github, [1, 2, 3, 4, 5])).toEqual([]);
  return run;
}

const writes = () => ({
  gateway: gateway.calls.filter((c) => c.method !== 'GET').length,
  github: github.calls.filter((c) => c.method !== 'GET').length,
  s3: s3.requests().filter((r) => r.method !== 'GET').length,
});

describe('runs without secrets skip cleanly before any input is enforced', () => {
  const noSecrets = { 'gateway-password': '', 'aws-access-key-id': '', 'aws-secret-access-key': '' };

  test.each(['opened', 'synchronize', 'closed'])(
    'a fork PR under pull_request, %s, with empty secrets: notice, exit 0, nothing touched',
    async (action) => {
      github.setPull({
        number: 1,
        state: action === 'closed' ? 'closed' : 'open',
        headSha: sha('a'),
        headRepoFullName: 'mallory/Hello-World',
        fork: true,
      });
      const before = writes();
      const calls = gateway.calls.length;
      const run = await act(
        'pull_request',
        prPayload(action, { number: 1, sha: sha('a'), headRepo: 'mallory/Hello-World' }),
        { inputs: noSecrets },
      );
      expect(run.code).toBe(0);
      expect(run.outputs.result).toBe('skipped');
      expect(run.stdout).toMatch(/::notice::PR comes from the fork 'mallory\/Hello-World'/);
      expect(gateway.calls.length).toBe(calls);
      expect(writes()).toEqual(before);
    },
  );

  test.each(['opened', 'synchronize', 'closed'])(
    'a Dependabot PR, %s, without Dependabot secrets: notice, exit 0, nothing touched',
    async (action) => {
      github.setPull({ number: 2, state: action === 'closed' ? 'closed' : 'open', headSha: sha('b') });
      const payload = prPayload(action, { number: 2, sha: sha('b') });
      (payload.pull_request as { user: { login: string } }).user.login = 'dependabot[bot]';
      const before = writes();
      const run = await act('pull_request', payload, { inputs: noSecrets, env: { GITHUB_ACTOR: 'dependabot[bot]' } });
      expect(run.code).toBe(0);
      expect(run.outputs.result).toBe('skipped');
      expect(run.stdout).toMatch(/::notice::Dependabot PR: .*'gateway-password' is empty/);
      expect(writes()).toEqual(before);
    },
  );

  test('a Dependabot PR whose Dependabot secrets are set deploys like any other', async () => {
    github.setPull({ number: 2, state: 'open', headSha: sha('b') });
    const run = await act('pull_request', prPayload('opened', { number: 2, sha: sha('b') }), {
      env: { GITHUB_ACTOR: 'dependabot[bot]' },
    });
    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('deployed');
    expect(gateway.get(name(2))).toBeDefined();
  });
});

describe('a hostile static-dir publishes only its regular files', () => {
  test('a FIFO, a name that is not UTF-8 and a symlink out of the directory are skipped with warnings; the rest is published', async () => {
    const site = path.join(workspace, 'hostile');
    mkdirSync(site);
    writeFileSync(path.join(site, 'index.html'), '<h1>ok</h1>');
    execFileSync('mkfifo', [path.join(site, 'pipe.html')]);
    writeFileSync(
      Buffer.concat([Buffer.from(site + '/caf'), Buffer.from([0xe9]), Buffer.from('.html')]),
      'latin-1 name',
    );
    writeFileSync(path.join(workspace, 'credentials.txt'), 'aws_secret=outside');
    symlinkSync(path.join(workspace, 'credentials.txt'), path.join(site, 'leak.txt'));
    github.setPull({ number: 5, state: 'open', headSha: sha('f') });
    const run = await act('pull_request', prPayload('opened', { number: 5, sha: sha('f') }), {
      inputs: { 'static-dir': 'hostile' },
    });
    expect(run.code).toBe(0);
    expect(await s3.listKeys(`${name(5)}/`)).toEqual([`${name(5)}/${MANIFEST_KEY}`, `${name(5)}/index.html`]);
    expect(run.stdout).toMatch(/skipping pipe\.html: .*FIFO/i);
    expect(run.stdout).toMatch(/caf\\xe9\.html.*not valid UTF-8/);
    expect(run.stdout).toMatch(/skipping leak\.txt: symlink points outside static-dir/);
  });
});

describe('only our own comment is ever edited', () => {
  test('a marker posted first by someone else is left alone; ours is created beside it, then updated and torn down', async () => {
    const forged = `${commentMarker(name(3))}\nI was here first @team`;
    github.seedComments(3, [forged], 'mallory');
    github.setPull({ number: 3, state: 'open', headSha: sha('c') });
    const opened = await act('pull_request', prPayload('opened', { number: 3, sha: sha('c') }));
    expect(opened.code).toBe(0);
    expect(opened.stdout).toMatch(
      /carries the marker of hello-world-pr-3 but was not written by github-actions\[bot\]; left alone/,
    );
    const [theirs, ours] = github.comments(3);
    expect(theirs).toMatchObject({ body: forged, user: { login: 'mallory' } });
    expect(ours.user.login).toBe('github-actions[bot]');
    expect(ours.body).toMatch(/Preview is ready/);

    github.setPull({ number: 3, state: 'closed', headSha: sha('c') });
    const closed = await act('pull_request', prPayload('closed', { number: 3, sha: sha('c') }));
    expect(closed.code).toBe(0);
    const after = github.comments(3);
    expect(after.map((c) => c.id)).toEqual([theirs.id, ours.id]);
    expect(after[0].body).toBe(forged);
    expect(after[1].body).toMatch(/torn down: PR #3 was closed/);
    expect(after[1].body).toContain('- the function `hello-world-pr-3`');
  });

  test('with a user token, the comment is that user’s and found again by that identity', async () => {
    github.addToken('ghp_user_token_4', 'octocat');
    github.seedComments(4, [`${commentMarker(name(4))}\nold bot comment`], 'github-actions[bot]');
    github.setPull({ number: 4, state: 'open', headSha: sha('d') });
    const run = await act('pull_request', prPayload('opened', { number: 4, sha: sha('d') }), {
      inputs: { 'github-token': 'ghp_user_token_4' },
    });
    expect(run.code).toBe(0);
    const comments = github.comments(4);
    expect(comments).toHaveLength(2);
    expect(comments[0].body).toMatch(/old bot comment/);
    expect(comments[1].user.login).toBe('octocat');
  });
});

describe('a broken event payload names the file and the field', () => {
  test.each([
    ['not JSON', 'this is not json', /::error::event payload file .*event\.json \(GITHUB_EVENT_PATH\) is not JSON/],
    [
      'no head',
      JSON.stringify({ action: 'opened', pull_request: { number: 5 } }),
      /::error::event payload field 'pull_request\.head' in .* is missing/,
    ],
    [
      'PR number 0',
      JSON.stringify({ action: 'opened', pull_request: { number: 0, head: { sha: sha('e') } } }),
      /::error::event payload field 'pull_request\.number' in .* must be a positive integer, got 0/,
    ],
    [
      'a sha that is not one',
      JSON.stringify({ action: 'opened', pull_request: { number: 5, head: { sha: '../../etc' } } }),
      /field 'pull_request\.head\.sha' .* must be a 40-character commit sha/,
    ],
  ])('%s', async (_what, text, message) => {
    const file = path.join(workspace, 'event.json');
    writeFileSync(file, text);
    const run = await act('pull_request', {}, { env: { GITHUB_EVENT_PATH: file } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(message);
    expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m);
  });
});

test('an unsupported event fails with one error that says which events are supported', async () => {
  const run = await act('push', { ref: 'refs/heads/main' });
  expect(run.code).toBe(1);
  expect(run.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
    "::error::event 'push' is not supported: use pull_request or pull_request_target (deploy/teardown), schedule or workflow_dispatch (sweep), or set input 'command'",
  ]);
});
