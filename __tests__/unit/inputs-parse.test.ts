import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InputError, parseSettings } from '../../src/inputs/parse.js';
import { Secrets } from '../../src/text/secrets.js';

const workspace = realpathSync(mkdtempSync(path.join(tmpdir(), 'inputs-')));
const elsewhere = realpathSync(mkdtempSync(path.join(tmpdir(), 'inputs-elsewhere-')));
writeFileSync(path.join(workspace, 'a-file'), 'x');
writeFileSync(path.join(workspace, 'Dockerfile'), 'FROM scratch\n');
mkdirSync(path.join(workspace, 'site'));
writeFileSync(path.join(elsewhere, 'credentials'), 'secret');
symlinkSync(elsewhere, path.join(workspace, 'site-link'));
afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

const minimal: Record<string, string> = {
  'gateway-url': 'https://gw.example.com/',
  'gateway-password': 'gw-secret',
  'preview-domain': 'preview.example.com',
  registry: 'ghcr.io/acme',
  'github-token': 'ghs_x',
};
const none = { builder: 'none', image: 'ghcr.io/acme/api:1.2.3', registry: '' };

interface Options {
  masked?: string[];
  secrets?: Secrets;
  event?: { name: string; action?: string };
}

function parse(inputs: Record<string, string>, o: Options = {}) {
  return parseSettings((name) => inputs[name] ?? '', {
    repository: 'Acme/Shop_Front',
    workspace,
    mask: (s) => o.masked?.push(s),
    secrets: o.secrets ?? new Secrets(),
    event: o.event,
  });
}

