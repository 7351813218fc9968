/**
 * The pipeline bench's view of one action run: `node dist/index.js` started the way the runner starts it (see
 * test/support/action.ts), each line of its log timestamped as it arrives, and the builder's own time from a wrapper
 * named `buildah` first on PATH that records when each invocation starts and ends.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE, OWNER, REPO } from '../test/support/action.js';

export { BUNDLE };

interface Line {
  at: number;
  text: string;
}

export interface ActionRun {
  code: number;
  startedAt: number;
  lines: Line[];
  stderr: string;
}

export interface RunOptions {
  event: string;
  payload: unknown;
  inputs: Record<string, string>;
  apiUrl: string;
  workspace: string;
  env: Record<string, string>;
}

function spawnPath(cmd: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  throw new Error(`${cmd} is not on PATH`);
}

/** A script named `buildah` in `bin`: appends `start|end <epoch ms> <subcommand>` to `record`, runs the real one. */
export function timedBuildah(bin: string, record: string): void {
  const real = spawnPath('buildah');
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(record, '');
  writeFileSync(
    join(bin, 'buildah'),
    `#!/bin/sh\necho "start $(date +%s%3N) $1" >> ${q(record)}\n${q(real)} "$@"\nrc=$?\necho "end $(date +%s%3N) $1" >> ${q(record)}\nexit $rc\n`,
  );
  chmodSync(join(bin, 'buildah'), 0o755);
}

/** Empties buildah's image store (the real buildah, untimed): each run starts like a job on a fresh runner. */
export function emptyImageStore(env: Record<string, string>): void {
  execFileSync(spawnPath('buildah'), ['rmi', '--all', '--force'], { env: { ...process.env, ...env }, stdio: 'ignore' });
}

/** The run's log lines and the builder's commands in `record`, in time order, each `+<ms since the start>`. */
export function timeline(run: ActionRun, record: string): string {
  const builder = readFileSync(record, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '))
    .map(([event, at, cmd]) => ({ at: Number(at), text: `[buildah ${cmd} ${event}]` }));
  return [...run.lines, ...builder]
    .sort((a, b) => a.at - b.at)
    .map((l) => `+${String(l.at - run.startedAt).padStart(6)} ms  ${l.text.slice(0, 150)}`)
    .join('\n');
}

/** The builder's span in `record`: first start to last end (epoch ms) and its subcommands in order; undefined when it never ran. */
export function builderSpan(record: string): { start: number; end: number; commands: string[] } | undefined {
  const events = readFileSync(record, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '));
  const starts = events.filter((e) => e[0] === 'start');
  const ends = events.filter((e) => e[0] === 'end').map((e) => Number(e[1]));
  if (!starts.length || !ends.length) return undefined;
  return {
    start: Math.min(...starts.map((e) => Number(e[1]))),
    end: Math.max(...ends),
    commands: starts.map((e) => e[2]),
  };
}

/** `node dist/index.js` as the runner starts it, each stdout line timestamped. */
export function runBundle(o: RunOptions): Promise<ActionRun> {
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
    // profiling the action: BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (never set by the bench itself)
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, BUNDLE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** The run's log and stderr, for an error. */
export function output(run: ActionRun): string {
  return `${run.lines.map((l) => l.text).join('\n')}\n${run.stderr}`;
}

export function failure(run: ActionRun, what: string): Error {
  return new Error(`${what} failed (exit ${run.code}):\n${output(run)}`);
}
