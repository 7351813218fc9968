/**
 * The sync's HTTP/1.1 client (src/assets/http1.ts) against servers on 127.0.0.1 that answer byte by byte what a
 * test tells them to: keep-alive reuse and its limits, connections the server closes, answers that end early or never
 * come, streamed bodies, and requests refused before any byte is sent.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Http1Pool, type Http1Request } from '../../src/assets/http1.js';
import { describeWith } from '../../test/support/tools.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

interface Seen {
  /** Raw bytes of each request (head and body), per connection. */
  connections: Buffer[];
}

/** A server that calls `answer` with each whole request (head and Content-Length body) a connection sends. */
async function rawServer(answer: (socket: Socket, request: string, n: number) => void): Promise<{ url: URL; seen: Seen; server: Server; close(): Promise<void> }> {
  const seen: Seen = { connections: [] };
  const sockets = new Set<Socket>();
  let n = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const index = seen.connections.push(Buffer.alloc(0)) - 1;
    let pending = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      seen.connections[index] = Buffer.concat([seen.connections[index], d]);
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const request = pending.subarray(0, end + 4 + length).toString('latin1');
        pending = pending.subarray(end + 4 + length);
        answer(socket, request, ++n);
      }
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: new URL(`http://127.0.0.1:${port}/`),
    seen,
    server,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
const put = (path: string, body: string | Buffer = 'x', extra: Partial<Http1Request> = {}): Http1Request => {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { method: 'PUT', path, headers: { host: 'test' }, body: b, size: b.length, ...extra };
};

describe('Http1Pool', () => {
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });
  async function start(answer: Parameters<typeof rawServer>[0], o: { maxSockets?: number; timeoutMs?: number; idleMs?: number } = {}) {
    const srv = await rawServer(answer);
    const pool = new Http1Pool({ url: srv.url, maxSockets: o.maxSockets ?? 4, timeoutMs: o.timeoutMs ?? 5000, idleMs: o.idleMs });
    closers.push(() => pool.close(), () => srv.close());
    return { srv, pool };
  }

  it('sends the head and the body as given, with Content-Length, and reuses one connection for requests in a row', async () => {
    const { srv, pool } = await start((s) => s.write(OK));
    for (const k of ['a', 'b', 'c']) expect((await pool.request(put(`/bucket/${k}`, `body of ${k}`))).status).toBe(200);
    expect(srv.seen.connections).toHaveLength(1);
    expect(srv.seen.connections[0].toString()).toBe(
      ['a', 'b', 'c'].map((k) => `PUT /bucket/${k} HTTP/1.1\r\nhost: test\r\ncontent-length: ${`body of ${k}`.length}\r\n\r\nbody of ${k}`).join(''),
    );
  });

  it('opens at most maxSockets connections; requests beyond wait for a free one', async () => {
    const held: Socket[] = [];
    const { srv, pool } = await start((s) => held.push(s), { maxSockets: 2 });
    const all = Promise.all(Array.from({ length: 5 }, (_, i) => pool.request(put(`/k${i}`))));
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.seen.connections).toHaveLength(2);
    expect(held).toHaveLength(2);
    const release = setInterval(() => held.splice(0).forEach((s) => s.write(OK)), 5);
    try {
      expect((await all).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    } finally {
      clearInterval(release);
    }
    expect(srv.seen.connections).toHaveLength(2);
  });

  it('answers with Connection: close, or framed by the end of the connection, are not reused', async () => {
    const { srv, pool } = await start((s, _r, n) => {
      if (n === 1) s.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else if (n === 2) s.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
      else s.write(OK);
    });
    await pool.request(put('/1'));
    const second = await pool.request(put('/2'));
    expect(second.body.toString()).toBe('until the end');
    await pool.request(put('/3'));
    expect(srv.seen.connections).toHaveLength(3);
  });

  it('an idle connection the server closed is dropped, and the next request opens another', async () => {
    const { srv, pool } = await start((s) => s.end(OK)); // answers, then closes its side (keep-alive timeout)
    await pool.request(put('/1'));
    await new Promise((r) => setTimeout(r, 50));
    expect((await pool.request(put('/2'))).status).toBe(200);
    expect(srv.seen.connections).toHaveLength(2);
  });

  it('closes connections idle for idleMs: the next request opens another', async () => {
    const { srv, pool } = await start((s) => s.write(OK), { idleMs: 30 });
    await pool.request(put('/1'));
    await new Promise((r) => setTimeout(r, 120));
    await pool.request(put('/2'));
    expect(srv.seen.connections).toHaveLength(2);
  });

  it('a server silent for timeoutMs fails the request with ETIMEDOUT', async () => {
    const { pool } = await start(() => undefined, { timeoutMs: 100 });
    await expect(pool.request(put('/hung'))).rejects.toMatchObject({ code: 'ETIMEDOUT', message: 'the server was silent for 100 ms (ETIMEDOUT)' });
  });

  it('a connection reset before the answer fails the request with ECONNRESET', async () => {
    const { pool } = await start((s) => s.destroy());
    await expect(pool.request(put('/reset'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    const half = await start((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    await expect(half.pool.request(put('/short'))).rejects.toThrow(/closed the connection before its answer was complete/);
  });

  it('a malformed answer fails the request and the connection is not used again', async () => {
    const { srv, pool } = await start((s, _r, n) => s.write(n === 1 ? 'HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n' : OK));
    await expect(pool.request(put('/1'))).rejects.toMatchObject({ code: 'EPROTO', message: expect.stringMatching(/invalid Content-Length/) });
    expect((await pool.request(put('/2'))).status).toBe(200);
    expect(srv.seen.connections).toHaveLength(2);
  });

  it('streams a body in pieces, and fails when it is not the announced size', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const { srv, pool } = await start((s) => s.write(OK));
    const stream = () => Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20, 2 << 20), big.subarray(2 << 20)]);
    expect((await pool.request({ ...put('/big'), body: stream, size: big.length })).status).toBe(200);
    expect(srv.seen.connections[0].length).toBeGreaterThan(big.length);
    const short = (n: number) => new Error(`short: ${n}`);
    await expect(pool.request({ ...put('/short'), body: stream, size: big.length + 1, sizeMismatch: short })).rejects.toThrow(`short: ${big.length}`);
    await expect(pool.request({ ...put('/long'), body: stream, size: 10, sizeMismatch: short })).rejects.toThrow(/^short: /);
  });

  it('takes an answer that comes before the body is sent (a refusal), and does not reuse that connection', async () => {
    const srv = await rawServer(() => undefined);
    let early = 0;
    srv.server.removeAllListeners('connection');
    srv.server.on('connection', (s: Socket) => {
      early++;
      s.once('data', () => s.write('HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\n\r\ndenied'));
      s.on('error', () => undefined);
    });
    const pool = new Http1Pool({ url: srv.url, maxSockets: 1, timeoutMs: 5000 });
    closers.push(() => pool.close(), () => srv.close());
    const endless = () => new Readable({ read() { setTimeout(() => this.push(Buffer.alloc(64 * 1024)), 5); } });
    const res = await pool.request({ ...put('/refused'), body: endless, size: 100 * 1024 * 1024 });
    expect(res).toMatchObject({ status: 403, body: Buffer.from('denied') });
    await expect(pool.request({ ...put('/again'), body: endless, size: 10 })).resolves.toMatchObject({ status: 403 });
    expect(early).toBe(2);
  });

  it('refuses header values, names and paths that would change the request, before sending anything', async () => {
    const { srv, pool } = await start((s) => s.write(OK));
    await expect(pool.request({ ...put('/a'), headers: { 'cache-control': 'no-cache\r\nx-injected: 1' } })).rejects.toThrow(/invalid characters in the cache-control header/);
    await expect(pool.request({ ...put('/a'), headers: { 'bad name': 'x' } })).rejects.toThrow(/invalid request header name/);
    await expect(pool.request({ ...put('/a'), headers: { 'content-length': '1' } })).rejects.toThrow(/invalid request header name/);
    await expect(pool.request(put('/a b'))).rejects.toThrow(/invalid request path/);
    await expect(pool.request(put('no-slash'))).rejects.toThrow(/invalid request path/);
    expect(srv.seen.connections).toHaveLength(0);
  });

  it('after close(), requests fail and no connection is opened', async () => {
    const { srv, pool } = await start((s) => s.write(OK));
    pool.close();
    await expect(pool.request(put('/late'))).rejects.toMatchObject({ code: 'ECONNABORTED' });
    expect(srv.seen.connections).toHaveLength(0);
  });
});

