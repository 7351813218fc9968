/**
 * Benchmark: `npm run bench` (= `tsx bench/bench.ts`). A script, never a test: the machine it runs on decides the
 * numbers, so it reports medians and ratios measured in the same run, and describes the machine.
 *
 *   npm run bench                          everything below, full tree (2,000 files, ~42 MB), 5 runs
 *   npm run bench -- --server rgw          the asset sync on radosgw only (or s3rver)
 *   npm run bench -- --pipeline            the deploy pipeline only: cold build, front-end-only push, cached rebuild
 *   npm run bench -- --sweep 8,16,32,64    our cold upload at each concurrency, on each server (tuning)
 *   options: --small (40 files), --runs N, --concurrency N (default: the action's), --tools ours,aws,rclone,
 *            rclone-checksum,rclone-tuned, --rollout-ms MS (pipeline, default 3000), --latency MS (s3rver delays
 *            each request: a network round trip), --timeline (pipeline: each push's log lines and builder commands,
 *            timed from the action's start, on stderr; BENCH_NODE_ARGS='--cpu-prof ...' profiles each action run),
 *            --seed N, --out FILE, --no-write (print only)
 *
 * Parts: the sync comparison on each server (sync-bench.ts, tools.ts, servers.ts), the pipeline (pipeline.ts,
 * bundle-run.ts, function.ts), the bundle's start-up and the sweep decision (extras.ts). Without Ceph,
 * docker-registry/buildah, awscli or rclone the parts that need them are skipped with a note saying what to install.
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, realpathSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_UPLOAD_CONCURRENCY } from '../src/settings.js';
import { benchBundleStartup, benchSweepDecision } from './extras.js';
import { benchPipeline } from './pipeline.js';
import { fmtMs, median, table } from './report.js';
import { missingFor, SERVER_KINDS, startServer, type ServerKind } from './servers.js';
import { innerTimes, runAll, runToolOnce, syncTable, type ToolRun } from './sync-bench.js';
import { bundleChild, INSTALL_HINT, ROOT, toolRunner, TOOLS, TOOL_NAMES, versionOf, type Tool } from './tools.js';
import { generateTree, type Tree } from './tree.js';

const SELF = fileURLToPath(import.meta.url);

interface Args {
  small: boolean;
  runs: number;
  concurrency: number;
  tools: Tool[];
  servers: ServerKind[];
  sync: boolean;
  pipeline: boolean;
  /** Print each pipeline push's log lines and builder commands, timed from the action's start (stderr). */
  timeline: boolean;
  sweep?: number[];
  rolloutMs: number;
  out?: string;
  seed: number;
  latencyMs: number;
  argv: string[];
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not ${JSON.stringify(v)}`);
  return n;
}

function parseArgs(argv: string[]): Args {
  const env = process.env;
  const a: Args = {
    small: env.BENCH_SMALL === '1' || env.BENCH_SMALL === 'true',
    runs: positiveInt('BENCH_RUNS', env.BENCH_RUNS ?? '5'),
    concurrency: positiveInt('BENCH_CONCURRENCY', env.BENCH_CONCURRENCY ?? String(DEFAULT_UPLOAD_CONCURRENCY)),
    tools: [...TOOLS],
    servers: [...SERVER_KINDS],
    sync: true,
    pipeline: true,
    timeline: false,
    rolloutMs: 3000,
    out: join(ROOT, 'bench', 'results.md'),
    seed: 20240611,
    latencyMs: Number(env.BENCH_LATENCY_MS ?? 0),
    argv,
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    const next = (): string => {
      const n = argv[++i];
      if (n === undefined) throw new Error(`${v} needs a value`);
      return n;
    };
    if (v === '--small') a.small = true;
    else if (v === '--runs') a.runs = positiveInt(v, next());
    else if (v === '--concurrency') a.concurrency = positiveInt(v, next());
    else if (v === '--tools')
      a.tools = next()
        .split(',')
        .map((t) => t.trim()) as Tool[];
    else if (v === '--server') {
      a.servers = [next() as ServerKind];
      a.pipeline = false;
    } else if (v === '--pipeline') {
      a.pipeline = true;
      a.sync = false;
    } else if (v === '--timeline') a.timeline = true;
    else if (v === '--sweep') {
      a.sweep = next()
        .split(',')
        .map((c) => positiveInt('--sweep', c));
      a.pipeline = false;
    } else if (v === '--rollout-ms') a.rolloutMs = Number(next());
    else if (v === '--out') a.out = next();
    else if (v === '--no-write') a.out = undefined;
    else if (v === '--seed') a.seed = Number(next());
    else if (v === '--latency') a.latencyMs = Number(next());
    else throw new Error(`unknown option ${v}`);
  }
  for (const t of a.tools) if (!TOOLS.includes(t)) throw new Error(`unknown tool ${t}: one of ${TOOLS.join(', ')}`);
  for (const s of a.servers)
    if (!SERVER_KINDS.includes(s)) throw new Error(`unknown server ${s}: one of ${SERVER_KINDS.join(', ')}`);
  if (!a.tools.includes('ours')) a.tools.unshift('ours');
  return a;
}

function machine(): string {
  const cpu = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  return `${cpu.length} CPU(s) (${cpu[0]?.model.trim() ?? 'unknown'}), ${process.platform}, node ${process.version}, load average ${load} at the start`;
}

/** The sync comparison on one server: its section of the report. */
async function syncSection(
  kind: ServerKind,
  args: Args,
  tree: Tree,
  work: string,
  child: string | undefined,
): Promise<string> {
  const title = `## Asset sync on ${kind === 'rgw' ? 'radosgw' : 's3rver'}`;
  const missing = missingFor(kind);
  if (missing) return `${title}\n\n_skipped: ${missing}._`;
  const notes: string[] = [];
  const tools = args.tools.filter((t) => {
    if (versionOf(t)) return true;
    const hint = INSTALL_HINT[t.startsWith('rclone') ? 'rclone' : (t as 'aws')];
    if (hint && !notes.includes(hint)) notes.push(hint);
    return false;
  });
  for (const n of notes) console.log(n);
  const server = await startServer(kind, {
    concurrency: args.concurrency,
    latencyMs: args.latencyMs,
    bucket: 'bench',
    work,
  });
  try {
    const results = await runAll(server, toolRunner(server, args.concurrency, work, child), tools, tree, {
      runs: args.runs,
      work,
    });
    const inner = innerTimes(results);
    const peers = tools.filter((t) => t !== 'ours');
    const fastest = peers.length ? Math.min(...peers.map((t) => median(results[t].map((r) => r.cold.ms)))) : undefined;
    const ours = median(results.ours.map((r) => r.cold.ms));
    const versions = [...new Set(tools.map((t) => (t.startsWith('rclone') ? 'rclone' : t)))].map(
      (t) => `${TOOL_NAMES[t]}: ${versionOf(t)}`,
    );
    return [
      title,
      '',
      `Server: ${server.describe}. ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB. Median of ${args.runs} run(s), concurrency ${args.concurrency} for every tool.`,
      '',
      syncTable(results, tools),
      '',
      `Times are spawn-to-exit of each tool's process${inner.cold !== undefined ? ` (inside its process our cold upload took ${fmtMs(inner.cold)}, the CI rebuild ${fmtMs(inner.ci ?? 0)}: the rest is node's start-up and loading the bundle)` : ''}. ` +
        "Requests and CPU on the server are counted by the server (s3rver: its wire tap and this process; radosgw: its `req` perf counter and its daemons' CPU); objects written by comparing listings before and after. Ratios are ours/theirs: below 1 is better for ours.",
      ...(fastest !== undefined
        ? ['', `Cold upload, ours against the fastest peer: **${(ours / fastest).toFixed(2)}**.`]
        : []),
      '',
      'Incremental: one file changed (same size), one deleted, every other file untouched. CI rebuild: every file written again (new mtimes, same bytes) and one changed (same size), what every push to a PR does to a built site: a tool comparing modification times sends everything again.',
      '',
      `Versions: ${versions.join('; ')}.`,
      ...notes.map((n) => `\n_${n}_`),
    ].join('\n');
  } finally {
    await server.close();
  }
}

