/**
 * The tools the bench compares, each run as its own process and timed from spawn to exit, at the same concurrency:
 * - ours: bench/child.ts, bundled by esbuild and run by plain node (through tsx when esbuild is missing);
 * - aws-cli (Debian's awscli, v2): `s3 sync --delete` and `s3 rm --recursive`, `max_concurrent_requests` = the
 *   concurrency, its default 8 MB multipart threshold and part size. It compares size and modification time only:
 *   `sync` has no content comparison (`--size-only` and `--exact-timestamps` are its only comparison options);
 * - rclone: `sync` and `purge`, `--transfers` and `--checkers` = the concurrency, at its defaults (size and
 *   modification time, the latter from each object's metadata, one HEAD per object; a HEAD after each upload);
 * - rclone --checksum: its content comparison (size and MD5 from the listing);
 * - rclone tuned: --checksum plus --fast-list --s3-no-head --s3-no-check-bucket, the fastest setting we found.
 * Every tool gets the connection settings a custom endpoint needs (path-style, region, credentials) and checksums
 * only when required (s3rver stores aws-chunked bodies verbatim otherwise, radosgw 16 does not know trailing
 * checksums); nothing else is tuned but for "rclone tuned".
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchServer } from './servers.js';
import type { ChildJob, ChildResult } from './child.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..');

export type Tool = 'ours' | 'aws' | 'rclone' | 'rclone-checksum' | 'rclone-tuned';
export const TOOLS: Tool[] = ['ours', 'aws', 'rclone', 'rclone-checksum', 'rclone-tuned'];
export const TOOL_NAMES: Record<Tool, string> = {
  ours: 'ours',
  aws: 'aws-cli',
  rclone: 'rclone',
  'rclone-checksum': 'rclone --checksum',
  'rclone-tuned': 'rclone tuned',
};

export interface Proc {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  maxRssKb?: number;
  /** user + system CPU of the process (from /usr/bin/time) */
  cpuMs?: number;
}

const HAVE_TIME = existsSync('/usr/bin/time');

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Proc> {
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
const AWS_CLI =
  (process.env.PATH ?? '').split(':').includes('/usr/bin') && existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

/** The tool's version line, or undefined when it is not installed. */
export function versionOf(tool: Tool): string | undefined {
  if (tool === 'ours') return `node ${process.version}`;
  const [cmd, args] = tool === 'aws' ? [AWS_CLI, ['--version']] : ['rclone', ['version']];
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return (r.stdout || r.stderr).split('\n')[0].trim();
}

export const INSTALL_HINT: Partial<Record<Tool, string>> = {
  aws: 'aws-cli not found: install it with `apt-get install awscli` to compare.',
  rclone: 'rclone not found: install it with `apt-get install rclone` to compare.',
};

/**
 * Bundles bench/child.ts with esbuild; undefined when esbuild cannot be loaded. What the code imports lazily goes to
 * chunks of its own, as in the action's ncc bundle: a run that never needs the SDK never even parses it.
 */
export async function bundleChild(work: string): Promise<string | undefined> {
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    const outdir = join(work, 'child');
    await esbuild.build({
      entryPoints: { child: join(HERE, 'child.ts') },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outdir,
      outExtension: { '.js': '.mjs' },
      banner: {
        js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
      },
      logLevel: 'error',
    });
    return join(outdir, 'child.mjs');
  } catch (err) {
    console.log(`(esbuild unavailable, our sync runs through tsx: ${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

export type Op = 'sync' | 'delete';

export interface ToolRunner {
  (tool: Tool, op: Op, prefix: string, dir: string): Promise<Proc & { innerMs?: number }>;
}

/** Runs a tool's sync or delete of `dir` ↔ `prefix` on `server`, at `concurrency`. */
export function toolRunner(
  server: BenchServer,
  concurrency: number,
  work: string,
  child: string | undefined,
): ToolRunner {
  const awsConfig = join(work, 'aws-config');
  const rcloneConfig = join(work, 'rclone.conf');
  writeFileSync(rcloneConfig, ''); // empty: everything comes from flags
  writeFileSync(
    awsConfig,
    [
      '[default]',
      'region = us-east-1',
      'request_checksum_calculation = when_required',
      'response_checksum_validation = when_required',
      's3 =',
      `  max_concurrent_requests = ${concurrency}`,
      '  addressing_style = path',
      '',
    ].join('\n'),
  );
  const { accessKeyId, secretAccessKey } = server.credentials;
  const awsEnv = {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  const c = String(concurrency);
  // rclone's AWS SDK fails on AWS_CA_BUNDLE with its own HTTP transport; the endpoint is plain HTTP anyway
  const rcloneEnv = { AWS_CA_BUNDLE: undefined };
  const rcloneBase = [
    '--config',
    rcloneConfig,
    '--s3-provider',
    'Other',
    '--s3-endpoint',
    server.endpoint,
    '--s3-access-key-id',
    accessKeyId,
    '--s3-secret-access-key',
    secretAccessKey,
    '--s3-region',
    'us-east-1',
    '--s3-force-path-style',
    '--transfers',
    c,
    '--checkers',
    c,
    '-q',
  ];
  const rcloneFlags: Record<string, string[]> = {
    rclone: [],
    'rclone-checksum': ['--checksum'],
    'rclone-tuned': ['--checksum', '--fast-list', '--s3-no-head', '--s3-no-check-bucket'],
  };
  const ourCommand = child ? [child] : [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(HERE, 'child.ts')];

  return async (tool, op, prefix, dir) => {
    if (tool === 'ours') {
      const job: ChildJob = { op, settings: { ...server.settings, concurrency }, prefix, dir };
      const p = await run(process.execPath, [...ourCommand, JSON.stringify(job)], { NODE_NO_WARNINGS: '1' });
      const m = /__RESULT__(.+)$/m.exec(p.stdout);
      if (p.code !== 0 || !m) return p;
      const r = JSON.parse(m[1]) as ChildResult;
      return { ...p, maxRssKb: p.maxRssKb ?? r.maxRssKb, cpuMs: p.cpuMs ?? r.cpuMs, innerMs: r.ms };
    }
    if (tool === 'aws') {
      const base = ['--endpoint-url', server.endpoint, 's3'];
      const target = `s3://${server.bucket}/${prefix}`;
      const args =
        op === 'sync'
          ? ['sync', dir, target, '--delete', '--only-show-errors', '--no-progress']
          : ['rm', target, '--recursive', '--only-show-errors'];
      return run(AWS_CLI, [...base, ...args], awsEnv);
    }
    const target = `:s3:${server.bucket}/${prefix.replace(/\/$/, '')}`;
    const flags = [...rcloneBase, ...rcloneFlags[tool]];
    return run('rclone', op === 'sync' ? ['sync', dir, target, ...flags] : ['purge', target, ...flags], rcloneEnv);
  };
}
