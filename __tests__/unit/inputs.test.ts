import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InputError, parseDuration, parseSettings } from '../../src/inputs.js';

const workspace = mkdtempSync(path.join(tmpdir(), 'inputs-'));
writeFileSync(path.join(workspace, 'a-file'), 'x');

const minimal: Record<string, string> = {
  'gateway-url': 'https://gw.example.com/',
  'gateway-password': 'gw-secret',
  'preview-domain': 'preview.example.com',
  registry: 'ghcr.io/acme',
  'github-token': 'ghs_x',
};

function parse(inputs: Record<string, string>, masked: string[] = []) {
  return parseSettings((name) => inputs[name] ?? '', { repository: 'Acme/Shop_Front', workspace, mask: (s) => masked.push(s) });
}

function errorOf(inputs: Record<string, string>): InputError {
  try {
    parse(inputs);
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
    expect(s.urlTemplate).toBe('https://{name}.preview.example.com');
    expect(s.gateway).toEqual({ url: 'https://gw.example.com', username: 'admin', password: 'gw-secret', namespace: '' });
    expect(s.build.builder).toBe('docker');
    expect(s.build.repository).toBe('ghcr.io/acme/shop-front');
    expect(s.fn.memoryLimit).toBe('128Mi');
    expect(s.fn.cpuLimit).toBe('200m');
    expect(s.fn.readyTimeoutMs).toBe(120_000);
    expect(s.assets).toBeUndefined();
    expect(s.sweep.idleAfterMs).toBe(30 * 60_000);
    expect(s.sweep.maxPreviews).toBeUndefined();
    expect(s.github.comment).toBe(true);
    expect(s.apiPath).toBe('/api');
  });

  test('secrets are masked before anything else can fail', () => {
    const masked: string[] = [];
    expect(() => parse({ ...minimal, 'registry-password': 'reg-pw', 'aws-access-key-id': 's3-id', 'aws-secret-access-key': 's3-key', builder: 'nope' }, masked)).toThrow(InputError);
    expect(masked).toEqual(expect.arrayContaining(['gw-secret', 'reg-pw', 's3-id', 's3-key', 'ghs_x']));
  });

  test('multiline key=value inputs and lists', () => {
    const s = parse({ ...minimal, env: 'A=1\n# comment\n\nB = two=2', secrets: 'db-password, api-key\nthird', 'build-args': 'NODE_ENV=production' });
    expect(s.fn.envVars).toEqual({ A: '1', B: 'two=2' });
    expect(s.fn.secrets).toEqual(['db-password', 'api-key', 'third']);
    expect(s.build.buildArgs).toEqual({ NODE_ENV: 'production' });
  });

  test('builder none deploys the given image', () => {
    const s = parse({ ...minimal, builder: 'none', image: 'ghcr.io/acme/api:1.2.3', registry: '' });
    expect(s.build.prebuiltImage).toBe('ghcr.io/acme/api:1.2.3');
    expect(s.build.repository).toBe('');
  });

  test('assets need a bucket and a directory', () => {
    const s = parse({ ...minimal, bucket: 'previews', 'static-dir': '.', 's3-endpoint': 'http://127.0.0.1:9000' });
    expect(s.assets).toMatchObject({ bucket: 'previews', staticDir: workspace, endpoint: 'http://127.0.0.1:9000', concurrency: 64, cacheControl: 'no-cache' });
  });

  test('durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('-5m')).toBeUndefined();
    expect(parseDuration('soon')).toBeUndefined();
  });

  test.each([
    [{ builder: 'kaniko' }, 'builder', /'kaniko' is not one of 'docker', 'buildah', 'podman', 'none'/],
    [{ command: 'destroy' }, 'command', /'destroy' is not one of 'deploy', 'teardown', 'sweep'/],
    [{ 'gateway-url': '' }, 'gateway-url', /is required/],
    [{ 'gateway-url': 'gateway.local' }, 'gateway-url', /not a URL/],
    [{ 'gateway-url': 'ftp://gw' }, 'gateway-url', /http or https/],
    [{ 'url-template': 'https://preview.example.com/pr' }, 'url-template', /no '\{name\}'/],
    [{ 'preview-domain': '' }, 'preview-domain', /is required unless 'url-template'/],
    [{ 'preview-domain': 'bad domain' }, 'preview-domain', /not a domain/],
    [{ 'static-dir': 'a-file', bucket: 'b' }, 'static-dir', /not a directory/],
    [{ 'static-dir': 'missing', bucket: 'b' }, 'static-dir', /not a directory/],
    [{ 'static-dir': '.' }, 'bucket', /is required when 'static-dir'/],
    [{ 'memory-limit': '-128Mi' }, 'memory-limit', /not a positive Kubernetes quantity/],
    [{ 'memory-limit': 'lots' }, 'memory-limit', /like '128Mi'/],
    [{ 'cpu-limit': '0' }, 'cpu-limit', /positive/],
    [{ 'ready-timeout': '-1m' }, 'ready-timeout', /not a positive duration/],
    [{ 'ready-timeout': 'forever' }, 'ready-timeout', /like '90s'/],
    [{ 'idle-after': '0' }, 'idle-after', /positive duration/],
    [{ 'upload-concurrency': '0' }, 'upload-concurrency', /whole number from 1 to 256/],
    [{ 'upload-concurrency': 'many' }, 'upload-concurrency', /whole number/],
    [{ 'max-previews': '-1' }, 'max-previews', /whole number/],
    [{ 'dry-run': 'yes' }, 'dry-run', /'true' or 'false'/],
    [{ registry: '' }, 'registry', /is required with builder 'docker'/],
    [{ registry: 'ghcr.io/Acme' }, 'registry', /not a valid image repository/],
    [{ builder: 'none', registry: '' }, 'image', /is required with builder 'none'/],
    [{ app: '___' }, 'app', /no letter or digit/],
    [{ namespace: 'Bad_NS' }, 'namespace', /not a Kubernetes namespace/],
    [{ env: 'NOEQUALS' }, 'env', /not KEY=VALUE/],
    [{ 'api-path': 'api/' }, 'api-path', /not a path/],
  ])('bad input %j names %s', (override, input, message) => {
    const err = errorOf({ ...minimal, ...(override as Record<string, string>) });
    expect(err.input).toBe(input);
    expect(err.message).toMatch(new RegExp(`^input '${input}': `));
    expect(err.message).toMatch(message);
  });
});
