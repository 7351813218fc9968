/**
 * The fault-injecting proxy over real sockets: transparent forwarding (raw headers, streamed bodies, S3 SigV4 still
 * verifying upstream) and each fault as a client and the upstream see it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createS3Client } from '../../src/assets/s3-client.js';
import { startFaultProxy, type FaultProxy } from '../../test/support/faults.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { freePort, gate, waitFor } from '../../test/support/tools.js';

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

/** An upstream that records what reached it and answers with a digest of it, plus two streaming routes. */
let upstream: Server;
let upstreamUrl: string;
const seen: Seen[] = [];
let releaseStream: () => void = () => undefined;
let firstUploadChunk: () => void = () => undefined;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first;');
      releaseStream = () => res.end('second');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      if (chunks.length === 0 && req.url === '/upload-stream') firstUploadChunk();
      chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body });
      const digest = createHash('sha256').update(body).digest('hex');
      res.writeHead(201, 'Made It', [
        'X-Upstream',
        'yes',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'X-Digest',
        digest,
      ]);
      res.end(req.url === '/big' ? body : `got ${body.length} bytes`);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstream.unref();
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(() => {
  upstream.closeAllConnections();
  upstream.close();
});

const proxies: FaultProxy[] = [];
async function proxy(target = upstreamUrl): Promise<FaultProxy> {
  const p = await startFaultProxy(target);
  proxies.push(p);
  return p;
}

afterEach(async () => {
  seen.length = 0;
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

interface Answer {
  status: number;
  statusMessage: string;
  rawHeaders: string[];
  body: Buffer;
}

function send(
  p: FaultProxy,
  method: string,
  path: string,
  body?: Buffer | string,
  headers: string[] = [],
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${p.url}${path}`,
      { method, headers: headers.length > 0 ? headers : undefined, agent: false },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const header = (raw: string[], name: string) =>
  raw.filter((_, i) => i % 2 === 1 && raw[i - 1].toLowerCase() === name.toLowerCase());

describe('forwarding', () => {
  test('method, raw path and query, raw headers (Host, Authorization, case, duplicates) and bodies reach the upstream unchanged', async () => {
    const p = await proxy();
    const headers = [
      'Host',
      'api.example.test',
      'Authorization',
      'Bearer tok',
      'X-Mixed-Case',
      'One',
      'X-Dup',
      '1',
      'X-Dup',
      '2',
      'Content-Length',
      '5',
    ];
    const res = await send(p, 'PATCH', '/a%2Fb/c?x=1&x=2&y=%20', 'hello', headers);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'PATCH', url: '/a%2Fb/c?x=1&x=2&y=%20' });
    expect(seen[0].body.toString()).toBe('hello');
    const names = seen[0].rawHeaders.filter((_, i) => i % 2 === 0);
    expect(names).toEqual(expect.arrayContaining(['Host', 'Authorization', 'X-Mixed-Case', 'X-Dup']));
    expect(header(seen[0].rawHeaders, 'host')).toEqual(['api.example.test']);
    expect(header(seen[0].rawHeaders, 'authorization')).toEqual(['Bearer tok']);
    expect(header(seen[0].rawHeaders, 'x-dup')).toEqual(['1', '2']);

    expect(res.status).toBe(201);
    expect(res.statusMessage).toBe('Made It');
    expect(header(res.rawHeaders, 'set-cookie')).toEqual(['a=1', 'b=2']);
    expect(header(res.rawHeaders, 'x-upstream')).toEqual(['yes']);
    expect(res.body.toString()).toBe('got 5 bytes');
    expect(p.requests).toEqual([
      { method: 'PATCH', path: '/a%2Fb/c', query: 'x=1&x=2&y=%20', action: 'forward', status: 201 },
    ]);
  });

  test('a large body goes both ways intact', async () => {
    const p = await proxy();
    const body = randomBytes(3 * 1024 * 1024);
    const res = await send(p, 'PUT', '/big', body);
    expect(createHash('sha256').update(res.body).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(header(res.rawHeaders, 'x-digest')).toEqual([createHash('sha256').update(body).digest('hex')]);
  });

  test('response bodies stream: the first chunk arrives before the upstream has finished', async () => {
    const p = await proxy();
    const text = await new Promise<string>((resolve, reject) => {
      request(`${p.url}/stream`, { agent: false }, (res) => {
        let got = '';
        res.on('data', (c: Buffer) => {
          got += c.toString();
          if (got === 'first;') releaseStream();
        });
        res.on('end', () => resolve(got));
      })
        .on('error', reject)
        .end();
    });
    expect(text).toBe('first;second');
  });

  test('request bodies stream: the upstream sees the first chunk before the client has finished', async () => {
    const p = await proxy();
    const upstreamHasFirst = new Promise<void>((r) => (firstUploadChunk = r));
    const answer = new Promise<string>((resolve, reject) => {
      const req = request(
        `${p.url}/upload-stream`,
        { method: 'POST', agent: false, headers: { 'Transfer-Encoding': 'chunked' } },
        (res) => {
          let got = '';
          res.on('data', (c: Buffer) => (got += c.toString()));
          res.on('end', () => resolve(got));
        },
      );
      req.on('error', reject);
      req.write('a'.repeat(1000));
      void upstreamHasFirst.then(() => req.end('b'.repeat(500)));
    });
    expect(await answer).toBe('got 1500 bytes');
  });

  test('an unreachable upstream resets the client connection', async () => {
    const p = await proxy(`http://127.0.0.1:${await freePort()}`);
    await expect(send(p, 'GET', '/x')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(p.requests).toEqual([{ method: 'GET', path: '/x', query: '', action: 'unreachable' }]);
  });
});

