/**
 * The lean S3 calls (src/assets/lean.ts over lean-http.ts, node's http client) against raw servers on 127.0.0.1 that answer
 * byte by byte what a test tells them to: framing and keep-alive, answers that never come, that are too long, that
 * are not HTTP or end early, local files that change while they are sent, a body that waits for the socket many
 * times, and TLS trusted through NODE_EXTRA_CA_CERTS. Failures are run through s3-call.ts, so the tests see what the
 * retry policy sees.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ClientRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createLeanS3, type LeanS3 } from '../../src/assets/lean.js';
import { FileChanged } from '../../src/assets/local.js';
import { s3Connection } from '../../src/assets/s3.js';
import { S3OperationError, s3Operation } from '../../src/assets/s3-call.js';
import { bucketSettings } from '../../test/support/s3.js';
import { describeWith } from '../../test/support/tools.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const CREDS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const TEXT = { contentType: 'text/plain', cacheControl: 'no-cache' };
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
/** Retries without waiting: what matters here is whether a failure is retried, not when. */
const POLICY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

interface Raw {
  endpoint: string;
  /** Raw bytes each connection sent, in order of connection. */
  connections: Buffer[];
  /** Connections the client closed or reset. */
  ended: number;
  /** Whole requests (head and Content-Length body) received. */
  requests: string[];
  close(): Promise<void>;
}

/** A server that calls `answer` with each whole request (head and Content-Length body) a connection sends. */
async function rawServer(answer: (socket: Socket, request: string, n: number) => void): Promise<Raw> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      raw.ended++;
    });
    socket.on('error', () => undefined);
    const index = raw.connections.push(Buffer.alloc(0)) - 1;
    let pending = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      raw.connections[index] = Buffer.concat([raw.connections[index], d]);
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const request = pending.subarray(0, end + 4 + length).toString('latin1');
        pending = pending.subarray(end + 4 + length);
        raw.requests.push(request);
        answer(socket, request, raw.requests.length);
      }
    });
  });
  const raw: Raw = {
    endpoint: '',
    connections: [],
    ended: 0,
    requests: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  raw.endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return raw;
}

