/**
 * runHook with real processes: `sh`, its children, signals and pipes, as a migration or seed script would use them.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HookError, runHook, type HookOptions } from '../../src/hooks/run.js';
import type { HookLog } from '../../src/hooks/log.js';
import { Secrets } from '../../src/text/secrets.js';

let workspace: string;
beforeAll(() => {
  workspace = realpathSync(mkdtempSync(path.join(tmpdir(), 'faas-preview-hooks-')));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function collector(): HookLog & { lines: string[]; events: string[] } {
  const lines: string[] = [];
  const events: string[] = [];
  return {
    lines,
    events,
    begin: (h) => events.push(`begin ${h}`),
    line: (l) => lines.push(l),
    end: () => events.push('end'),
  };
}

const parent = {
  PATH: process.env.PATH,
  HOME: '/home/runner',
  INPUT_GATEWAY_PASSWORD: 'gw-secret',
  INPUT_DATABASE_URL: 'postgres://a:b@h/db',
  GITHUB_TOKEN: 'ghs_token',
  ACTIONS_RUNTIME_TOKEN: 'rt',
};

function hook(command: string, extra: Partial<HookOptions> = {}): HookOptions & { log: ReturnType<typeof collector> } {
  return {
    name: 'database-migrate',
    command,
    cwd: workspace,
    parent,
    log: collector(),
    scrub: (t) => t,
    ...extra,
  } as HookOptions & { log: ReturnType<typeof collector> };
}

async function failure(o: HookOptions): Promise<HookError> {
  try {
    await runHook(o);
  } catch (err) {
    if (err instanceof HookError) return err;
    throw err;
  }
  throw new Error('the hook succeeded');
}

/** Running, as opposed to gone or a zombie waiting for its new parent (init) to reap it. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Whether `pid` still runs once a SIGKILL sent to it had time to land: the kernel ends a killed process
 * asynchronously, so /proc may show it running for a moment after kill() returned (seen on a loaded CI machine).
 */
async function survives(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return alive(pid);
}

describe('runHook', () => {
  test('streams stdout and stderr line by line, in the workspace, and resolves on exit code 0', async () => {
    const o = hook('echo one; echo two >&2; printf "no newline"; pwd');
    const result = await runHook(o);
    expect(result.name).toBe('database-migrate');
    expect(o.log.events).toEqual(['begin database-migrate', 'end']);
    expect(o.log.lines).toEqual(expect.arrayContaining(['one', 'two', `no newline${workspace}`]));
  });

  test("gets the allow-listed environment and the caller's variables, never the action's inputs or tokens", async () => {
    const o = hook('env', {
      env: {
        FAAS_PREVIEW_NAME: 'shop-pr-3',
        FAAS_PREVIEW_PR: '3',
        DATABASE_URL: 'postgres://shop_pr_3:pw@db/shop_pr_3',
      },
    });
    await runHook(o);
    const env = Object.fromEntries(o.log.lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env).toMatchObject({
      FAAS_PREVIEW_NAME: 'shop-pr-3',
      FAAS_PREVIEW_PR: '3',
      DATABASE_URL: 'postgres://shop_pr_3:pw@db/shop_pr_3',
      HOME: '/home/runner',
    });
    for (const leaked of ['INPUT_GATEWAY_PASSWORD', 'INPUT_DATABASE_URL', 'GITHUB_TOKEN', 'ACTIONS_RUNTIME_TOKEN'])
      expect(env).not.toHaveProperty(leaked);
    expect(o.log.lines.join('\n')).not.toMatch(/gw-secret|ghs_token/);
  });

  test('a non-zero exit is one error naming the hook and its code, with the last lines of output', async () => {
    const err = await failure(
      hook(
        'for i in $(seq 1 50); do echo "applying migration $i"; done; echo "relation users already exists" >&2; exit 3',
      ),
    );
    expect(err.headline).toBe("hook 'database-migrate' exited with code 3");
    expect(err.exitCode).toBe(3);
    expect(err.timedOut).toBe(false);
    expect(err.message).toMatch(/^hook 'database-migrate' exited with code 3; the last lines of its output:\n/);
    const tail = err.output.split('\n');
    expect(tail.length).toBe(20);
    expect(tail[tail.length - 1]).toBe('relation users already exists');
    expect(err.output).not.toContain('applying migration 31\n');
  });

  test('scrubs secrets from the log and from the error, even when written in pieces', async () => {
    const secrets = new Secrets();
    const password = 'Xk9_preview-db-password-4f2a';
    secrets.add(password);
    const o = hook(
      `printf 'DATABASE_URL=postgres://shop_pr_1:Xk9_preview-db-'; sleep 0.2; printf 'password-4f2a@db/shop_pr_1\\n'; echo "${encodeURIComponent(password)}" >&2; exit 1`,
      {
        scrub: (t) => secrets.scrub(t),
      },
    );
    const err = await failure(o);
    const all = [...o.log.lines, err.message, err.output].join('\n');
    expect(secrets.leaks(all)).toEqual([]);
    expect(o.log.lines).toContain('DATABASE_URL=postgres://shop_pr_1:***@db/shop_pr_1');
  });

  test('a timeout kills the whole process group, children included, and says so', async () => {
    const pidFile = path.join(workspace, 'child.pid');
    // 3 s: time enough for the shell to start and write the pid file on a loaded machine
    const err = await failure(hook(`sleep 300 & echo $! > ${pidFile}; echo started; wait`, { timeoutMs: 3_000 }));
    expect(err.timedOut).toBe(true);
    expect(err.headline).toBe(
      "hook 'database-migrate' did not finish within 3s and was killed with its child processes",
    );
    expect(err.output).toBe('started');
    const child = Number(readFileSync(pidFile, 'utf8'));
    expect(await survives(child)).toBe(false);
  });

  test('a hook that ignores SIGTERM is killed with SIGKILL after the grace period', async () => {
    // 3 s: the shell has set its trap by then even on a loaded machine (a SIGTERM before it would end the shell)
    const err = await failure(hook(`trap '' TERM; echo stubborn; while :; do sleep 0.1; done`, { timeoutMs: 3_000 }));
    expect(err.timedOut).toBe(true);
    expect(err.signal).toBe('SIGKILL');
  }, 20_000);

  test('background processes left behind are ended when the hook exits, and do not hold it open', async () => {
    const pidFile = path.join(workspace, 'bg.pid');
    await runHook(hook(`sleep 300 & echo $! > ${pidFile}; exit 0`, { timeoutMs: 10_000 }));
    const bg = Number(readFileSync(pidFile, 'utf8'));
    expect(await survives(bg)).toBe(false);
  });

  test('a killed hook names the signal', async () => {
    const err = await failure(hook('kill -SEGV $$'));
    expect(err.signal).toBe('SIGSEGV');
    expect(err.headline).toBe("hook 'database-migrate' was killed by SIGSEGV");
    expect(err.message).toMatch(/without output$/);
  });

  test('refuses an empty command and a missing working directory before starting anything', async () => {
    await expect(runHook(hook('  '))).rejects.toThrow("hook 'database-migrate' has an empty command");
    const missing = path.join(workspace, 'nope');
    await expect(runHook(hook('touch created', { cwd: missing }))).rejects.toThrow(
      `its working directory ${missing} is not a directory`,
    );
    expect(existsSync(path.join(missing, 'created'))).toBe(false);
  });
});
