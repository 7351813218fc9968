/**
 * The lean S3 calls (src/assets/lean.ts) against s3rver and Ceph radosgw, through a proxy that checks every
 * request's SigV4 signature independently (s3rver itself does not verify v4 signatures; in front of s3rver the
 * proxy refuses bad ones the way S3 does, in front of radosgw it only records them and radosgw refuses them):
 * signing, key encoding, error mapping, the URL layout, and the sync's retries and HTML-last ordering on this path.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { s3Connection, type S3Connection } from '../../src/assets/s3.js';
import { createS3Client } from '../../src/assets/s3-client.js';
import { createLeanS3, encodeKeyPath, parseS3Error, resolveTarget, S3ResponseError } from '../../src/assets/lean.js';
import { S3OperationError, s3Operation } from '../../src/assets/s3-call.js';
import { syncAssets, type SyncOptions } from '../../src/assets/sync.js';
import { S3_SERVERS, startS3Server } from '../../test/support/s3-servers.js';
import { bucketSettings, sdkConnection, type S3Emulator, type S3Kind } from '../../test/support/s3.js';

import { jest } from '@jest/globals';

jest.setTimeout(60_000);

// ---------------------------------------------------------------------------------------------------
// An independent SigV4 check (AWS's documented algorithm, node:crypto only)

const rfc3986 = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

interface RawRequest {
  method: string;
  /** Path and query as sent on the request line. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** undefined when the signature is valid for `secrets[accessKeyId]`, else why not. */