describe('the lean S3 calls against raw servers', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(answer: Parameters<typeof rawServer>[0], o: { maxSockets?: number; timeoutMs?: number } = {}) {
    const raw = await rawServer(answer);
    cleanups.push(() => raw.close());
    const client = s3Connection(bucketSettings('previews', raw.endpoint, CREDS), {
      requestTimeoutMs: o.timeoutMs ?? 5000,
      env: {},
    });
    cleanups.push(() => client.destroy());
    const lean = (await createLeanS3(client, 'previews', { maxSockets: o.maxSockets ?? 4 }))!;
    cleanups.push(() => lean.close());
    return { raw, lean };
  }

  /** One PUT as the sync makes it: through s3Operation with the retry policy; the retry log lines go to `lines`. */
  function syncPut(
    lean: LeanS3,
    key: string,
    body: Buffer | (() => Readable),
    size: number,
    lines: string[] = [],
  ): Promise<string> {
    return s3Operation({ operation: 'PutObject', bucket: 'previews', key }, () => lean.put(key, body, size, TEXT), {
      retry: true,
      policy: POLICY,
      log: (l) => lines.push(l),
    });
  }

  it('sends signed PUTs framed by Content-Length, one after the other on one keep-alive connection', async () => {
    const { raw, lean } = await start((s) => s.write(OK));
    const keys = ['a', 'b b', 'c', 'd', 'e', 'f'];
    for (const k of keys) await lean.put(`pr-1/${k}.txt`, Buffer.from(`body of ${k}`), `body of ${k}`.length, TEXT);
    // a request may go to a second connection while the first is settling after its answer: two, not six
    expect(raw.connections.length).toBeLessThanOrEqual(2);
    expect(raw.requests.map((r) => r.split('\r\n')[0])).toEqual(
      keys.map((k) => `PUT /previews/pr-1/${encodeURIComponent(k)}.txt HTTP/1.1`),
    );
    const [first] = raw.requests;
    expect(first).toMatch(/\r\nhost: 127\.0\.0\.1:\d+\r\n/);
    expect(first).toMatch(/\r\ncontent-length: 9\r\n/);
    expect(first).toMatch(/\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n/);
    expect(first).toMatch(/\r\nuser-agent: faas-preview\r\n/);
    expect(first).toMatch(
      /\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}\r\n/,
    );
    expect(first.endsWith('\r\n\r\nbody of a')).toBe(true);
    expect(lean.requests()).toBe(keys.length);
  });

  it('lists with the query encoded once and sorted, and reads the page', async () => {
    const page =
      '<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>pr 1/a</Key><Size>3</Size><ETag>"x"</ETag></Contents></ListBucketResult>';
    const { raw, lean } = await start((s) =>
      s.write(
        `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${page.length.toString(16)}\r\n${page}\r\n0\r\n\r\n`,
      ),
    );
    expect(await lean.list('pr 1/', { token: 'tok/+=' })).toEqual({
      objects: [{ key: 'pr 1/a', size: 3, etag: '"x"' }],
      prefixes: [],
      truncated: false,
      nextToken: undefined,
    });
    expect(raw.requests[0].split('\r\n')[0]).toBe(
      'GET /previews?continuation-token=tok%2F%2B%3D&list-type=2&prefix=pr%201%2F HTTP/1.1',
    );
  });

  it('opens at most maxSockets connections; calls beyond wait for a free one', async () => {
    const held: Socket[] = [];
    const { raw, lean } = await start((s) => held.push(s), { maxSockets: 2 });
    const all = Promise.all(Array.from({ length: 5 }, (_, i) => lean.put(`k${i}`, Buffer.from('x'), 1, TEXT)));
    while (held.length < 2) await new Promise((r) => setTimeout(r, 10));
    const release = setInterval(() => held.splice(0).forEach((s) => s.write(OK)), 5);
    try {
      await all;
    } finally {
      clearInterval(release);
    }
    expect(raw.requests).toHaveLength(5);
    expect(raw.connections).toHaveLength(2);
  });

  it('an answer that never comes: ETIMEDOUT after request-timeout, retried as a network failure', async () => {
    const { raw, lean } = await start(() => undefined, { timeoutMs: 300 });
    const lines: string[] = [];
    const err = await syncPut(lean, 'hung.txt', Buffer.from('x'), 1, lines).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3OperationError);
    expect(err).toMatchObject({ attempts: 3, failure: { kind: 'network' } });
    expect((err as Error).message).toMatch(
      /^PutObject s3:\/\/previews\/hung\.txt: PUT http:\/\/127\.0\.0\.1:\d+\/previews\/hung\.txt: the server was silent for 300 ms \(ETIMEDOUT\) \(after 3 attempts\)$/,
    );
    expect(lines).toEqual([
      expect.stringMatching(/the server was silent for 300 ms \(ETIMEDOUT\); retrying up to 2 more times$/),
    ]);
    expect(raw.requests).toHaveLength(3);
  });

  it('a TLS handshake that never completes: ETIMEDOUT naming the connection', async () => {
    const silent = await rawServer(() => undefined); // accepts TCP, never speaks TLS
    cleanups.push(() => silent.close());
    const client = s3Connection(bucketSettings('previews', silent.endpoint.replace('http:', 'https:'), CREDS), {
      requestTimeoutMs: 300,
      env: {},
    });
    cleanups.push(() => client.destroy());
    const lean = (await createLeanS3(client, 'previews', { maxSockets: 1 }))!;
    cleanups.push(() => lean.close());
    await expect(lean.put('a.txt', Buffer.from('x'), 1, TEXT)).rejects.toMatchObject({
      code: 'ETIMEDOUT',
      message: expect.stringMatching(/: could not connect within 300 ms \(ETIMEDOUT\)$/),
    });
    expect(silent.connections).toHaveLength(1);
  });

  it('a listing longer than the limit: EPROTO once 16 MiB are read, the connection dropped', async () => {
    let written = 0;
    const { lean } = await start((s) => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = Buffer.from(`10000\r\n${'<a/>'.repeat(0x4000)}\r\n`);
      const more = (): void => {
        while (!s.destroyed && s.write(chunk)) written += 0x10000;
        if (!s.destroyed) s.once('drain', more);
      };
      more();
    });
    await expect(lean.list('p/')).rejects.toMatchObject({
      code: 'EPROTO',
      message: expect.stringMatching(/: the answer's body is over 16777216 bytes \(EPROTO\)$/),
    });
    expect(written).toBeLessThan(2 * 16 * 1024 * 1024); // the server was stopped, not read to its end
  });

  it('an error answer longer than a PUT accepts: EPROTO, whether announced or counted', async () => {
    const { raw, lean } = await start((s, _r, n) => {
      const body = 'x'.repeat(100_000);
      if (n === 1) s.write(`HTTP/1.1 403 Forbidden\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      else
        s.write(
          `HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
        );
    });
    await expect(lean.put('a', Buffer.from('x'), 1, TEXT)).rejects.toMatchObject({
      code: 'EPROTO',
      message: expect.stringMatching(/over 65536 bytes/),
    });
    await expect(lean.put('b', Buffer.from('x'), 1, TEXT)).rejects.toMatchObject({
      code: 'EPROTO',
      message: expect.stringMatching(/over 65536 bytes/),
    });
    expect(raw.requests).toHaveLength(2); // not retried by the call itself
  });

  it('an answer that is not HTTP: EPROTO, retried as a network failure on another connection', async () => {
    const { raw, lean } = await start((s, _r, n) => s.write(n === 1 ? 'SSH-2.0-OpenSSH_9.2\r\n\r\n' : OK));
    const lines: string[] = [];
    await syncPut(lean, 'ssh.txt', Buffer.from('x'), 1, lines);
    expect(lines).toEqual([
      expect.stringMatching(
        /: a malformed answer: .*\[HPE_INVALID_CONSTANT\] \(EPROTO\); retrying up to 2 more times$/,
      ),
    ]);
    expect(raw.requests).toHaveLength(2);
    expect(raw.connections).toHaveLength(2);
  });

  it('a malformed status line or Content-Length: EPROTO', async () => {
    const cases: [string, RegExp][] = [
      [
        'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n',
        /: a malformed answer: .*status.*\[HPE_INVALID_STATUS\] \(EPROTO\)$/,
      ],
      [
        'HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n',
        /: a malformed answer: .*Content-Length.*\[HPE_INVALID_CONTENT_LENGTH\] \(EPROTO\)$/,
      ],
      [
        'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
        /: the answer's body does not match its Content-Length \(EPROTO\)$/,
      ],
    ];
    const { lean } = await start((s, _r, n) => s.write(cases[n - 1][0]));
    for (const [i, [, said]] of cases.entries()) {
      await expect(lean.put(`k${i}`, Buffer.from('x'), 1, TEXT)).rejects.toMatchObject({
        code: 'EPROTO',
        message: expect.stringMatching(said),
      });
    }
  });

  it('a connection reset in the middle of the answer: ECONNRESET, and the retry goes through', async () => {
    const { raw, lean } = await start((s, _r, n) => {
      if (n === 1) {
        s.write('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 200\r\n\r\n<Error><Code>Intern');
        setTimeout(() => s.resetAndDestroy(), 20);
      } else s.write(OK);
    });
    const lines: string[] = [];
    await syncPut(lean, 'reset.txt', Buffer.from('x'), 1, lines);
    expect(lines).toEqual([
      expect.stringMatching(
        /^PutObject s3:\/\/previews\/reset\.txt: PUT http:\/\/\S+: read ECONNRESET; retrying up to 2 more times$/,
      ),
    ]);
    expect(raw.requests).toHaveLength(2);
  });

  it('a server that closes in the middle of the answer: ECONNRESET', async () => {
    const { lean } = await start((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    await expect(lean.put('a', Buffer.from('x'), 1, TEXT)).rejects.toMatchObject({
      code: 'ECONNRESET',
      message: expect.stringMatching(/the connection closed before the answer was complete/),
    });
  });

  it('a file that shrank or grew while sent: FileChanged, not retried, and the server never got a whole request', async () => {
    const { raw, lean } = await start((s) => s.write(OK));
    const shrank = () => Readable.from([Buffer.alloc(10, 1)]);
    const grew = () => Readable.from([Buffer.alloc(6, 1), Buffer.alloc(4, 2), Buffer.alloc(1, 3)]);
    for (const [key, body, want] of [
      ['shrank.bin', shrank, /: the file changed during the sync \(it shrank to 10 of the 20 bytes the walk saw\)$/],
      ['grew.bin', grew, /: the file changed during the sync \(it grew past the 10 bytes the walk saw\)$/],
    ] as const) {
      const err = await syncPut(lean, key, body, key === 'grew.bin' ? 10 : 20).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(S3OperationError);
      expect(err).toMatchObject({ attempts: 1, failure: { kind: 'local', message: expect.stringMatching(want) } });
      expect((err as Error).cause).toBeInstanceOf(FileChanged);
    }
    expect(raw.requests).toEqual([]);
  });

  it('streams a body of exactly the announced size', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    const { raw, lean } = await start((s) => s.write(OK));
    const stream = () =>
      Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20, 3 << 20), big.subarray(3 << 20)]);
    await lean.put('big.bin', stream, big.length, TEXT);
    expect(raw.requests).toHaveLength(1);
    expect(Buffer.from(raw.requests[0], 'latin1').subarray(-big.length).equals(big)).toBe(true);
  });

  it('a body that waits for the socket again and again leaves no listener behind on its request', async () => {
    // every listener added to a request while it is sent, counted through node's own client
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the request as `this`
    const on = ClientRequest.prototype.on;
    const counts = { waits: 0, mostClose: 0 };
    const counting = function (this: ClientRequest, event: string, fn: () => void) {
      const r = on.call(this, event, fn);
      if (event === 'drain') counts.waits++;
      counts.mostClose = Math.max(counts.mostClose, this.listenerCount('close'));
      return r;
    };
    ClientRequest.prototype.on = counting as typeof on;
    try {
      const big = Buffer.alloc(8 << 20, 9);
      const { raw, lean } = await start((s) => s.write(OK));
      const chunks = () => Readable.from(Array.from({ length: 128 }, (_, i) => big.subarray(i << 16, (i + 1) << 16)));
      await lean.put('big.bin', chunks, big.length, TEXT);
      expect(raw.requests).toHaveLength(1);
    } finally {
      ClientRequest.prototype.on = on;
    }
    expect(counts.waits).toBeGreaterThan(10); // 8 MiB in 64 KiB writes: the socket's buffer fills many times
    expect(counts.mostClose).toBeLessThan(5);
  });

  it('closes a connection idle for 4 s even when the server would keep it for minutes', async () => {
    const { raw, lean } = await start((s) =>
      s.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=600\r\nContent-Length: 0\r\n\r\n'),
    );
    await lean.put('a', Buffer.from('x'), 1, TEXT);
    await new Promise((r) => setTimeout(r, 3500));
    expect(raw.ended).toBe(0); // this 3.5 s timer comes due before the client's 4 s idle one: still open
    while (raw.ended < 1) await new Promise((r) => setTimeout(r, 50));
    await lean.put('b', Buffer.from('x'), 1, TEXT);
    expect(raw.connections).toHaveLength(2);
  }, 15_000);

  it('after close(), the connections end and calls fail with ECONNABORTED', async () => {
    const { raw, lean } = await start((s) => s.write(OK));
    await lean.put('a', Buffer.from('x'), 1, TEXT);
    lean.close();
    await expect(lean.put('b', Buffer.from('x'), 1, TEXT)).rejects.toMatchObject({ code: 'ECONNABORTED' });
    while (raw.ended < 1) await new Promise((r) => setTimeout(r, 10));
    expect(raw.requests).toHaveLength(1);
  });
});

