/**
 * The whole loop as the runner runs it: `node dist/index.js` with INPUT_* variables and real webhook payloads,
 * against docker-registry + buildah, the emulated GitHub API and each Community Edition profile of the emulated
 * OpenFaaS gateway, paired with each S3 server:
 * - faasd CE with s3rver, pushing to a registry with Basic auth (faasd pulls with its own credentials);
 * - faas-netes CE with Ceph radosgw (signatures checked), pushing to a registry whose repositories anyone may pull
 *   (Community Edition on Kubernetes runs public images only).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  OWNER,
  REPO,
  prPayload,
  runAction,
  runnerNode,
  stackInputs,
  type ActionRun,
} from '../../test/support/action.js';
import { MANIFEST_KEY } from '../../src/assets/manifest.js';
import { startGateway, type Edition, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { addressLeaks, findLeaks, readableTexts, secretForms } from '../../test/support/leaks.js';
import { startRegistry, type Registry, type RegistryOptions } from '../../test/support/registry.js';
import { RGW_PROGRAMS } from '../../test/support/rgw.js';
import type { S3Emulator, S3Kind } from '../../test/support/s3.js';
import { startS3Server } from '../../test/support/s3-servers.js';
import { describeWith } from '../../test/support/tools.js';

const SHA_A = 'a'.repeat(7) + '1'.repeat(33);
const SHA_B = 'b'.repeat(7) + '2'.repeat(33);
const SHA_C = 'c'.repeat(7) + '3'.repeat(33);
const PR = 2;
const NAME = 'hello-world-pr-2';
const GATEWAY_PASSWORD = 'gw-pass-Zq81';

interface Profile {
  edition: Edition;
  s3: S3Kind;
  registry: RegistryOptions;
  /** Makes the given image's function never become ready, the way this provider shows it. */
  neverReady(gateway: GatewayEmulator, image: string): void;
  /** What the readiness error says was last seen. */
  lastSeen: RegExp;
}

const PROFILES: Profile[] = [
  {
    edition: 'faasd-ce',
    s3: 's3rver',
    registry: {},
    neverReady: (gateway, image) => gateway.setImage(image, { neverStarts: true }),
    // A task that never starts: faasd reports no replica at all.
    lastSeen: /last seen: replicas=0, availableReplicas=0/,
  },
  {
    edition: 'faas-netes-ce',
    s3: 'rgw',
    registry: { auth: 'token', anonymousPull: true },
    neverReady: (gateway) => gateway.setReadiness('never'),
    lastSeen: /last seen: replicas=1, availableReplicas=0/,
  },
];

for (const profile of PROFILES) {
  const { describe } = describeWith(['buildah', 'docker-registry', ...(profile.s3 === 'rgw' ? RGW_PROGRAMS : [])]);
  describe(`preview lifecycle through the bundle: ${profile.edition} with ${profile.s3}`, () => lifecycle(profile));
}

