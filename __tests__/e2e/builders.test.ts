/**
 * Each builder the action supports, for real, through the bundle: docker (a private dockerd), podman and buildah
 * build the preview image, push it to docker-registry, and the teardown removes its tags. A wrapper named like the
 * builder, first on PATH, records the environment and argv of every builder invocation, to prove that no secret and
 * no INPUT_* variable reaches the builder (and so no Dockerfile RUN step).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { prPayload, runAction, stackInputs, type ActionRun } from '../../test/support/action.js';
import { startDockerd } from '../../test/support/dockerd.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { startPodman } from '../../test/support/podman.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { startS3 } from '../../test/support/s3.js';
import { describeWith } from '../../test/support/tools.js';

const SHA_A = 'a'.repeat(7) + '1'.repeat(33);
const SHA_B = 'b'.repeat(7) + '2'.repeat(33);
const PR = 4;
const NAME = `hello-world-pr-${PR}`;
const GATEWAY_PASSWORD = 'gw-pass-Bd93';
const RUNNER_TOKEN = 'runner-token-Kp27';

interface BuilderEnv {
  env: Record<string, string>;
  close(): Promise<void>;
}

interface Case {
  builder: 'docker' | 'podman' | 'buildah';
  programs: string[];
  /** A variable that only this builder's own setup puts in its environment: proves the records are the builder's. */
  own: string;
  start(registry: Registry): Promise<BuilderEnv>;
}

const CASES: Case[] = [
  { builder: 'docker', programs: ['docker', 'dockerd'], own: 'DOCKER_HOST', start: () => startDockerd() },
  { builder: 'podman', programs: ['podman'], own: 'CONTAINERS_CONF', start: async () => startPodman() },
  {
    builder: 'buildah',
    programs: ['buildah'],
    own: 'BUILDAH_ISOLATION',
    start: async (r) => ({ env: r.buildahEnv, close: async () => {} }),
  },
];

interface Invocation {
  env: Record<string, string>;
  args: string[];
}

/** A script named like the builder that records its environment and argv, then execs the real program. */
function wrap(builder: string, bin: string, records: string): void {
  const real = execFileSync('sh', ['-c', `command -v ${builder}`], { encoding: 'utf8' }).trim();
  const script = path.join(bin, builder);
  writeFileSync(
    script,
    `#!/bin/sh\nenv -0 > '${records}/'$$.env\nprintf '%s\\0' "$@" > '${records}/'$$.args\nexec '${real}' "$@"\n`,
  );
  chmodSync(script, 0o755);
}

