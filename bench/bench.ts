/**
 * Benchmark (issue 5): `npm run bench` (= `tsx bench/bench.ts`).
 *
 *   npm run bench                        full tree: 2,000 files, ~40 MB, 5 runs
 *   npm run bench -- --small --runs 1    tiny tree (also BENCH_SMALL=1, BENCH_RUNS=1)
 *   options: --concurrency N (default: the action's default), --tools ours,aws,rclone, --out FILE,
 *            --no-write (print only), --seed N, --latency MS (server delays each request: a network RTT)
 *   BENCH_DEBUG=1 prints our child's in-process time, CPU and RSS per phase.
 *
 * One s3rver on 127.0.0.1 (in this process, idle while a tool runs), one site tree generated from a fixed
 * seed. Each tool runs as its own process against its own prefix, and is timed from spawn to exit:
 *   cold upload → incremental (one file changed, one deleted) → teardown of the prefix.
 * Requests and objects sent are counted on the server, so every tool is measured the same way.
 * Peak RSS and client CPU: /usr/bin/time when installed, else the child's own process.resourceUsage() (ours).
 * The server's objects live on tmpfs (/dev/shm) when there is one: on disk its CPU cost was 3× and noisy.
 * Our sync runs as an esbuild bundle under plain node (the action ships an ncc bundle), through tsx if
 * esbuild cannot be loaded.
 *
 * Fair settings (same concurrency everywhere):
 *   aws-cli: s3.max_concurrent_requests = C, multipart threshold/chunk 8 MB (its defaults), `sync --delete`.
 *   rclone:  --transfers C --checkers C --fast-list --checksum (content compare like ours, no per-object
 *            HEAD for modtimes), --s3-upload-cutoff 8Mi --s3-chunk-size 8Mi (our part size),
 *            --s3-no-head and --s3-no-check-bucket (we do not verify by HEAD nor check the bucket either).
 *   Checksums WHEN_REQUIRED for all three (s3rver stores aws-chunked bodies verbatim otherwise).
 *
 * Also timed: the bundle's start-up (`node dist/index.js` with nothing to do) and the sweep decision over
 * 1,000 functions.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createS3Client } from '../src/assets/s3.js';
import { deletePrefix, syncAssets, type SyncResult } from '../src/assets/sync.js';
import { DEFAULT_UPLOAD_CONCURRENCY, type AssetSettings } from '../src/settings.js';
import { planSweep, type ManagedFunction, type Memory } from '../src/sweep/plan.js';
import { startS3, type S3Emulator, type S3Request } from '../test/support/s3.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const SELF = fileURLToPath(import.meta.url);

type Tool = 'ours' | 'aws' | 'rclone';
const TOOL_NAMES: Record<Tool, string> = { ours: 'ours', aws: 'aws-cli', rclone: 'rclone' };

interface Args {
  small: boolean;
  runs: number;
  concurrency: number;
  tools: Tool[];
  out?: string;
  seed: number;
  latencyMs: number;
}

function parseArgs(argv: string[]): Args {
  const env = process.env;
  const a: Args = {
    small: env.BENCH_SMALL === '1' || env.BENCH_SMALL === 'true',
    runs: Number(env.BENCH_RUNS ?? 5),
    concurrency: Number(env.BENCH_CONCURRENCY ?? DEFAULT_UPLOAD_CONCURRENCY),
    tools: ['ours', 'aws', 'rclone'],
    out: join(HERE, 'results.md'),
    seed: 20240611,
    latencyMs: Number(env.BENCH_LATENCY_MS ?? 0),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    const next = (): string => {
      const n = argv[++i];
      if (n === undefined) throw new Error(`${v} needs a value`);
      return n;
    };
    if (v === '--small') a.small = true;
    else if (v === '--runs') a.runs = Number(next());
    else if (v === '--concurrency') a.concurrency = Number(next());
    else if (v === '--tools') a.tools = next().split(',').map((t) => t.trim()) as Tool[];
    else if (v === '--out') a.out = next();
    else if (v === '--no-write') a.out = undefined;
    else if (v === '--seed') a.seed = Number(next());
    else if (v === '--latency') a.latencyMs = Number(next());
    else throw new Error(`unknown option ${v}`);
  }
  if (!Number.isInteger(a.runs) || a.runs < 1) throw new Error('--runs must be a positive integer');
  if (!Number.isInteger(a.concurrency) || a.concurrency < 1) throw new Error('--concurrency must be a positive integer');
  for (const t of a.tools) if (!(t in TOOL_NAMES)) throw new Error(`unknown tool ${t}`);
  return a;
}

// ---------------------------------------------------------------------------------------------------
// Site tree

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tree {
  dir: string;
  files: number;
  bytes: number;
  /** Rewritten (same size, other content) for the incremental run. */
  changeKey: string;
  /** Deleted for the incremental run. */
  deleteKey: string;
}