describe('faults', () => {
  test('hang: accepted, never answered, never forwarded; close() destroys the socket', async () => {
    const p = await proxy();
    p.add({ path: '/slow', fault: { hang: true } });
    const pending = send(p, 'POST', '/slow', 'body');
    await waitFor(async () => p.requests.length === 1, 'the proxy to receive the request');
    expect(p.requests[0].action).toBe('hang');
    await p.close();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen).toEqual([]);
  });

  test('reset: the client sees a reset connection, the upstream nothing', async () => {
    const p = await proxy();
    p.add({ method: 'GET', path: '/x', fault: { reset: true } });
    await expect(send(p, 'GET', '/x')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen).toEqual([]);
    expect((await send(p, 'POST', '/x', 'y')).status).toBe(201);
    expect(p.requests.map((r) => r.action)).toEqual(['reset', 'forward']);
  });

  test('delay: forwarded only after the delay', async () => {
    const p = await proxy();
    p.add({ path: '/later', fault: { delay: 2000 } });
    const answer = send(p, 'PUT', '/later', 'payload');
    await waitFor(async () => p.requests.length === 1, 'the proxy to receive the request');
    expect(seen).toEqual([]);
    const res = await answer;
    expect(res.body.toString()).toBe('got 7 bytes');
    expect(seen.map((s) => s.body.toString())).toEqual(['payload']);
    expect(p.requests).toEqual([{ method: 'PUT', path: '/later', query: '', action: 'delay', status: 201 }]);
  });

  test('until: held until the promise settles, then forwarded; nothing reaches the upstream before', async () => {
    const p = await proxy();
    const held = gate();
    p.add({ path: '/later', fault: { until: held.promise } });
    const answer = send(p, 'PUT', '/later', 'payload');
    await waitFor(async () => p.requests.length === 1, 'the proxy to receive the request');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
    held.open();
    expect((await answer).body.toString()).toBe('got 7 bytes');
    expect(seen.map((s) => s.body.toString())).toEqual(['payload']);
    expect(p.requests).toEqual([{ method: 'PUT', path: '/later', query: '', action: 'delay', status: 201 }]);
  });

  test('status: answers without forwarding — 502, 429 with retry-after, GitHub rate limits — for the first N matches', async () => {
    const p = await proxy();
    const reset = String(Math.floor(Date.now() / 1000) + 60);
    p.add({ path: '/bad-gateway', fault: { status: 502, body: 'upstream down' } });
    p.add({ path: '/busy', times: 1, fault: { status: 429, headers: { 'retry-after': '1' } } });
    p.add({
      path: /^\/repos\/o\/r\/issues\/1\/comments/,
      times: 1,
      fault: {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
        body: '{"message":"API rate limit exceeded"}',
      },
    });
    p.add({
      method: 'POST',
      path: '/repos/o/r/issues/1/comments',
      times: 1,
      fault: {
        status: 403,
        headers: { 'content-type': 'application/json' },
        body: '{"message":"You have exceeded a secondary rate limit"}',
      },
    });

    const bad = await send(p, 'GET', '/bad-gateway');
    expect([bad.status, bad.body.toString()]).toEqual([502, 'upstream down']);
    const busy = await send(p, 'GET', '/busy');
    expect([busy.status, header(busy.rawHeaders, 'retry-after')]).toEqual([429, ['1']]);
    expect((await send(p, 'GET', '/busy')).status).toBe(201);
    const limited = await send(p, 'GET', '/repos/o/r/issues/1/comments?per_page=100');
    expect([
      limited.status,
      header(limited.rawHeaders, 'x-ratelimit-remaining'),
      header(limited.rawHeaders, 'x-ratelimit-reset'),
    ]).toEqual([403, ['0'], [reset]]);
    const secondary = await send(p, 'POST', '/repos/o/r/issues/1/comments', '{}');
    expect([secondary.status, JSON.parse(secondary.body.toString()).message]).toEqual([
      403,
      expect.stringMatching(/secondary rate limit/),
    ]);
    expect((await send(p, 'POST', '/repos/o/r/issues/1/comments', '{}')).status).toBe(201);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /busy', 'POST /repos/o/r/issues/1/comments']);
    expect(p.requests.map((r) => [r.action, r.status])).toEqual([
      ['status', 502],
      ['status', 429],
      ['forward', 201],
      ['status', 403],
      ['status', 403],
      ['forward', 201],
    ]);
  });

  test('drop: the upstream acts on the request, the client gets no answer', async () => {
    const p = await proxy();
    p.add({ method: 'POST', path: '/write', fault: { drop: true } });
    await expect(send(p, 'POST', '/write', 'side effect')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen.map((s) => s.body.toString())).toEqual(['side effect']);
    expect(p.requests).toEqual([{ method: 'POST', path: '/write', query: '', action: 'drop' }]);
  });

  test('a removed rule no longer applies; clearRules removes all', async () => {
    const p = await proxy();
    const undo = p.add({ path: '/x', fault: { status: 500 } });
    p.add({ path: '/y', fault: { status: 500 } });
    expect((await send(p, 'GET', '/x')).status).toBe(500);
    undo();
    expect((await send(p, 'GET', '/x')).status).toBe(201);
    p.clearRules();
    expect((await send(p, 'GET', '/y')).status).toBe(201);
  });
});

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * AWS SigV4 as S3 checks it, recomputed from the request as it arrives (s3rver itself does not verify v4 signatures):
 * canonical request from the method, the raw path, the sorted query, the signed headers and the payload hash header.
 */
