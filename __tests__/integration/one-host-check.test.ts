/**
 * deploy/one-host/check.ts against real local parts, each check seen passing and failing: nginx with TLS (the site
 * the set-up renders, a throwaway self-signed wildcard certificate) on 127.0.0.1, Ceph radosgw with a private bucket
 * and a too-open public one, the emulated faasd gateway, the emulated GitHub with the App registered, the bundled
 * edge service started from the set-up's environment, and a DNS server on 127.0.0.1 standing in for the domain's.
 * Nothing leaves 127.0.0.1: the checks get no address of this host's other interfaces.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { promises as dns } from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../../test/support/action.js';
import { startDns, type DnsServer } from '../../test/support/dns.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { guideCommands } from '../../test/support/guide-commands.js';
import { RGW_PROGRAMS, startRgw, type RgwServer } from '../../test/support/rgw.js';
import { describeWith, freePort, waitFor } from '../../test/support/tools.js';
import { startWakerProcess, type WakerProcess } from '../../test/support/waker.js';
import { loadOneHost } from '../../deploy/one-host/env.js';
import { NGINX_SITE, hostFiles } from '../../deploy/one-host/files.js';
import { runChecks } from '../../deploy/one-host/checks.js';
import type { CheckDeps, Line } from '../../deploy/one-host/check-line.js';

const { describe: withParts } = describeWith([...RGW_PROGRAMS, 'nginx', 'openssl']);
const CLIENT_ID = 'Iv1.0one0host0check';
const CLIENT_SECRET = 'client-secret-of-the-one-host-check-app';
const GATEWAY_PASSWORD = 'gateway-password-of-the-one-host-check';
const PUBLIC_BUCKET = 'public-previews';

withParts('one-host check', () => {
  let dir: string;
  let rgw: RgwServer;
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let dnsServer: DnsServer;
  let waker: WakerProcess;
  let nginx: ChildProcess;
  let nginxPort: number;
  const secrets: Record<string, string> = {};

  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  function certificate(name: string, domain: string, days = 30): void {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(days), '-subj', `/CN=${domain}`],
        ...['-keyout', path.join(dir, `${name}.key`), '-out', path.join(dir, `${name}.pem`)],
        ...['-addext', `subjectAltName=DNS:*.${domain}`],
      ],
      { stdio: 'ignore' },
    );
  }

  function envText(changes: Record<string, string> = {}): string {
    const values: Record<string, string> = {
      PREVIEW_DOMAIN: 'preview.test',
      LISTEN: `127.0.0.1:${nginxPort}`,
      TLS_CERTIFICATE: path.join(dir, 'wildcard.pem'),
      TLS_CERTIFICATE_KEY: path.join(dir, 'wildcard.key'),
      RESOLVER: '127.0.0.1',
      RUNNER_HOST: 'openfaas.preview.test',
      READY_PATH: '/healthz',
      GATEWAY_URL: gateway.url,
      GATEWAY_PASSWORD_FILE: path.join(dir, 'gateway-password'),
      BUCKET: rgw.bucket,
      S3_ENDPOINT: rgw.endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID_FILE: path.join(dir, 's3-access-key-id'),
      S3_SECRET_ACCESS_KEY_FILE: path.join(dir, 's3-secret-access-key'),
      BUCKET_READS: 'signed',
      REPOSITORIES: 'Codertocat/Hello-World',
      SERVICE_LISTEN: waker ? waker.url.replace('http://', '') : '127.0.0.1:1',
      GATE: 'github',
      GITHUB_CLIENT_ID: CLIENT_ID,
      GITHUB_CLIENT_SECRET_FILE: path.join(dir, 'github-client-secret'),
      GATE_KEY_FILE: path.join(dir, 'gate-key'),
      GITHUB_URL: github.url,
      GITHUB_API_URL: github.url,
      ...changes,
    };
    return Object.entries(values)
      .map(([k, v]) => `${k}=${v}\n`)
      .join('');
  }

  const hostWith = (changes: Record<string, string> = {}) => loadOneHost(file('one-host.env', envText(changes)));

  const deps = (o: Partial<CheckDeps> = {}): CheckDeps => {
    const r = new dns.Resolver({ timeout: 2000, tries: 1 });
    r.setServers([dnsServer.address]);
    return { resolve: (name) => r.resolve4(name), interfaceAddresses: () => [], now: Date.now, ...o };
  };

  async function check(changes: Record<string, string> = {}, o: Partial<CheckDeps> = {}): Promise<Map<string, Line>> {
    const lines = await runChecks(hostWith(changes), deps(o));
    return new Map(lines.map((l) => [l.name, l]));
  }

  async function startNginx(): Promise<void> {
    const prefix = mkdtempSync(path.join(dir, 'nginx-'));
    const host = hostWith();
    const site = hostFiles(host, { envFile: 'one-host.env', dist: path.join(ROOT, 'dist/waker') }).find(
      (f) => f.path === NGINX_SITE,
    )!;
    writeFileSync(path.join(prefix, 'site.conf'), site.content);
    writeFileSync(
      path.join(prefix, 'nginx.conf'),
      `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log;\nevents {}\nhttp {\n    access_log off;\n` +
        ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
          .map((t) => `    ${t}_temp_path ${prefix}/${t};\n`)
          .join('') +
        `    include ${prefix}/site.conf;\n}\n`,
    );
    nginx = spawn(
      'nginx',
      ['-p', prefix, '-c', `${prefix}/nginx.conf`, '-e', `${prefix}/error.log`, '-g', 'daemon off;'],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(
      () =>
        new Promise((resolve) => {
          const s = connect(nginxPort, '127.0.0.1', () => (s.end(), resolve(true)));
          s.on('error', () => resolve(false));
        }),
      `nginx on 127.0.0.1:${nginxPort}`,
    );
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'one-host-check-'));
    certificate('wildcard', 'preview.test');
    certificate('other', 'other.test');
    [rgw, gateway, github, dnsServer] = await Promise.all([
      startRgw(),
      startGateway({ edition: 'faasd-ce', password: GATEWAY_PASSWORD }),
      startGitHub({
        oauth: {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          callbackUrls: ['https://login.preview.test/.faas-preview/callback'],
        },
      }),
      startDns({ '*.preview.test': ['127.0.0.1'] }),
    ]);
    secrets.gateway = GATEWAY_PASSWORD;
    secrets.client = CLIENT_SECRET;
    secrets.s3 = rgw.settings.secretAccessKey!;
    secrets.gate = 'gate-key-of-the-one-host-check-0123456789abcdef';
    file('gateway-password', `${GATEWAY_PASSWORD}\n`);
    file('wrong-password', 'not-the-password\n');
    file('github-client-secret', `${CLIENT_SECRET}\n`);
    file('wrong-client-secret', 'not-the-client-secret\n');
    file('gate-key', `${secrets.gate}\n`);
    file('s3-access-key-id', `${rgw.settings.accessKeyId}\n`);
    file('s3-secret-access-key', `${secrets.s3}\n`);

    // the private bucket: a preview file, then writes refused to the edge's (here: the owner's) credentials
    await rgw.client.send(
      new PutObjectCommand({ Bucket: rgw.bucket, Key: 'shop-pr-1/index.html', Body: '<p>private</p>' }),
    );
    const deny = { Effect: 'Deny', Principal: { AWS: ['arn:aws:iam:::user/faas-preview'] }, Action: 's3:PutObject' };
    await rgw.client.send(
      new PutBucketPolicyCommand({
        Bucket: rgw.bucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ ...deny, Resource: `arn:aws:s3:::${rgw.bucket}/*` }],
        }),
      }),
    );
    // the public bucket: anyone reads, and (too open) anyone lists
    await rgw.client.send(new CreateBucketCommand({ Bucket: PUBLIC_BUCKET }));
    await rgw.client.send(
      new PutObjectCommand({ Bucket: PUBLIC_BUCKET, Key: 'shop-pr-1/index.html', Body: '<p>public</p>' }),
    );
    const open = (action: string, resource: string) => ({
      Effect: 'Allow',
      Principal: '*',
      Action: action,
      Resource: resource,
    });
    await rgw.client.send(
      new PutBucketPolicyCommand({
        Bucket: PUBLIC_BUCKET,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            open('s3:GetObject', `arn:aws:s3:::${PUBLIC_BUCKET}/*`),
            open('s3:ListBucket', `arn:aws:s3:::${PUBLIC_BUCKET}`),
          ],
        }),
      }),
    );

    nginxPort = await freePort();
    const service = hostWith();
    const credentialEnv = Object.fromEntries(service.credentials.map((c) => [c.variable, c.path]));
    waker = await startWakerProcess({ ...service.service, ...credentialEnv });
    await startNginx();
  }, 120_000);

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await Promise.all([waker?.close(), rgw?.close(), gateway?.close(), github?.close(), dnsServer?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a well set-up host: every check ok but trust of the self-signed certificate', async () => {
    const lines = await check();
    const outcomes = Object.fromEntries([...lines].map(([name, l]) => [name, l.outcome]));
    expect(outcomes).toEqual({
      dns: 'ok',
      tls: 'ok',
      'tls served': 'problem',
      gateway: 'ok',
      'gateway login': 'ok',
      'gateway exposure': 'ok',
      'edge service': 'ok',
      'bucket edge read': 'ok',
      'bucket anonymous read': 'ok',
      'bucket anonymous list': 'ok',
      'bucket edge write': 'ok',
      'github app': 'ok',
      'github secret': 'ok',
      clock: 'ok',
    });
    expect(lines.get('tls served')!.text).toContain('browsers will not trust it');
    expect(lines.get('bucket edge read')!.text).toContain("'shop-pr-1/index.html'");
    expect(lines.get('github app')!.text).toContain('https://login.preview.test/.faas-preview/callback');
  });

  test('the command: one line per check, trusted with the certificate as a CA, exit 1 for the exposed gateway, no secret printed', async () => {
    const env = file('cli.env', envText({ PUBLIC_ADDRESSES: '127.0.0.1' }));
    // docs/one-host.md's command, run by the shell from the repository, with this env file and DNS server.
    const [command] = guideCommands('one-host check');
    const r = await run(
      'sh',
      ['-c', `${command.replace('/etc/faas-preview/one-host.env', env)} --dns-server ${dnsServer.address}`],
      { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'wildcard.pem') },
    );
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(14);
    expect(lines.filter((l) => l.startsWith('problem'))).toEqual([
      expect.stringMatching(/^problem +gateway exposure: port \d+ answers on 127\.0\.0\.1: /),
    ]);
    expect(r.stdout).toMatch(
      /^ok +dns: check-[0-9a-f]{8}\.preview\.test, login\.preview\.test, openfaas\.preview\.test resolve to this host \(127\.0\.0\.1\)$/m,
    );
    expect(r.stdout).toMatch(/^ok +tls served: nginx on 127\.0\.0\.1:\d+ serves it for login\.preview\.test, trusted/m);
    expect(r.status).toBe(1);
    for (const value of Object.values(secrets)) expect(r.stdout + r.stderr).not.toContain(value);
  });

  test('dns: a name that does not resolve, and one that resolves elsewhere than PUBLIC_ADDRESSES', async () => {
    try {
      dnsServer.setRecords({});
      expect((await check()).get('dns')).toMatchObject({
        outcome: 'problem',
        text: expect.stringContaining('does not resolve (ENOTFOUND)'),
      });
      dnsServer.setRecords({ '*.preview.test': ['127.0.0.9'] });
      expect((await check({ PUBLIC_ADDRESSES: '127.0.0.1' })).get('dns')).toMatchObject({
        outcome: 'problem',
        text: expect.stringContaining('resolves to 127.0.0.9, not to PUBLIC_ADDRESSES (127.0.0.1)'),
      });
    } finally {
      dnsServer.setRecords({ '*.preview.test': ['127.0.0.1'] });
    }
  });

  test('tls: a certificate of another domain, one nginx does not serve, and an expired one', async () => {
    const other = await check({
      TLS_CERTIFICATE: path.join(dir, 'other.pem'),
      TLS_CERTIFICATE_KEY: path.join(dir, 'other.key'),
    });
    expect(other.get('tls')!.text).toMatch(
      /^the certificate does not cover check-[0-9a-f]{8}\.preview\.test, login\.preview\.test/,
    );
    expect(other.get('tls served')!.text).toContain('serves another certificate for login.preview.test');
    const later = await check({}, { now: () => Date.now() + 40 * 24 * 3600 * 1000 });
    expect(later.get('tls')).toMatchObject({
      outcome: 'problem',
      text: expect.stringContaining('the certificate expired on'),
    });
  });

  test('gateway: a wrong password, a gateway that does not answer, a port that answers on a public address', async () => {
    expect(
      (await check({ GATEWAY_PASSWORD_FILE: path.join(dir, 'wrong-password') })).get('gateway login'),
    ).toMatchObject({
      outcome: 'problem',
      text: expect.stringContaining('refused admin with the password in GATEWAY_PASSWORD_FILE'),
    });
    const down = await check({ GATEWAY_URL: `http://127.0.0.1:${await freePort()}` });
    expect(down.get('gateway')).toMatchObject({ outcome: 'problem', text: expect.stringContaining('ECONNREFUSED') });
    const exposed = await check({}, { interfaceAddresses: () => ['127.0.0.1'] });
    expect(exposed.get('gateway exposure')).toMatchObject({
      outcome: 'problem',
      text: expect.stringContaining('answers on 127.0.0.1'),
    });
  });

  test('edge service: not running', async () => {
    expect((await check({ SERVICE_LISTEN: `127.0.0.1:${await freePort()}` })).get('edge service')!.outcome).toBe(
      'problem',
    );
  });

  test('bucket: modes that do not match the bucket, a too-open bucket, writable credentials, a missing object', async () => {
    const anonymousOnPrivate = await check({ BUCKET_READS: 'anonymous', GATE: 'off' });
    expect(anonymousOnPrivate.get('bucket anonymous read')!.text).toContain(
      'answered 403 without credentials: nginx cannot read it',
    );
    const signedOnPublic = await check({ BUCKET: PUBLIC_BUCKET });
    expect(signedOnPublic.get('bucket anonymous read')!.text).toContain(
      'answered 200 without credentials: anyone reads previews',
    );
    const anonymousOnPublic = await check({ BUCKET: PUBLIC_BUCKET, BUCKET_READS: 'anonymous', GATE: 'off' });
    expect(anonymousOnPublic.get('bucket anonymous read')!.outcome).toBe('ok');
    expect(anonymousOnPublic.get('bucket anonymous list')!.outcome).toBe('problem');
    expect(anonymousOnPublic.get('bucket edge write')!.text).toContain("the edge's credentials can write");
    expect(anonymousOnPublic.get('github app')).toMatchObject({
      outcome: 'not checked',
      text: expect.stringContaining('GATE is not github'),
    });
    const missing = await check({ CHECK_OBJECT: 'shop-pr-2/index.html' });
    expect(missing.get('bucket edge read')!.text).toContain("'shop-pr-2/index.html' does not exist");
  });

  test('github: an unknown client id, a callback URL the App does not list, a wrong client secret', async () => {
    expect((await check({ GITHUB_CLIENT_ID: 'Iv1.unknown' })).get('github app')!.text).toContain(
      'GitHub does not know the client id',
    );
    expect((await check({ PUBLIC_SCHEME: 'http' })).get('github app')!.text).toContain(
      "the App's callback URL is not http://login.preview.test/.faas-preview/callback",
    );
    expect(
      (await check({ GITHUB_CLIENT_SECRET_FILE: path.join(dir, 'wrong-client-secret') })).get('github secret')!.outcome,
    ).toBe('problem');
  });

  test('clock: an hour ahead of the bucket and GitHub', async () => {
    const ahead = await check({}, { now: () => Date.now() + 3600 * 1000 });
    expect(ahead.get('clock')!.text).toMatch(/^this host's clock is 36\d\d s ahead of /);
  });

  test('the runner host: /system/* reaches the gateway (its Basic auth), /function/ only for the readiness GET', async () => {
    const runner = (p: string, method = 'GET') => {
      const extra = { authorization: `Basic ${Buffer.from(`admin:${GATEWAY_PASSWORD}`).toString('base64')}` };
      return edgeRequestTls(nginxPort, 'openfaas.preview.test', p, method, extra);
    };
    expect((await runner('/system/info')).status).toBe(200);
    // the readiness GET reaches the gateway, which answers from the function (its stand-in's 200), not nginx
    gateway.seed({ name: 'shop-pr-1', image: 'ghcr.io/octo-org/shop:1' });
    const before = gateway.calls.length;
    const ready = await runner('/function/shop-pr-1/healthz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ function: 'shop-pr-1', method: 'GET', path: '/healthz' });
    expect(gateway.calls.slice(before).map((c) => [c.method, c.path, c.status])).toEqual([
      ['GET', '/function/shop-pr-1/healthz', 200],
    ]);
    const beforeRefused = gateway.calls.length;
    for (const p of [
      '/function/shop-pr-1/',
      '/function/shop-pr-1/admin',
      '/function/shop-pr-1/..%2Fhealthz',
      '/healthz',
    ])
      expect([p, await runner(p)]).toEqual([p, { status: 404, body: 'not found\n' }]);
    expect((await runner('/function/shop-pr-1/healthz', 'POST')).status).toBe(403);
    // nginx answered those itself: none reached the gateway
    expect(gateway.calls.slice(beforeRefused)).toEqual([]);
  });
});

/** A child process run to its end without blocking this one: the servers it talks to live in this process. */
function run(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A request to nginx's TLS listener with this Host and SNI (the self-signed certificate is not verified here). */
function edgeRequestTls(port: number, host: string, rawPath: string, method: string, extra: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: host,
        method,
        path: rawPath,
        headers: { host, ...extra },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
