/**
 * `npm run bench -- --pipeline`: the whole deploy of a pull request through the bundle (`node dist/index.js`, run the
 * way the runner runs it, bundle-run.ts), against the local stack: radosgw (s3rver when Ceph is not installed),
 * docker-registry with buildah building the bench's function (function.ts) with the registry layer cache, the
 * emulated faas-netes CE gateway whose new pods become ready `rolloutMs` after the deploy (its `readyAfterMs`), and
 * the emulated GitHub API (told each new head sha, as the action re-reads the PR's head). The site is the sync
 * bench's tree.
 *
 * Each run is a new pull request and three pushes to it, each timed from spawn to the log line "Preview ready":
 * - cold build: `opened`, the first deploy: every layer built, the whole site uploaded;
 * - front-end-only push: `synchronize` where only two files of the site changed and the function's directory is
 *   byte-identical: the build digest is the running function's, so nothing is built, pushed or sent to the gateway;
 * - cached rebuild: `synchronize` where one line of the handler changed: a real build, its unchanged layers taken
 *   from the registry's layer cache.
 * Buildah's image store is emptied before each push (untimed), as each job starts on a fresh runner; a `closed` run
 * (untimed) tears the PR down. The action's own log says what it decided: a push that did not do what its case says
 * fails the bench rather than report numbers that mean something else. Measured per push:
 * - wall: spawn → "Preview ready";
 * - build + push: the builder's own time, first start → last end of a wrapper named `buildah` first on PATH;
 * - rollout: the gateway's configured delay when the function was created or updated (the emulator makes the new
 *   pod ready exactly that long after the deploy), 0 when the action left the function alone;
 * - critical path = build + push + rollout, the floor no ordering of the action's steps can go below;
 * - overhead = wall − critical path, split into before the build (start-up, inputs, GitHub calls) and after it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { prPayload, stackInputs } from '../test/support/action.js';
import { startGateway } from '../test/support/gateway.js';
import { startGitHub } from '../test/support/github.js';
import { startRegistry } from '../test/support/registry.js';
import { hasCommand } from '../test/support/tools.js';
import {
  builderSpan,
  BUNDLE,
  emptyImageStore,
  failure,
  output,
  runBundle,
  timedBuildah,
  timeline,
  type ActionRun,
} from './bundle-run.js';
import { editHandler, writeFunction } from './function.js';
import { fmtMs, median } from './report.js';
import { missingFor, startServer } from './servers.js';
import { frontEndEdit, generateTree, type Tree } from './tree.js';

export interface PipelineOptions {
  runs: number;
  small: boolean;
  seed: number;
  rolloutMs: number;
  concurrency: number;
  /** Print each push's timeline (bundle-run.ts) on stderr. */
  timeline?: boolean;
  work: string;
}

type Decision = 'built' | 'reused' | 'retagged';

interface Push {
  tree: Tree;
  fn: string;
  run: number;
}

interface Case {
  title: string;
  action: 'opened' | 'synchronize';
  /** What the action must decide about the backend. */
  decision: Decision;
  /** Changes the checkout; the number of static files this push must upload. */
  push(p: Push): number;
}

const CASES: Case[] = [
  { title: 'cold build', action: 'opened', decision: 'built', push: (p) => p.tree.files },
  {
    title: 'front-end-only push',
    action: 'synchronize',
    decision: 'reused',
    push: (p) => frontEndEdit(p.tree, p.tree.dir).length,
  },
  {
    title: 'cached rebuild',
    action: 'synchronize',
    decision: 'built',
    push: (p) => {
      editHandler(p.fn, p.run);
      return 0;
    },
  },
];

interface CaseRun {
  wall: number;
  build: number;
  rollout: number;
  uploaded: number;
  /** Build steps buildah took from the cache ("Using cache"); only when something was built. */
  cached?: number;
  /** Only when something was built. */
  beforeBuild?: number;
  afterBuild?: number;
}

const GATEWAY_PASSWORD = 'bench-gateway-pw';

