/**
 * deploy/one-host/setup.ts as docs/one-host.md runs it (the guide's own command, here with --root): a second run changes nothing,
 * a changed value rewrites only its file, the nginx site passes a real `nginx -t` with and without TLS (a throwaway
 * self-signed wildcard certificate), the unit hands every secret over as a credential and no written file holds a
 * secret, systemd's own `systemd-analyze verify` accepts the unit, and bad env files are refused naming the variable.
 * The guide's `openssl rand` lines make the gate key and the bypass token.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DIST, ROOT } from '../../test/support/action.js';
import { guideCommands } from '../../test/support/guide-commands.js';
import { describeWith } from '../../test/support/tools.js';
import { loadOneHost } from '../../deploy/one-host/env.js';
import { NGINX_SITE, SERVICE_ENV, UNIT, hostFiles } from '../../deploy/one-host/files.js';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const SETUP = path.join(ROOT, 'deploy/one-host/setup.ts');
const { describe: withNginx } = describeWith(['nginx', 'openssl']);

/** TLS ends in front of the host: nginx listens in plain HTTP. */
const PLAIN = { TLS_CERTIFICATE: '', TLS_CERTIFICATE_KEY: '', HTTP_REDIRECT_LISTEN: '', LISTEN: '127.0.0.1:8081' };

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