function sigV4Valid(req: IncomingMessage, secret: string): boolean {
  const m =
    /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(
      req.headers.authorization ?? '',
    );
  if (!m) return false;
  const [, date, region, service, signedHeaders, signature] = m;
  const url = new URL(req.url ?? '/', 'http://s3.invalid');
  const query = [...url.searchParams]
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const headers = signedHeaders.split(';').map(
    (h) =>
      `${h}:${String(req.headers[h] ?? '')
        .trim()
        .replace(/\s+/g, ' ')}\n`,
  );
  const canonical = [
    req.method,
    url.pathname,
    query,
    headers.join(''),
    signedHeaders,
    req.headers['x-amz-content-sha256'],
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    req.headers['x-amz-date'],
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const key = [date, region, service, 'aws4_request'].reduce<Buffer | string>(
    (k, part) => hmac(k, part),
    `AWS4${secret}`,
  );
  return createHmac('sha256', key).update(toSign).digest('hex') === signature;
}

describe('S3 through the proxy', () => {
  let s3: S3Emulator;
  const verdicts: boolean[] = [];
  beforeAll(async () => {
    s3 = await startS3();
    s3.intercept((req) => {
      const valid = sigV4Valid(req, s3.settings.secretAccessKey ?? '');
      verdicts.push(valid);
      return valid
        ? undefined
        : {
            status: 403,
            code: 'SignatureDoesNotMatch',
            message: 'The request signature we calculated does not match the signature you provided.',
          };
    });
  });
  afterAll(async () => {
    await s3.close();
  });

  test('a SigV4-signed PUT and GET verify upstream; a wrong secret is still refused; faults hit S3 calls', async () => {
    const p = await proxy(s3.endpoint);
    const client = createS3Client({ ...s3.settings, endpoint: p.url });
    const body = randomBytes(256 * 1024);
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'fn/app.js', Body: body, ContentType: 'text/javascript' }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'fn/app.js' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(verdicts).toEqual([true, true]);
    expect(await s3.listKeys('fn/')).toEqual(['fn/app.js']);
    expect(p.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['PUT', `/${s3.bucket}/fn/app.js`, 200],
      ['GET', `/${s3.bucket}/fn/app.js`, 200],
    ]);

    const forged = createS3Client({ ...s3.settings, endpoint: p.url, secretAccessKey: 'not-the-secret' });
    await expect(
      forged.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'fn/x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    forged.destroy();
    expect(verdicts.at(-1)).toBe(false);

    p.add({
      method: 'PUT',
      path: `/${s3.bucket}/fn/flaky.js`,
      times: 1,
      fault: {
        status: 503,
        headers: { 'content-type': 'application/xml' },
        body: '<Error><Code>SlowDown</Code><Message>slow</Message></Error>',
      },
    });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'fn/flaky.js', Body: 'ok' }));
    expect(p.requests.filter((r) => r.path.endsWith('/flaky.js')).map((r) => r.action)).toEqual(['status', 'forward']);
    client.destroy();
  });
});