export function generateTree(dir: string, small: boolean, seed: number): Tree {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const viteHash = (): string => Array.from({ length: 8 }, () => b64[int(0, 63)]).join('');
  const words = 'const let function return import export default class extends async await if else for while of new this null true false'.split(' ');
  const text = (size: number): Buffer => {
    const parts: string[] = [];
    let n = 0;
    while (n < size) {
      const w = words[int(0, words.length - 1)] + (rnd() < 0.1 ? ';\n' : ' ');
      parts.push(w);
      n += w.length;
    }
    return Buffer.from(parts.join('').slice(0, size));
  };
  const binary = (size: number): Buffer => {
    const b = Buffer.allocUnsafe(size);
    for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE((rnd() * 4294967296) >>> 0, i);
    for (let i = size - (size % 4); i < size; i++) b[i] = int(0, 255);
    return b;
  };
  let files = 0;
  let bytes = 0;
  const put = (rel: string, data: Buffer): void => {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    files++;
    bytes += data.length;
  };

  const total = small ? 40 : 2000;
  const images = small ? 2 : 6;
  if (!small) put(`media/intro.${hex(8)}.mp4`, binary(20_000_000));
  for (let i = 0; i < images; i++) {
    put(`img/photo-${i}.${hex(8)}.jpg`, binary(small ? int(100_000, 300_000) : int(1_000_000, 5_000_000)));
  }
  put('index.html', text(int(1000, 6000)));
  put('favicon.ico', binary(1150));
  put('robots.txt', text(60));
  let changeKey = '';
  let deleteKey = '';
  for (let i = 0; files < total; i++) {
    const r = rnd();
    let rel: string;
    let data: Buffer;
    if (r < 0.4) {
      rel = `assets/chunk-${i}-${viteHash()}.js`;
      data = text(int(1000, 8000));
    } else if (r < 0.6) {
      rel = `assets/style-${i}-${viteHash()}.css`;
      data = text(int(500, 4000));
    } else if (r < 0.8) {
      rel = `pages/p${i}/index.html`;
      data = text(int(1000, 6000));
    } else if (r < 0.9) {
      rel = `data/d${i}.json`;
      data = text(int(200, 2000));
    } else {
      rel = `icons/icon-${i}.${hex(8)}.svg`;
      data = text(int(1000, 10000));
    }
    if (!changeKey && rel.endsWith('.js')) changeKey = rel;
    else if (!deleteKey && rel.endsWith('.css')) deleteKey = rel;
    put(rel, data);
  }
  // Give the tree an old mtime (a day ago), kept by the per-tool copies: aws-cli compares mtimes, and the
  // edit then makes exactly one file newer than its uploaded copy.
  const old = new Date(Date.now() - 86_400_000);
  const touch = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const q = join(p, e.name);
      if (e.isDirectory()) touch(q);
      utimesSync(q, old, old);
    }
  };
  touch(dir);
  return { dir, files, bytes, changeKey, deleteKey };
}

/** The incremental edit: one file rewritten (same size, different content), one deleted. */
function editTree(tree: Tree, dir: string): void {
  const p = join(dir, tree.changeKey);
  const data = readFileSync(p);
  data[0] = data[0] === 0x41 ? 0x42 : 0x41;
  writeFileSync(p, data);
  unlinkSync(join(dir, tree.deleteKey));
}

// ---------------------------------------------------------------------------------------------------
// Processes

interface Proc {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  maxRssKb?: number;
  /** user + system CPU of the process (from /usr/bin/time) */
  cpuMs?: number;
}

const HAVE_TIME = existsSync('/usr/bin/time');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Proc> {
  const [file, argv] = HAVE_TIME ? ['/usr/bin/time', ['-f', '__MAXRSS__%M %U %S', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const m = /__MAXRSS__(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      if (m) stderr = stderr.slice(0, m.index).replace(/Command exited with non-zero status \d+\s*$/, '');
      resolve({
        ms,
        code,
        stdout,
        stderr,
        maxRssKb: m ? Number(m[1]) : undefined,
        cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : undefined,
      });
    });
  });
}

