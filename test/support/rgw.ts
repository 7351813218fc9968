/**
 * Ceph radosgw for tests: a real S3 implementation that checks SigV4 signatures, answers with real multipart
 * ETags (`md5-N`) and sends errors with an empty `<Message>`. One throwaway cluster in a temporary directory:
 * one mon and one OSD (memstore: nothing on disk but logs), radosgw with the beast front end on 127.0.0.1, cluster
 * auth `none`, one S3 user from `radosgw-admin user create`, one bucket. Runs as root with no stdin.
 *
 * Start-up is about a second (see startRgw), so a test file starts one cluster (beforeAll) and its tests use their
 * own prefixes. The daemons run under one bash supervisor in a process group of its own: it kills and reaps them
 * when its stdin reaches EOF (close(), or the test process dying in any way) or when one daemon exits; nothing
 * outlives the test process. The client talks to radosgw through the same wire tap as s3rver's (a proxy on
 * 127.0.0.1), so tests record requests and inject faults the same way; the proxy keeps the Host header, so the
 * signatures radosgw checks are the client's own.
 */
import { spawn, execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectTo, tapRequests, type S3Emulator, type StartS3Options, type WireTap } from './s3.js';
import { freePort } from './tools.js';

/** The Debian programs a cluster needs (packages ceph-base, ceph-mon, ceph-osd, radosgw, ceph-common). */
export const RGW_PROGRAMS = ['monmaptool', 'osdmaptool', 'ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'bash'];

const run = promisify(execFile);
const START_TIMEOUT_MS = 60_000;

/**
 * - `ms * mode = crc secure`: without them radosgw cannot reach a mon with auth `none` (auth error -13).
 * - pools of size 1 with 8 PGs: one OSD, and radosgw's 5 pools stay under `mon max pg per osd` without a mgr.
 * - short paxos and objecter intervals: every pool radosgw creates is a mon proposal (1 s each by default), and a
 *   client whose first request found no OSD up retries on the objecter tick (5 s by default).
 */
function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
ms client mode = crc secure
keyring = /dev/null
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
mon data = ${dir}/mon
osd data = ${dir}/osd
osd objectstore = memstore
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 1
paxos propose interval = 0.01
paxos min wait = 0.001
objecter tick interval = 0.1

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw thread pool size = 64
`;
}

/**
 * Starts the daemons and then waits: for EOF on stdin (our end closed it, or this process is gone) or for any daemon
 * to exit. Either way every daemon is killed and reaped before the shell exits. The directory goes with them unless a
 * daemon exited by itself: then its logs stay for the error message, and close() removes them.
 */
function supervisor(dir: string, conf: string, log: string): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const daemon = (name: string, cmd: string): string => `${cmd} -c ${q(conf)} >${q(`${log}/${name}.out`)} 2>&1 3<&- &`;
  return `exec 3<&0 # background jobs get /dev/null as stdin: the watcher reads ours from fd 3
${daemon('mon', 'ceph-mon -f -i a')}
${daemon('osd', 'ceph-osd -f -i 0')}
${daemon('rgw', 'radosgw -f -n client.rgw')}
cat <&3 >/dev/null & watcher=$!
wait -n
kill -0 $watcher 2>/dev/null && keep=1
kill -KILL $(jobs -p) 2>/dev/null
wait
[ -n "$keep" ] || rm -rf ${q(dir)}
`;
}

/** Any HTTP answer from radosgw: its front end is up, which it starts only once its pools and zone are ready. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
  });
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Framing of radosgw's answer, not of ours: a chunked body goes out whole in one `res.end`, with a Content-Length. */
const HOP_BY_HOP = new Set(['transfer-encoding', 'connection', 'keep-alive']);

/** A proxy to radosgw that forwards requests untouched and answers with one `res.end(body)` (see tapRequests). */
function forwardTo(port: number): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  return (req, res) => {
    const up = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent },
      (ur) => {
        const chunks: Buffer[] = [];
        ur.on('data', (c: Buffer) => chunks.push(c));
        ur.on('error', () => res.destroy());
        ur.on('end', () => {
          res.statusCode = ur.statusCode ?? 502;
          for (const [name, value] of Object.entries(ur.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
          }
          res.end(Buffer.concat(chunks));
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
}

export interface RgwServer extends S3Emulator {
  /** radosgw itself, without the tap. */
  directEndpoint: string;
  /** Milliseconds from the first command to radosgw answering with the user and bucket made. */
  startMs: number;
  /** Another S3 user (`radosgw-admin user create --uid=<uid>`) with fresh keys; it owns nothing and is granted nothing. */
  addUser(uid: string): Promise<{ accessKeyId: string; secretAccessKey: string }>;
}

/** A new cluster's configuration and stores in `dir`: a mon store and an OSD that already exist in the maps. */
async function makeCluster(dir: string, monPort: number, rgwPort: number): Promise<string> {
  for (const sub of ['mon', 'osd', 'run', 'log']) mkdirSync(join(dir, sub));
  const conf = join(dir, 'ceph.conf');
  const fsid = randomUUID();
  writeFileSync(conf, cephConf(dir, fsid, monPort, rgwPort));
  await Promise.all([
    run('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, join(dir, 'monmap')]),
    // the OSD exists in the first osdmap: no `ceph osd create` round trip before it can boot
    run('osdmaptool', ['--createsimple', '1', '--clobber', join(dir, 'osdmap')]),
  ]);
  await Promise.all([
    run('ceph-mon', [
      '--mkfs',
      '-i',
      'a',
      '-c',
      conf,
      '--monmap',
      join(dir, 'monmap'),
      '--osdmap',
      join(dir, 'osdmap'),
    ]),
    run('ceph-osd', ['--mkfs', '-i', '0', '-c', conf, '--no-mon-config']), // no mon yet: take the file's settings only
  ]);
  return conf;
}

interface Daemons {
  /** Rejects when the daemons are gone, with their last log lines. */
  gone: Promise<never>;
  /** Ends them (EOF on the supervisor's stdin) and waits until they are reaped. */
  stop(): Promise<void>;
}

function startDaemons(dir: string, conf: string): Daemons {
  const log = join(dir, 'log');
  const sh = spawn('bash', ['-c', supervisor(dir, conf, log)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  sh.unref();
  (sh.stdin as unknown as Socket).unref(); // this process may exit without close(): the pipe's EOF stops the daemons
  const exited = new Promise<void>((resolve) => sh.once('exit', () => resolve()));
  const logs = (): string =>
    [
      ...['mon', 'osd', 'rgw'].map((d) => `--- ${d}\n${tail(join(log, `${d}.out`))}`),
      `--- radosgw log\n${tail(join(log, 'client.rgw.log'))}`,
    ].join('\n');
  const gone = exited.then(() => Promise.reject(new Error(`a Ceph daemon exited during start-up:\n${logs()}`)));
  gone.catch(() => undefined);
  return {
    gone,
    async stop(): Promise<void> {
      if (sh.exitCode !== null || sh.signalCode !== null) return;
      sh.stdin?.end();
      const force = setTimeout(() => {
        try {
          process.kill(-sh.pid!, 'SIGKILL'); // the supervisor itself is stuck: end its whole group
        } catch {
          // gone meanwhile
        }
      }, 5000);
      await exited;
      clearTimeout(force);
    },
  };
}

async function waitForRgw(port: number, daemons: Daemons, dir: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await Promise.race([answers(port), daemons.gone]))) {
    if (Date.now() > deadline) {
      throw new Error(
        `radosgw did not answer on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms:\n${tail(join(dir, 'log', 'client.rgw.log'))}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * An S3 user with fresh random keys. radosgw-admin itself sometimes crashes on a loaded machine (measured in CI: a
 * segfault in RGWWatcher::reinit after "Transport endpoint is not connected"), so the creation is tried three times,
 * and a crash after the user was written counts once `user info` shows the keys.
 */
async function createUser(
  conf: string,
  uid = 'faas-preview',
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const credentials = {
    accessKeyId: randomBytes(10).toString('hex').toUpperCase(),
    secretAccessKey: randomBytes(20).toString('hex'),
  };
  const { accessKeyId, secretAccessKey } = credentials;
  const admin = (...args: string[]) => run('radosgw-admin', ['-c', conf, '-n', 'client.admin', 'user', ...args]);
  for (let attempt = 1; ; attempt++) {
    try {
      await admin(
        'create',
        `--uid=${uid}`,
        `--display-name=${uid}`,
        `--access-key=${accessKeyId}`,
        `--secret-key=${secretAccessKey}`,
      );
      return credentials;
    } catch (err) {
      const info = await admin('info', `--uid=${uid}`).catch(() => undefined);
      if (info?.stdout.includes(accessKeyId)) return credentials;
      if (attempt === 3) throw err;
    }
  }
}

/** The tap in front of radosgw, on a port of its own. */
async function listenTap(
  rgwPort: number,
  latencyMs?: number,
): Promise<{ server: http.Server; endpoint: string; tap: WireTap }> {
  const server = http.createServer();
  const tap = tapRequests(server, forwardTo(rgwPort), latencyMs);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tap };
}

export async function startRgw(options: StartS3Options = {}): Promise<RgwServer> {
  const started = Date.now();
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'rgw-'));
  let daemons: Daemons | undefined;
  let proxy: http.Server | undefined;
  const stop = async (): Promise<void> => {
    proxy?.closeAllConnections();
    proxy?.close();
    await daemons?.stop();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    const [monPort, rgwPort] = [await freePort(), await freePort()];
    const conf = await makeCluster(dir, monPort, rgwPort);
    daemons = startDaemons(dir, conf);
    await waitForRgw(rgwPort, daemons, dir);
    const credentials = await createUser(conf);
    const { server, endpoint, tap } = await listenTap(rgwPort, options.latencyMs);
    proxy = server;
    const s3 = await connectTo({
      kind: 'rgw',
      endpoint,
      bucket: options.bucket ?? 'previews',
      credentials,
      concurrency: options.concurrency,
      tap,
      stop,
    });
    return {
      ...s3,
      directEndpoint: `http://127.0.0.1:${rgwPort}`,
      startMs: Date.now() - started,
      addUser: (uid) => createUser(conf, uid),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