function invocations(records: string): Invocation[] {
  const split = (file: string) => readFileSync(path.join(records, file), 'utf8').split('\0').slice(0, -1);
  return readdirSync(records)
    .filter((f) => f.endsWith('.env'))
    .map((f) => ({
      env: Object.fromEntries(split(f).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
      args: split(f.replace(/\.env$/, '.args')),
    }));
}

for (const c of CASES) {
  const { describe: withTools } = describeWith([...c.programs, 'docker-registry']);

  withTools(`builder ${c.builder} through the bundle`, () => {
    let gateway: GatewayEmulator;
    let github: GitHubEmulator;
    let s3: Awaited<ReturnType<typeof startS3>>;
    let registry: Registry;
    let builder: BuilderEnv | undefined;
    let dir: string;
    let workspace: string;
    let bin: string;
    let records: string;

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), `faas-preview-${c.builder}-`));
      [workspace, bin, records] = ['ws', 'bin', 'records'].map((d) => path.join(dir, d));
      for (const d of [
        workspace,
        bin,
        records,
        path.join(dir, 'empty'),
        path.join(workspace, 'fn'),
        path.join(workspace, 'site'),
      ])
        mkdirSync(d, { recursive: true });
      writeFileSync(
        path.join(workspace, 'fn/Dockerfile'),
        'FROM scratch\nARG GREETING\nLABEL greeting=$GREETING\nCOPY handler.txt /handler.txt\n',
      );
      writeFileSync(path.join(workspace, 'site/index.html'), '<h1>preview</h1>');
      wrap(c.builder, bin, records);
      [gateway, github, s3, registry] = await Promise.all([
        startGateway({ edition: 'faasd-ce', password: GATEWAY_PASSWORD }),
        startGitHub({}),
        startS3(),
        startRegistry(),
      ]);
      builder = await c.start(registry);
    }, 60_000);

    afterAll(async () => {
      await Promise.all([builder?.close(), gateway?.close(), github?.close(), s3?.close(), registry?.close()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    const secrets = () => [GATEWAY_PASSWORD, registry.password, github.token, 'S3RVER', RUNNER_TOKEN];
    const image = (sha: string) => `${registry.host}/acme/hello-world:pr-${PR}-${sha.slice(0, 7)}`;

    async function act(
      action: string,
      sha: string,
      o: { pr?: number; extra?: Record<string, string>; env?: Record<string, string> } = {},
    ): Promise<ActionRun> {
      const pr = o.pr ?? PR;
      writeFileSync(path.join(workspace, 'fn/handler.txt'), `handler at ${sha}\n`);
      github.setPull({ number: pr, state: action === 'closed' ? 'closed' : 'open', headSha: sha });
      const inputs = stackInputs(
        { gateway, gatewayPassword: GATEWAY_PASSWORD, s3, github, registry, registryNamespace: 'acme' },
        {
          builder: c.builder,
          'url-template': 'http://{name}.preview.localhost:8080/',
          'delete-image': 'true',
          context: 'fn',
          'build-args': `GREETING=hello-from-${c.builder}`,
          'static-dir': 'site',
          'ready-timeout': '10s',
          ...o.extra,
        },
      );
      const env = {
        ...builder!.env,
        PATH: `${bin}:${process.env.PATH}`,
        ACTIONS_RUNTIME_TOKEN: RUNNER_TOKEN,
        ...o.env,
      };
      return runAction({
        event: 'pull_request',
        payload: prPayload(action, { number: pr, sha }),
        inputs,
        apiUrl: github.url,
        workspace,
        env,
      });
    }

    async function deployed(action: string, sha: string): Promise<ActionRun> {
      const run = await act(action, sha);
      if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
      return run;
    }

    /** What the build put into the pushed image: the file copied from the context, and the build-arg label. */
    async function pushed(tag: string): Promise<{ handler: string; greeting?: string }> {
      const { config, layers } = await registry.image('acme/hello-world', tag);
      expect(layers).toHaveLength(1);
      const tar = gunzipSync(layers[0]).toString('latin1');
      return { handler: /handler at [0-9a-f]{40}/.exec(tar)?.[0] ?? '', greeting: config.config?.Labels?.greeting };
    }

    test('opened: pushes pr-<n>-<sha7> built from the context, and the function runs exactly that image', async () => {
      const run = await deployed('opened', SHA_A);
      expect(run.outputs).toMatchObject({ result: 'deployed', image: image(SHA_A) });
      expect(await registry.tags('acme/hello-world')).toEqual([`pr-${PR}-aaaaaaa`]);
      expect(await pushed(`pr-${PR}-aaaaaaa`)).toEqual({
        handler: `handler at ${SHA_A}`,
        greeting: `hello-from-${c.builder}`,
      });
      expect(gateway.get(NAME)!.image).toBe(image(SHA_A));
    }, 120_000);

    test('synchronize: pushes the new tag and moves the function to it', async () => {
      await deployed('synchronize', SHA_B);
      expect(await registry.tags('acme/hello-world')).toEqual([`pr-${PR}-aaaaaaa`, `pr-${PR}-bbbbbbb`]);
      expect((await pushed(`pr-${PR}-bbbbbbb`)).handler).toBe(`handler at ${SHA_B}`);
      expect(gateway.get(NAME)!.image).toBe(image(SHA_B));
    }, 120_000);

    test("closed with delete-image: the PR's tags are gone", async () => {
      const run = await deployed('closed', SHA_B);
      expect(run.outputs.result).toBe('torn-down');
      expect(await registry.tags('acme/hello-world')).toEqual([]);
      expect(gateway.get(NAME)).toBeUndefined();
    }, 120_000);

    test("the builder never saw the action's secrets or inputs", () => {
      const seen = invocations(records);
      // Two deploys, each login, build and push (plus the layer cache's probe, pull, tag and push); the teardown does
      // not run the builder.
      const build = c.builder === 'buildah' ? 'bud' : 'build';
      const verbs = seen.map((i) => i.args[0]);
      expect(verbs.filter((v) => v === 'login')).toHaveLength(2);
      expect(verbs.filter((v) => v === build).length).toBeGreaterThanOrEqual(2);
      expect(verbs.filter((v) => v === 'push').length).toBeGreaterThanOrEqual(2);
      expect(verbs.filter((v) => ![build, 'login', 'push', 'pull', 'tag'].includes(v))).toEqual([]);
      for (const { env, args } of seen) {
        expect(env[c.own]).toBe(builder!.env[c.own]);
        expect(Object.keys(env).filter((k) => k.startsWith('INPUT_') || k === 'ACTIONS_RUNTIME_TOKEN')).toEqual([]);
        const recorded = JSON.stringify(env) + JSON.stringify(args);
        for (const secret of secrets()) expect(recorded).not.toContain(secret);
      }
    });

    test('a failing build names the builder, the step, the image and the exit code; nothing is pushed or deployed', async () => {
      writeFileSync(path.join(workspace, 'fn/Broken.Dockerfile'), 'FROM scratch\nCOPY missing.txt /missing.txt\n');
      const run = await act('opened', SHA_A, { pr: 5, extra: { dockerfile: 'Broken.Dockerfile' } });
      expect(run.code).toBe(1);
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      expect(errors).toEqual([
        expect.stringMatching(
          new RegExp(
            `^::error::${c.builder} build failed for image <registry>/acme/hello-world:pr-5-aaaaaaa \\(exit code [1-9]\\d*\\)`,
          ),
        ),
      ]);
      expect(await registry.tags('acme/hello-world')).toEqual([]);
      expect(gateway.get('hello-world-pr-5')).toBeUndefined();
    }, 120_000);

    test("a runner without the builder: one error naming the input 'builder' and the program", async () => {
      const run = await act('opened', SHA_A, { pr: 6, env: { PATH: path.join(dir, 'empty') } });
      expect(run.code).toBe(1);
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      expect(errors).toEqual([
        `::error::input 'builder': '${c.builder}' needs the program '${c.builder}', which is not on the runner's PATH: install it in an earlier step, or choose another builder (docker, podman, buildah; none deploys the prebuilt 'image'). What to do: change the \`builder\` input, or what it needs on the runner, as the error says, then re-run the workflow`,
      ]);
      expect(gateway.get('hello-world-pr-6')).toBeUndefined();
    });
  });
}
