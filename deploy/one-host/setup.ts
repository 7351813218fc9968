/**
 * Set-up of the edge on one host from one env file:
 *
 *   npx tsx deploy/one-host/setup.ts --env /etc/faas-preview/one-host.env [--root DIR] [--dist DIR] [--no-reload]
 *
 * Checks the env file first (an error names the variable), then writes nginx's site, the edge service's env file
 * and unit and the bundled service (files.ts) where they differ from what is there, one line per file ("wrote" or
 * "unchanged"). Then, for the real root without --no-reload, the commands the changes ask for: `nginx -t` and a
 * reload of nginx, `systemctl daemon-reload` and `enable`, and a restart of the service.
 *
 * Nothing is forgotten: the commands a change asks for are recorded as owed (PENDING, below the root) before the
 * files are written, and a role leaves the record only once its commands succeeded; a later run does what is owed
 * even when no file changed. So a run with --no-reload, a failed reload or restart, or an interrupted run is made
 * good by the next run. A new nginx site that `nginx -t` refuses is not left in place: the previous file is put
 * back (or the new one removed), nginx is not reloaded, and the run exits 1; the next run tries the site again.
 * Running it again once everything is done changes nothing.
 *
 * --root DIR writes below DIR and runs no command (they would act on this host, not on DIR); --run-commands runs
 * them anyway, for tests with stand-in nginx and systemctl first on PATH.
 * Exit status: 0 done, 2 a bad env file or option, 1 a failed command.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvError, loadOneHost } from './env.js';
import { NGINX_SITE, hostFiles, type Role } from './files.js';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVICE = 'faas-preview-waker.service';
/** Below the root: the roles whose commands are owed, one a line. */
const PENDING = 'var/lib/faas-preview/one-host-setup.pending';
const ROLES: Role[] = ['nginx', 'unit', 'service'];

interface Options {
  env: string;
  root: string;
  dist: string;
  reload: boolean;
  runCommands: boolean;
}

function options(argv: string[]): Options {
  const o: Partial<Options> = {
    root: '/',
    dist: path.join(REPOSITORY, 'dist/waker'),
    reload: true,
    runCommands: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--no-reload') o.reload = false;
    else if (flag === '--run-commands') o.runCommands = true;
    else if (['--env', '--root', '--dist'].includes(flag) && value) {
      o[flag.slice(2) as 'env' | 'root' | 'dist'] = path.resolve(value);
      i++;
    } else
      throw new EnvError(
        flag,
        'is not an option; use --env FILE [--root DIR [--run-commands]] [--dist DIR] [--no-reload]',
      );
  }
  if (!o.env) throw new EnvError('--env', 'is required: the one-host env file (deploy/one-host/one-host.env.example)');
  if (o.runCommands && !o.reload)
    throw new EnvError('--run-commands', 'runs the commands --no-reload skips; give one of the two');
  if (o.runCommands && o.root === '/')
    throw new EnvError('--run-commands', 'is for --root DIR; without --root the commands run anyway');
  return o as Options;
}

/** What is on disk at target: its content and mode, or undefined. */
function current(target: string): { content: Buffer; mode: number } | undefined {
  try {
    return { mode: statSync(target).mode & 0o7777, content: readFileSync(target) };
  } catch {
    return undefined;
  }
}

/** Whether the file on disk already has this content and mode. */
function same(target: string, f: { content: Buffer; mode: number }): boolean {
  const now = current(target);
  return now !== undefined && now.mode === f.mode && now.content.equals(f.content);
}

function put(target: string, f: { content: Buffer; mode: number }): void {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, f.content, { mode: f.mode });
  chmodSync(target, f.mode);
}

/** The record of owed roles below the root. */
class Owed {
  readonly roles: Set<Role>;
  constructor(
    private readonly file: string,
    private readonly keep: boolean,
  ) {
    const text = current(file)?.content.toString('utf8') ?? '';
    this.roles = new Set(ROLES.filter((r) => text.split('\n').includes(r)));
  }