/** The guide's set-up command, run by the shell from the repository, its env file this one and `args` added. */
function guideSetup(env: string, args: string[]): { status: number | null; out: string; err: string } {
  const [command] = guideCommands('one-host set-up');
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const r = spawnSync('sh', ['-c', `${command.replace('/etc/faas-preview/one-host.env', env)} ${quoted}`], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function setup(
  env: string,
  root: string,
  o: { args?: string[]; env?: NodeJS.ProcessEnv } = {},
): { status: number | null; out: string; err: string } {
  const r = spawnSync(
    TSX,
    [SETUP, '--env', env, '--root', root, '--dist', path.join(DIST, 'waker'), ...(o.args ?? [])],
    {
      encoding: 'utf8',
      env: o.env ?? process.env,
    },
  );
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Stand-ins for nginx and systemctl first on PATH, for the set-up's commands under --root --run-commands: each call
 * is recorded; `nginx -t` is the real nginx testing a main config that includes <root>/etc/nginx/conf.d/*.conf, as
 * the distribution's does; a systemctl call whose arguments are in FAKE_FAIL fails.
 */
function standIns(root: string): { env: (fail?: string) => NodeJS.ProcessEnv; calls: () => string[] } {
  const bin = mkdtempSync(path.join(dir, 'bin-'));
  const prefix = mkdtempSync(path.join(dir, 'nginx-main-'));
  const calls = path.join(bin, 'calls');
  const real = execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim();
  writeFileSync(
    path.join(prefix, 'nginx.conf'),
    `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/error.log;\nevents {}\nhttp {\n    access_log off;\n` +
      `    include ${root}/etc/nginx/conf.d/*.conf;\n}\n`,
  );
  writeFileSync(
    path.join(bin, 'nginx'),
    `#!/bin/sh\necho "nginx $*" >> '${calls}'\n[ "$*" = "-t" ] || exit 3\n` +
      `exec '${real}' -t -q -p '${prefix}' -c '${prefix}/nginx.conf' -e '${prefix}/error.log'\n`,
    { mode: 0o755 },
  );
  writeFileSync(
    path.join(bin, 'systemctl'),
    `#!/bin/sh\necho "systemctl $*" >> '${calls}'\n[ "$*" != "$FAKE_FAIL" ]\n`,
    { mode: 0o755 },
  );
  return {
    env: (fail = '') => ({ ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_FAIL: fail }),
    /** The calls since the last look. */
    calls: () => {
      const text = existsSync(calls) ? readFileSync(calls, 'utf8') : '';
      rmSync(calls, { force: true });
      return text.split('\n').filter(Boolean);
    },
  };
}

const ALL_COMMANDS = [
  'nginx -t',
  'systemctl reload nginx',
  'systemctl daemon-reload',
  'systemctl enable faas-preview-waker.service',
  'systemctl restart faas-preview-waker.service',
];

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
  // The guide's own lines, writing into this test's directory instead of /etc/faas-preview/.
  const made = guideCommands('one-host secrets');
  expect(made.map((c) => c.replace(/^.* > \/etc\/faas-preview\//, ''))).toEqual(['gate-key', 'bypass-token']);
  for (const command of made) execFileSync('sh', ['-c', command.replace('/etc/faas-preview/', `${dir}/`)]);
  for (const name of ['gate-key', 'bypass-token']) {
    secrets[name] = readFileSync(path.join(dir, name), 'utf8').trim();
    expect(Buffer.from(secrets[name], 'base64')).toHaveLength(48);
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
    const first = guideSetup(env, ['--root', root, '--dist', path.join(DIST, 'waker')]);
    expect(first.err).toBe('');
    expect(first.status).toBe(0);
    expect(first.out).toContain(`wrote     ${path.join(root, NGINX_SITE)}`);
    expect(first.out).toContain(`skipped (--root ${root}): nginx -t`);
    expect(first.out).toContain(`skipped (--root ${root}): systemctl restart faas-preview-waker.service`);
    const stamps = () =>
      readdirSync(root, { recursive: true }).map((f) => `${String(f)}:${statSync(path.join(root, String(f))).mtimeMs}`);
    const before = stamps();

    const second = guideSetup(env, ['--root', root, '--dist', path.join(DIST, 'waker')]);
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

const withSystemd = describeWith(['systemd-analyze']).describe;

withSystemd("systemd's own check of the unit the set-up writes", () => {
  /** `systemd-analyze verify` of `unit`: its exit status and what it said (a warning is a problem too). */
  const verify = (unit: string) => {
    const file = path.join(mkdtempSync(path.join(dir, 'unit-')), 'faas-preview-waker.service');
    writeFileSync(file, unit);
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8' });
    return { status: r.status, said: `${r.stdout}${r.stderr}`.trim() };
  };
  const written = () => {
    const root = path.join(dir, 'root-systemd');
    expect(setup(envFile('systemd.env'), root).status).toBe(0);
    return readFileSync(path.join(root, UNIT), 'utf8');
  };

  test('systemd-analyze verify accepts it, saying nothing', () => {
    expect(verify(written())).toEqual({ status: 0, said: '' });
  });

  test('it refuses a unit whose program is missing, and names a key systemd does not know', () => {
    const unit = written();
    const missing = verify(unit.replace('ExecStart=/usr/bin/node ', 'ExecStart=/usr/bin/no-such-node '));
    expect(missing.status).not.toBe(0);
    expect(missing.said).toContain('/usr/bin/no-such-node');
    expect(verify(unit.replace('MemoryMax=', 'MemoryMaximum=')).said).toContain("Unknown key 'MemoryMaximum'");
  });
});

withNginx('the rendered nginx site passes nginx -t', () => {
  test.each([
    [
      'TLS with the wildcard certificate, the redirect and the runner host',
      { RUNNER_HOST: 'openfaas.preview.test', READY_PATH: '/healthz' },
    ],
    ['TLS in front (plain HTTP listener)', PLAIN],
    [
      'TLS in front with the runner host (TLS_IN_FRONT=true)',
      { ...PLAIN, TLS_IN_FRONT: 'true', RUNNER_HOST: 'openfaas.preview.test', READY_PATH: '/healthz' },
    ],
    ['public previews on a public bucket', { GATE: 'off', BUCKET_READS: 'anonymous' }],
  ] as [string, Record<string, string>][])('%s', (_, changes) => {
    const file = envFile('nginx.env', changes);
    const site = hostFiles(loadOneHost(file), { envFile: file, dist: path.join(DIST, 'waker') }).find(
      (f) => f.path === NGINX_SITE,
    )!;
    const text = site.content.toString();
    expect(text.includes('ssl_certificate ')).toBe(changes.TLS_CERTIFICATE !== '');
    expect(text.includes(`server_name ${changes.RUNNER_HOST};`)).toBe(changes.RUNNER_HOST !== undefined);
    expect(() => nginxTest(text)).not.toThrow();
  });
});

withNginx("the set-up's commands: a refused site or a failed command is neither installed nor forgotten", () => {
  test('nginx -t refusing the new site: the previous file is back, exit 1, and the next run tries again', () => {
    const root = path.join(dir, 'root-refused');
    const site = path.join(root, NGINX_SITE);
    const fake = standIns(root);
    writeFileSync(path.join(dir, 'not-a-certificate.pem'), 'not a certificate\n');
    // one env file, rewritten: its path is in every file's header
    const bad = () => envFile('refused.env', { TLS_CERTIFICATE: path.join(dir, 'not-a-certificate.pem') });
    const good = () => envFile('refused.env');
    const run = (env: () => string) => setup(env(), root, { args: ['--run-commands'], env: fake.env() });

    // the first install: no site was there, none is left; the service's commands are still owed
    const first = run(bad);
    expect([first.status, fake.calls()]).toEqual([1, ['nginx -t']]);
    expect(first.err).toContain(
      `nginx -t refused the new site (exit status 1): ${site} is removed again (there was none)`,
    );
    expect(first.err).toContain('not-a-certificate.pem'); // the real nginx's own complaint
    expect(existsSync(site)).toBe(false);
    // not 'unchanged': it tries again
    expect([run(bad).status, fake.calls()]).toEqual([1, ['nginx -t']]);

    const fixed = run(good);
    expect([fixed.err, fixed.status, fake.calls()]).toEqual(['', 0, ALL_COMMANDS]);
    const installed = readFileSync(site);

    const broken = run(bad);
    expect([broken.status, fake.calls()]).toEqual([1, ['nginx -t']]);
    expect(broken.err).toContain(`nginx -t refused the new site (exit status 1): ${site} is restored to what it was`);
    expect(readFileSync(site).equals(installed)).toBe(true);

    const same = run(good);
    expect([same.status, same.out.trim().split('\n').at(-1), fake.calls()]).toEqual([
      0,
      'unchanged: nothing to reload or restart',
      [],
    ]);
  });

  test('--no-reload, then a run without changes does what it skipped; then nothing is owed', () => {
    const root = path.join(dir, 'root-owed');
    const fake = standIns(root);
    const env = envFile('owed.env');
    const skipped = setup(env, root, { args: ['--no-reload'], env: fake.env() });
    expect([skipped.status, fake.calls()]).toEqual([0, []]);
    expect(skipped.out).toContain('skipped (--no-reload): nginx -t');

    const later = setup(env, root, { args: ['--run-commands'], env: fake.env() });
    expect([later.err, later.status, fake.calls()]).toEqual(['', 0, ALL_COMMANDS]);
    expect(later.out).not.toContain('wrote');
    expect(later.out).toContain('owed by an earlier run');

    const again = setup(env, root, { args: ['--run-commands'], env: fake.env() });
    expect([again.status, again.out.trim().split('\n').at(-1), fake.calls()]).toEqual([
      0,
      'unchanged: nothing to reload or restart',
      [],
    ]);
  });

  test('a failed restart: exit 1, and the next run restarts the service though nothing changed', () => {
    const root = path.join(dir, 'root-restart');
    const fake = standIns(root);
    const env = envFile('restart.env');
    const failed = setup(env, root, {
      args: ['--run-commands'],
      env: fake.env('restart faas-preview-waker.service'),
    });
    expect([failed.status, fake.calls()]).toEqual([1, ALL_COMMANDS]);
    expect(failed.err).toContain('systemctl restart faas-preview-waker.service failed (exit status 1)');

    const retried = setup(env, root, { args: ['--run-commands'], env: fake.env() });
    expect([retried.status, fake.calls()]).toEqual([0, ALL_COMMANDS.slice(2)]);
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
    [
      { ...PLAIN, RUNNER_HOST: 'openfaas.preview.test', READY_PATH: '/healthz' },
      "RUNNER_HOST: needs TLS: the runners send the gateway's admin password (Basic auth) to it; set TLS_CERTIFICATE and TLS_CERTIFICATE_KEY, or TLS_IN_FRONT=true when TLS ends in front of this host",
    ],
    [{ ...PLAIN, TLS_IN_FRONT: 'yes' }, "TLS_IN_FRONT: 'yes' is neither true nor false"],
    [{ TLS_IN_FRONT: 'true' }, 'TLS_IN_FRONT: is true while TLS_CERTIFICATE is set'],
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
