/**
 * A private Docker daemon (Debian's docker.io) for one test file: its own data root, exec root, socket and pid
 * file in a temporary directory, no bridge and no iptables rules (the host's network is never touched), vfs
 * storage (works inside containers and on any filesystem). Registries on 127.0.0.0/8 are plain HTTP to it without
 * configuration. The client finds it through `DOCKER_HOST`; a private `DOCKER_CONFIG` keeps logins out of
 * ~/.docker.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { waitFor } from './tools.js';

export interface Dockerd {
  /** What a docker client needs to use this daemon and nothing else. */
  env: { DOCKER_HOST: string; DOCKER_CONFIG: string };
  /** Milliseconds from spawn until the daemon answered `/_ping`. */
  startMs: number;
  close(): Promise<void>;
}

const STOP_GRACE_MS = 15_000;

export async function startDockerd(): Promise<Dockerd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-dockerd-'));
  const socket = path.join(dir, 'docker.sock');
  mkdirSync(path.join(dir, 'config'));
  // Its own daemon.json: the host's /etc/docker/daemon.json (hosts, data-root…) would clash with the flags below,
  // and 20.10 would otherwise write its identity key to /etc/docker/key.json.
  writeFileSync(path.join(dir, 'daemon.json'), JSON.stringify({ 'deprecated-key-path': path.join(dir, 'key.json') }));
  const log = openSync(path.join(dir, 'dockerd.log'), 'a');
  const started = Date.now();
  const child = spawn(
    'dockerd',
    [
      `--config-file=${path.join(dir, 'daemon.json')}`,
      `--data-root=${path.join(dir, 'data')}`,
      `--exec-root=${path.join(dir, 'exec')}`,
      `--host=unix://${socket}`,
      `--pidfile=${path.join(dir, 'docker.pid')}`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      '--storage-driver=vfs',
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const lastResort = () => killAll(dir);
  process.once('exit', lastResort);

  const close = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      // A referenced timer: the child is unref'd, so without it a script awaiting close() could end mid-stop.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exit, new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(timer);
    }
    killAll(dir);
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', lastResort);
  };

  try {
    await waitFor(async () => exited || (await ping(socket)) === 'OK', 'dockerd', 30_000);
    if (exited) throw new Error('dockerd exited');
  } catch (err) {
    const tail = readFileSync(path.join(dir, 'dockerd.log'), 'utf8').split('\n').slice(-15).join('\n');
    await close();
    throw new Error(`private dockerd did not start (${(err as Error).message}):\n${tail}`, { cause: err });
  }
  return {
    env: { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(dir, 'config') },
    startMs: Date.now() - started,
    close,
  };
}

function ping(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('ping timed out')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * SIGKILL whatever of this daemon survived: dockerd, the containerd it started (reparented once dockerd is gone)
 * and container shims, all found by this daemon's private directory in their command line (a pid alone could
 * have been reused).
 */
function killAll(dir: string): void {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** dockerd bind-mounts its data root onto itself and unmounts it only on a clean stop. */
function unmountUnder(dir: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const point of points) if (existsSync(point)) execFileSync('umount', ['--lazy', point], { stdio: 'ignore' });
}
