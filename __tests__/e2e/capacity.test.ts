/**
 * Issue 23 through the bundle, on both Community Edition emulator profiles (15 functions, every function counted,
 * foreign ones too): what a deploy does when the gateway is full. Every text about the cap counts functions, shows
 * used / cap and what the new preview needs. The action reads the real clock, so "idle" and "in use" are arranged by
 * seeding deploy times and the sweeper's memory in the past.
 *
 * faas-netes-ce differs where it matters here: it runs only images anyone can pull (the image is in a test registry
 * that lets anonymous pulls, and the action's check asks it), and it deletes a function in the foreground, so an
 * evicted preview still counts against the cap until its pods have terminated (`terminationMs`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ANNOTATIONS, FUNCTION_LABEL, commentMarker, previewLabels } from '../../src/naming.js';
import { readJson, writeJson } from '../../src/state/store.js';
import { saveVisit } from '../../src/state/visits.js';
import { OWNER, REPO, prPayload, runAction, type ActionRun } from '../../test/support/action.js';
import { startFaultProxy } from '../../test/support/faults.js';
import { startGateway, type Edition, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { describeWith, waitFor } from '../../test/support/tools.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const PASSWORD = 'gw-capacity-Pw4';
const REPOSITORY = 'acme/hello-world';

interface Profile {
  edition: Edition;
  /** The provider pulls only images anyone can pull: the image lives in a test registry that allows that. */
  publicRegistry: boolean;
  /** How long a deleted function still counts (test/support/gateway/faas-netes.ts: foreground deletion). */
  terminationMs: number;
}

const PROFILES: Profile[] = [
  { edition: 'faasd-ce', publicRegistry: false, terminationMs: 0 },
  // Long enough that a create sent right after the delete would meet the full cap; Kubernetes takes seconds.
  { edition: 'faas-netes-ce', publicRegistry: true, terminationMs: 3000 },
];

for (const profile of PROFILES) {
  const { describe } = describeWith(profile.publicRegistry ? ['docker-registry', 'openssl'] : []);
  describe(`a full ${profile.edition} gateway`, () => capacity(profile));
}

const name = (pr: number) => `hello-world-pr-${pr}`;
const sha = (pr: number) => String(pr % 10).repeat(7) + 'c'.repeat(33);
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

interface World {
  gateway: GatewayEmulator;
  github: GitHubEmulator;
  s3: S3Emulator;
  workspace: string;
}