describeWith(['openssl']).describe('the lean S3 calls over TLS', () => {
  let dir: string;
  let server: ReturnType<typeof createHttpsServer>;
  let endpoint: string;
  const connections: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lean-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => {
        req.resume();
        req.on('end', () => res.end());
      },
    );
    server.on('secureConnection', (s) => connections.push(s.getProtocol() ?? ''));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `https://localhost:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Two PUTs in a process that trusts the test's CA the way a runner would (NODE_EXTRA_CA_CERTS), or does not; it
   * prints what is left keeping it alive without closing the lean calls. Asynchronous: the server runs in this process.
   */
  async function putsIn(child: {
    trusted: boolean;
    endpoint: string;
  }): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const script = join(dir, 'client.mts');
    writeFileSync(
      script,
      `import { createLeanS3 } from ${JSON.stringify(join(ROOT, 'src/assets/lean.ts'))};
import { s3Connection } from ${JSON.stringify(join(ROOT, 'src/assets/s3.ts'))};
const client = s3Connection({ bucket: 'previews', endpoint: ${JSON.stringify(child.endpoint)}, region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 'b', concurrency: 1 });
const lean = await createLeanS3(client, 'previews', { maxSockets: 1 });
try {
  for (const k of ['a', 'b']) await lean.put('pr-1/' + k, Buffer.from('payload ' + k), 9, { contentType: 'text/plain', cacheControl: 'no-cache' });
} catch (err) {
  console.error(err.code, err.message);
  process.exit(3);
}
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify(process.getActiveResourcesInfo().filter((r) => !/^(PipeWrap|TTYWrap)$/.test(r))));`,
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem'),
    };
    if (!child.trusted) delete env.NODE_EXTRA_CA_CERTS;
    const p = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [status] = (await once(p, 'close')) as [number | null];
    return { status, stdout, stderr };
  }

  it('sends HTTP/1.1 over one verified TLS connection with SNI, whose idle socket does not keep the process alive', async () => {
    connections.length = 0;
    const seen: string[] = [];
    const onRequest = (req: { method?: string; url?: string; socket: unknown }) =>
      seen.push(`${req.method} ${req.url} SNI ${(req.socket as { servername?: string }).servername || '-'}`);
    server.on('request', onRequest);
    try {
      const r = await putsIn({ trusted: true, endpoint });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
    } finally {
      server.off('request', onRequest);
    }
    expect(seen).toEqual(['PUT /previews/pr-1/a SNI localhost', 'PUT /previews/pr-1/b SNI localhost']);
    expect(connections).toEqual([expect.stringMatching(/^TLSv1\.[23]$/)]);
  });

  it('sends no SNI to an IP address', async () => {
    const seen: string[] = [];
    const onRequest = (req: { socket: unknown }) =>
      seen.push((req.socket as { servername?: string }).servername || '-');
    server.on('request', onRequest);
    try {
      expect((await putsIn({ trusted: true, endpoint: endpoint.replace('localhost', '127.0.0.1') })).status).toBe(0);
    } finally {
      server.off('request', onRequest);
    }
    expect(seen).toEqual(['-', '-']);
  });

  it('refuses a certificate nobody vouches for', async () => {
    const r = await putsIn({ trusted: false, endpoint });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /^DEPTH_ZERO_SELF_SIGNED_CERT PUT https:\/\/localhost:\d+\/previews\/pr-1\/a: self[- ]signed certificate/,
    );
  });
});
