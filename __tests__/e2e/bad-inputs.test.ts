/**
 * Every bad input stops the bundle before it touches anything: `node dist/index.js` on a real same-repository
 * `pull_request.opened` payload, pointed at the emulated gateway and GitHub API, s3rver, a recording server standing
 * in for the registry and a fake builder first on PATH. Each run must exit 1 with exactly one `::error::` naming the
 * input, no stack trace, no secret in any form, and zero writes anywhere (the builder is not even started).
 * The first block shows that the same counters do see writes when the inputs are good.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { prPayload, runAction, type ActionRun } from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';

const PR = 2;
const SHA = 'd'.repeat(7) + '4'.repeat(33);
const GATEWAY_PASSWORD = 'gw-pass-Kq73';
const REGISTRY_USER = 'bot';
const REGISTRY_PASSWORD = 'reg-pass-Vx19';
const GITHUB_TOKEN = 'ghs_e2eToken9w';
const URL_PASSWORD = 'url-pass-Hn52';
const OUTSIDE_SECRET = 'FAKE-Outside-Credential-77';
const BUILDERS = ['docker', 'buildah', 'podman'];

let gateway: GatewayEmulator;
let github: GitHubEmulator;
let s3: S3Emulator;
let registry: Server;
let registryRequests: string[] = [];
let root: string;
let workspace: string;
let outside: string;
let fakeBin: string;

/** A shell script that records that it was started (the action's child environment is allow-listed, so the path is baked in). */
function fakeBuilder(name: string): void {
  const script = path.join(fakeBin, name);
  writeFileSync(script, `#!/bin/sh\necho "$0 $*" > '${path.join(root, `started-${name}`)}'\nexit 1\n`);
  chmodSync(script, 0o755);
}

const buildersStarted = () => BUILDERS.filter((b) => existsSync(path.join(root, `started-${b}`)));

beforeAll(async () => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'bad-inputs-')));
  workspace = path.join(root, 'ws');
  outside = path.join(root, 'outside');
  fakeBin = path.join(root, 'bin');
  for (const dir of ['ws/fn', 'ws/site', 'ws/ctx-without-dockerfile', 'outside', 'bin'])
    mkdirSync(path.join(root, dir), { recursive: true });
  writeFileSync(path.join(workspace, 'fn/Dockerfile'), 'FROM scratch\n');
  writeFileSync(path.join(workspace, 'site/index.html'), '<h1>preview</h1>');
  writeFileSync(path.join(outside, 'credentials'), `[default]\naws_secret_access_key=${OUTSIDE_SECRET}\n`);
  symlinkSync(outside, path.join(workspace, 'site-link'));
  symlinkSync(outside, path.join(workspace, 'ctx-link'));
  symlinkSync(path.join(outside, 'credentials'), path.join(workspace, 'fn/Dockerfile.link'));
  BUILDERS.forEach(fakeBuilder);

  registry = createServer((req, res) => {
    registryRequests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: 'acme/hello-world', tags: [] }));
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  [gateway, github, s3] = await Promise.all([
    startGateway({ edition: 'faasd-ce', password: GATEWAY_PASSWORD }),
    startGitHub({ token: GITHUB_TOKEN }),
    startS3(),
  ]);
  github.setPull({ number: PR, state: 'open', headSha: SHA });
}, 60_000);