/** Why the pipeline cannot run here, or undefined. */
function pipelineMissing(): string | undefined {
  if (!existsSync(BUNDLE)) return 'dist/index.js is missing (run `npm run bundle` first)';
  const missing = ['buildah', 'docker-registry'].filter((p) => !hasCommand(p));
  return missing.length
    ? `it needs ${missing.join(' and ')} (Debian: apt-get install buildah docker-registry)`
    : undefined;
}

function decisionOf(log: string): Decision | undefined {
  if (/Backend unchanged since /.test(log)) return 'reused';
  if (/Retagged \S+ as /.test(log)) return 'retagged';
  return /Building \S+ with /.test(log) ? 'built' : undefined;
}

/** What one push's log and the builder's record say; throws when the push did not do what its case is about. */
function measure(
  run: ActionRun,
  record: string,
  c: Case,
  uploads: number,
  rolloutMs: number,
): CaseRun & { commands: string[] } {
  const log = run.lines.map((l) => l.text).join('\n');
  const ready = run.lines.find((l) => /Preview ready/.test(l.text));
  if (run.code !== 0 || !ready) throw failure(run, c.title);
  const wrong = (what: string): Error =>
    new Error(`${c.title}: ${what}, so its numbers would not be what they say. Its log:\n${output(run)}`);
  const decision = decisionOf(log);
  if (decision !== c.decision) throw wrong(`the backend was ${decision ?? 'not decided'}, not ${c.decision}`);
  if (/building again without it/.test(log)) throw wrong('the layer cache could not be pushed, so buildah built twice');
  const uploaded = Number(/assets: (\d+) uploaded/.exec(log)?.[1] ?? NaN);
  if (uploaded !== uploads) throw wrong(`${uploaded} static files uploaded, not ${uploads}`);
  const untouched = /Function \S+ already runs this spec and image/.test(log);
  if (!untouched && !/Function \S+ (created|updated) on the gateway/.test(log))
    throw wrong('the gateway was neither written nor left alone');
  const rollout = untouched ? 0 : rolloutMs;
  const span = builderSpan(record);
  const commands = span?.commands ?? [];
  if (decision !== 'built') {
    if (commands.some((cmd) => ['bud', 'build', 'push'].includes(cmd)))
      throw wrong(`buildah ran (${commands.join(', ')}) though nothing was to be built`);
    return { wall: ready.at - run.startedAt, build: 0, rollout, uploaded, commands };
  }
  if (!span) throw wrong('buildah never ran');
  return {
    wall: ready.at - run.startedAt,
    build: span.end - span.start,
    rollout,
    uploaded,
    cached: (log.match(/Using cache/g) ?? []).length,
    commands,
    beforeBuild: span.start - run.startedAt,
    afterBuild: ready.at - span.end - rollout,
  };
}