/** Debian's awscli (what the issue compares against); a pip-installed `aws` earlier on PATH may be another major. */
const AWS_CLI = (process.env.PATH ?? '').split(':').includes('/usr/bin') && existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

function available(cmd: string, versionArgs: string[]): string | undefined {
  const r = spawnSync(cmd, versionArgs, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return (r.stdout || r.stderr).split('\n')[0].trim();
}

// ---------------------------------------------------------------------------------------------------
// Child mode: our sync in its own process (for a clean RSS and a spawn-to-exit time like the others)

interface ChildJob {
  op: 'sync' | 'delete';
  settings: AssetSettings;
  prefix: string;
  dir: string;
}

interface ChildResult {
  result: SyncResult | { deleted: number; requests: number };
  ms: number;
  maxRssKb: number;
  /** user + system CPU of the child, ms */
  cpuMs: number;
}

/**
 * The child's program, also used (as source) for the bundled child. Written against the public API only.
 * `api` is `{ createS3Client, syncAssets, deletePrefix }`.
 */
async function childMain(
  job: ChildJob,
  api: { createS3Client: typeof createS3Client; syncAssets: typeof syncAssets; deletePrefix: typeof deletePrefix },
): Promise<void> {
  const client = api.createS3Client(job.settings);
  const t0 = performance.now();
  const result =
    job.op === 'sync'
      ? await api.syncAssets(client, {
          bucket: job.settings.bucket,
          prefix: job.prefix,
          dir: job.dir,
          includeDotfiles: false,
          cacheControl: job.settings.cacheControl,
          cacheControlFingerprinted: job.settings.cacheControlFingerprinted,
          concurrency: job.settings.concurrency,
        })
      : await api.deletePrefix(client, job.settings.bucket, job.prefix);
  const ru = process.resourceUsage();
  const out: ChildResult = {
    result,
    ms: performance.now() - t0,
    maxRssKb: ru.maxRSS,
    cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000,
  };
  client.destroy();
  process.stdout.write(`\n__RESULT__${JSON.stringify(out)}\n`);
}

/**
 * Our sync runs the way the action runs it: bundled into one file, started with plain `node` (the action
 * ships an ncc bundle). esbuild (installed with tsx) bundles the child in ~100 ms; without it the child
 * runs this file through tsx, which adds tsx's start-up time and memory to our numbers.
 */
async function bundleChild(work: string): Promise<string[] | undefined> {
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    const outfile = join(work, 'child.mjs');
    await esbuild.build({
      stdin: {
        contents: [
          "import { createS3Client } from './src/assets/s3.js';",
          "import { syncAssets, deletePrefix } from './src/assets/sync.js';",
          `const childMain = ${childMain.toString()};`,
          'await childMain(JSON.parse(process.argv[2]), { createS3Client, syncAssets, deletePrefix });',
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
        sourcefile: 'bench-child.ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
      logLevel: 'error',
    });
    return [outfile];
  } catch (err) {
    console.log(`(esbuild unavailable, our sync runs through tsx: ${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

let childCommand: string[] = [...process.execArgv, SELF, '--child'];

async function runOurs(job: ChildJob): Promise<Proc & { child: ChildResult }> {
  const p = await run(process.execPath, [...childCommand, JSON.stringify(job)], { NODE_NO_WARNINGS: '1' });
  const m = /__RESULT__(.+)$/m.exec(p.stdout);
  if (p.code !== 0 || !m) throw new Error(`our ${job.op} failed (${p.code}): ${p.stderr || p.stdout}`);
  const c = JSON.parse(m[1]) as ChildResult;
  return { ...p, maxRssKb: p.maxRssKb ?? c.maxRssKb, cpuMs: p.cpuMs ?? c.cpuMs, child: c };
}

// ---------------------------------------------------------------------------------------------------
// Tools

interface Phase {
  ms: number;
  requests: number;
  objectsSent: number;
  maxRssKb?: number;
  /** CPU time of the tool's process */
  cpuMs?: number;
  /** CPU time of the server (this process) during the phase */
  serverCpuMs: number;
  /** ours only: time inside the process, without node start-up */
  innerMs?: number;
}

interface ToolRun {
  cold: Phase;
  incremental: Phase;
  teardown: Phase;
}

function countServer(reqs: S3Request[]): { requests: number; objectsSent: number } {
  const objectsSent = reqs.filter(
    (r) =>
      (r.method === 'PUT' && !r.url.includes('partNumber=') && r.url.split('?')[0].split('/').filter(Boolean).length > 1) ||
      (r.method === 'POST' && /[?&]uploadId=/.test(r.url)),
  ).length;
  return { requests: reqs.length, objectsSent };
}

class Runner {
  private awsConfig: string;

  constructor(
    private s3: S3Emulator,
    private args: Args,
    private work: string,
  ) {
    this.awsConfig = join(work, 'aws-config');
    writeFileSync(join(work, 'rclone.conf'), '');
    writeFileSync(
      this.awsConfig,
      [
        '[default]',
        'region = us-east-1',
        'request_checksum_calculation = when_required',
        'response_checksum_validation = when_required',
        's3 =',
        `  max_concurrent_requests = ${args.concurrency}`,
        '  multipart_threshold = 8MB',
        '  multipart_chunksize = 8MB',
        '  addressing_style = path',
        '',
      ].join('\n'),
    );
  }

  private get settings(): AssetSettings {
    return { ...this.s3.settings, concurrency: this.args.concurrency };
  }

  private awsEnv(): NodeJS.ProcessEnv {
    return {
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_CONFIG_FILE: this.awsConfig,
      AWS_SHARED_CREDENTIALS_FILE: join(this.work, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_PAGER: '',
    };
  }

  private rcloneFlags(): string[] {
    const c = String(this.args.concurrency);
    return [
      '--config', join(this.work, 'rclone.conf'), // empty: everything comes from flags
      '--s3-provider', 'Other',
      '--s3-endpoint', this.s3.endpoint,
      '--s3-access-key-id', 'S3RVER',
      '--s3-secret-access-key', 'S3RVER',
      '--s3-region', 'us-east-1',
      '--s3-force-path-style',
      '--s3-no-check-bucket',
      '--s3-no-head',
      '--s3-upload-cutoff', '8Mi',
      '--s3-chunk-size', '8Mi',
      '--transfers', c,
      '--checkers', c,
      '--fast-list',
      '--checksum',
      '-q',
    ];
  }

  private async phase(tool: Tool, op: 'sync' | 'delete', prefix: string, dir: string): Promise<Phase> {
    this.s3.clearRequests();
    const cpu0 = process.cpuUsage();
    let p: Proc;
    let innerMs: number | undefined;
    if (tool === 'ours') {
      const r = await runOurs({ op, settings: this.settings, prefix, dir });
      if (process.env.BENCH_DEBUG) {
        console.error(`ours ${op}: inner ${Math.round(r.child.ms)} ms, cpu ${Math.round(r.child.cpuMs)} ms, rss ${r.child.maxRssKb} KB`);
      }
      p = r;
      innerMs = r.child.ms;
    } else if (tool === 'aws') {
      const base = ['--endpoint-url', this.s3.endpoint, 's3'];
      const target = `s3://${this.s3.bucket}/${prefix}`;
      p = await run(
        AWS_CLI,
        op === 'sync'
          ? [...base, 'sync', dir, target, '--delete', '--only-show-errors', '--no-progress']
          : [...base, 'rm', target, '--recursive', '--only-show-errors'],
        this.awsEnv(),
      );
    } else {
      const target = `:s3:${this.s3.bucket}/${prefix.replace(/\/$/, '')}`;
      // rclone's AWS SDK fails on AWS_CA_BUNDLE with its own HTTP transport; the endpoint is plain HTTP anyway.
      p = await run(
        'rclone',
        op === 'sync' ? ['sync', dir, target, ...this.rcloneFlags()] : ['purge', target, ...this.rcloneFlags()],
        { AWS_CA_BUNDLE: undefined },
      );
    }
    if (p.code !== 0) throw new Error(`${TOOL_NAMES[tool]} ${op} failed (${p.code}): ${p.stderr || p.stdout}`);
    const c = process.cpuUsage(cpu0);
    const serverCpuMs = (c.user + c.system) / 1000;
    return { ms: p.ms, ...countServer(this.s3.requests()), maxRssKb: p.maxRssKb, cpuMs: p.cpuMs, serverCpuMs, innerMs };
  }

  async runTool(tool: Tool, tree: Tree, runNo: number): Promise<ToolRun> {
    const dir = join(this.work, `tree-${tool}-${runNo}`);
    cpSync(tree.dir, dir, { recursive: true, preserveTimestamps: true });
    const prefix = `bench-${tool}-${runNo}/`;
    try {
      const cold = await this.phase(tool, 'sync', prefix, dir);
      const keys = await this.s3.listKeys(prefix);
      if (keys.length !== tree.files) throw new Error(`${TOOL_NAMES[tool]} cold upload left ${keys.length}/${tree.files} objects`);
      editTree(tree, dir);
      const incremental = await this.phase(tool, 'sync', prefix, dir);
      const after = await this.s3.listKeys(prefix);
      if (after.length !== tree.files - 1) throw new Error(`${TOOL_NAMES[tool]} incremental left ${after.length} objects`);
      const teardown = await this.phase(tool, 'delete', prefix, dir);
      const left = await this.s3.listKeys(prefix);
      if (left.length) throw new Error(`${TOOL_NAMES[tool]} teardown left ${left.length} objects`);
      return { cold, incremental, teardown };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Start-up and sweep decision

/**
 * Bundle start-up: `node dist/index.js` with nothing to do (a pull_request `assigned` event), median of
 * `runs`. Skipped with a message when dist/index.js is missing (run `npm run bundle` first).
 */
export async function benchBundleStartup(runs: number): Promise<string> {
  const bundle = join(ROOT, 'dist', 'index.js');
  if (!existsSync(bundle)) return '_skipped: dist/index.js is missing (run `npm run bundle` first)._';
  const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    const event = join(work, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({ action: 'assigned', number: 1, pull_request: { number: 1, head: { sha: '0'.repeat(40) } } }),
    );
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_OUTPUT: join(work, 'output'),
      GITHUB_STEP_SUMMARY: join(work, 'summary'),
      RUNNER_TEMP: work,
      // Valid inputs, so the run gets past parsing to the event decision ("nothing to do") like a real one.
      'INPUT_GATEWAY-URL': 'http://127.0.0.1:9',
      'INPUT_PREVIEW-DOMAIN': 'preview.example.com',
      INPUT_REGISTRY: 'ghcr.io/octo',
    };
    // The runner creates these files before a step starts; the toolkit refuses to write to missing ones.
    writeFileSync(env.GITHUB_OUTPUT, '');
    writeFileSync(env.GITHUB_STEP_SUMMARY, '');
    const times: number[] = [];
    let rss: number | undefined;
    let last: Proc | undefined;
    for (let i = 0; i < runs; i++) {
      last = await run(process.execPath, [bundle], env);
      times.push(last.ms);
      rss = last.maxRssKb;
    }
    const note = last && last.code !== 0 ? ` (exit code ${last.code}: ${last.stderr.trim().split('\n')[0] ?? ''})` : '';
    return `\`node dist/index.js\` on a \`pull_request\`/\`assigned\` event (nothing to do): median **${fmtMs(median(times))}** over ${runs} run(s)${rss ? `, peak RSS ${fmtMb(rss)}` : ''}${note}.`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Sweep decision over 1,000 managed functions: the pure planner (src/sweep/plan.ts) on a listing with every
 * kind of case (busy, idle, counter reset, first seen, closed PR, expired), median of `runs` × 20 calls.
 */
export async function benchSweepDecision(runs: number): Promise<string> {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const hour = 3_600_000;
  const functions: ManagedFunction[] = [];
  const previous: Memory = {};
  const openPulls = new Set<number>();
  for (let pr = 1; pr <= 1000; pr++) {
    const name = `app-pr-${pr}`;
    const count = pr * 3;
    functions.push({ name, pr, replicas: pr % 7 === 0 ? undefined : 1, invocationCount: pr % 5 === 0 ? count + 1 : count, deployedAt: now - (pr % 30) * hour });
    if (pr % 11 !== 0) previous[name] = { count: pr % 13 === 0 ? count + 50 : count, changedAt: new Date(now - (pr % 4) * hour).toISOString() };
    if (pr % 9 !== 0) openPulls.add(pr);
  }
  const prefixes = functions.map((f) => `${f.name}/`).concat(['app-pr-5000/', '.faas-preview/']);
  const input = { functions, previous, openPulls, prefixes, app: 'app', edition: 'community' as const, now, idleAfterMs: hour, maxAgeMs: 24 * hour };
  const perCall: number[] = [];
  let acted = 0;
  for (let r = 0; r < Math.max(runs, 5); r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) acted = planSweep(input).actions.filter((a) => a.decision !== 'keep' && a.decision !== 'already-asleep').length;
    perCall.push(Number(process.hrtime.bigint() - start) / 1e6 / 20);
  }
  return `\`planSweep\` over 1,000 managed functions (${acted} acted on): median **${median(perCall).toFixed(2)} ms** per decision.`;
}

// ---------------------------------------------------------------------------------------------------
// Report

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const fmtMb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
const fmtRatio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '—');

interface Row {
  label: string;
  values: Partial<Record<Tool, number>>;
  fmt: (n: number) => string;
  ratio: boolean;
}

function table(rows: Row[], tools: Tool[]): string {
  const others = tools.filter((t) => t !== 'ours');
  const head = ['', ...tools.map((t) => TOOL_NAMES[t]), ...others.map((t) => `ours/${TOOL_NAMES[t]}`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const r of rows) {
    const cells = tools.map((t) => (r.values[t] === undefined ? 'n/a' : r.fmt(r.values[t]!)));
    const ratios = others.map((t) =>
      r.ratio && r.values.ours !== undefined && r.values[t] !== undefined ? fmtRatio(r.values.ours, r.values[t]!) : '',
    );
    lines.push(`| ${[r.label, ...cells, ...ratios].join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return childMain(JSON.parse(argv[1]) as ChildJob, { createS3Client, syncAssets, deletePrefix });
  const args = parseArgs(argv);

  const versions: Partial<Record<Tool, string>> = { ours: `node ${process.version}` };
  const tools: Tool[] = [];
  const notes: string[] = [];
  for (const t of args.tools) {
    if (t === 'ours') tools.push(t);
    else if (t === 'aws') {
      const v = available(AWS_CLI, ['--version']);
      if (v) (versions.aws = v), tools.push(t);
      else notes.push('aws-cli not found: install it with `apt-get install awscli` to compare.');
    } else {
      const v = available('rclone', ['version']);
      if (v) (versions.rclone = v), tools.push(t);
      else notes.push('rclone not found: install it with `apt-get install rclone` to compare.');
    }
  }
  for (const n of notes) console.log(n);

  const work = mkdtempSync(join(tmpdir(), 'faas-preview-bench-'));
  // tmpfs when there is one: the server's disk is the same for every tool either way, tmpfs is less noisy
  const s3 = await startS3({
    bucket: 'bench',
    concurrency: args.concurrency,
    latencyMs: args.latencyMs,
    parentDir: existsSync('/dev/shm') ? '/dev/shm' : undefined,
  });
  try {
    const tree = generateTree(join(work, 'site'), args.small, args.seed);
    console.log(
      `tree: ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB (seed ${args.seed}); ${args.runs} run(s); concurrency ${args.concurrency}; tools: ${tools.map((t) => TOOL_NAMES[t]).join(', ')}`,
    );
    if (tools.includes('ours')) {
      const bundled = await bundleChild(work);
      if (bundled) childCommand = bundled;
    }
    const runner = new Runner(s3, args, work);
    const results: Record<Tool, ToolRun[]> = { ours: [], aws: [], rclone: [] };
    for (let r = 1; r <= args.runs; r++) {
      // rotate the order so no tool always runs first (warm caches)
      const order = tools.map((_, i) => tools[(i + r - 1) % tools.length]);
      for (const t of order) {
        const res = await runner.runTool(t, tree, r);
        results[t].push(res);
        console.log(
          `run ${r} ${TOOL_NAMES[t].padEnd(7)} cold ${fmtMs(res.cold.ms)} (${res.cold.requests} req)  incremental ${fmtMs(res.incremental.ms)} (${res.incremental.objectsSent} obj, ${res.incremental.requests} req)  teardown ${fmtMs(res.teardown.ms)} (${res.teardown.requests} req)`,
        );
      }
    }

    const med = (t: Tool, f: (r: ToolRun) => number | undefined): number | undefined => {
      const xs = results[t].map(f).filter((x): x is number => x !== undefined);
      return xs.length ? median(xs) : undefined;
    };
    const row = (label: string, f: (r: ToolRun) => number | undefined, fmt: (n: number) => string, ratio = true): Row => ({
      label,
      values: Object.fromEntries(tools.map((t) => [t, med(t, f)])) as Partial<Record<Tool, number>>,
      fmt,
      ratio,
    });
    const int = (n: number): string => String(Math.round(n));
    const rows: Row[] = [
      row('cold upload: time', (r) => r.cold.ms, fmtMs),
      row('cold upload: requests', (r) => r.cold.requests, int),
      row('incremental: time', (r) => r.incremental.ms, fmtMs),
      row('incremental: objects sent', (r) => r.incremental.objectsSent, int),
      row('incremental: requests', (r) => r.incremental.requests, int),
      row('teardown: time', (r) => r.teardown.ms, fmtMs),
      row('teardown: requests', (r) => r.teardown.requests, int),
      row('peak RSS (cold upload)', (r) => r.cold.maxRssKb, fmtMb),
      row('cold upload: client CPU', (r) => r.cold.cpuMs, fmtMs),
      row('cold upload: server CPU', (r) => r.cold.serverCpuMs, fmtMs),
    ];
    const inner = med('ours', (r) => r.cold.innerMs);
    const innerInc = med('ours', (r) => r.incremental.innerMs);

    const others = tools.filter((t) => t !== 'ours');
    const fastestOther = others.length ? Math.min(...others.map((t) => med(t, (r) => r.cold.ms)!)) : undefined;
    const oursCold = med('ours', (r) => r.cold.ms);
    const md = [
      '# faas-preview asset sync benchmark',
      '',
      `Tree: ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB (${args.small ? 'small' : 'full'} tree, seed ${args.seed}). ` +
        `Median of ${args.runs} run(s). Concurrency ${args.concurrency} for every tool. Server: s3rver on 127.0.0.1 (same for all, in the bench process, objects on ${existsSync('/dev/shm') ? 'tmpfs' : 'disk'}${args.latencyMs ? `, ${args.latencyMs} ms added before each request` : ''}). ` +
        `Machine: ${cpus().length} CPU(s), ${process.platform}. Command: \`npm run bench --${args.small ? ' --small' : ''} --runs ${args.runs}${args.concurrency !== DEFAULT_UPLOAD_CONCURRENCY ? ` --concurrency ${args.concurrency}` : ''}${args.latencyMs ? ` --latency ${args.latencyMs}` : ''}\`.`,
      '',
      table(rows, tools),
      '',
      'Times are spawn-to-exit of each tool’s process (ours: node on an esbuild bundle of src/assets, as the action runs its ncc bundle' +
        (inner !== undefined ? `; inside the process our cold sync took ${fmtMs(inner)}, incremental ${fmtMs(innerInc ?? 0)}` : '') +
        '). Requests and objects are counted by the server. Client CPU: user+system of the tool’s process; server CPU: the s3rver process during the phase. ' +
        'Ratios are ours/theirs: below 1 is better for ours.',
      ...(oursCold !== undefined && fastestOther !== undefined
        ? ['', `Cold upload speed-up over the faster of the others: **${(fastestOther / oursCold).toFixed(2)}×**.`]
        : []),
      '',
      'Settings: aws-cli `s3 sync --delete` / `s3 rm --recursive` with `max_concurrent_requests` = concurrency and 8 MB multipart; ' +
        'rclone `sync` / `purge` with `--transfers`/`--checkers` = concurrency, `--fast-list --checksum`, 8 MiB upload cutoff and chunks, `--s3-no-head --s3-no-check-bucket`; ' +
        'checksums WHEN_REQUIRED for all.',
      '',
      `Versions: ${tools.map((t) => `${TOOL_NAMES[t]}: ${versions[t]}`).join('; ')}.`,
      ...notes.map((n) => `\n_${n}_`),
      '',
      '## Bundle start-up',
      '',
      await benchBundleStartup(Math.max(3, args.runs)),
      '',
      '## Sweep decision over 1,000 functions',
      '',
      await benchSweepDecision(args.runs),
      '',
    ].join('\n');
    console.log('\n' + md);
    if (args.out) {
      writeFileSync(args.out, md);
      console.log(`written to ${args.out}`);
    }
  } finally {
    await s3.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === SELF) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