afterAll(async () => {
  registry?.closeAllConnections();
  await Promise.all([
    gateway?.close(),
    github?.close(),
    s3?.close(),
    new Promise((resolve) => registry?.close(resolve)),
  ]);
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A good deploy: docker (the fake one) pushing to the recording registry, assets from `site` to s3rver. */
function good(): Record<string, string> {
  return {
    'gateway-url': gateway.url,
    'gateway-password': GATEWAY_PASSWORD,
    'preview-domain': 'preview.example.com',
    builder: 'docker',
    registry: `127.0.0.1:${(registry.address() as AddressInfo).port}/acme`,
    'registry-username': REGISTRY_USER,
    'registry-password': REGISTRY_PASSWORD,
    'registry-insecure': 'true',
    'delete-image': 'true',
    context: 'fn',
    'static-dir': 'site',
    bucket: s3.bucket,
    's3-endpoint': s3.endpoint,
    'aws-access-key-id': 'S3RVER',
    'aws-secret-access-key': 'S3RVER',
    'github-token': GITHUB_TOKEN,
    'ready-timeout': '5s',
  };
}

const PREBUILT = {
  builder: 'none',
  image: '127.0.0.1:5000/acme/hello-world:1.0',
  registry: '',
  'registry-username': '',
  'registry-password': '',
  'registry-insecure': '',
  'delete-image': '',
};

interface Effects {
  run: ActionRun;
  gatewayWrites: string[];
  githubWrites: string[];
  s3Requests: string[];
  registryRequests: string[];
  buildersStarted: string[];
}

async function act(inputs: Record<string, string>, action = 'opened'): Promise<Effects> {
  const gatewayBefore = gateway.calls.length;
  const githubBefore = github.calls.length;
  s3.clearRequests();
  registryRequests = [];
  for (const b of BUILDERS) rmSync(path.join(root, `started-${b}`), { force: true });
  const run = await runAction({
    event: 'pull_request',
    payload: prPayload(action, { number: PR, sha: SHA }),
    inputs,
    apiUrl: github.url,
    workspace,
    env: { PATH: `${fakeBin}:${process.env.PATH}` },
    timeoutMs: 60_000,
  });
  const writes = (calls: { method: string; path: string }[]) =>
    calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`);
  return {
    run,
    gatewayWrites: writes(gateway.calls.slice(gatewayBefore)),
    githubWrites: writes(github.calls.slice(githubBefore)),
    s3Requests: s3.requests().map((r) => `${r.method} ${r.url}`),
    registryRequests,
    buildersStarted: buildersStarted(),
  };
}

describe('with good inputs the same counters see every kind of write', () => {
  test('builder none: the function is deployed, assets uploaded, comment and deployment written', async () => {
    const e = await act({ ...good(), ...PREBUILT });
    if (e.run.code !== 0) throw new Error(`deploy failed:\n${e.run.stdout}\n${e.run.stderr}`);
    expect(e.gatewayWrites.length).toBeGreaterThan(0);
    expect(e.s3Requests.some((r) => r.startsWith('PUT '))).toBe(true);
    expect(e.githubWrites.length).toBeGreaterThan(0);
  });

  test('builder docker: the fake builder on PATH is started (and fails the deploy)', async () => {
    const e = await act(good());
    expect(e.buildersStarted).toEqual(['docker']);
    expect(e.run.code).toBe(1);
  });

  test('teardown with delete-image: the recording registry is asked for the tags (no Dockerfile needed to tear down)', async () => {
    const e = await act({ ...good(), command: 'teardown', context: 'ctx-without-dockerfile' }, 'closed');
    expect(e.run.code).toBe(0);
    expect(e.registryRequests).toEqual(
      expect.arrayContaining([expect.stringMatching(/^GET \/v2\/acme\/hello-world\/tags\/list/)]),
    );
  });
});

type Case = [input: string, overrides: () => Record<string, string>];

const BAD: Case[] = [
  // The workspace is hostile: nothing outside it may be read, uploaded or built.
  ['static-dir', () => ({ 'static-dir': 'site-link' })],
  ['static-dir', () => ({ 'static-dir': '..' })],
  ['static-dir', () => ({ 'static-dir': '/' })],
  ['static-dir', () => ({ 'static-dir': outside })],
  ['static-dir', () => ({ 'static-dir': 'missing' })],
  ['context', () => ({ context: '../../..' })],
  ['context', () => ({ context: 'missing' })],
  ['context', () => ({ context: 'ctx-link' })],
  ['dockerfile', () => ({ context: 'ctx-without-dockerfile' })],
  ['dockerfile', () => ({ dockerfile: 'Dockerfile.link' })],
  ['dockerfile', () => ({ dockerfile: path.join(outside, 'credentials') })],
  // S3
  ['bucket', () => ({ bucket: 'My_Bucket' })],
  ['bucket', () => ({ bucket: '192.168.5.4' })],
  ['bucket', () => ({ bucket: 'xn--previews' })],
  ['bucket', () => ({ bucket: 'previews-s3alias' })],
  ['bucket', () => ({ bucket: 'b' })],
  ['s3-region', () => ({ 's3-region': 'us-east-1.evil.example' })],
  ['s3-endpoint', () => ({ 's3-endpoint': `http://S3RVER:${URL_PASSWORD}@127.0.0.1:1` })],
  ['cache-control', () => ({ 'cache-control': 'no-cache\r\nX-Injected: 1' })],
  ['cache-control-fingerprinted', () => ({ 'cache-control-fingerprinted': 'public,\nimmutable' })],
  ['upload-concurrency', () => ({ 'upload-concurrency': '0' })],
  ['aws-secret-access-key', () => ({ 'aws-secret-access-key': '' })],
  // Kubernetes names, labels, annotations, env and quantities
  ['labels', () => ({ labels: 'faas-preview/managed=false' })],
  ['labels', () => ({ labels: 'team=web app' })],
  ['labels', () => ({ labels: `team=${'v'.repeat(64)}` })],
  ['annotations', () => ({ annotations: 'faas-preview/url=https://evil.example' })],
  ['annotations', () => ({ annotations: 'bad key=x' })],
  ['env', () => ({ env: 'MY VAR=1' })],
  ['env', () => ({ env: 'FAAS_PREVIEW_URL=https://evil.example' })],
  ['env', () => ({ env: 'A=1\nA=2' })],
  ['build-args', () => ({ 'build-args': 'A=1\nA=2' })],
  ['secrets', () => ({ secrets: 'DB_PASSWORD' })],
  ['namespace', () => ({ namespace: 'n'.repeat(64) })],
  ['memory-limit', () => ({ 'memory-limit': '128Gi' })],
  ['memory-limit', () => ({ 'memory-limit': '1Ki' })],
  ['cpu-limit', () => ({ 'cpu-limit': '200' })],
  ['cpu-limit', () => ({ 'cpu-limit': '0' })],
  ['ready-timeout', () => ({ 'ready-timeout': '9'.repeat(400) })],
  ['idle-after', () => ({ 'idle-after': '0' })],
  ['max-age', () => ({ 'max-age': '7' })],
  ['request-timeout', () => ({ 'request-timeout': '0' })],
  // Images and registries
  ['image', () => ({ ...PREBUILT, image: 'ghcr.io/Acme/API:latest' })],
  ['image', () => ({ ...PREBUILT, image: 'nginx@sha256:abc' })],
  ['image', () => ({ image: 'shop:1.0' })],
  ['registry', () => ({ registry: 'acme' })],
  ['registry', () => ({ ...PREBUILT, registry: 'ghcr.io/acme' })],
  ['registry-password', () => ({ ...PREBUILT, 'registry-password': REGISTRY_PASSWORD })],
  ['delete-image', () => ({ ...PREBUILT, 'delete-image': 'true' })],
  ['registry-password', () => ({ 'registry-password': '' })],
  // URLs
  ['url-template', () => ({ 'preview-domain': '', 'url-template': 'https://{app}.example.com/{name}' })],
  ['url-template', () => ({ 'preview-domain': '', 'url-template': `https://user:${URL_PASSWORD}@{name}.example.com` })],
  ['url-template', () => ({ 'preview-domain': '', 'url-template': 'https://previews.example.com/' })],
  ['url-template', () => ({ 'url-template': 'https://{name}.preview.example.com' })],
  ['preview-domain', () => ({ 'preview-domain': 'https://preview.example.com' })],
  ['preview-domain', () => ({ 'preview-domain': 'preview..example.com' })],
  ['preview-domain', () => ({ 'preview-domain': `${'l'.repeat(64)}.example.com` })],
  ['preview-domain', () => ({ 'preview-domain': 'preview.example.com/path' })],
  ['gateway-url', () => ({ 'gateway-url': gateway.url.replace('http://', `http://admin:${GATEWAY_PASSWORD}@`) })],
  ['gateway-url', () => ({ 'gateway-url': `${gateway.url}/?debug=1` })],
  ['gateway-url', () => ({ 'gateway-url': 'gateway.local' })],
  ['prometheus-url', () => ({ 'prometheus-url': `http://prom:${URL_PASSWORD}@127.0.0.1:9090` })],
  ['prometheus-username', () => ({ 'prometheus-username': 'prom', 'prometheus-password': URL_PASSWORD })],
  // Paths, names and everything else
  ['state-prefix', () => ({ 'state-prefix': '../state' })],
  ['state-prefix', () => ({ 'state-prefix': 'a//b' })],
  ['ready-path', () => ({ 'ready-path': '/../../system/functions' })],
  ['ready-path', () => ({ 'ready-path': '/health?full=1' })],
  ['api-path', () => ({ 'api-path': '/api/..' })],
  ['app', () => ({ app: 'Shop' })],
  ['label', () => ({ label: 'l'.repeat(51) })],
  ['max-previews', () => ({ 'max-previews': 'lots' })],
  ['github-token', () => ({ 'github-token': '' })],
  ['gateway-password', () => ({ 'gateway-password': `${GATEWAY_PASSWORD}\u0007` })],
  ['gateway-username', () => ({ 'gateway-username': 'admin:root' })],
  ['builder', () => ({ builder: 'kaniko' })],
  ['command', () => ({ command: 'destroy' })],
  ['include-dotfiles', () => ({ 'include-dotfiles': 'yes' })],
  ['comment', () => ({ comment: 'on' })],
  // Per-preview data: the database URL is a secret, never quoted; identifiers never reach SQL unvalidated.
  [
    'database-url',
    () => ({ database: 'postgres', 'database-url': `postgres//faas_preview:${URL_PASSWORD}@db.example.com/postgres` }),
  ],
  [
    'database-url',
    () => ({ database: 'postgres', 'database-url': `mysql://faas_preview:${URL_PASSWORD}@db.example.com/postgres` }),
  ],
  ['database-url', () => ({ database: 'postgres' })],
  [
    'database-template',
    () => ({
      database: 'postgres',
      'database-url': `postgres://faas_preview:${URL_PASSWORD}@db.example.com/postgres`,
      'database-template': 'tpl"; DROP DATABASE postgres; --',
    }),
  ],
  ['database-migrate', () => ({ 'database-migrate': 'make migrate' })],
  ['preview-secrets', () => ({ 'preview-secrets': `API KEY=${URL_PASSWORD}` })],
  ['hook-timeout', () => ({ 'hook-timeout': '0s' })],
];

/** Every form in which this suite's secrets could leak: as given, and Basic auth as it travels. */
function secretForms(): string[] {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return [
    GATEWAY_PASSWORD,
    b64(`admin:${GATEWAY_PASSWORD}`),
    REGISTRY_PASSWORD,
    b64(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`),
    GITHUB_TOKEN,
    URL_PASSWORD,
    OUTSIDE_SECRET,
  ];
}

describe('a bad input stops the step before any side effect', () => {
  test('the table holds at least 50 bad inputs', () => expect(BAD.length).toBeGreaterThanOrEqual(50));

  test.each(BAD.map(([input, overrides], i) => [i + 1, input, overrides] as const))(
    '#%i %s',
    async (_i, input, overrides) => {
      const e = await act({ ...good(), ...overrides() });
      const { run } = e;
      const output = `${run.stdout}\n${run.stderr}`;

      expect(run.code).toBe(1);
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^::error::input '${input}': \\S`));
      expect(output).not.toMatch(/^\s{4}at /m);

      // The runner consumes `::add-mask::` lines (that is how it learns what to mask); nothing else may carry a secret.
      const log = output.replace(/^::add-mask::.*$/gm, '');
      for (const secret of secretForms()) expect(log).not.toContain(secret);

      expect(e.gatewayWrites).toEqual([]);
      expect(e.githubWrites).toEqual([]);
      expect(e.s3Requests).toEqual([]);
      expect(e.registryRequests).toEqual([]);
      expect(e.buildersStarted).toEqual([]);
    },
  );
});