function checkSigV4(req: RawRequest, secrets: Record<string, string>, region = 'us-east-1'): string | undefined {
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      header('authorization') ?? '',
    );
  if (!m) return 'no SigV4 Authorization header';
  const [, accessKeyId, date, scopeRegion, service, signedList, signature] = m;
  const secret = secrets[accessKeyId];
  if (secret === undefined) return `unknown access key ${accessKeyId}`;
  if (scopeRegion !== region || service !== 's3') return `wrong scope ${scopeRegion}/${service}`;
  const amzDate = header('x-amz-date') ?? '';
  if (!amzDate.startsWith(date)) return 'x-amz-date does not match the credential scope';
  const signed = signedList.split(';');
  for (const required of ['host', 'x-amz-date']) if (!signed.includes(required)) return `${required} is not signed`;
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-amz-') && !signed.includes(name)) return `${name} is not signed`;
  }
  const payloadHash = header('x-amz-content-sha256') ?? sha256(req.body);
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(req.body)) return 'payload hash mismatch';
  const [rawPath, rawQuery = ''] = req.url.split('?', 2);
  // S3's canonical URI: the key decoded, then each segment RFC 3986-encoded once
  const uri = rawPath
    .split('/')
    .map((s) => rfc3986(decodeURIComponent(s)))
    .join('/');
  const query = rawQuery
    ? rawQuery
        .split('&')
        .map((p) => {
          const i = p.indexOf('=');
          const [k, v] = i === -1 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
          return [rfc3986(decodeURIComponent(k)), rfc3986(decodeURIComponent(v))];
        })
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join('&')
    : '';
  const canonicalHeaders = signed.map((h) => `${h}:${(header(h) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, uri, query, canonicalHeaders, signedList, payloadHash].join('\n');
  const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), scopeRegion), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return expected === signature ? undefined : 'signature mismatch';
}

// ---------------------------------------------------------------------------------------------------
// A proxy in front of the server: checks signatures (with `enforce`, answers 403 SignatureDoesNotMatch like S3),
// injects faults, records each request's arrival and the end of its answer.

type Fault = 'reset' | { status: number; code: string; message: string };

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  sigError?: string;
  status?: number;
  start: number;
  end?: number;
}

interface Proxy {
  endpoint: string;
  seen: Seen[];
  fault?: (req: Seen) => Fault | undefined;
  close(): Promise<void>;
}

let clock = 0;

async function startProxy(upstream: string, secrets: Record<string, string>, enforce: boolean): Promise<Proxy> {
  const target = new URL(upstream);
  const proxy: Proxy = { endpoint: '', seen: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const seen: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, start: ++clock };
      proxy.seen.push(seen);
      res.on('finish', () => (seen.end = ++clock));
      const sigError = checkSigV4({ method: seen.method, url: seen.url, headers: req.headers, body }, secrets);
      seen.sigError = sigError;
      const answer = (status: number, code: string, message: string): void => {
        seen.status = status;
        res.writeHead(status, { 'content-type': 'application/xml', date: new Date().toUTCString() });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
        );
      };
      if (enforce && sigError && !sigError.startsWith('unknown access key')) {
        return answer(403, 'SignatureDoesNotMatch', `The request signature we calculated does not match (${sigError})`);
      }
      const fault = proxy.fault?.(seen);
      if (fault === 'reset') return void req.socket.destroy();
      if (fault) return answer(fault.status, fault.code, fault.message);
      const up = http.request(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (ur) => {
          seen.status = ur.statusCode;
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}

// ---------------------------------------------------------------------------------------------------

describe('the SigV4 check used by these tests', () => {
  // AWS's documented examples (Signature Version 4, "Examples: Signature Calculations in AWS S3")
  const secrets = { AKIAIOSFODNN7EXAMPLE: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  it('accepts the documented GET and PUT examples and rejects a tampered one', () => {
    const get: RawRequest = {
      method: 'GET',
      url: '/test.txt',
      body: Buffer.alloc(0),
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date': '20130524T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      },
    };
    expect(checkSigV4(get, secrets)).toBeUndefined();
    const put: RawRequest = {
      method: 'PUT',
      url: '/test%24file.text',
      body: Buffer.from('Welcome to Amazon S3.'),
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
      },
    };
    expect(checkSigV4(put, secrets)).toBeUndefined();
    expect(checkSigV4({ ...put, url: '/test%2524file.text' }, secrets)).toBe('signature mismatch'); // double-encoded
    expect(checkSigV4({ ...put, body: Buffer.from('Welcome to Amazon S3!') }, secrets)).toBe('payload hash mismatch');
  });
});

describe('encodeKeyPath', () => {
  it('encodes each segment once (RFC 3986) and keeps the slashes', () => {
    expect(encodeKeyPath('pr-1/assets/app.3f9a1c2b.js')).toBe('pr-1/assets/app.3f9a1c2b.js');
    expect(encodeKeyPath('a b/c+d.txt')).toBe('a%20b/c%2Bd.txt');
    expect(encodeKeyPath('ünï/€.js')).toBe('%C3%BCn%C3%AF/%E2%82%AC.js');
    expect(encodeKeyPath("x/!'()*~-_.txt")).toBe('x/%21%27%28%29%2A~-_.txt');
    expect(encodeKeyPath('100%/a%20b?c=1#d&e')).toBe('100%25/a%2520b%3Fc%3D1%23d%26e');
    expect(encodeKeyPath('a//b/')).toBe('a//b/');
  });
});

describe('parseS3Error', () => {
  it('reads Code and Message, unescaping XML', () => {
    expect(
      parseS3Error(
        '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access &amp; &lt;denied&gt;</Message></Error>',
      ),
    ).toEqual({ code: 'AccessDenied', message: 'Access & <denied>' });
    expect(parseS3Error('')).toEqual({ code: '', message: '' });
  });
});

describe('resolveTarget', () => {
  const creds = { accessKeyId: 'a', secretAccessKey: 'b' };
  it('uses the URL layout of the client: virtual-hosted, path-style for dotted buckets and custom endpoints', async () => {
    const aws = new S3Client({ region: 'eu-west-1', credentials: creds });
    const china = new S3Client({ region: 'cn-north-1', credentials: creds });
    const custom = createS3Client(bucketSettings('previews', 'http://127.0.0.1:9000', creds));
    try {
      expect(await resolveTarget(aws, 'my-bucket')).toMatchObject({ signingRegion: 'eu-west-1', signingName: 's3' });
      expect((await resolveTarget(aws, 'my-bucket'))!.url.href).toBe('https://my-bucket.s3.eu-west-1.amazonaws.com/');
      expect((await resolveTarget(aws, 'my.dotted.bucket'))!.url.href).toBe(
        'https://s3.eu-west-1.amazonaws.com/my.dotted.bucket',
      );
      expect((await resolveTarget(china, 'my-bucket'))!.url.href).toBe(
        'https://my-bucket.s3.cn-north-1.amazonaws.com.cn/',
      );
      expect((await resolveTarget(custom, 'my-bucket'))!.url.href).toBe('http://127.0.0.1:9000/my-bucket');
    } finally {
      aws.destroy();
      china.destroy();
      custom.destroy();
    }
  });

  it('signs without the SDK at the URL the SDK resolves, for a custom endpoint with static credentials only', async () => {
    for (const endpoint of ['http://127.0.0.1:9000', 'https://s3.example.com/', 'http://[::1]:9000/storage/s3']) {
      const settings = bucketSettings('previews', endpoint, creds);
      const sdk = createS3Client(settings);
      try {
        const direct = s3Connection(settings, { env: {} }).direct('my-bucket');
        expect(direct?.url.href).toBe((await resolveTarget(sdk, 'my-bucket'))!.url.href);
        expect(direct).toMatchObject({ region: 'us-east-1', credentials: creds });
      } finally {
        sdk.destroy();
      }
    }
    const noKeys = bucketSettings('previews', 'http://127.0.0.1:9000', { accessKeyId: '', secretAccessKey: '' });
    const env = { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'envsecret', AWS_SESSION_TOKEN: 'tok' };
    expect(s3Connection(noKeys, { env }).direct('b')?.credentials).toEqual({
      accessKeyId: 'ENVKEY',
      secretAccessKey: 'envsecret',
      sessionToken: 'tok',
    });
    // the SDK's chain: a named profile wins over these variables; AWS's own endpoints need its rules
    expect(s3Connection(noKeys, { env: { ...env, AWS_PROFILE: 'ci' } }).direct('b')).toBeUndefined();
    expect(s3Connection(noKeys, { env: {} }).direct('b')).toBeUndefined();
    expect(s3Connection({ ...noKeys, endpoint: undefined }, { env }).direct('b')).toBeUndefined();
  });
});

const TEXT = { contentType: 'text/plain; charset=utf-8', cacheControl: 'no-cache' };

for (const { kind, describe } of S3_SERVERS) describe(`on ${kind}`, () => suite(kind));

function suite(kind: S3Kind): void {
  let s3: S3Emulator;
  let proxy: Proxy;
  let client: S3Connection;
  let work: string;

  beforeAll(async () => {
    s3 = await startS3Server(kind);
    const { accessKeyId, secretAccessKey } = s3.settings;
    proxy = await startProxy(s3.endpoint, { [accessKeyId!]: secretAccessKey! }, kind === 's3rver');
    client = s3Connection({ ...s3.settings, endpoint: proxy.endpoint }, { env: {} });
    work = mkdtempSync(join(tmpdir(), 'assets-put-'));
  });

  afterAll(async () => {
    client?.destroy();
    await proxy?.close();
    await s3?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  beforeEach(() => {
    proxy.seen.length = 0;
    proxy.fault = undefined;
  });

  async function body(key: string): Promise<Buffer> {
    const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  describe('createLeanS3', () => {
    it('signs every PUT (verified), encodes keys once, and stores bytes and headers', async () => {
      const put = (await createLeanS3(client, s3.bucket, { maxSockets: 4 }))!;
      expect(put).toBeDefined();
      const keys = [
        'enc/a b/c+d.txt',
        'enc/ünï/çødé €.js',
        "enc/x/!'()*~.txt",
        'enc/p%20q.txt',
        'enc/q?x=1#h&y.txt',
        'enc/semi;colon=eq,comma@at$d.txt',
        'enc/nb\u00a0sp.txt',
        'enc/empty.txt',
      ];
      try {
        await Promise.all(
          keys.map((k) => {
            const data = Buffer.from(k.endsWith('empty.txt') ? '' : `content of ${k}`);
            return put.put(k, data, data.length, {
              contentType: 'text/javascript; charset=utf-8',
              cacheControl: 'public, max-age=60',
            });
          }),
        );
        expect(put.requests()).toBe(keys.length);
      } finally {
        put.close();
      }
      expect(proxy.seen).toHaveLength(keys.length);
      for (const r of proxy.seen) {
        expect(r.sigError).toBeUndefined();
        expect(r.status).toBe(200);
        expect(r.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
        expect(r.headers['user-agent']).toBe('faas-preview');
      }
      expect(proxy.seen.map((r) => r.url).sort()).toEqual(keys.map((k) => `/${s3.bucket}/${encodeKeyPath(k)}`).sort());
      expect(proxy.seen.map((r) => r.url)).toContain(`/${s3.bucket}/enc/a%20b/c%2Bd.txt`);
      expect(await s3.listKeys('enc/')).toEqual([...keys].sort());
      for (const k of keys) expect((await body(k)).toString()).toBe(k.endsWith('empty.txt') ? '' : `content of ${k}`);
      const h = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'enc/ünï/çødé €.js' }));
      expect(h).toMatchObject({ ContentType: 'text/javascript; charset=utf-8', CacheControl: 'public, max-age=60' });
    });

    it('deletes keys that need escaping in one signed DeleteObjects, and lists them first', async () => {
      const lean = (await createLeanS3(client, s3.bucket, { maxSockets: 2 }))!;
      const keys = ['del/a&b<c>.txt', `del/quote"'.txt`, 'del/ünï €.js', 'del/plain.txt'];
      try {
        for (const k of keys) await lean.put(k, Buffer.from('x'), 1, TEXT);
        expect((await lean.list('del/')).objects.map((o) => o.key).sort()).toEqual([...keys].sort());
        proxy.seen.length = 0;
        expect(await lean.deleteMany(keys)).toEqual([]);
      } finally {
        lean.close();
      }
      expect(proxy.seen).toMatchObject([{ url: `/${s3.bucket}?delete=`, status: 200 }]);
      expect(proxy.seen[0].sigError).toBeUndefined();
      expect(await s3.listKeys('del/')).toEqual([]);
    });

    it('streams a body from a fresh stream per call', async () => {
      const path = join(work, 'medium.bin');
      const data = Buffer.alloc(700_000, 7);
      writeFileSync(path, data);
      const put = (await createLeanS3(client, s3.bucket, { maxSockets: 2 }))!;
      try {
        const { createReadStream } = await import('node:fs');
        await put.put('stream/medium.bin', () => createReadStream(path), data.length, TEXT);
      } finally {
        put.close();
      }
      expect(proxy.seen[0].sigError).toBeUndefined();
      expect((await body('stream/medium.bin')).equals(data)).toBe(true);
    });

    it('abandons a streamed body whose size is not the announced one', async () => {
      const { Readable } = await import('node:stream');
      const put = (await createLeanS3(client, s3.bucket, { maxSockets: 2 }))!;
      try {
        const shrank = () => Readable.from([Buffer.alloc(10, 1)]);
        await expect(put.put('size/shrank.bin', shrank, 20, TEXT)).rejects.toThrow(
          /: the file changed during the sync \(it shrank to 10 of the 20 bytes the walk saw\)$/,
        );
        const grew = () => Readable.from([Buffer.alloc(10, 1), Buffer.alloc(10, 2)]);
        await expect(put.put('size/grew.bin', grew, 10, TEXT)).rejects.toThrow(
          /: the file changed during the sync \(it grew past the 10 bytes/,
        );
      } finally {
        put.close();
      }
      expect(await s3.listKeys('size/')).toEqual([]);
    });

    it('signs session tokens (x-amz-security-token) from the client credentials', async () => {
      const withToken = createS3Client({ ...s3.settings, endpoint: proxy.endpoint });
      const settings = { ...s3.settings, endpoint: proxy.endpoint };
      (withToken.config as unknown as { credentials: () => Promise<unknown> }).credentials = async () => ({
        accessKeyId: s3.settings.accessKeyId,
        secretAccessKey: s3.settings.secretAccessKey,
        sessionToken: 'SESSION-TOKEN', // radosgw without STS checks the signature and ignores the token
        expiration: new Date(Date.now() + 3_600_000),
      });
      const put = (await createLeanS3(sdkConnection(withToken, settings), s3.bucket, { maxSockets: 1 }))!;
      try {
        await put.put('token/a.txt', Buffer.from('a'), 1, TEXT);
      } finally {
        put.close();
        withToken.destroy();
      }
      expect(proxy.seen[0].headers['x-amz-security-token']).toBe('SESSION-TOKEN');
      expect(proxy.seen[0].sigError).toBeUndefined(); // every x-amz-* header is signed
      expect(proxy.seen[0].status).toBe(200);
    });

    it("corrects a skewed clock from the answer's Date, so that the one retry goes through", async () => {
      const skewed = createS3Client({ ...s3.settings, endpoint: proxy.endpoint });
      const config = skewed.config as unknown as { systemClockOffset?: number };
      config.systemClockOffset = -3_600_000; // an hour behind: both servers refuse more than 15 minutes
      const settings = { ...s3.settings, endpoint: proxy.endpoint };
      const put = (await createLeanS3(sdkConnection(skewed, settings), s3.bucket, { maxSockets: 1 }))!;
      const lines: string[] = [];
      try {
        await s3Operation(
          { operation: 'PutObject', bucket: s3.bucket, key: 'skew/a.txt' },
          () => put.put('skew/a.txt', Buffer.from('a'), 1, TEXT),
          {
            retry: true,
            log: (l) => lines.push(l),
          },
        );
      } finally {
        put.close();
        skewed.destroy();
      }
      expect(proxy.seen.map((r) => r.status)).toEqual([403, 200]);
      expect(lines).toEqual([
        expect.stringMatching(
          /^PutObject s3:\/\/previews\/skew\/a\.txt: HTTP 403 RequestTimeTooSkewed.*; retrying up to 2 more times$/,
        ),
      ]);
      expect(Math.abs(config.systemClockOffset)).toBeLessThan(60_000);
      expect((await body('skew/a.txt')).toString()).toBe('a');
    });

    it('maps error answers to errors with the status and S3 Code/Message', async () => {
      const missing = (await createLeanS3(client, 'no-such-bucket', { maxSockets: 1 }))!;
      const err404 = await missing.put('a.txt', Buffer.from('a'), 1, TEXT).catch((e: unknown) => e);
      missing.close();
      expect(err404).toBeInstanceOf(S3ResponseError);
      // radosgw sends every error with an empty <Message>
      const said = kind === 'rgw' ? '' : 'The specified bucket does not exist';
      expect(err404).toMatchObject({
        name: 'NoSuchBucket',
        Code: 'NoSuchBucket',
        Message: said,
        $metadata: { httpStatusCode: 404 },
      });
      expect((err404 as Error).message).toMatch(
        new RegExp(
          `^PUT http://127\\.0\\.0\\.1:\\d+/no-such-bucket/a\\.txt answered HTTP 404 NoSuchBucket${said ? `: ${said}` : ''}$`,
        ),
      );

      const stranger = s3Connection(
        { ...s3.settings, endpoint: proxy.endpoint, accessKeyId: 'NOBODY', secretAccessKey: 'x' },
        { env: {} },
      );
      const denied = (await createLeanS3(stranger, s3.bucket, { maxSockets: 1 }))!;
      const err403 = await denied.put('a.txt', Buffer.from('a'), 1, TEXT).catch((e: unknown) => e);
      denied.close();
      stranger.destroy();
      expect(err403).toMatchObject({
        name: 'InvalidAccessKeyId',
        $metadata: { httpStatusCode: 403 },
        $fault: 'client',
      });

      const forged = s3Connection({ ...s3.settings, endpoint: proxy.endpoint, secretAccessKey: 'WRONG' }, { env: {} });
      const bad = (await createLeanS3(forged, s3.bucket, { maxSockets: 1 }))!;
      const errSig = await bad.put('a.txt', Buffer.from('a'), 1, TEXT).catch((e: unknown) => e);
      bad.close();
      forged.destroy();
      expect(errSig).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
      // who refused it: the proxy's check in front of s3rver, radosgw's own
      expect(errSig).toMatchObject({
        Message: kind === 'rgw' ? '' : expect.stringContaining('signature we calculated does not match'),
      });
    });
  });

  describe('syncAssets on the lean path', () => {
    let site: string;
    const write = (rel: string, content: string | Buffer): void => {
      const p = join(site, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    };
    const opts = (prefix: string, extra: Partial<SyncOptions> = {}): SyncOptions => ({
      bucket: s3.bucket,
      prefix,
      dir: site,
      includeDotfiles: false,
      cacheControl: 'no-cache',
      cacheControlFingerprinted: 'public, max-age=31536000, immutable',
      concurrency: 4,
      contentManifest: false, // the requests of the MD5 comparison (the manifest: assets-manifest.test.ts)
      ...extra,
    });
    const puts = (): Seen[] => proxy.seen.filter((r) => r.method === 'PUT');

    beforeAll(() => {
      site = join(work, 'site');
      write('index.html', '<p>home</p>');
      write('about/index.html', '<p>about</p>');
      write('assets/app.3f9a1c2b.js', 'console.log(1)');
      write('assets/a b+c.css', 'body{}');
      write('img/medium.bin', Buffer.alloc(600_000, 1)); // streamed
    });

    it('uploads with signed requests, retrying 5xx, throttling and resets', async () => {
      const once = new Map<string, Fault>([
        ['assets/app.3f9a1c2b.js', { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' }],
        ['img/medium.bin', { status: 500, code: 'InternalError', message: 'We encountered an internal error.' }],
        ['assets/a%20b%2Bc.css', 'reset'],
        ['about/index.html', { status: 429, code: 'TooManyRequests', message: 'slow down' }],
      ]);
      proxy.fault = (r) => {
        for (const [suffix, fault] of once) {
          if (r.method === 'PUT' && r.url.endsWith(suffix)) {
            once.delete(suffix);
            return fault;
          }
        }
        return undefined;
      };
      const result = await syncAssets(client, opts('retry-pr-1/'));
      expect(once.size).toBe(0);
      expect(result).toMatchObject({ uploaded: 5, skipped: 0, deleted: 0 });
      expect(result.requests).toBe(1 + 5 + 4); // list + 5 PUTs + 4 retried attempts
      expect(proxy.seen).toHaveLength(result.requests);
      for (const r of proxy.seen) expect(r.sigError).toBeUndefined();
      expect(await s3.listKeys('retry-pr-1/')).toEqual(
        ['about/index.html', 'assets/a b+c.css', 'assets/app.3f9a1c2b.js', 'img/medium.bin', 'index.html'].map(
          (k) => 'retry-pr-1/' + k,
        ),
      );
      expect((await body('retry-pr-1/img/medium.bin')).equals(readFileSync(join(site, 'img/medium.bin')))).toBe(true);
      const h = await s3.client.send(
        new HeadObjectCommand({ Bucket: s3.bucket, Key: 'retry-pr-1/assets/app.3f9a1c2b.js' }),
      );
      expect(h).toMatchObject({
        ContentType: 'text/javascript; charset=utf-8',
        CacheControl: 'public, max-age=31536000, immutable',
      });
    });

    it('stops on a non-retryable error before any HTML or deletion, with S3 Code and Message', async () => {
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'denied-pr-1/stale.txt', Body: 'old' }));
      proxy.seen.length = 0;
      proxy.fault = (r) =>
        r.method === 'PUT' && r.url.endsWith('app.3f9a1c2b.js')
          ? { status: 403, code: 'AccessDenied', message: 'Access Denied' }
          : undefined;
      const err = await syncAssets(client, opts('denied-pr-1/')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(S3OperationError);
      expect(err).toMatchObject({ status: 403, code: 'AccessDenied' });
      expect((err as Error).message).toMatch(
        new RegExp(
          `^PutObject s3://${s3.bucket}/denied-pr-1/assets/app\\.3f9a1c2b\\.js: HTTP 403 AccessDenied: Access Denied; the credentials may not`,
        ),
      );
      expect(puts().filter((r) => r.url.endsWith('app.3f9a1c2b.js'))).toHaveLength(1); // not retried
      expect(puts().some((r) => r.url.endsWith('.html'))).toBe(false);
      expect(proxy.seen.some((r) => r.method === 'POST')).toBe(false);
      expect(await s3.listKeys('denied-pr-1/')).toContain('denied-pr-1/stale.txt');
    });

    it('sends every HTML file only after all other files are stored', async () => {
      for (let i = 0; i < 20; i++) write(`many/page${i}.html`, `<p>${i}</p>`);
      for (let i = 0; i < 40; i++) write(`many/chunk${i}.js`, `// ${i}`);
      try {
        await syncAssets(client, opts('order-pr-1/', { concurrency: 8 }));
      } finally {
        rmSync(join(site, 'many'), { recursive: true });
      }
      const html = puts().filter((r) => r.url.endsWith('.html'));
      const other = puts().filter((r) => !r.url.endsWith('.html'));
      expect(html).toHaveLength(22);
      expect(other).toHaveLength(43);
      const firstHtml = Math.min(...html.map((r) => r.start));
      const lastOther = Math.max(...other.map((r) => r.end ?? Infinity));
      expect(firstHtml).toBeGreaterThan(lastOther);
    });
  });
}
