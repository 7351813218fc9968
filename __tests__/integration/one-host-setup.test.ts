/**
 * deploy/one-host/setup.ts as docs/one-host.md runs it (npx tsx …, here with --root): a second run changes nothing,
 * a changed value rewrites only its file, the nginx site passes a real `nginx -t` with and without TLS (a throwaway
 * self-signed wildcard certificate), the unit hands every secret over as a credential and no written file holds a
 * secret, and bad env files are refused naming the variable.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DIST, ROOT } from '../../test/support/action.js';
import { describeWith } from '../../test/support/tools.js';
import { loadOneHost } from '../../deploy/one-host/env.js';
import { NGINX_SITE, SERVICE_ENV, UNIT, hostFiles } from '../../deploy/one-host/files.js';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const SETUP = path.join(ROOT, 'deploy/one-host/setup.ts');
const { describe: withNginx } = describeWith(['nginx', 'openssl']);

let dir: string;
const secrets: Record<string, string> = {};

/** The example env file with this test's paths and values in place of the example's. */
function envFile(name: string, changes: Record<string, string> = {}): string {
  const base: Record<string, string> = {
    PREVIEW_DOMAIN: 'preview.test',
    LISTEN: '127.0.0.1:8443',
    TLS_CERTIFICATE: path.join(dir, 'cert.pem'),
    TLS_CERTIFICATE_KEY: path.join(dir, 'key.pem'),
    HTTP_REDIRECT_LISTEN: '127.0.0.1:8080',
    RESOLVER: '127.0.0.1',
    GATEWAY_PASSWORD_FILE: path.join(dir, 'gateway-password'),
    S3_ENDPOINT: 'http://127.0.0.1:9000',
    S3_ACCESS_KEY_ID_FILE: path.join(dir, 's3-access-key-id'),
    S3_SECRET_ACCESS_KEY_FILE: path.join(dir, 's3-secret-access-key'),
    GITHUB_CLIENT_SECRET_FILE: path.join(dir, 'github-client-secret'),
    GATE_KEY_FILE: path.join(dir, 'gate-key'),
    BYPASS_TOKEN_FILE: path.join(dir, 'bypass-token'),
    ...changes,
  };
  const example = readFileSync(path.join(ROOT, 'deploy/one-host/one-host.env.example'), 'utf8');
  const seen = new Set<string>();
  const lines = example.split('\n').map((line) => {
    const m = /^([A-Z0-9_]+)=/.exec(line);
    if (!m || !(m[1] in base)) return line;
    seen.add(m[1]);
    return `${m[1]}=${base[m[1]]}`;
  });
  const extra = Object.keys(base)
    .filter((k) => !seen.has(k))
    .map((k) => `${k}=${base[k]}`);
  const file = path.join(dir, name);
  writeFileSync(file, [...lines, ...extra, ''].join('\n'));
  return file;
}

function setup(env: string, root: string): { status: number | null; out: string; err: string } {
  const r = spawnSync(TSX, [SETUP, '--env', env, '--root', root, '--dist', path.join(DIST, 'waker')], {
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** nginx -t of the site inside a minimal main config, as conf.d/ includes it. */
function nginxTest(site: string): void {
  const prefix = mkdtempSync(path.join(dir, 'nginx-'));
  writeFileSync(path.join(prefix, 'site.conf'), site);
  writeFileSync(
    path.join(prefix, 'nginx.conf'),
    `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log;\nevents {}\nhttp {\n    access_log off;\n    include ${prefix}/site.conf;\n}\n`,
  );
  execFileSync(
    'nginx',
    ['-t', '-q', '-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')],
    {
      stdio: 'pipe',
    },
  );
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'one-host-setup-'));
  for (const name of ['gateway-password', 's3-access-key-id', 's3-secret-access-key', 'github-client-secret']) {
    secrets[name] = `${name}-${Math.random().toString(36).slice(2)}-value`;
    writeFileSync(path.join(dir, name), `${secrets[name]}\n`);
  }
  for (const name of ['gate-key', 'bypass-token']) {
    secrets[name] = execFileSync('openssl', ['rand', '-base64', '48'], { encoding: 'utf8' }).trim();
    writeFileSync(path.join(dir, name), `${secrets[name]}\n`);
  }
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=preview.test'],
      ...['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      ...['-addext', 'subjectAltName=DNS:*.preview.test'],
    ],
    { stdio: 'ignore' },
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one-host set-up into a destination root', () => {
  test('the first run writes every file; a second run with the same env file changes nothing and says so', () => {
    const root = path.join(dir, 'root-twice');
    const env = envFile('twice.env');
    const first = setup(env, root);
    expect(first.err).toBe('');
    expect(first.status).toBe(0);
    expect(first.out).toContain(`wrote     ${path.join(root, NGINX_SITE)}`);
    expect(first.out).toContain(`skipped (--root ${root}): nginx -t`);
    expect(first.out).toContain(`skipped (--root ${root}): systemctl restart faas-preview-waker.service`);
    const stamps = () =>
      readdirSync(root, { recursive: true }).map((f) => `${String(f)}:${statSync(path.join(root, String(f))).mtimeMs}`);
    const before = stamps();

    const second = setup(env, root);
    expect(second.status).toBe(0);
    const lines = second.out.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('unchanged '))).toEqual(['unchanged: nothing to reload or restart']);
    expect(lines).toHaveLength(
      first.out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('wrote')).length + 1,
    );
    expect(stamps()).toEqual(before);
  });

  test("a changed router value rewrites nginx's site alone and asks only for nginx -t and a reload", () => {
    const root = path.join(dir, 'root-change');
    expect(setup(envFile('change.env'), root).status).toBe(0);
    const again = setup(envFile('change.env', { API_PATH: '/backend' }), root);
    expect(again.status).toBe(0);
    expect(again.out.split('\n').filter((l) => /^(wrote|skipped)/.test(l))).toEqual([
      `wrote     ${path.join(root, NGINX_SITE)}`,
      `skipped (--root ${root}): nginx -t`,
      `skipped (--root ${root}): systemctl reload nginx`,
    ]);
  });

  test('the unit hands each secret file over as a credential; no written file holds a secret', () => {
    const root = path.join(dir, 'root-secrets');
    expect(setup(envFile('secrets.env'), root).status).toBe(0);
    const unit = readFileSync(path.join(root, UNIT), 'utf8');
    expect(unit).toContain(
      `LoadCredential=gateway-password:${path.join(dir, 'gateway-password')}\nEnvironment=WAKER_GATEWAY_PASSWORD_FILE=%d/gateway-password\n`,
    );
    for (const [name, variable] of [
      ['access-key-id', 'WAKER_AWS_ACCESS_KEY_ID_FILE'],
      ['secret-access-key', 'WAKER_AWS_SECRET_ACCESS_KEY_FILE'],
      ['gate-key', 'WAKER_GATE_KEY_FILE'],
      ['github-client-secret', 'WAKER_GITHUB_CLIENT_SECRET_FILE'],
      ['bypass-token', 'WAKER_BYPASS_TOKEN_FILE'],
    ])
      expect(unit).toContain(`Environment=${variable}=%d/${name}\n`);
    expect(unit).toContain('ExecStart=/usr/bin/node /opt/faas-preview/waker/index.js');
    expect(readFileSync(path.join(root, SERVICE_ENV), 'utf8')).toContain('WAKER_BUCKET_READS=signed\n');
    for (const file of readdirSync(root, { recursive: true }).map(String)) {
      if (statSync(path.join(root, file)).isDirectory()) continue;
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const value of Object.values(secrets)) expect(text).not.toContain(value);
    }
  });
});