function capacity(profile: Profile): void {
  let registry: Registry | undefined;
  /** What every preview runs: on faas-netes-ce an image anyone can pull from the test registry. */
  let IMAGE = 'registry.example.com/acme/hello-world:1';

  beforeAll(async () => {
    if (!profile.publicRegistry) return;
    registry = await startRegistry({ auth: 'token', anonymousPull: true });
    await registry.pushImage(REPOSITORY, ['1']);
    IMAGE = `${registry.host}/${REPOSITORY}:1`;
  }, 60_000);

  afterAll(async () => {
    await registry?.close();
  });

  const open: World[] = [];
  afterEach(async () => {
    for (const w of open.splice(0)) {
      await Promise.all([w.gateway.close(), w.github.close(), w.s3.close()]);
      rmSync(w.workspace, { recursive: true, force: true });
    }
  });

  /** A gateway of this profile with `foreign` functions of another app, and a workspace with a two-function stack file. */
  async function world(foreign: number): Promise<World> {
    const [gateway, github, s3] = await Promise.all([
      startGateway({
        edition: profile.edition,
        password: PASSWORD,
        terminationMs: profile.terminationMs,
        // faas-netes-ce's own check (validate.go isAnonymous): only the test registry's images are public.
        ...(registry ? { isPublic: (image: string) => image.startsWith(`${registry!.host}/`) } : {}),
      }),
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

  async function deploy(
    w: World,
    pr: number,
    extra: Record<string, string> = {},
    env: Record<string, string> = {},
  ): Promise<ActionRun> {
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
      env,
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
  const single = () => ({ image: IMAGE });

  /**
   * A build that fails: builder buildah, with a stand-in `buildah` first on PATH that notes each call and exits 1 as a
   * broken Dockerfile would (the build runs only after the capacity check, so a note proves the check let it through).
   */
  function failingBuild(w: World): { inputs: Record<string, string>; env: Record<string, string>; built: string } {
    const bin = path.join(w.workspace, '.bin');
    const built = path.join(w.workspace, '.built');
    mkdirSync(bin, { recursive: true });
    mkdirSync(path.join(w.workspace, 'fn'), { recursive: true });
    writeFileSync(path.join(w.workspace, 'fn/Dockerfile'), 'FROM scratch\nCOPY missing.txt /\n');
    writeFileSync(
      path.join(bin, 'buildah'),
      `#!/bin/sh\ncase "$1" in bud|build) touch '${built}'; echo "error: the test failed this build" >&2;; esac\nexit 1\n`,
    );
    chmodSync(path.join(bin, 'buildah'), 0o755);
    return {
      inputs: {
        builder: 'buildah',
        registry: `${registry?.host ?? '127.0.0.1:5000'}/acme`,
        context: 'fn',
        rebuild: 'always',
      },
      env: { PATH: `${bin}:${process.env.PATH}` },
      built,
    };
  }

  /** The sweeper's memory (state/sweeper.ts): when each preview's invocation count last changed. */
  async function usedAgo(w: World, previews: Record<number, number>) {
    const functions = Object.fromEntries(
      Object.entries(previews).map(([pr, ms]) => [name(Number(pr)), { count: 0, changedAt: ago(ms) }]),
    );
    await writeJson(w.s3.state(), '.faas-preview/sweeper.json', {
      version: 1,
      updatedAt: ago(MIN),
      functions,
    });
  }

  const sleeping = (w: World, pr: number) =>
    readJson<{ specs: { service: string }[] }>(w.s3.state(), `.faas-preview/sleeping/${name(pr)}.json`);
  const comment = (w: World, pr: number) =>
    w.github
      .comments(pr)
      .filter((c) => c.body.startsWith(commentMarker(name(pr))))
      .at(-1)?.body ?? '';
  const writes = (gw: GatewayEmulator) =>
    gw.calls.filter((c) => c.method !== 'GET' && c.method !== 'HEAD' && c.path.startsWith('/system/'));
  /** The status of every create the gateway answered: a 400 is the cap refusing it. */
  const creates = (gw: GatewayEmulator) =>
    gw.calls.filter((c) => c.method === 'POST' && c.path === '/system/functions').map((c) => c.status);
  const created = profile.edition === 'faasd-ce' ? 200 : 202;

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

  describe('making room: idle previews of this repository sleep for a new one', () => {
    test('a cap full of idle previews: the new preview deploys, the least recently used one sleeps and its PR is told', async () => {
      const w = await world(12);
      for (const pr of [1, 2, 3]) preview(w, pr, { deployedAgo: 6 * HOUR });
      await usedAgo(w, { 1: 2 * HOUR, 2: 5 * HOUR, 3: HOUR });
      const run = await deploy(w, 9, { ...single(), waker: 'true' });

      expect(run.outputs.result).toBe('deployed');
      expect(w.gateway.get(name(2))).toBeUndefined();
      expect(w.gateway.get(name(1))).toBeDefined();
      expect(w.gateway.get(name(3))).toBeDefined();
      expect(w.gateway.get(name(9))).toBeDefined();
      expect(w.gateway.functions()).toHaveLength(15);
      // Exactly as the sweeper sleeps it: the spec saved for the waker, the function gone.
      expect((await sleeping(w, 2))?.specs.map((x) => x.service)).toEqual([name(2)]);
      expect(run.stdout).toContain(
        `::notice::Made room for #9: ${name(2)} (PR #2, 1 function, idle for 5h) was put to sleep`,
      );
      const told = comment(w, 2);
      expect(told).toContain('is asleep: it was put to sleep to make room for #9');
      expect(told).toContain('nobody had called it for 5h');
      expect(told).toMatch(/wakes on the next visit/);
      expect(comment(w, 1)).toBe('');
      // Another repository's functions were never candidates.
      expect(w.gateway.functions().filter((f) => f.name.startsWith('other-app-'))).toHaveLength(12);
      // The create came once the evicted function no longer counted (faas-netes: once its pods had terminated).
      expect(creates(w.gateway)).toEqual([created]);
      if (registry) {
        // faas-netes-ce: the action asked the registry, without credentials, whether anyone may pull the image.
        expect(registry.tokenScopes).toContain(`repository:${REPOSITORY}:pull`);
        expect(run.stdout).not.toContain('could not verify that');
      }
    });

    test('a build that fails on a full gateway of idle previews: nothing was put to sleep for it, and only its own PR is told', async () => {
      const w = await world(12);
      for (const pr of [1, 2, 3]) preview(w, pr, { deployedAgo: 6 * HOUR });
      await usedAgo(w, { 1: 2 * HOUR, 2: 5 * HOUR, 3: HOUR });
      const build = failingBuild(w);
      const run = await deploy(w, 9, build.inputs, build.env);

      expect(run.code).toBe(1);
      // The capacity check let it through (idle previews could make room), and the build ran and failed.
      expect(existsSync(build.built)).toBe(true);
      expect(comment(w, 9)).toContain('failed to build or push the image');
      // Room is made only for a deploy that creates functions: #2, the least recently used, is still awake.
      expect(writes(w.gateway)).toEqual([]);
      expect([1, 2, 3].map((pr) => w.gateway.get(name(pr)) !== undefined)).toEqual([true, true, true]);
      expect(await sleeping(w, 2)).toBeUndefined();
      for (const pr of [1, 2, 3]) expect(comment(w, pr)).toBe('');
      expect(run.stdout).not.toContain('Made room');
    });

    test('page views keep a preview from being evicted: the least recently called one was read through the edge a moment ago, so the next one sleeps', async () => {
      const w = await world(12);
      for (const pr of [1, 2, 3]) preview(w, pr, { deployedAgo: 6 * HOUR });
      await usedAgo(w, { 1: 2 * HOUR, 2: 5 * HOUR, 3: HOUR });
      const store = w.s3.state();
      await saveVisit(store, name(2), new Date(Date.now() - 5 * MIN)); // as the edge service writes it
      const run = await deploy(w, 9, single());

      expect(run.outputs.result).toBe('deployed');
      expect(w.gateway.get(name(2))).toBeDefined();
      expect(w.gateway.get(name(1))).toBeUndefined();
      expect(comment(w, 1)).toContain('nobody had called it for 2h');
      expect(comment(w, 2)).toBe('');
      expect(creates(w.gateway)).toEqual([created]);
    });

    test('a race for the slot made: another deploy takes it while the create is on its way; the gateway refuses, room is made once more, and the gateway never holds more than 15', async () => {
      const w = await world(12);
      for (const pr of [1, 2, 3]) preview(w, pr, { deployedAgo: 6 * HOUR });
      await usedAgo(w, { 1: 2 * HOUR, 2: 5 * HOUR, 3: HOUR });
      const front = await startFaultProxy(w.gateway.url, [
        { method: 'POST', path: '/system/functions', times: 1, fault: { delay: 3000 } },
      ]);
      try {
        const running = deploy(w, 9, { ...single(), 'gateway-url': front.url });
        await waitFor(async () => front.requests.some((r) => r.action === 'delay'), 'the create to be held', 60_000);
        // What another deploy does meanwhile: the slot made for #9 is taken.
        w.gateway.seed({ name: 'other-app-late', image: 'ghcr.io/else/app:1' });
        const run = await running;

        expect(run.outputs.result).toBe('deployed');
        expect(run.stdout).toContain(`the gateway is full again (the slot made for ${name(9)} was taken meanwhile)`);
        expect(w.gateway.get(name(9))).toBeDefined();
        // The least recently used first, then the next one; the one used an hour ago stays.
        expect([1, 2, 3].map((pr) => w.gateway.get(name(pr)) !== undefined)).toEqual([false, false, true]);
        expect(w.gateway.functions()).toHaveLength(15);
        for (const pr of [1, 2]) expect(comment(w, pr)).toContain('to make room for #9');
      } finally {
        await front.close();
      }
    });

    test('a cap full of previews in use: refused, the counts right, each holder with its last use', async () => {
      const w = await world(12);
      for (const pr of [1, 2, 3]) preview(w, pr, { deployedAgo: 6 * HOUR });
      await usedAgo(w, { 1: 5 * MIN, 2: 10 * MIN, 3: 20 * MIN });
      const run = await deploy(w, 9, single());

      expect(run.outputs.result).toBe('refused');
      expect(writes(w.gateway)).toEqual([]);
      const body = comment(w, 9);
      expect(body).toContain(
        'runs 15 of the 15 functions it allows, and this preview needs 1 free slot (one per function). Every function counts: 3 of the 15 are previews of this repository, 12 are not.',
      );
      expect(body).toMatch(
        new RegExp(`- #1 \\(\`${name(1)}\`\\): last used .* UTC; used less than idle-after \\(30m\\) ago`),
      );
      expect(body).toMatch(
        new RegExp(`- #3 \\(\`${name(3)}\`\\): last used .* UTC; used less than idle-after \\(30m\\) ago`),
      );
      expect(body).toMatch(/these cannot free enough now/);
      for (const pr of [1, 2, 3]) expect(comment(w, pr)).toBe('');
    });

    test('a deploy that no eviction can help is refused before it builds', async () => {
      const w = await world(12);
      for (const pr of [1, 2, 3]) preview(w, pr, { deployedAgo: 6 * HOUR });
      await usedAgo(w, { 1: 5 * MIN, 2: 10 * MIN, 3: 20 * MIN });
      const build = failingBuild(w);
      const run = await deploy(w, 9, build.inputs, build.env);

      expect(run.code).toBe(0);
      expect(run.outputs.result).toBe('refused');
      expect(existsSync(build.built)).toBe(false);
      expect(writes(w.gateway)).toEqual([]);
    });

    test('a stack needing 2 slots: two idle previews sleep, least recently used first; the one in use stays', async () => {
      const w = await world(11);
      preview(w, 1, { deployedAgo: 6 * HOUR });
      preview(w, 2, { deployedAgo: 6 * HOUR });
      preview(w, 3, { deployedAgo: 6 * HOUR });
      preview(w, 4, { deployedAgo: 6 * HOUR });
      await usedAgo(w, { 1: 2 * HOUR, 2: 5 * HOUR, 3: 5 * MIN, 4: HOUR });
      const run = await deploy(w, 9, stack);

      expect(run.outputs.result).toBe('deployed');
      expect(w.gateway.get(name(2))).toBeUndefined();
      expect(w.gateway.get(name(1))).toBeUndefined();
      expect([3, 4].map((pr) => w.gateway.get(name(pr)) !== undefined)).toEqual([true, true]);
      expect(w.gateway.get(`${name(9)}-worker`)).toBeDefined();
      expect(w.gateway.functions()).toHaveLength(15);
      for (const pr of [1, 2]) expect(comment(w, pr)).toContain('to make room for #9');
      // Without the waker the evicted PR is told how it comes back.
      expect(comment(w, 2)).toMatch(/push a commit or re-run the preview workflow/);
    });
  });
}
