/**
 * docs/one-host.md's certbot command, run as the guide has it, with the DNS provider `rfc2136` (certbot's plugin for
 * a DNS server that takes dynamic updates): BIND on 127.0.0.1 serves the preview domain and takes the plugin's
 * signed updates, and pebble, Let's Encrypt's test ACME server, issues the certificate after checking the DNS-01
 * TXT record through that BIND. A stand-in `systemctl` first on PATH records the deploy hook. What differs from a
 * real host: the ACME server, certbot's directories (temporary ones) and a short propagation wait.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../../test/support/action.js';
import { guideCommands } from '../../test/support/guide-commands.js';
import { describeWith, freePort, waitFor } from '../../test/support/tools.js';

const { describe: withCertbot } = describeWith(['certbot', 'named', 'pebble', 'openssl']);
const DOMAIN = 'preview.test';

withCertbot("the guide's certbot command: a wildcard certificate through DNS-01", () => {
  let dir: string;
  let dnsPort: number;
  let acmePort: number;
  let managementPort: number;
  const children: ChildProcess[] = [];
  const secret = Buffer.from('the TSIG key of the certbot test, 32 bytes or more!').toString('base64');

  const listening = (port: number) =>
    waitFor(
      () =>
        new Promise((resolve) => {
          const s = connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
          s.on('error', () => resolve(false));
        }),
      `a server on 127.0.0.1:${port}`,
      30_000,
    );

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'one-host-certbot-'));
    [dnsPort, acmePort, managementPort] = [await freePort(), await freePort(), await freePort()];
    // BIND: the preview domain, updatable with the TSIG key the credentials file names.
    writeFileSync(
      path.join(dir, 'named.conf'),
      `options {\n  directory "${dir}";\n  listen-on port ${dnsPort} { 127.0.0.1; };\n  listen-on-v6 { none; };\n` +
        `  pid-file none;\n  session-keyfile "${dir}/session.key";\n  recursion no;\n  dnssec-validation no;\n};\n` +
        `controls { };\nkey "certbot." { algorithm hmac-sha512; secret "${secret}"; };\n` +
        `zone "${DOMAIN}" { type primary; file "${dir}/zone"; allow-update { key "certbot."; }; };\n`,
    );
    writeFileSync(
      path.join(dir, 'zone'),
      `$TTL 60\n@ IN SOA ns.${DOMAIN}. hostmaster.${DOMAIN}. 1 60 60 600 60\n@ IN NS ns.${DOMAIN}.\n` +
        `ns IN A 127.0.0.1\n* IN A 127.0.0.1\n`,
    );
    // pebble: its own HTTPS certificate, which certbot is told to trust.
    const tls = spawnSync('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pebble'],
      ...['-keyout', path.join(dir, 'pebble.key'), '-out', path.join(dir, 'pebble.pem')],
      ...['-addext', 'subjectAltName=IP:127.0.0.1'],
    ]);
    expect(tls.status).toBe(0);
    writeFileSync(
      path.join(dir, 'pebble.json'),
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: path.join(dir, 'pebble.pem'),
          privateKey: path.join(dir, 'pebble.key'),
          // HTTP-01 and TLS-ALPN-01 are not used; pebble wants their ports all the same.
          httpPort: await freePort(),
          tlsPort: await freePort(),
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    const named = spawn('named', ['-g', '-c', path.join(dir, 'named.conf')], { stdio: 'ignore' });
    // No random wait before validating, no nonces refused at random: the run does the same every time.
    const pebble = spawn('pebble', ['-config', path.join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], {
      stdio: 'ignore',
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    });
    children.push(named, pebble);
    await Promise.all([listening(dnsPort), listening(acmePort)]);
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin/systemctl'), `#!/bin/sh\necho "systemctl $*" >> '${dir}/calls'\n`, {
      mode: 0o755,
    });
  }, 60_000);

  afterAll(() => {
    for (const child of children) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  /** The guide's command for provider rfc2136 and this domain, with the test's ACME server and directories. */
  function certbot(name: string, tsigSecret: string) {
    const credentials = path.join(dir, `${name}.ini`);
    writeFileSync(
      credentials,
      `dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = ${dnsPort}\ndns_rfc2136_name = certbot.\n` +
        `dns_rfc2136_secret = ${tsigSecret}\ndns_rfc2136_algorithm = HMAC-SHA512\n`,
      { mode: 0o600 },
    );
    const [command] = guideCommands('one-host certbot');
    const line = command
      .replaceAll('<provider>', 'rfc2136')
      .replace('/root/.secrets/rfc2136.ini', credentials)
      .replace("'*.preview.example.com'", `'*.${DOMAIN}'`);
    expect(line).toMatch(
      new RegExp(`^certbot certonly --dns-rfc2136 --dns-rfc2136-credentials \\S+ -d '\\*\\.${DOMAIN}' `),
    );
    const test = [
      `--server https://127.0.0.1:${acmePort}/dir`,
      ...['config', 'work', 'logs'].map((d) => `--${d}-dir ${path.join(dir, name, d)}`),
      '--non-interactive --agree-tos --register-unsafely-without-email --dns-rfc2136-propagation-seconds 1',
    ];
    const r = spawnSync('sh', ['-c', `${line} ${test.join(' ')}`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}`, REQUESTS_CA_BUNDLE: path.join(dir, 'pebble.pem') },
    });
    const calls = existsSync(path.join(dir, 'calls')) ? readFileSync(path.join(dir, 'calls'), 'utf8') : '';
    rmSync(path.join(dir, 'calls'), { force: true });
    return {
      status: r.status,
      out: `${r.stdout}${r.stderr}`,
      calls,
      live: path.join(dir, name, 'config/live', DOMAIN),
    };
  }

  /** pebble's root certificate, from its management API. */
  const pebbleRoot = () =>
    new Promise<X509Certificate>((resolve, reject) => {
      get(
        `https://127.0.0.1:${managementPort}/roots/0`,
        { ca: readFileSync(path.join(dir, 'pebble.pem')), agent: false },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve(new X509Certificate(body)));
        },
      ).on('error', reject);
    });

  test('the certificate covers the wildcard, chains to the CA, matches its key, and the deploy hook reloads nginx', async () => {
    const r = certbot('issued', secret);
    expect([r.status, r.out]).toEqual([0, expect.stringContaining('Successfully received certificate')]);
    // Where the guide says certbot writes them, for its domain.
    const guide = readFileSync(path.join(ROOT, 'docs/one-host.md'), 'utf8');
    expect(guide).toContain('`/etc/letsencrypt/live/preview.example.com/fullchain.pem` and `privkey.pem`');
    const chain = readFileSync(path.join(r.live, 'fullchain.pem'), 'utf8')
      .split(/(?<=-----END CERTIFICATE-----\n)/)
      .filter((p) => p.includes('BEGIN'))
      .map((p) => new X509Certificate(p));
    expect(chain).toHaveLength(2);
    const [leaf, intermediate] = chain;
    expect(leaf.subjectAltName).toBe(`DNS:*.${DOMAIN}`);
    expect(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)).toBe(true);
    expect(intermediate.verify((await pebbleRoot()).publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(readFileSync(path.join(r.live, 'privkey.pem'))))).toBe(true);
    expect(r.calls).toBe('systemctl reload nginx\n');
  }, 120_000);

  test('a credentials file with another TSIG key: the DNS server refuses the update, no certificate, no reload', () => {
    const r = certbot('refused', Buffer.from('not the key the DNS server knows, 32 bytes or more').toString('base64'));
    expect(r.status).not.toBe(0);
    expect(existsSync(path.join(r.live, 'fullchain.pem'))).toBe(false);
    expect(r.calls).toBe('');
  }, 120_000);
});
