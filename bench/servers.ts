/**
 * The S3 servers the bench runs against, measured the same way for every tool:
 * - s3rver, in the bench process (test/support/s3.ts), objects on tmpfs when there is one: requests counted by its
 *   wire tap, server CPU = the bench process's CPU while a tool runs (it does nothing else meanwhile);
 * - Ceph radosgw (test/support/rgw.ts): the tools talk to radosgw directly, not through the test tap (a proxy in this
 *   process would add its own CPU to every request); requests counted by radosgw's own `req` perf counter (its admin
 *   socket), server CPU = utime + stime of the cluster's daemons (radosgw, OSD, mon) from /proc.
 * Objects written are counted the same way on both: a listing before and after (new key, or a new ETag or
 * Last-Modified), which also catches server-side copies (rclone updates modification times that way).
 *
 * radosgw keeps the tail of a deleted object for its garbage collector, which by default waits 2 hours, and the
 * test cluster's memstore OSD holds 1 GiB: `reclaim()` runs the collector after each teardown. A full OSD does not
 * refuse writes, it never answers them (measured: PUTs silent until the client's timeout).
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AssetSettings } from '../src/settings.js';
import { RGW_PROGRAMS, startRgw } from '../test/support/rgw.js';
import { startS3, type S3Emulator } from '../test/support/s3.js';
import { hasCommand } from '../test/support/tools.js';

export type ServerKind = 's3rver' | 'rgw';
export const SERVER_KINDS: ServerKind[] = ['s3rver', 'rgw'];

interface Counters {
  requests: number;
  /** CPU time of the server's processes, ms. */
  cpuMs: number;
}

/** Key → ETag and Last-Modified, to tell which objects a phase wrote. */
export type Listing = Map<string, string>;

export interface BenchServer {
  kind: ServerKind;
  /** What the tools talk to. */
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** For our sync and the pipeline's action. */
  settings: AssetSettings;
  client: S3Client;
  describe: string;
  counters(): Promise<Counters>;
  list(prefix: string): Promise<Listing>;
  /** After a teardown: space of deleted objects given back now. */
  reclaim(): Promise<void>;
  close(): Promise<void>;
}

const run = promisify(execFile);

/** Why `kind` cannot run here, or undefined. */
export function missingFor(kind: ServerKind): string | undefined {
  if (kind === 's3rver') return undefined;
  const missing = RGW_PROGRAMS.filter((p) => !hasCommand(p));
  return missing.length
    ? `radosgw needs ${missing.join(', ')} (Debian: apt-get install ceph-mon ceph-osd radosgw ceph-common)`
    : undefined;
}

async function listObjects(client: S3Client, bucket: string, prefix: string): Promise<Listing> {
  const out: Listing = new Map();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) out.set(o.Key, `${o.ETag} ${o.LastModified?.toISOString()}`);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Objects of `after` that are new or changed since `before`. */
export function written(before: Listing, after: Listing): number {
  let n = 0;
  for (const [key, v] of after) if (before.get(key) !== v) n++;
  return n;
}

export async function startServer(
  kind: ServerKind,
  o: { concurrency: number; latencyMs: number; bucket: string; work: string },
): Promise<BenchServer> {
  return kind === 's3rver' ? startS3rver(o) : startRadosgw(o);
}

async function startS3rver(o: { concurrency: number; latencyMs: number; bucket: string }): Promise<BenchServer> {
  const tmpfs = existsSync('/dev/shm');
  const s3: S3Emulator = await startS3({
    bucket: o.bucket,
    concurrency: o.concurrency,
    latencyMs: o.latencyMs,
    parentDir: tmpfs ? '/dev/shm' : undefined,
  });
  return {
    kind: 's3rver',
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    settings: { ...s3.settings, concurrency: o.concurrency },
    client: s3.client,
    describe: `s3rver on 127.0.0.1, in the bench process, objects on ${tmpfs ? 'tmpfs' : 'disk'}${o.latencyMs ? `, ${o.latencyMs} ms added before each request` : ''}`,
    async counters() {
      const c = process.cpuUsage();
      return { requests: s3.requests().length, cpuMs: (c.user + c.system) / 1000 };
    },
    list: (prefix) => listObjects(s3.client, s3.bucket, prefix),
    reclaim: async () => undefined,
    close: () => s3.close(),
  };
}

/** One command on a Ceph admin socket: the command as JSON and a NUL; the answer is a 4-byte length and the output. */
function adminCommand(socket: string, command: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    const chunks: Buffer[] = [];
    s.on('connect', () => s.write(JSON.stringify(command) + '\0'));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('end', () => {
      const all = Buffer.concat(chunks);
      if (all.length < 4 || all.length !== 4 + all.readUInt32BE(0))
        return reject(new Error(`short answer from ${socket}`));
      resolve(JSON.parse(all.subarray(4).toString('utf8')));
    });
  });
}

const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ

/** utime + stime of every process whose command line names `conf`, ms. */
function daemonsCpuMs(conf: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(conf)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the whole line)
    } catch {
      // gone meanwhile
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

async function startRadosgw(o: {
  concurrency: number;
  latencyMs: number;
  bucket: string;
  work: string;
}): Promise<BenchServer> {
  // a parent of its own: the cluster's directory (config, admin sockets) is the only entry in it
  const parent = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : o.work, 'bench-rgw-'));
  try {
    const rgw = await startRgw({ bucket: o.bucket, concurrency: o.concurrency, parentDir: parent });
    const dir = join(parent, readdirSync(parent)[0]);
    const conf = join(dir, 'ceph.conf');
    const asok = join(dir, 'run', 'client.rgw.asok');
    const settings = { ...rgw.settings, endpoint: rgw.directEndpoint, concurrency: o.concurrency };
    const { accessKeyId, secretAccessKey } = rgw.settings as { accessKeyId: string; secretAccessKey: string };
    return {
      kind: 'rgw',
      endpoint: rgw.directEndpoint,
      bucket: rgw.bucket,
      credentials: { accessKeyId, secretAccessKey },
      settings,
      client: rgw.client,
      describe: `Ceph radosgw ${cephVersion()} (beast front end, one memstore OSD) on 127.0.0.1, the tools talking to it directly${o.latencyMs ? ' (--latency applies to s3rver only)' : ''}`,
      async counters() {
        const dump = (await adminCommand(asok, { prefix: 'perf dump' })) as { rgw: { req: number } };
        return { requests: dump.rgw.req, cpuMs: daemonsCpuMs(conf) };
      },
      list: (prefix) => listObjects(rgw.client, rgw.bucket, prefix),
      async reclaim() {
        await run('radosgw-admin', ['-c', conf, '-n', 'client.admin', 'gc', 'process', '--include-all']);
      },
      async close() {
        await rgw.close();
        rmSync(parent, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(parent, { recursive: true, force: true });
    throw err;
  }
}

function cephVersion(): string {
  const r = spawnSync('radosgw', ['--version'], { encoding: 'utf8' });
  return /ceph version (\S+)/.exec(r.stdout ?? '')?.[1] ?? '';
}
