/**
 * A user's hook (inputs `database-migrate`, `database-seed`, `on-deploy`, `on-teardown`): `sh -c <command>` in the
 * workspace, with the allow-listed environment (childEnv: never the action's INPUT_* or the runner's tokens) plus
 * what the caller adds (FAAS_PREVIEW_*, DATABASE_URL). Its output goes to the log line by line with secrets scrubbed.
 *
 * The hook runs in a process group of its own: on timeout the whole group gets SIGTERM, then SIGKILL after a grace
 * period, so a `npm run migrate` that started a child of its own cannot outlive it; whatever the hook leaves running
 * in the background when it exits is killed too (a hook is a step, not a service).
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { childEnv } from '../process/env.js';
import { killGroup } from '../process/group.js';
import { formatDuration } from '../sweep/plan.js';
import { secrets } from '../text/run-secrets.js';
import { LineSplitter, Tail } from './lines.js';
import { workflowLog, type HookLog } from './log.js';

const DEFAULT_HOOK_TIMEOUT_MS = 10 * 60_000;
const KILL_GRACE_MS = 5_000;

export interface HookOptions {
  /** The input the command came from, e.g. 'database-migrate': it names the hook in the log and in errors. */
  name: string;
  command: string;
  /** Working directory: the workspace (GITHUB_WORKSPACE). */
  cwd: string;
  /** Added to the allow-listed environment, winning over it. */
  env?: Record<string, string>;
  timeoutMs?: number;
  log?: HookLog;
  /** The environment the allow-list picks from: the action's own, unless a test gives another. */
  parent?: NodeJS.ProcessEnv;
  scrub?: (text: string) => string;
}

export interface HookResult {
  name: string;
  durationMs: number;
}

export class HookError extends Error {
  constructor(
    readonly hook: string,
    /** One line: what happened (`hook 'database-migrate' exited with code 3`). */
    readonly headline: string,
    /** The last lines of its output, scrubbed and clipped, for the PR comment (through untrusted.ts codeBlock). */
    readonly output: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly timedOut: boolean,
  ) {
    super(output ? `${headline}; the last lines of its output:\n${output}` : `${headline} without output`);
    this.name = 'HookError';
  }
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  error?: Error;
}

/** Spawns `sh -c` in a new process group and waits until it exited and its output ended; `emit` gets each line. */
function execute(o: HookOptions, timeoutMs: number, emit: (line: string) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', o.command], {
      cwd: o.cwd,
      env: childEnv(o.env, o.parent),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const splitters = [child.stdout, child.stderr].map((stream) => {
      const s = new LineSplitter(emit);
      stream.on('data', (chunk: Buffer) => s.push(chunk));
      return s;
    });
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid!, 'SIGTERM');
      killer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);
    let exit: Pick<Outcome, 'code' | 'signal'> = { code: null, signal: null };
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      clearTimeout(timer);
      clearTimeout(killer);
      // Background processes the hook left behind hold its pipes open and would outlive it: end them.
      killGroup(child.pid!, 'SIGKILL');
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut, error });
    });
    child.on('close', () => {
      for (const s of splitters) s.end();
      resolve({ ...exit, timedOut });
    });
  });
}

function headline(name: string, outcome: Outcome, timeoutMs: number): string {
  if (outcome.timedOut)
    return `hook '${name}' did not finish within ${formatDuration(timeoutMs)} and was killed with its child processes`;
  if (outcome.signal) return `hook '${name}' was killed by ${outcome.signal}`;
  return `hook '${name}' exited with code ${outcome.code}`;
}

/** Runs the hook to its end; resolves when it exits with 0, rejects with a HookError otherwise. */
export async function runHook(o: HookOptions): Promise<HookResult> {
  if (!o.command.trim()) throw new Error(`hook '${o.name}' has an empty command`);
  if (!statSync(o.cwd, { throwIfNoEntry: false })?.isDirectory())
    throw new Error(`hook '${o.name}' cannot run: its working directory ${o.cwd} is not a directory`);
  const timeoutMs = o.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const scrub = o.scrub ?? ((text: string) => secrets.scrub(text));
  const log = o.log ?? workflowLog();
  const tail = new Tail();
  const started = Date.now();
  log.begin(o.name);
  const outcome = await execute(o, timeoutMs, (line) => {
    const clean = scrub(line);
    log.line(clean);
    tail.add(clean);
  });
  log.end();
  if (outcome.error) throw new Error(`hook '${o.name}' could not start 'sh': ${outcome.error.message}`);
  if (outcome.code === 0 && !outcome.timedOut) return { name: o.name, durationMs: Date.now() - started };
  throw new HookError(
    o.name,
    headline(o.name, outcome, timeoutMs),
    tail.text(),
    outcome.code,
    outcome.signal,
    outcome.timedOut,
  );
}