describeWith(['openssl']).describe('Http1Pool over TLS', () => {
  let dir: string;
  let server: ReturnType<typeof createHttpsServer>;
  let url: string;
  const connections: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'http1-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(`${req.method} ${req.url} ${n} bytes, SNI ${(req.socket as { servername?: string }).servername || '-'}`));
    });
    server.on('secureConnection', (s) => connections.push(s.getProtocol() ?? ''));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `https://localhost:${(server.address() as { port: number }).port}/`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Requests through the pool in a process that trusts the test's CA the way a runner would: NODE_EXTRA_CA_CERTS.
   * Asynchronous: the server answering it runs in this process.
   */
  async function requestsIn(child: { trusted: boolean; target: string }): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const script = join(dir, 'client.mts'); // ESM: top-level await
    writeFileSync(
      script,
      `import { Http1Pool } from ${JSON.stringify(join(ROOT, 'src/assets/http1.ts'))};
const pool = new Http1Pool({ url: new URL(${JSON.stringify(child.target)}), maxSockets: 1, timeoutMs: 5000 });
for (const k of ['a', 'b']) {
  const body = Buffer.from('payload ' + k);
  const res = await pool.request({ method: 'PUT', path: '/bucket/' + k, headers: { host: 'localhost' }, body, size: body.length });
  console.log(res.status, res.body.toString());
}
pool.close();`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') };
    if (!child.trusted) delete env.NODE_EXTRA_CA_CERTS;
    const p = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [status] = (await once(p, 'close')) as [number | null];
    return { status, stdout, stderr };
  }

  it('speaks HTTP/1.1 over TLS with SNI, verifies the certificate, and reuses the connection', async () => {
    connections.length = 0;
    const r = await requestsIn({ trusted: true, target: url });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('200 PUT /bucket/a 9 bytes, SNI localhost\n200 PUT /bucket/b 9 bytes, SNI localhost\n');
    expect(connections).toEqual([expect.stringMatching(/^TLSv1\.[23]$/)]);
  });

  it('sends no SNI to an IP address', async () => {
    const r = await requestsIn({ trusted: true, target: url.replace('localhost', '127.0.0.1') });
    expect(r.stdout).toMatch(/^200 PUT \/bucket\/a 9 bytes, SNI -$/m);
  });

  it('refuses a certificate nobody vouches for', async () => {
    const r = await requestsIn({ trusted: false, target: url });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/i);
  });
});