/** `--sweep`: our cold upload at each concurrency, interleaved run by run, on one server. */
async function sweepSection(
  kind: ServerKind,
  args: Args,
  tree: Tree,
  work: string,
  child: string | undefined,
): Promise<string> {
  const title = `## Concurrency sweep on ${kind === 'rgw' ? 'radosgw' : 's3rver'}`;
  const missing = missingFor(kind);
  if (missing) return `${title}\n\n_skipped: ${missing}._`;
  const levels = args.sweep!;
  const results = new Map<number, ToolRun[]>(levels.map((c) => [c, []]));
  const server = await startServer(kind, {
    concurrency: Math.max(...levels),
    latencyMs: args.latencyMs,
    bucket: 'bench',
    work,
  });
  try {
    for (let r = 1; r <= args.runs; r++) {
      for (const c of levels) {
        const res = await runToolOnce(server, toolRunner(server, c, work, child), 'ours', tree, work, r * 1000 + c);
        results.get(c)!.push(res);
        console.log(
          `${kind} sweep run ${r} concurrency ${c}: cold ${fmtMs(res.cold.ms)}, server CPU ${fmtMs(res.cold.serverCpuMs)}`,
        );
      }
    }
  } finally {
    await server.close();
  }
  const med = (c: number, f: (r: ToolRun) => number | undefined): number | undefined => {
    const xs = results
      .get(c)!
      .map(f)
      .filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  const columns = levels.map((c) => ({ key: String(c), name: `c=${c}` }));
  const base = String(DEFAULT_UPLOAD_CONCURRENCY);
  const row = (label: string, f: (r: ToolRun) => number | undefined) => ({
    label,
    values: Object.fromEntries(levels.map((c) => [String(c), med(c, f)])),
    fmt: fmtMs,
    ratio: levels.includes(DEFAULT_UPLOAD_CONCURRENCY),
  });
  return [
    title,
    '',
    `Our sync only, ${tree.files} files, median of ${args.runs} run(s), concurrency levels interleaved run by run${levels.includes(DEFAULT_UPLOAD_CONCURRENCY) ? `; ratios against the default (${DEFAULT_UPLOAD_CONCURRENCY})` : ''}.`,
    '',
    table(
      [
        row('cold upload: time', (r) => r.cold.ms),
        row('cold upload: server CPU', (r) => r.cold.serverCpuMs),
        row('CI rebuild: time', (r) => r.ci.ms),
      ],
      columns,
      base,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'faas-preview-bench-'));
  const started = machine();
  try {
    const sections: string[] = [];
    if (args.sync || args.sweep) {
      const tree = generateTree(join(work, 'site'), args.small, args.seed);
      console.log(
        `tree: ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB (seed ${args.seed}); ${args.runs} run(s); concurrency ${args.concurrency}`,
      );
      const child = await bundleChild(work);
      for (const kind of args.servers) {
        sections.push(
          args.sweep
            ? await sweepSection(kind, args, tree, work, child)
            : await syncSection(kind, args, tree, work, child),
        );
      }
    }
    if (args.pipeline) {
      const text = await benchPipeline({
        runs: args.runs,
        small: args.small,
        seed: args.seed,
        rolloutMs: args.rolloutMs,
        concurrency: args.concurrency,
        timeline: args.timeline,
        work,
      });
      sections.push(`## Deploy pipeline\n\n${text}`);
    }
    if (!args.sweep && args.sync) {
      sections.push(`## Bundle start-up\n\n${await benchBundleStartup(Math.max(3, args.runs))}`);
      sections.push(`## Sweep decision over 1,000 functions\n\n${await benchSweepDecision(args.runs)}`);
    }
    const md = [
      '# faas-preview benchmark',
      '',
      `Machine: ${started}; ${loadavg()
        .map((l) => l.toFixed(2))
        .join(
          ', ',
        )} at the end. Command: \`npm run bench${args.argv.length ? ` -- ${args.argv.join(' ')}` : ''}\`. ${args.small ? 'Small tree. ' : ''}Shared machines are noisy: compare ratios measured in the same run, not times across runs.`,
      '',
      sections.join('\n\n'),
      '',
    ].join('\n');
    console.log('\n' + md);
    if (args.out) {
      writeFileSync(args.out, md);
      console.log(`written to ${args.out}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === SELF) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
