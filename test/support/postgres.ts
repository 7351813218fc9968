/**
 * A real PostgreSQL server (Debian's `postgresql`) for one test file: its own cluster in a temporary directory,
 * listening on 127.0.0.1 on a free port, unix sockets inside that directory, fsync off. TCP connections need a
 * SCRAM password (pg_hba `scram-sha-256`), so a wrong password really fails the way it does on a team's server.
 *
 * PostgreSQL refuses to run as root: as root (CI), initdb and postgres run as the `postgres` user the Debian package
 * creates, in a directory it owns; as anyone else they run as that user.
 *
 * The binaries live in /usr/lib/postgresql/<major>/bin, not on PATH: the newest installed major is used.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from './tools.js';

export interface Postgres {
  /** Superuser URL (`postgres` with a password) over TCP. */
  url: string;
  host: string;
  port: number;
  superuser: { user: string; password: string };
  /** The major version running, e.g. 15. */
  major: number;
  /** A connected client for `url` with `database` (default `postgres`) and optionally another user. */
  connect(o?: { database?: string; user?: string; password?: string }): Promise<pg.Client>;
  /** A URL for another role or database on this server. */
  urlFor(o: { user?: string; password?: string; database?: string }): string;
  /** Milliseconds spent in initdb, and from starting postgres until it accepted a connection. */
  timings: { initdbMs: number; startMs: number };
  /** The postmaster's pid and the temporary directory holding the cluster, its sockets and its log. */
  pid: number;
  dir: string;
  close(): Promise<void>;
}

const ROOT = '/usr/lib/postgresql';
const STOP_GRACE_MS = 10_000;

/** The bin directory of the newest PostgreSQL installed, or undefined. */
export function postgresBin(): string | undefined {
  if (!existsSync(ROOT)) return undefined;
  const majors = readdirSync(ROOT)
    .filter(
      (d) =>
        /^\d+$/.test(d) &&
        existsSync(path.join(ROOT, d, 'bin', 'postgres')) &&
        existsSync(path.join(ROOT, d, 'bin', 'initdb')),
    )
    .map(Number)
    .sort((a, b) => b - a);
  return majors.length ? path.join(ROOT, String(majors[0]), 'bin') : undefined;
}

/**
 * `describe` when a PostgreSQL server is installed; elsewhere a skip whose name says which Debian package to
 * install. In CI (CI=true) a missing server is a failure, because .ci/run installs it.
 */
export function describeWithPostgres(): jest.Describe {
  if (postgresBin() || process.env.CI) return describe;
  return ((name: string, fn: () => void) =>
    describe.skip(
      `${name} (skipped: no ${ROOT}/<major>/bin/postgres; apt-get install postgresql)`,
      fn,
    )) as unknown as jest.Describe;
}

/** uid/gid to run the server as: the `postgres` user when we are root, ourselves otherwise. */
function serverIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  if (!bin) throw new Error(`no PostgreSQL under ${ROOT}: apt-get install postgresql`);
  const major = Number(path.basename(path.dirname(bin)));
  const who = serverIdentity();
  const dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-postgres-'));
  if (who) chownSync(dir, who.uid, who.gid);
  const data = path.join(dir, 'data');
  const password = 'pg-super-' + Math.random().toString(36).slice(2);
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (who) chownSync(pwfile, who.uid, who.gid);

  const run = { ...(who ?? {}), cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } };
  let t0 = Date.now();
  execFileSync(
    path.join(bin, 'initdb'),
    [
      '-D',
      data,
      '--username=postgres',
      `--pwfile=${pwfile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ],
    { ...run, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const initdbMs = Date.now() - t0;
  rmSync(pwfile);

  const port = await freePort();
  const settings = [
    'listen_addresses=127.0.0.1',
    `port=${port}`,
    `unix_socket_directories=${dir}`,
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    'max_connections=50',
    'logging_collector=off',
  ];
  t0 = Date.now();
  const logFile = path.join(dir, 'postgres.log');
  const log = openSync(logFile, 'a');
  const child = spawn(path.join(bin, 'postgres'), ['-D', data, ...settings.flatMap((s) => ['-c', s])], {
    ...run,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const lastResort = () => {
    if (!exited) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', lastResort);

  const host = '127.0.0.1';
  const urlFor = (o: { user?: string; password?: string; database?: string }) => {
    const u = new URL(`postgres://${host}:${port}/`);
    u.username = encodeURIComponent(o.user ?? 'postgres');
    u.password = encodeURIComponent(o.password ?? password);
    u.pathname = `/${encodeURIComponent(o.database ?? 'postgres')}`;
    return u.toString();
  };
  const connect = async (o: { database?: string; user?: string; password?: string } = {}) => {
    const client = new pg.Client({ connectionString: urlFor(o), connectionTimeoutMillis: 5_000 });
    // A session the server ends (DROP DATABASE … WITH (FORCE), shutdown) is an 'error' event: unhandled, it would end the test process.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };

  const close = async () => {
    if (!exited) {
      // SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, no wait for them to disconnect.
      child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exit, new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(timer);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', lastResort);
  };

  try {
    await waitFor(
      async () => {
        if (exited) return true;
        const c = await connect();
        await c.end();
        return true;
      },
      'postgres to accept connections',
      30_000,
    );
    if (exited) throw new Error('postgres exited');
  } catch (err) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    await close();
    throw new Error(`PostgreSQL ${major} did not start (${(err as Error).message}):\n${tail}`, { cause: err });
  }
  const startMs = Date.now() - t0;
  return {
    url: urlFor({}),
    host,
    port,
    superuser: { user: 'postgres', password },
    major,
    connect,
    urlFor,
    timings: { initdbMs, startMs },
    pid: child.pid!,
    dir,
    close,
  };
}
