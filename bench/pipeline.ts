/**
 * `npm run bench -- --pipeline`: the whole deploy of a pull request through the bundle (`node dist/index.js`, run the
 * way the runner runs it), against the local stack: radosgw (s3rver when Ceph is not installed), docker-registry
 * with buildah building examples/app/function, the emulated faas-netes CE gateway whose new pods become ready
 * `rolloutMs` after the deploy (its `readyAfterMs`), and the emulated GitHub API. The site is the sync bench's tree.
 *
 * Each run is a new pull request (`opened`: a first deploy, so the whole site is uploaded), timed from spawn to the
 * log line "Preview ready"; a `closed` run afterwards (not timed) tears it down. Measured per run:
 * - wall: spawn → "Preview ready";
 * - build + push: the builder's own time, from a wrapper named `buildah` first on PATH that records when each
 *   invocation starts and ends (first start → last end);
 * - rollout: the gateway's configured delay (the emulator makes the new pod ready exactly that long after the
 *   deploy);
 * - critical path = build + push + rollout, the floor no ordering of the action's steps can go below;
 * - overhead = wall − critical path, split into before the build (start-up, inputs, GitHub calls) and after it.
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OWNER, prPayload, REPO, stackInputs } from '../test/support/action.js';
import { startGateway } from '../test/support/gateway.js';
import { startGitHub } from '../test/support/github.js';
import { startRegistry } from '../test/support/registry.js';
import { hasCommand } from '../test/support/tools.js';
import { fmtMs, median } from './report.js';
import { missingFor, startServer, type BenchServer } from './servers.js';
import { ROOT } from './tools.js';
import { generateTree } from './tree.js';

export interface PipelineOptions {
  runs: number;
  small: boolean;
  seed: number;
  rolloutMs: number;
  concurrency: number;
  work: string;
}

interface Line {
  at: number;
  text: string;
}

interface ActionRun {
  code: number;
  startedAt: number;
  lines: Line[];
  stderr: string;
}

interface PipelineRun {
  wall: number;
  build: number;
  beforeBuild: number;
  afterBuild: number;
}

const BUNDLE = join(ROOT, 'dist', 'index.js');
const GATEWAY_PASSWORD = 'bench-gateway-pw';

/** Why the pipeline cannot run here, or undefined. */
export function pipelineMissing(): string | undefined {
  if (!existsSync(BUNDLE)) return 'dist/index.js is missing (run `npm run bundle` first)';
  const missing = ['buildah', 'docker-registry'].filter((p) => !hasCommand(p));
  return missing.length ? `it needs ${missing.join(' and ')} (Debian: apt-get install buildah docker-registry)` : undefined;
}

/** A script named `buildah`, first on PATH: appends `start|end <epoch ms> <subcommand>` to `record`, runs the real one. */
function timedBuildah(bin: string, record: string): void {
  const real = spawnPath('buildah');
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    join(bin, 'buildah'),
    `#!/bin/sh\necho "start $(date +%s%3N) $1" >> ${q(record)}\n${q(real)} "$@"\nrc=$?\necho "end $(date +%s%3N) $1" >> ${q(record)}\nexit $rc\n`,
  );
  chmodSync(join(bin, 'buildah'), 0o755);
}

function spawnPath(cmd: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  throw new Error(`${cmd} is not on PATH`);
}

/** The builder's span in `record`: first start to last end (epoch ms), and its subcommands in order. */
function builderSpan(record: string): { start: number; end: number; commands: string[] } {
  const events = readFileSync(record, 'utf8').trim().split('\n').map((l) => l.split(' '));
  const starts = events.filter((e) => e[0] === 'start');
  const ends = events.filter((e) => e[0] === 'end').map((e) => Number(e[1]));
  if (!starts.length || !ends.length) throw new Error(`the builder did not run (${record} is empty)`);
  return { start: Math.min(...starts.map((e) => Number(e[1]))), end: Math.max(...ends), commands: starts.map((e) => e[2]) };
}

/** `node dist/index.js` as the runner starts it (see test/support/action.ts), each stdout line timestamped. */
function runBundle(o: { event: string; payload: unknown; inputs: Record<string, string>; apiUrl: string; workspace: string; env: Record<string, string> }): Promise<ActionRun> {
  const dir = mkdtempSync(join(o.workspace, '..', 'run-'));
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(o.payload));
  for (const f of ['output', 'summary.md']) writeFileSync(join(dir, f), '');
  const env: Record<string, string> = {
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_API_URL: o.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKSPACE: o.workspace,
    RUNNER_TEMP: dir,
    ...o.env,
  };
  for (const [name, value] of Object.entries(o.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, [BUNDLE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let partial = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      const at = Date.now();
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ at, text });
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial) lines.push({ at: Date.now(), text: partial });
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? -1, startedAt, lines, stderr });
    });
  });
}