function errorOf(inputs: Record<string, string>, o: Options = {}): InputError {
  try {
    parse(inputs, o);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('parseSettings', () => {
  test('defaults', () => {
    const s = parse(minimal);
    expect(s.app).toBe('shop-front');
    expect(s.command).toBeUndefined();
    expect(s.urlTemplate).toBe('https://{name}.preview.example.com');
    expect(s.gateway).toEqual({
      url: 'https://gw.example.com',
      username: 'admin',
      password: 'gw-secret',
      namespace: '',
    });
    expect(s.build).toEqual({
      builder: 'docker',
      context: workspace,
      dockerfile: 'Dockerfile',
      buildArgs: {},
      repository: 'ghcr.io/acme/shop-front',
      prebuiltImage: '',
      registryUsername: '',
      registryPassword: '',
      registryInsecure: false,
      deleteImage: false,
      rebuild: 'auto',
    });
    expect(s.fn).toEqual({
      envVars: {},
      secrets: [],
      labels: {},
      annotations: {},
      memoryLimit: '128Mi',
      cpuLimit: '200m',
      readyTimeoutMs: 120_000,
      readyPath: '/',
    });
    expect(s.assets).toBeUndefined();
    expect(s.sweep).toEqual({
      idleAfterMs: 30 * 60_000,
      prometheusUrl: undefined,
      prometheusAuth: undefined,
      statePrefix: '.faas-preview',
      maxAgeMs: undefined,
      maxPreviews: undefined,
      dryRun: false,
      waker: false,
    });
    expect(s.github).toEqual({ token: 'ghs_x', comment: true, deployment: true, showInternalAddresses: false });
    expect(parse({ ...minimal, 'show-internal-addresses': 'true' }).github.showInternalAddresses).toBe(true);
    expect(errorOf({ ...minimal, 'show-internal-addresses': 'yes please' }).input).toBe('show-internal-addresses');
    expect(s.apiPath).toBe('/api');
    expect(s.label).toBeUndefined();
    expect(s.requestTimeoutMs).toBe(30_000);
  });

  test('secrets are masked and registered before anything else can fail', () => {
    const masked: string[] = [];
    const secrets = new Secrets();
    const inputs = {
      ...minimal,
      'registry-password': 'reg-pw-1',
      'registry-username': 'bot',
      'aws-access-key-id': 's3-id-1',
      'aws-secret-access-key': 's3-key-1',
      'prometheus-password': 'prom-pw-1',
      builder: 'nope',
    };
    expect(errorOf(inputs, { masked, secrets }).input).toBe('builder');
    expect(masked).toEqual(
      expect.arrayContaining(['gw-secret', 'reg-pw-1', 's3-id-1', 's3-key-1', 'ghs_x', 'prom-pw-1']),
    );
    expect(
      secrets.scrub(
        `Basic ${Buffer.from('admin:gw-secret').toString('base64')} / Basic ${Buffer.from('bot:reg-pw-1').toString('base64')}`,
      ),
    ).toBe('Basic *** / Basic ***');
  });

  test('a password in a URL is masked, and the error names the input without it', () => {
    const masked: string[] = [];
    const err = errorOf({ ...minimal, 'gateway-url': 'https://admin:hunter22@gw.example.com' }, { masked });
    expect(err.message).toBe(
      "input 'gateway-url': 'https://***@gw.example.com' contains credentials; remove them from the URL and set 'gateway-username' and 'gateway-password' instead",
    );
    expect(masked).toContain('hunter22');
  });

  test('a secret pasted into another input is scrubbed from the error', () => {
    const err = errorOf({ ...minimal, 'gateway-password': 'Gw_Secret_9', namespace: 'Gw_Secret_9' });
    expect(err.message).toBe(
      "input 'namespace': '***' is not a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit; Kubernetes namespaces are DNS-1123 labels",
    );
  });

  test('every shape of input is read into Settings', () => {
    const s = parse({
      ...minimal,
      command: 'deploy',
      app: 'shop',
      namespace: 'previews',
      'gateway-username': 'ops',
      env: 'A=1\n# comment\n\nB = two=2',
      secrets: 'db-password, api-key\nthird',
      labels: 'team=web',
      annotations: 'example.com/note=hello, world',
      'build-args': 'NODE_ENV=production',
      'registry-username': 'bot',
      'registry-password': 'reg-pw',
      'registry-insecure': 'true',
      'delete-image': 'true',
      'memory-limit': '256Mi',
      'cpu-limit': '0.5',
      'ready-timeout': '90s',
      'ready-path': '/healthz',
      bucket: 'previews',
      'static-dir': 'site',
      's3-endpoint': 'http://127.0.0.1:9000',
      's3-region': 'auto',
      'aws-access-key-id': 'AKIA1',
      'aws-secret-access-key': 'secret1',
      'include-dotfiles': 'TRUE',
      'upload-concurrency': '8',
      'prometheus-url': 'http://prometheus.openfaas:9090',
      'prometheus-username': 'prom',
      'prometheus-password': 'prom-pw',
      'state-prefix': '/ci/state/',
      'max-age': '7d',
      'max-previews': '0',
      'dry-run': 'True',
      waker: 'true',
      label: 'preview please',
      'allow-fork-builds': 'false',
      'request-timeout': '2m',
    });
    expect(s.command).toBe('deploy');
    expect(s.app).toBe('shop');
    expect(s.gateway).toEqual({
      url: 'https://gw.example.com',
      username: 'ops',
      password: 'gw-secret',
      namespace: 'previews',
    });
    expect(s.fn).toEqual({
      envVars: { A: '1', B: 'two=2' },
      secrets: ['db-password', 'api-key', 'third'],
      labels: { team: 'web' },
      annotations: { 'example.com/note': 'hello, world' },
      memoryLimit: '256Mi',
      cpuLimit: '0.5',
      readyTimeoutMs: 90_000,
      readyPath: '/healthz',
    });
    expect(s.build).toMatchObject({
      repository: 'ghcr.io/acme/shop',
      buildArgs: { NODE_ENV: 'production' },
      registryUsername: 'bot',
      registryPassword: 'reg-pw',
      registryInsecure: true,
      deleteImage: true,
    });
    expect(s.assets).toEqual({
      staticDir: path.join(workspace, 'site'),
      bucket: 'previews',
      endpoint: 'http://127.0.0.1:9000',
      region: 'auto',
      accessKeyId: 'AKIA1',
      secretAccessKey: 'secret1',
      includeDotfiles: true,
      cacheControl: 'no-cache',
      cacheControlFingerprinted: 'public, max-age=31536000, immutable',
      concurrency: 8,
    });
    expect(s.sweep).toEqual({
      idleAfterMs: 30 * 60_000,
      prometheusUrl: 'http://prometheus.openfaas:9090',
      prometheusAuth: { username: 'prom', password: 'prom-pw' },
      statePrefix: 'ci/state',
      maxAgeMs: 7 * 86_400_000,
      maxPreviews: 0,
      dryRun: true,
      waker: true,
    });
    expect(s.label).toBe('preview please');
    expect(s.requestTimeoutMs).toBe(120_000);
  });

  test('builder none deploys the given image and needs no build context', () => {
    const s = parse({ ...minimal, ...none, context: 'app/function' });
    expect(s.build).toEqual({
      builder: 'none',
      context: '',
      dockerfile: '',
      buildArgs: {},
      repository: '',
      prebuiltImage: 'ghcr.io/acme/api:1.2.3',
      registryUsername: '',
      registryPassword: '',
      registryInsecure: false,
      deleteImage: false,
      rebuild: 'always',
    });
  });

  describe('context and Dockerfile must exist only in runs that can build', () => {
    const noDockerfile = { ...minimal, context: 'site' };
    const missing = `input 'dockerfile': 'Dockerfile' does not exist (looked for ${path.join(workspace, 'site/Dockerfile')}); use a file inside the workspace ${workspace}`;

    test.each([
      [{ command: 'sweep' }, undefined],
      [{ command: 'teardown' }, { name: 'pull_request', action: 'opened' }],
      [{}, { name: 'schedule' }],
      [{}, { name: 'workflow_dispatch' }],
      [{}, { name: 'pull_request', action: 'closed' }],
      [{}, { name: 'push' }],
    ])('%j on %j: no build, nothing to find', (inputs, event) => {
      expect(parse({ ...noDockerfile, ...inputs }, { event }).build).toMatchObject({
        context: path.join(workspace, 'site'),
        dockerfile: 'Dockerfile',
      });
    });

    test.each([
      [{ command: 'deploy' }, { name: 'schedule' }],
      [{}, { name: 'pull_request', action: 'opened' }],
      [{}, { name: 'pull_request_target', action: 'labeled' }],
      [{}, undefined],
    ])('%j on %j: a build, so the Dockerfile must be there', (inputs, event) => {
      expect(errorOf({ ...noDockerfile, ...inputs }, { event }).message).toBe(missing);
    });

    test('a path outside the workspace is refused even when nothing builds', () => {
      expect(errorOf({ ...minimal, command: 'sweep', context: '../elsewhere' }).message).toBe(
        `input 'context': '../elsewhere' is ${path.join(path.dirname(workspace), 'elsewhere')}, outside the workspace; use a directory inside the workspace ${workspace}`,
      );
    });
  });

  const noUse = "has no use with builder 'none', which deploys 'image' as it is; remove it, or choose a builder";
  test.each([
    [{ ...none, registry: 'ghcr.io/acme' }, 'registry', noUse],
    [{ ...none, 'registry-username': 'bot' }, 'registry-username', noUse],
    [{ ...none, 'registry-password': 'reg-pw' }, 'registry-password', noUse],
    [{ ...none, 'build-args': 'A=1' }, 'build-args', noUse],
    [{ ...none, 'registry-insecure': 'true' }, 'registry-insecure', noUse],
    [{ ...none, 'delete-image': 'true' }, 'delete-image', noUse],
    [
      { ...none, image: '' },
      'image',
      "is required with builder 'none': the prebuilt image to deploy, like ghcr.io/acme/api:1.2.3",
    ],
    [
      { 'registry-username': 'bot' },
      'registry-password',
      "is empty while 'registry-username' is set; set both or neither (the builder logs in with both; with neither it pushes without a login)",
    ],
    [
      { 'aws-secret-access-key': 'k' },
      'aws-access-key-id',
      "is empty while 'aws-secret-access-key' is set; set both or neither (with neither, the AWS SDK's default chain (environment, OIDC role) is used)",
    ],
    [
      { 'prometheus-password': 'p' },
      'prometheus-username',
      "is empty while 'prometheus-password' is set; set both or neither (Prometheus gets them as Basic auth)",
    ],
    [
      { 'prometheus-username': 'u', 'prometheus-password': 'p' },
      'prometheus-username',
      "is set without 'prometheus-url'; set the URL too, or remove the credentials",
    ],
    [
      { 'prometheus-url': 'http://u:p@prom:9090' },
      'prometheus-url',
      "'http://***@prom:9090' contains credentials; remove them from the URL and set 'prometheus-username' and 'prometheus-password' instead",
    ],
    [
      { 's3-endpoint': 'https://AKIA:key@s3.example.com' },
      's3-endpoint',
      "'https://***@s3.example.com' contains credentials; remove them from the URL and set 'aws-access-key-id' and 'aws-secret-access-key' instead",
    ],
    [
      { 'url-template': 'https://{name}.p.example.com' },
      'url-template',
      "is set together with 'preview-domain'; set one of them: 'preview-domain' gives https://<name>.<preview-domain>, 'url-template' any other shape",
    ],
    [{ 'static-dir': 'site' }, 'bucket', "is required when 'static-dir' is set: the bucket the static assets go to"],
    [
      { 'static-dir': 'site-link', bucket: 'previews' },
      'static-dir',
      `'site-link' resolves through a symbolic link to ${elsewhere}, outside the workspace; use a directory inside the workspace ${workspace}`,
    ],
    [
      { 'static-dir': 'a-file', bucket: 'previews' },
      'static-dir',
      `'a-file' is not a directory (${path.join(workspace, 'a-file')})`,
    ],
    [
      { context: 'missing' },
      'context',
      `'missing' does not exist (looked for ${path.join(workspace, 'missing')}); use a directory inside the workspace ${workspace}`,
    ],
    [
      { context: 'site' },
      'dockerfile',
      `'Dockerfile' does not exist (looked for ${path.join(workspace, 'site/Dockerfile')}); use a file inside the workspace ${workspace}`,
    ],
    [
      { 'github-token': '' },
      'github-token',
      'is empty; the action reads pull requests and writes the PR comment and deployment with it: pass ${{ github.token }} (the default) or a token with pull-requests and deployments write access',
    ],
    [
      { 'gateway-url': '' },
      'gateway-url',
      'is required: the OpenFaaS gateway base URL, like https://gateway.example.com',
    ],
    [
      { 'gateway-username': 'ad:min' },
      'gateway-username',
      "contains ':' or a control character; a Basic-auth user name has neither",
    ],
    [
      { 'gateway-password': 'pw\u0007' },
      'gateway-password',
      'contains a line break or other control character (value not shown); paste the secret as one line',
    ],
    [
      { namespace: 'n'.repeat(64) },
      'namespace',
      `'${'n'.repeat(64)}' is 64 characters; a DNS-1123 label has at most 63; Kubernetes namespaces are DNS-1123 labels`,
    ],
    [
      { app: 'Shop' },
      'app',
      "'Shop' is not a name prefix: lowercase letters, digits and single '-', starting and ending with a letter or digit, like 'shop'",
    ],
    [
      { app: 'my--app' },
      'app',
      "'my--app' is not a name prefix: lowercase letters, digits and single '-', starting and ending with a letter or digit, like 'my-app'",
    ],
    [
      { app: '___' },
      'app',
      "'___' is not a name prefix: lowercase letters, digits and single '-', starting and ending with a letter or digit",
    ],
    [
      { app: 'a'.repeat(51) },
      'app',
      'is 51 characters; at most 50, so that <app>-pr-<number> fits in a 63-character DNS label',
    ],
    [{ label: 'l'.repeat(51) }, 'label', `'${'l'.repeat(51)}' is 51 characters; GitHub label names have at most 50`],
    [{ label: 'pre\nview' }, 'label', "'pre\\nview' has a control character; use the label's name as GitHub shows it"],
    [
      { 'request-timeout': '0' },
      'request-timeout',
      "'0' is zero; use a number with a unit from 1s to 10m, like '90s', '30m', '2h' or '7d'",
    ],
    [
      { 'request-timeout': '1h' },
      'request-timeout',
      "'1h' is above the maximum 10m; use a number with a unit from 1s to 10m, like '90s', '30m', '2h' or '7d'",
    ],
    [
      { 'ready-timeout': '2d' },
      'ready-timeout',
      "'2d' is above the maximum 1h; use a number with a unit from 1s to 1h, like '90s', '30m', '2h' or '7d'",
    ],
    [
      { 'idle-after': '30' },
      'idle-after',
      "'30' is below the minimum 1m (a number without a unit is seconds); use a number with a unit from 1m to 30d, like '90s', '30m', '2h' or '7d'",
    ],
    [{ 'max-previews': '-1' }, 'max-previews', "'-1' is not a whole number from 0 to 100000"],
    [{ 'upload-concurrency': '1000' }, 'upload-concurrency', "'1000' is not a whole number from 1 to 256"],
    [{ 'include-dotfiles': 'yes' }, 'include-dotfiles', "'yes' is not a boolean; use 'true' or 'false'"],
    [{ comment: 'no' }, 'comment', "'no' is not a boolean; use 'true' or 'false'"],
    [{ command: 'destroy' }, 'command', "'destroy' is not one of 'deploy', 'teardown', 'sweep'"],
  ])('%j is refused naming %s', (override, input, problem) => {
    const err = errorOf({ ...minimal, ...(override as Record<string, string>) });
    expect(err.input).toBe(input);
    expect(err.message).toBe(`input '${input}': ${problem}`);
  });

  test('an app starting with a digit is refused, explicit or from the repository name (faas-netes Service names)', () => {
    const refused = (repository: string, app = '') => {
      try {
        parseSettings((name) => (name === 'app' ? app : (minimal[name] ?? '')), {
          repository,
          workspace,
          mask: () => undefined,
          secrets: new Secrets(),
        });
      } catch (e) {
        return (e as InputError).message;
      }
      return 'accepted';
    };
    expect(refused('acme/2048-game')).toBe(
      "input 'app': is needed: the repository name '2048-game' starts with a digit, and faas-netes names a Kubernetes Service after the function (a Service name must start with a letter); set 'app' to a name that starts with a letter, like 'app-2048'",
    );
    expect(refused('acme/shop', '3d-viewer')).toMatch(
      /^input 'app': '3d-viewer' starts with a digit, and faas-netes names a Kubernetes Service/,
    );
    expect(refused('acme/2048-game', 'game-2048')).toBe('accepted');
  });

  test('a repository name without letters or digits needs an explicit app', () => {
    const err = (() => {
      try {
        parseSettings((name) => minimal[name] ?? '', {
          repository: 'acme/___',
          workspace,
          mask: () => undefined,
          secrets: new Secrets(),
        });
      } catch (e) {
        return e as InputError;
      }
      throw new Error('expected an InputError');
    })();
    expect(err.message).toBe(
      "input 'app': is needed: the repository name '___' has no letter or digit; set it to a name like 'shop'",
    );
  });
});