/** A commit sha of its own for each run and push. */
const shaOf = (run: number, push: number): string =>
  (run.toString(16).padStart(6, '0') + push + 'f'.repeat(33)).slice(0, 40);

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
    const fn = join(workspace, 'fn');
    mkdirSync(bin, { recursive: true });
    const tree = generateTree(join(workspace, 'site'), o.small, o.seed);
    const inputs = stackInputs(
      {
        gateway,
        gatewayPassword: GATEWAY_PASSWORD,
        s3: { bucket: server.bucket, endpoint: server.endpoint, settings: server.settings },
        github,
        registry,
        registryNamespace: 'bench',
      },
      {
        'url-template': 'http://{name}.preview.localhost:8080/',
        context: 'fn',
        'static-dir': 'site',
        'ready-timeout': '120s',
        'upload-concurrency': String(o.concurrency),
      },
    );
    // registries.conf marks the plain-HTTP registry insecure for the layer cache too (as the README tells users).
    const env = {
      ...registry.buildahEnv,
      CONTAINERS_REGISTRIES_CONF: registry.registriesConf,
      PATH: `${bin}:${process.env.PATH}`,
    };
    const record = join(work, 'buildah.log');
    const runs: CaseRun[][] = CASES.map(() => []);
    let depsBytes = 0;
    for (let r = 1; r <= o.runs; r++) {
      const pr = 100 + r;
      depsBytes = writeFunction(fn, { run: r, seed: o.seed, small: o.small });
      const act = (action: string, sha: string): Promise<ActionRun> => {
        github.setPull({ number: pr, state: action === 'closed' ? 'closed' : 'open', headSha: sha });
        return runBundle({
          event: 'pull_request',
          payload: prPayload(action, { number: pr, sha }),
          inputs,
          apiUrl: github.url,
          workspace,
          env,
        });
      };
      for (const [i, c] of CASES.entries()) {
        const uploads = c.push({ tree, fn, run: r });
        emptyImageStore(registry.buildahEnv);
        timedBuildah(bin, record);
        const run = await act(c.action, shaOf(r, i + 1));
        if (o.timeline) console.error(`pipeline run ${r}, ${c.title}:\n${timeline(run, record)}`);
        const m = measure(run, record, c, uploads, o.rolloutMs);
        runs[i].push(m);
        const builder = m.commands.length ? `${m.commands.join(', ')}; ${m.cached} step(s) from the cache` : 'not run';
        console.log(
          `pipeline run ${r}, ${c.title}: wall ${fmtMs(m.wall)}, build + push ${fmtMs(m.build)} (buildah ${builder}), ` +
            `rollout ${fmtMs(m.rollout)}, overhead ${fmtMs(m.wall - m.build - m.rollout)}, ${m.uploaded} file(s) uploaded`,
        );
      }
      const teardown = await act('closed', shaOf(r, CASES.length));
      if (teardown.code !== 0) throw failure(teardown, `pipeline teardown ${r}`);
      await server.reclaim();
    }
    const what =
      `A new pull request and two pushes to it, each deployed through the bundle: ${tree.files} files of static site; ` +
      `examples/app/function's handler with ${(depsBytes / 1e6).toFixed(1)} MB of dependencies in a layer of their own, ` +
      'built by buildah (image store emptied before each push, as on a fresh runner) with its registry layer cache and pushed to docker-registry; ' +
      `faas-netes CE gateway emulator with a ${fmtMs(o.rolloutMs)} rollout; ${server.describe}. ` +
      `The front-end-only push changes one HTML and one CSS file; the cached rebuild one line of the handler. Median of ${o.runs} run(s).`;
    return `${what}\n\n${pipelineTable(runs)}`;
  } finally {
    await Promise.all([server.close(), registry.close(), gateway.close(), github.close()]);
    rmSync(work, { recursive: true, force: true });
  }
}

/** One column per case; the overhead's split only where something was built. */
function pipelineTable(runs: CaseRun[][]): string {
  const critical = (r: CaseRun): number => r.build + r.rollout;
  const row = (label: string, f: (r: CaseRun) => number | undefined, fmt: (n: number) => string = fmtMs): string => {
    const cells = runs.map((rs) => {
      const xs = rs.map(f).filter((x): x is number => x !== undefined);
      return xs.length ? fmt(median(xs)) : '—';
    });
    return `| ${label} | ${cells.join(' | ')} |`;
  };
  const bold = (s: string): string => s.replace(/\| ([^|]+?) (?=\|)/g, '| **$1** ');
  return [
    `|  | ${CASES.map((c) => c.title).join(' | ')} |`,
    `| --- |${CASES.map(() => ' ---: |').join('')}`,
    `| backend | ${CASES.map((c) => c.decision).join(' | ')} |`,
    row('static files uploaded', (r) => r.uploaded, String),
    row('build steps from the layer cache', (r) => r.cached, String),
    row('wall: start → "Preview ready"', (r) => r.wall),
    row("build + push (the builder's own time)", (r) => r.build),
    row("rollout (the gateway's delay)", (r) => r.rollout),
    row('critical path = build + push + rollout', critical),
    bold(row('overhead = wall − critical path', (r) => r.wall - critical(r))),
    row('… of which before the build starts', (r) => r.beforeBuild),
    row('… of which after the build (beyond the rollout)', (r) => r.afterBuild),
  ].join('\n');
}