  /** Writes the record when kept (only when it changed: a run that changes nothing writes nothing). */
  save(roles: Set<Role>): void {
    const list = ROLES.filter((r) => roles.has(r));
    this.roles.clear();
    for (const r of list) this.roles.add(r);
    if (!this.keep) return;
    if (list.length === 0) return rmSync(this.file, { force: true });
    const text = `# Owed by deploy/one-host/setup.ts: the commands of these roles have not succeeded yet.\n${list.join('\n')}\n`;
    const f = { content: Buffer.from(text), mode: 0o644 };
    if (!same(this.file, f)) put(this.file, f);
  }
}

/** The commands of each owed role, in order: nginx checked before it reloads, units re-read before the restart. */
function commands(owed: Set<Role>): { done: Role[]; run: string[][] }[] {
  const out: { done: Role[]; run: string[][] }[] = [];
  if (owed.has('nginx')) out.push({ done: ['nginx'], run: [['nginx', '-t'], ['systemctl', 'reload', 'nginx']] });
  const restart = ['systemctl', 'restart', SERVICE];
  if (owed.has('unit'))
    out.push({
      done: ['unit', 'service'],
      run: [['systemctl', 'daemon-reload'], ['systemctl', 'enable', SERVICE], restart],
    });
  else if (owed.has('service')) out.push({ done: ['service'], run: [restart] });
  return out;
}

class CommandFailed extends Error {}

function status(err: unknown): string {
  const e = err as { status?: number | null; signal?: string | null; code?: string };
  return e.status != null ? `exit status ${e.status}` : (e.signal ?? e.code ?? String(err));
}

function main(argv: string[], say: (line: string) => void): number {
  const o = options(argv);
  const host = loadOneHost(o.env);
  const files = hostFiles(host, { envFile: o.env, dist: o.dist });
  // --root alone: the commands would act on this host, not on the root; none is run, none recorded
  const why = !o.reload ? '--no-reload' : o.root !== '/' && !o.runCommands ? `--root ${o.root}` : '';
  const owed = new Owed(path.join(o.root, PENDING), !why.startsWith('--root'));
  const earlier = new Set(owed.roles);
  const changed = files.filter((f) => !same(path.join(o.root, f.path), f));
  // recorded before a file is written: an interrupted run leaves what it owes
  owed.save(new Set([...earlier, ...changed.map((f) => f.role)]));

  const site = path.join(o.root, NGINX_SITE);
  const previousSite = current(site);
  for (const f of files) {
    const target = path.join(o.root, f.path);
    if (!changed.includes(f)) {
      say(`unchanged ${target}`);
      continue;
    }
    put(target, f);
    say(`wrote     ${target}`);
  }
  if (earlier.size > 0)
    say(`owed by an earlier run (${path.join(o.root, PENDING)}): ${ROLES.filter((r) => earlier.has(r)).join(', ')}`);
  const steps = commands(owed.roles);
  if (steps.length === 0) {
    say('unchanged: nothing to reload or restart');
    return 0;
  }

  for (const step of steps) {
    for (const [program, ...args] of step.run) {
      const line = [program, ...args].join(' ');
      if (why) {
        say(`skipped (${why}): ${line}`);
        continue;
      }
      say(`running   ${line}`);
      try {
        execFileSync(program, args, { stdio: 'inherit' });
      } catch (err) {
        const rest = new Set(owed.roles);
        let what = `${line} failed (${status(err)})`;
        if (program === 'nginx' && changed.some((f) => f.path === NGINX_SITE)) {
          // the refused site is not left for the next reload or boot to find
          if (previousSite) put(site, previousSite);
          else rmSync(site, { force: true });
          what = `nginx -t refused the new site (${status(err)}): ${site} is ${previousSite ? 'restored to what it was' : 'removed again (there was none)'}; nginx was not reloaded`;
          if (!earlier.has('nginx')) rest.delete('nginx');
        }
        owed.save(rest);
        const left = ROLES.filter((r) => rest.has(r));
        throw new CommandFailed(
          `${what}. ${left.length ? `Still owed, recorded in ${path.join(o.root, PENDING)}: ${left.join(', ')}. ` : ''}Fix the cause and run the set-up again.`,
        );
      }
    }
    if (!why) owed.save(new Set([...owed.roles].filter((r) => !step.done.includes(r))));
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
} catch (err) {
  process.stderr.write(`faas-preview one-host set-up: ${(err as Error).message}\n`);
  process.exitCode = err instanceof EnvError ? 2 : 1;
}