function lifecycle(profile: Profile): void {
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let s3: S3Emulator;
  let registry: Registry;
  let workspace: string;
  let node: string;

  beforeAll(async () => {
    // The runner runs action.yml's node24, so the lifecycle does too.
    node = runnerNode();
    [gateway, github, s3, registry] = await Promise.all([
      startGateway({ edition: profile.edition, password: GATEWAY_PASSWORD }),
      startGitHub({}),
      startS3Server(profile.s3),
      startRegistry(profile.registry),
    ]);
    workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-ws-'));
    mkdirSync(path.join(workspace, 'fn'));
    writeFileSync(path.join(workspace, 'fn/Dockerfile'), 'FROM scratch\nCOPY handler.txt /handler.txt\n');
    writeSite({
      'index.html': '<h1>commit A</h1>',
      'app.0123abcd.js': 'console.log(1)',
      'old.css': 'body{}',
      'img/logo.svg': '<svg/>',
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([gateway?.close(), github?.close(), s3?.close(), registry?.close()]);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  function writeSite(files: Record<string, string>) {
    const site = path.join(workspace, 'site');
    rmSync(site, { recursive: true, force: true });
    for (const [rel, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(site, rel)), { recursive: true });
      writeFileSync(path.join(site, rel), body);
    }
    writeFileSync(path.join(workspace, 'fn/handler.txt'), JSON.stringify(files));
  }

  function inputs(extra: Record<string, string> = {}): Record<string, string> {
    return stackInputs(
      { gateway, gatewayPassword: GATEWAY_PASSWORD, s3, github, registry, registryNamespace: 'acme' },
      {
        'url-template': 'http://{name}.preview.localhost:8080/',
        'delete-image': 'true',
        context: 'fn',
        'static-dir': 'site',
        'ready-timeout': '10s',
        ...extra,
      },
    );
  }

  async function act(
    event: string,
    payload: Record<string, unknown>,
    extra: Record<string, string> = {},
  ): Promise<ActionRun> {
    const run = await runAction({
      event,
      payload,
      inputs: inputs(extra),
      apiUrl: github.url,
      workspace,
      env: registry.buildahEnv,
      node,
    });
    // Secrets never reach anything readable, in any form, whatever happened.
    const forms = secretForms({
      values: [GATEWAY_PASSWORD, registry.password, github.token, s3.settings.secretAccessKey ?? ''],
      basicAuth: [
        { username: 'admin', password: GATEWAY_PASSWORD },
        { username: registry.username, password: registry.password },
      ],
    });
    expect(findLeaks(readableTexts(run, github, [PR, 7, 8, 9, 10]), forms)).toEqual([]);
    expect(addressLeaks(run, github, [PR, 7, 8, 9, 10])).toEqual([]);
    return run;
  }

  function expectOk(run: ActionRun) {
    if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  }

  test('opened: image built and pushed, function deployed, assets synced, one comment, a deployment', async () => {
    github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    // Enough foreign comments that ours lands on a later page: the next run must still find it.
    github.seedComments(
      PR,
      Array.from({ length: 130 }, (_, i) => `comment ${i}`),
      'octocat',
    );
    const run = await act('pull_request', prPayload('opened', { number: PR, sha: SHA_A }));
    expectOk(run);

    const image = `${registry.host}/acme/hello-world:pr-2-aaaaaaa`;
    expect(run.outputs).toMatchObject({
      result: 'deployed',
      name: NAME,
      url: `http://${NAME}.preview.localhost:8080/`,
      image,
      'bucket-prefix': `${NAME}/`,
    });
    expect(await registry.tags('acme/hello-world')).toEqual(['pr-2-aaaaaaa']);

    const fn = gateway.get(NAME)!;
    expect(fn.image).toBe(image);
    expect(fn.labels).toMatchObject({
      'faas-preview/managed': 'true',
      'faas-preview/repo': `${OWNER}.${REPO}`,
      'faas-preview/pr': '2',
      'faas-preview/sha': SHA_A,
    });
    expect(fn.labels['com.openfaas.scale.zero']).toBeUndefined();
    expect(fn.limits).toEqual({ memory: '128Mi', cpu: '200m' });
    expect(fn.envVars).toMatchObject({
      FAAS_PREVIEW_NAME: NAME,
      FAAS_PREVIEW_URL: `http://${NAME}.preview.localhost:8080/`,
      FAAS_PREVIEW_PR: '2',
      FAAS_PREVIEW_SHA: SHA_A,
    });
    expect(fn.availableReplicas).toBe(1);

    expect(await s3.listKeys(`${NAME}/`)).toEqual([
      `${NAME}/${MANIFEST_KEY}`,
      `${NAME}/app.0123abcd.js`,
      `${NAME}/img/logo.svg`,
      `${NAME}/index.html`,
      `${NAME}/old.css`,
    ]);
    // the manifest is no static file: not among the files uploaded, neither in the log nor in the comment
    expect(run.stdout).toMatch(/^assets: 4 uploaded \(43 bytes\), 0 unchanged, 0 deleted, /m);

    const ours = github.comments(PR).filter((c) => c.body.startsWith(`<!-- faas-preview:${NAME} -->`));
    expect(ours).toHaveLength(1);
    expect(ours[0].body).toContain(`http://${NAME}.preview.localhost:8080/`);
    expect(ours[0].body).toContain('`aaaaaaa`');
    expect(ours[0].body).toContain('- Static assets: 4 uploaded, 0 unchanged, 0 removed');

    const [deployment] = github.deployments();
    expect(deployment).toMatchObject({
      environment: `preview/${NAME}`,
      transient_environment: true,
      production_environment: false,
      ref: SHA_A,
    });
    expect(deployment.statuses.map((st) => st.state)).toEqual(['in_progress', 'success']);
    expect(deployment.statuses.at(-1)).toMatchObject({
      state: 'success',
      environment_url: `http://${NAME}.preview.localhost:8080/`,
    });

    expect(run.summary).toContain('Preview ready');
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' })).toMatch(process.env.CI ? /^v24\./ : /^v\d+\./);
    expect(run.summary).toContain(NAME);
  });

  test('synchronize: same comment edited, stale assets gone, function on the new image', async () => {
    const commentId = github.comments(PR).find((c) => c.body.includes(`faas-preview:${NAME}`))!.id;
    writeSite({ 'index.html': '<h1>commit B</h1>', 'app.4567cdef.js': 'console.log(2)', 'img/logo.svg': '<svg/>' });
    github.setPull({ number: PR, state: 'open', headSha: SHA_B });
    const run = await act('pull_request', prPayload('synchronize', { number: PR, sha: SHA_B }));
    expectOk(run);

    const ours = github.comments(PR).filter((c) => c.body.includes(`faas-preview:${NAME}`));
    expect(ours.map((c) => c.id)).toEqual([commentId]);
    expect(ours[0].body).toContain('`bbbbbbb`');
    // index.html and the logo have the sizes of commit A's: proved by the ids the first push recorded, not by MD5
    expect(run.stdout).toContain('compared 2 file(s) by content id (manifest), 0 by MD5');
    expect(ours[0].body).toContain('- Static assets: 2 uploaded, 1 unchanged, 2 removed');

    expect(await s3.listKeys(`${NAME}/`)).toEqual([
      `${NAME}/${MANIFEST_KEY}`,
      `${NAME}/app.4567cdef.js`,
      `${NAME}/img/logo.svg`,
      `${NAME}/index.html`,
    ]);
    const fn = gateway.get(NAME)!;
    expect(fn.image).toBe(`${registry.host}/acme/hello-world:pr-2-bbbbbbb`);
    expect(fn.deployCount).toBe(2);
    expect(gateway.functions()).toHaveLength(1);
    expect(github.deployments()).toHaveLength(2);
    expect(
      github
        .deployments()
        .find((d) => d.ref === SHA_A)!
        .statuses.at(-1)!.state,
    ).toBe('inactive');
  });

  test('a push older than the PR head is skipped as superseded', async () => {
    github.setPull({ number: PR, state: 'open', headSha: SHA_C });
    const before = gateway.get(NAME)!.deployCount;
    const run = await act('pull_request', prPayload('synchronize', { number: PR, sha: SHA_B }));
    expectOk(run);
    expect(run.outputs.result).toBe('skipped');
    expect(run.stdout).toMatch(/superseded/);
    expect(gateway.get(NAME)!.deployCount).toBe(before);
    github.setPull({ number: PR, state: 'open', headSha: SHA_B });
  });

  test('closed: function, assets, image tags and deployment gone; the comment says so', async () => {
    github.setPull({ number: PR, state: 'closed', merged: true, headSha: SHA_B });
    const run = await act('pull_request', prPayload('closed', { number: PR, sha: SHA_B, merged: true }));
    expectOk(run);
    expect(run.outputs).toMatchObject({ result: 'torn-down', name: NAME });
    expect(gateway.get(NAME)).toBeUndefined();
    expect(await s3.listKeys(`${NAME}/`)).toEqual([]); // the content manifest went with the files
    expect(await registry.tags('acme/hello-world')).toEqual([]);
    for (const d of github.deployments()) expect(d.statuses.at(-1)!.state).toBe('inactive');
    const ours = github.comments(PR).filter((c) => c.body.includes(`faas-preview:${NAME}`));
    expect(ours).toHaveLength(1);
    expect(ours[0].body).toMatch(/torn down: PR #2 was merged/);
  });

  test('closing twice is fine', async () => {
    const run = await act('pull_request', prPayload('closed', { number: PR, sha: SHA_B, merged: true }));
    expectOk(run);
    expect(run.outputs.result).toBe('torn-down');
  });

  test('close without any prior deploy succeeds and posts nothing', async () => {
    github.setPull({ number: 7, state: 'closed', headSha: SHA_A });
    const run = await act('pull_request', prPayload('closed', { number: 7, sha: SHA_A }));
    expectOk(run);
    expect(github.comments(7)).toEqual([]);
    expect(gateway.functions()).toEqual([]);
  });

  test('a fork PR under pull_request is skipped without touching anything', async () => {
    github.setPull({ number: 8, state: 'open', headSha: SHA_A, headRepoFullName: 'mallory/Hello-World', fork: true });
    const calls = gateway.calls.length;
    const run = await act(
      'pull_request',
      prPayload('opened', { number: 8, sha: SHA_A, headRepo: 'mallory/Hello-World' }),
    );
    expectOk(run);
    expect(run.outputs.result).toBe('skipped');
    expect(run.stdout).toMatch(/::notice::.*fork 'mallory\/Hello-World'/);
    expect(gateway.calls.length).toBe(calls);
    expect(github.comments(8)).toEqual([]);
  });

  test('a fork PR under pull_request_target is refused unless allow-fork-builds', async () => {
    const run = await act(
      'pull_request_target',
      prPayload('opened', { number: 8, sha: SHA_A, headRepo: 'mallory/Hello-World' }),
    );
    expectOk(run);
    expect(run.outputs.result).toBe('skipped');
    expect(run.stdout).toMatch(/::warning::refusing to build code from the fork/);
    expect(gateway.get('hello-world-pr-8')).toBeUndefined();
  });

  test('a function that never gets ready fails with what was last seen, and the comment says so', async () => {
    github.setPull({ number: 9, state: 'open', headSha: SHA_A });
    profile.neverReady(gateway, `${registry.host}/acme/hello-world:pr-9-aaaaaaa`);
    try {
      const run = await act('pull_request', prPayload('opened', { number: 9, sha: SHA_A }), { 'ready-timeout': '2s' });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /::error::function 'hello-world-pr-9' was not ready within 2s \(input 'ready-timeout'\); /,
      );
      expect(run.stdout).toMatch(profile.lastSeen);
      const body = github.comments(9)[0].body;
      expect(body).toMatch(/Preview of `aaaaaaa` failed: deployed the function, but it did not become ready/);
      expect(body).toMatch(/This PR had no preview before/);
      // A first deploy has no previous version or pages to speak of; the advice names this provider's log command.
      expect(body).not.toMatch(/previous/i);
      expect(body).toMatch(
        /\*\*What to do:\*\* read the function's log: on (faasd `journalctl|faas-netes `kubectl logs)/,
      );
      expect(run.stdout).toMatch(
        /::error::function 'hello-world-pr-9' was not ready.*What to do: read the function's log/,
      );
      expect(
        github
          .deployments()
          .filter((d) => d.ref === SHA_A)
          .at(-1)!
          .statuses.at(-1)!.state,
      ).toBe('failure');
    } finally {
      gateway.setReadiness('normal');
    }
  });

  test('a preview beyond max-previews is refused with a comment naming the slot holders', async () => {
    // The never-ready preview of PR #9 still holds a slot; another repository's function does not count.
    expect(gateway.get('hello-world-pr-9')).toBeDefined();
    gateway.seed({
      name: 'other-pr-1',
      image: 'x/y:1',
      labels: { 'faas-preview/managed': 'true', 'faas-preview/repo': 'someone.else' },
    });
    github.setPull({ number: 10, state: 'open', headSha: SHA_A });
    const run = await act('pull_request', prPayload('opened', { number: 10, sha: SHA_A }), { 'max-previews': '1' });
    expectOk(run);
    expect(run.outputs.result).toBe('refused');
    expect(run.stdout).toMatch(/::warning::preview hello-world-pr-10 refused/);
    expect(gateway.get('hello-world-pr-10')).toBeUndefined();
    expect(await registry.tags('acme/hello-world')).toEqual(['pr-9-aaaaaaa']);
    const [comment] = github.comments(10);
    expect(comment.body).toMatch(/limit is 1 \(input `max-previews`\)/);
    expect(comment.body).toContain('- #9 (`hello-world-pr-9`)');
    expect(comment.body).not.toContain('other-pr-1');
  });
}
