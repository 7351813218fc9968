/**
 * Issue 23 through the bundle, on the faasd-ce emulator profile (15 functions, every function counted, foreign ones
 * too): what a deploy does when the gateway is full. Every text about the cap counts functions, shows used / cap and
 * what the new preview needs. The action reads the real clock, so "idle" and "in use" are arranged by seeding deploy
 * times and the sweeper's memory in the past.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ANNOTATIONS, FUNCTION_LABEL, commentMarker, previewLabels } from '../../src/naming.js';
import { OWNER, REPO, prPayload, runAction, type ActionRun } from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';

const MIN = 60_000;
const PASSWORD = 'gw-capacity-Pw4';
const IMAGE = 'registry.example.com/acme/hello-world:1';

const name = (pr: number) => `hello-world-pr-${pr}`;
const sha = (pr: number) => String(pr % 10).repeat(7) + 'c'.repeat(33);
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

interface World {
  gateway: GatewayEmulator;
  github: GitHubEmulator;
  s3: S3Emulator;
  workspace: string;
}

const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) {
    await Promise.all([w.gateway.close(), w.github.close(), w.s3.close()]);
    rmSync(w.workspace, { recursive: true, force: true });
  }
});

/** A faasd-ce gateway with `foreign` functions of another app, and a workspace with a two-function stack file. */
async function world(foreign: number): Promise<World> {
  const [gateway, github, s3] = await Promise.all([
    startGateway({ edition: 'faasd-ce', password: PASSWORD }),
    startGitHub({}),
    startS3(),
  ]);
  const workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-capacity-'));
  const w = { gateway, github, s3, workspace };
  open.push(w);
  for (let i = 0; i < foreign; i++) gateway.seed({ name: `other-app-${i}`, image: 'ghcr.io/else/app:1' });
  const fns = ['api', 'worker'].map(
    (fn) => `  ${fn}:\n    lang: dockerfile\n    handler: ./${fn}\n    image: ${IMAGE}\n`,
  );
  for (const fn of ['api', 'worker']) mkdirSync(path.join(workspace, 'app', fn), { recursive: true });
  writeFileSync(
    path.join(workspace, 'app/stack.yml'),
    `version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n${fns.join('')}`,
  );
  return w;
}

/** A preview of this repository as deploy leaves it (`fns` 2: a stack, `<name>` and `<name>-worker`), its PR open. */
function preview(w: World, pr: number, o: { deployedAgo: number; fns?: number; invocations?: number }) {
  for (let i = 0; i < (o.fns ?? 1); i++) {
    const labels = previewLabels(OWNER, REPO, pr, sha(pr));
    if (i > 0) labels[FUNCTION_LABEL] = 'worker';
    w.gateway.seed({
      name: i === 0 ? name(pr) : `${name(pr)}-worker`,
      image: IMAGE,
      labels,
      annotations: {
        [ANNOTATIONS.deployedAt]: ago(o.deployedAgo),
        [ANNOTATIONS.url]: `https://${name(pr)}.preview.example.com`,
      },
      invocationCount: i === 0 ? (o.invocations ?? 0) : 0,
    });
  }
  w.github.setPull({ number: pr, state: 'open', headSha: sha(pr) });
}

async function deploy(w: World, pr: number, extra: Record<string, string> = {}): Promise<ActionRun> {
  w.github.setPull({ number: pr, state: 'open', headSha: sha(pr) });
  const run = await runAction({
    event: 'pull_request',
    payload: prPayload('opened', { number: pr, sha: sha(pr) }),
    inputs: {
      'gateway-url': w.gateway.url,
      'gateway-password': PASSWORD,
      'preview-domain': 'preview.example.com',
      builder: 'none',
      bucket: w.s3.bucket,
      's3-endpoint': w.s3.endpoint,
      'aws-access-key-id': 'S3RVER',
      'aws-secret-access-key': 'S3RVER',
      'github-token': w.github.token,
      'ready-timeout': '10s',
      'idle-after': '30m',
      ...extra,
    },
    apiUrl: w.github.url,
    workspace: w.workspace,
  });
  assertNoLeaks(
    run,
    { values: [PASSWORD, w.github.token], basicAuth: [{ username: 'admin', password: PASSWORD }] },
    w.github,
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  return run;
}

const stack = { 'stack-file': 'app/stack.yml' };
const comment = (w: World, pr: number) =>
  w.github
    .comments(pr)
    .filter((c) => c.body.startsWith(commentMarker(name(pr))))
    .at(-1)?.body ?? '';
const writes = (gw: GatewayEmulator) =>
  gw.calls.filter((c) => c.method !== 'GET' && c.method !== 'HEAD' && c.path.startsWith('/system/'));

describe('counts: what the cap counts, used / cap, and what the new preview needs', () => {
  test('a two-function stack, 13 other functions, and a new stack needing 2: refused, every text counting 15 of 15', async () => {
    const w = await world(13);
    preview(w, 1, { deployedAgo: 5 * MIN, fns: 2 });
    const run = await deploy(w, 2, stack);

    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('refused');
    expect(writes(w.gateway)).toEqual([]);
    const line =
      'the gateway runs 15 of the 15 functions Community Edition allows (it counts every function), and this preview ' +
      'needs 2 free slots; 2 of the 15 are previews of this repository (1 preview), 13 are not';
    expect(run.stdout).toContain(`::warning::preview ${name(2)} refused: ${line}`);
    expect(run.summary).toContain(line);
    const body = comment(w, 2);
    expect(body).toContain(
      'runs 15 of the 15 functions it allows, and this preview needs 2 free slots (one per function). Every function counts: 2 of the 15 are previews of this repository, 13 are not.',
    );
    expect(body).toContain(`- #1 (\`${name(1)}\`, 2 functions)`);
    expect(body).not.toMatch(/14 functions|13 of them/);
  });

  test('one slot left is not enough for a stack: 14 of 15, needs 2', async () => {
    const w = await world(12);
    preview(w, 1, { deployedAgo: 5 * MIN, fns: 2 });
    const run = await deploy(w, 2, stack);

    expect(run.outputs.result).toBe('refused');
    expect(comment(w, 2)).toContain('runs 14 of the 15 functions it allows, and this preview needs 2 free slots');
    expect(w.gateway.functions()).toHaveLength(14);
  });
});