function failure(run: ActionRun, what: string): Error {
  return new Error(`${what} failed (exit ${run.code}):\n${run.lines.map((l) => l.text).join('\n')}\n${run.stderr}`);
}

export async function benchPipeline(o: PipelineOptions): Promise<string> {
  const missing = pipelineMissing();
  if (missing) return `_skipped: ${missing}._`;
  const rgwMissing = missingFor('rgw');
  const work = mkdtempSync(join(o.work, 'pipeline-'));
  const [server, registry, gateway, github] = await Promise.all([
    startServer(rgwMissing ? 's3rver' : 'rgw', { concurrency: o.concurrency, latencyMs: 0, bucket: 'previews', work }),
    startRegistry({ auth: 'token', anonymousPull: true }),
    startGateway({ edition: 'faas-netes-ce', password: GATEWAY_PASSWORD, readyAfterMs: o.rolloutMs }),
    startGitHub({}),
  ]);
  try {
    const workspace = join(work, 'ws');
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    cpSync(join(ROOT, 'examples', 'app', 'function'), join(workspace, 'fn'), { recursive: true });
    const tree = generateTree(join(workspace, 'site'), o.small, o.seed);
    const inputs = stackInputs(
      { gateway, gatewayPassword: GATEWAY_PASSWORD, s3: { bucket: server.bucket, endpoint: server.endpoint, settings: server.settings }, github, registry, registryNamespace: 'bench' },
      { 'url-template': 'http://{name}.preview.localhost:8080/', context: 'fn', 'static-dir': 'site', 'ready-timeout': '120s', 'upload-concurrency': String(o.concurrency) },
    );
    const runs: PipelineRun[] = [];
    for (let r = 1; r <= o.runs; r++) {
      const pr = 100 + r;
      const sha = (r.toString(16).padStart(7, '0') + 'f'.repeat(33)).slice(0, 40);
      const record = join(work, `buildah-${r}.log`);
      writeFileSync(record, '');
      timedBuildah(bin, record);
      const env = { ...registry.buildahEnv, PATH: `${bin}:${process.env.PATH}` };
      const act = (action: string): Promise<ActionRun> => {
        github.setPull({ number: pr, state: action === 'closed' ? 'closed' : 'open', headSha: sha });
        return runBundle({ event: 'pull_request', payload: prPayload(action, { number: pr, sha }), inputs, apiUrl: github.url, workspace, env });
      };
      const deploy = await act('opened');
      const ready = deploy.lines.find((l) => /Preview ready/.test(l.text));
      if (deploy.code !== 0 || !ready) throw failure(deploy, `pipeline run ${r}`);
      const span = builderSpan(record);
      const wall = ready.at - deploy.startedAt;
      runs.push({ wall, build: span.end - span.start, beforeBuild: span.start - deploy.startedAt, afterBuild: ready.at - span.end - o.rolloutMs });
      console.log(`pipeline run ${r}: wall ${fmtMs(wall)}, build + push ${fmtMs(span.end - span.start)} (buildah ${span.commands.join(', ')}), rollout ${fmtMs(o.rolloutMs)}, overhead ${fmtMs(wall - (span.end - span.start) - o.rolloutMs)}`);
      const teardown = await act('closed');
      if (teardown.code !== 0) throw failure(teardown, `pipeline teardown ${r}`);
      await server.reclaim();
    }
    return pipelineTable(runs, o, server, tree.files);
  } finally {
    await Promise.all([server.close(), registry.close(), gateway.close(), github.close()]);
    rmSync(work, { recursive: true, force: true });
  }
}

function pipelineTable(runs: PipelineRun[], o: PipelineOptions, server: BenchServer, files: number): string {
  const m = (f: (r: PipelineRun) => number): string => fmtMs(median(runs.map(f)));
  const critical = (r: PipelineRun): number => r.build + o.rolloutMs;
  return [
    `Deploy of a new pull request through the bundle: ${files} files of static site, examples/app/function built by buildah and pushed to docker-registry, faas-netes CE gateway emulator with a ${fmtMs(o.rolloutMs)} rollout, ${server.describe}. Median of ${runs.length} run(s).`,
    '',
    '| | median |',
    '| --- | ---: |',
    `| wall: start → "Preview ready" | ${m((r) => r.wall)} |`,
    `| build + push (the builder's own time) | ${m((r) => r.build)} |`,
    `| rollout (the gateway's delay) | ${fmtMs(o.rolloutMs)} |`,
    `| critical path = build + push + rollout | ${m(critical)} |`,
    `| **overhead = wall − critical path** | **${m((r) => r.wall - critical(r))}** |`,
    `| … of which before the build starts | ${m((r) => r.beforeBuild)} |`,
    `| … of which after the build (beyond the rollout) | ${m((r) => r.afterBuild)} |`,
  ].join('\n');
}
