/**
 * Set-up of the edge on one host from one env file:
 *
 *   npx tsx deploy/one-host/setup.ts --env /etc/faas-preview/one-host.env [--root DIR] [--dist DIR] [--no-reload]
 *
 * Checks the env file first (an error names the variable), then writes nginx's site, the edge service's env file
 * and unit and the bundled service (files.ts) where they differ from what is there, one line per file ("wrote" or
 * "unchanged"). Only when something changed, and only for the real root without --no-reload: `nginx -t` and a
 * reload of nginx, `systemctl daemon-reload`, and a restart of the service. Running it again changes nothing.
 * Exit status: 0 done, 2 a bad env file or option, 1 a failed command.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvError, loadOneHost } from './env.js';
import { hostFiles, type HostFile, type Role } from './files.js';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVICE = 'faas-preview-waker.service';

interface Options {
  env: string;
  root: string;
  dist: string;
  reload: boolean;
}

function options(argv: string[]): Options {
  const o: Partial<Options> = { root: '/', dist: path.join(REPOSITORY, 'dist/waker'), reload: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--no-reload') o.reload = false;
    else if (['--env', '--root', '--dist'].includes(flag) && value) {
      o[flag.slice(2) as 'env' | 'root' | 'dist'] = path.resolve(value);
      i++;
    } else throw new EnvError(flag, 'is not an option; use --env FILE [--root DIR] [--dist DIR] [--no-reload]');
  }
  if (!o.env) throw new EnvError('--env', 'is required: the one-host env file (deploy/one-host/one-host.env.example)');
  return o as Options;
}

/** Whether the file on disk already has this content and mode. */
function same(target: string, f: HostFile): boolean {
  try {
    return (statSync(target).mode & 0o7777) === f.mode && readFileSync(target).equals(f.content);
  } catch {
    return false;
  }
}

function write(root: string, files: HostFile[], say: (line: string) => void): Set<Role> {
  const changed = new Set<Role>();
  for (const f of files) {
    const target = path.join(root, f.path);
    if (same(target, f)) {
      say(`unchanged ${target}`);
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.content, { mode: f.mode });
    chmodSync(target, f.mode);
    changed.add(f.role);
    say(`wrote     ${target}`);
  }
  return changed;
}

/** What the changes ask for, in order: nginx checked before it reloads, units re-read before the restart. */
function commands(changed: Set<Role>): string[][] {
  const out: string[][] = [];
  if (changed.has('nginx')) out.push(['nginx', '-t'], ['systemctl', 'reload', 'nginx']);
  if (changed.has('unit')) out.push(['systemctl', 'daemon-reload'], ['systemctl', 'enable', SERVICE]);
  if (changed.has('unit') || changed.has('service')) out.push(['systemctl', 'restart', SERVICE]);
  return out;
}

function main(argv: string[], say: (line: string) => void): number {
  const o = options(argv);
  const host = loadOneHost(o.env);
  const changed = write(o.root, hostFiles(host, { envFile: o.env, dist: o.dist }), say);
  const run = commands(changed);
  if (run.length === 0) {
    say('unchanged: nothing to reload or restart');
    return 0;
  }
  const why = o.root !== '/' ? `--root ${o.root}` : !o.reload ? '--no-reload' : '';
  for (const [program, ...args] of run) {
    if (why) {
      say(`skipped (${why}): ${[program, ...args].join(' ')}`);
      continue;
    }
    say(`running   ${[program, ...args].join(' ')}`);
    execFileSync(program, args, { stdio: 'inherit' });
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
} catch (err) {
  process.stderr.write(`faas-preview one-host set-up: ${(err as Error).message}\n`);
  process.exitCode = err instanceof EnvError ? 2 : 1;
}