withNginx('the rendered nginx site passes nginx -t', () => {
  test.each([
    [
      'TLS with the wildcard certificate, the redirect and the runner host',
      { RUNNER_HOST: 'openfaas.preview.test', READY_PATH: '/healthz' },
    ],
    [
      'TLS in front (plain HTTP listener)',
      { TLS_CERTIFICATE: '', TLS_CERTIFICATE_KEY: '', HTTP_REDIRECT_LISTEN: '', LISTEN: '127.0.0.1:8081' },
    ],
    ['public previews on a public bucket', { GATE: 'off', BUCKET_READS: 'anonymous' }],
  ] as [string, Record<string, string>][])('%s', (_, changes) => {
    const file = envFile('nginx.env', changes);
    const site = hostFiles(loadOneHost(file), { envFile: file, dist: path.join(DIST, 'waker') }).find(
      (f) => f.path === NGINX_SITE,
    )!;
    const text = site.content.toString();
    expect(text.includes('ssl_certificate ')).toBe(changes.TLS_CERTIFICATE !== '');
    expect(() => nginxTest(text)).not.toThrow();
  });
});

describe('bad env files are refused, naming the variable', () => {
  test.each([
    [{ PREVIEW_DOMAIN: '' }, 'PREVIEW_DOMAIN: is required'],
    [{ PREVIEW_DOMAIN: 'Preview.Test' }, 'PREVIEW_DOMAIN:'],
    [{ LISTEN: '443' }, "LISTEN: '443' must be address:port"],
    [{ GATEWAY_URL: 'ftp://gateway' }, 'GATEWAY_URL:'],
    [{ BUCKET_READS: 'private' }, 'BUCKET_READS:'],
    [
      { GATE: 'github', GITHUB_CLIENT_ID: '' },
      'GITHUB_CLIENT_ID: is required with WAKER_GATE=github'.replace('WAKER_', ''),
    ],
    [{ TLS_CERTIFICATE_KEY: '' }, 'TLS_CERTIFICATE_KEY: is empty while TLS_CERTIFICATE is set'],
    [
      { TLS_CERTIFICATE: '/nonexistent/fullchain.pem' },
      "TLS_CERTIFICATE: '/nonexistent/fullchain.pem' cannot be read (ENOENT)",
    ],
    [{ GATE_KEY_FILE: '/nonexistent/gate-key' }, 'GATE_KEY_FILE:'],
    [{ RUNNER_HOST: 'openfaas.preview.test' }, "READY_PATH: is '/'"],
    [{ RUNNER_HOST: 'login.preview.test', READY_PATH: '/healthz' }, 'RUNNER_HOST:'],
    [{ HTTP_REDIRECT_LISTEN: '80' }, 'HTTP_REDIRECT_LISTEN:'],
    [{ PUBLIC_ADDRESSES: 'my-host' }, "PUBLIC_ADDRESSES: 'my-host' is not an IP address"],
    [{ LISTN: '0.0.0.0:443' }, 'LISTN: is not a variable of the one-host env file'],
  ])('%j', (changes, message) => {
    expect(() => loadOneHost(envFile('bad.env', changes))).toThrow(message);
  });

  test('the set-up exits with status 2 and one line naming the variable, writing nothing', () => {
    const root = path.join(dir, 'root-bad');
    mkdirSync(root);
    const r = setup(envFile('bad-cli.env', { BUCKET: 'Not_A_Bucket' }), root);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/^faas-preview one-host set-up: BUCKET: /);
    expect(readdirSync(root)).toEqual([]);
  });
});
