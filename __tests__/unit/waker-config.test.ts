import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/waker/config.js';

const MINIMAL = {
  WAKER_GATEWAY_URL: 'http://gateway.openfaas:8080',
  WAKER_GATEWAY_PASSWORD: 'gateway-pw-1234',
  WAKER_BUCKET: 'previews',
  WAKER_PREVIEW_DOMAIN: 'preview.example.com',
  WAKER_REPOSITORIES: 'octo-org/shop',
};

describe('loadConfig', () => {
  test('the minimal environment, with every default', () => {
    expect(loadConfig(MINIMAL)).toEqual({
      listen: { host: '127.0.0.1', port: 8089 },
      gateway: { url: 'http://gateway.openfaas:8080', username: 'admin', password: 'gateway-pw-1234', namespace: '' },
      s3: expect.objectContaining({
        bucket: 'previews',
        endpoint: undefined,
        region: 'us-east-1',
        accessKeyId: undefined,
        secretAccessKey: undefined,
      }),
      statePrefix: '.faas-preview',
      previewDomain: 'preview.example.com',
      hostHeader: 'host',
      repositories: [{ owner: 'octo-org', repo: 'shop' }],
      readyPath: '/',
      wakeTimeoutMs: 50_000,
      requestTimeoutMs: 30_000,
      retryAfterMs: 30_000,
      idleAfterMs: 30 * 60_000,
      maxPending: 256,
      maxBodyBytes: 1024 * 1024,
      bucketReads: 'anonymous',
    });
  });

  test('every variable set', () => {
    const config = loadConfig({
      ...MINIMAL,
      WAKER_LISTEN: '[::]:9000',
      WAKER_GATEWAY_URL: 'https://gw.example.com/',
      WAKER_GATEWAY_USERNAME: 'ops',
      WAKER_NAMESPACE: 'openfaas-fn',
      WAKER_S3_ENDPOINT: 'http://minio:9000',
      WAKER_S3_REGION: 'auto',
      WAKER_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      WAKER_AWS_SECRET_ACCESS_KEY: 'secret-key-1234',
      WAKER_STATE_PREFIX: '/ops/state/',
      WAKER_PREVIEW_DOMAIN: 'Preview.Example.com:8443',
      WAKER_HOST_HEADER: 'x-forwarded-host',
      WAKER_REPOSITORIES: 'octo-org/shop, octo-org/blog.site\nother/x_y',
      WAKER_READY_PATH: '/healthz',
      WAKER_WAKE_TIMEOUT: '2m',
      WAKER_REQUEST_TIMEOUT: '10s',
      WAKER_RETRY_AFTER: '5s',
      WAKER_IDLE_AFTER: '2h',
      WAKER_MAX_PENDING: '10',
      WAKER_MAX_BODY_BYTES: '0',
    });
    expect(config).toMatchObject({
      listen: { host: '::', port: 9000 },
      gateway: { url: 'https://gw.example.com', username: 'ops', namespace: 'openfaas-fn' },
      s3: {
        endpoint: 'http://minio:9000',
        region: 'auto',
        accessKeyId: 'AKIAEXAMPLE',
        secretAccessKey: 'secret-key-1234',
      },
      statePrefix: 'ops/state',
      previewDomain: 'preview.example.com',
      hostHeader: 'x-forwarded-host',
      repositories: [
        { owner: 'octo-org', repo: 'shop' },
        { owner: 'octo-org', repo: 'blog.site' },
        { owner: 'other', repo: 'x_y' },
      ],
      readyPath: '/healthz',
      wakeTimeoutMs: 120_000,
      requestTimeoutMs: 10_000,
      retryAfterMs: 5_000,
      idleAfterMs: 2 * 3_600_000,
      maxPending: 10,
      maxBodyBytes: 0,
    });
  });

  test('secrets from files (<NAME>_FILE), one trailing newline dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waker-config-'));
    try {
      writeFileSync(join(dir, 'pw'), 'from-file-pw \n');
      writeFileSync(join(dir, 'key'), 'file-secret-key\r\n');
      writeFileSync(join(dir, 'id'), 'AKIAFILE');
      const env = {
        ...MINIMAL,
        WAKER_GATEWAY_PASSWORD: '',
        WAKER_GATEWAY_PASSWORD_FILE: join(dir, 'pw'),
        WAKER_AWS_ACCESS_KEY_ID_FILE: join(dir, 'id'),
        WAKER_AWS_SECRET_ACCESS_KEY_FILE: join(dir, 'key'),
      };
      const config = loadConfig(env);
      expect(config.gateway.password).toBe('from-file-pw');
      expect(config.s3).toMatchObject({ accessKeyId: 'AKIAFILE', secretAccessKey: 'file-secret-key' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each<[string, Record<string, string>, RegExp]>([
    ['no gateway URL', { WAKER_GATEWAY_URL: '' }, /^WAKER_GATEWAY_URL: is required/],
    [
      'credentials in the gateway URL',
      { WAKER_GATEWAY_URL: 'http://admin:pw@gw:8080' },
      /^WAKER_GATEWAY_URL: .*contains credentials; .*WAKER_GATEWAY_USERNAME and WAKER_GATEWAY_PASSWORD/,
    ],
    [
      'no gateway password',
      { WAKER_GATEWAY_PASSWORD: '' },
      /^WAKER_GATEWAY_PASSWORD: is required \(or WAKER_GATEWAY_PASSWORD_FILE\)/,
    ],
    ['a user with a colon', { WAKER_GATEWAY_USERNAME: 'a:b' }, /^WAKER_GATEWAY_USERNAME: contains ':'/],
    ['a bad namespace', { WAKER_NAMESPACE: 'Open_FaaS' }, /^WAKER_NAMESPACE: 'Open_FaaS'/],
    ['no bucket', { WAKER_BUCKET: '' }, /^WAKER_BUCKET: is required/],
    ['a bad bucket', { WAKER_BUCKET: 'My_Bucket' }, /^WAKER_BUCKET: 'My_Bucket' has characters/],
    [
      'half of the S3 keys',
      { WAKER_AWS_ACCESS_KEY_ID: 'AKIA' },
      /^WAKER_AWS_SECRET_ACCESS_KEY: is empty while its pair is set/,
    ],
    [
      'a state prefix with ..',
      { WAKER_STATE_PREFIX: 'a/../b' },
      /^WAKER_STATE_PREFIX: 'a\/..\/b' has a '.' or '..' segment/,
    ],
    ['no preview domain', { WAKER_PREVIEW_DOMAIN: '' }, /^WAKER_PREVIEW_DOMAIN: is required/],
    [
      'a wildcard preview domain',
      { WAKER_PREVIEW_DOMAIN: '*.preview.example.com' },
      /^WAKER_PREVIEW_DOMAIN: .*is a wildcard/,
    ],
    [
      'a preview domain with a scheme',
      { WAKER_PREVIEW_DOMAIN: 'https://preview.example.com' },
      /^WAKER_PREVIEW_DOMAIN: .*has a scheme/,
    ],
    [
      'another host header',
      { WAKER_HOST_HEADER: 'forwarded' },
      /^WAKER_HOST_HEADER: 'forwarded' is not one of 'host', 'x-forwarded-host'/,
    ],
    ['no repositories', { WAKER_REPOSITORIES: ' , ' }, /^WAKER_REPOSITORIES: is required/],
    ['a repository without owner', { WAKER_REPOSITORIES: 'shop' }, /^WAKER_REPOSITORIES: 'shop' is not owner\/repo/],
    [
      'a repository with a path',
      { WAKER_REPOSITORIES: 'octo/shop/x' },
      /^WAKER_REPOSITORIES: 'octo\/shop\/x' is not owner\/repo/,
    ],
    ['a repository listed twice', { WAKER_REPOSITORIES: 'a/b,a/b' }, /^WAKER_REPOSITORIES: 'a\/b' is listed twice/],
    ['a ready path with a query', { WAKER_READY_PATH: '/x?y' }, /^WAKER_READY_PATH: .*has a query/],
    ['a listen address without port', { WAKER_LISTEN: '0.0.0.0' }, /^WAKER_LISTEN: '0.0.0.0' is not address:port/],
    ['a listen port out of range', { WAKER_LISTEN: '0.0.0.0:70000' }, /^WAKER_LISTEN: /],
    ['a wake timeout without sense', { WAKER_WAKE_TIMEOUT: 'soon' }, /^WAKER_WAKE_TIMEOUT: 'soon' is not a duration/],
    ['a wake timeout too long', { WAKER_WAKE_TIMEOUT: '1h' }, /^WAKER_WAKE_TIMEOUT: '1h' is above the maximum 10m/],
    [
      'an unknown WAKER_ variable',
      { WAKER_REPOSITORY: 'octo-org/shop' },
      /^WAKER_REPOSITORY: is not a variable of the waker \(a typo\?\); it reads WAKER_LISTEN, .*WAKER_REPOSITORIES/,
    ],
    [
      'an idle-after below the action minimum',
      { WAKER_IDLE_AFTER: '30' },
      /^WAKER_IDLE_AFTER: '30' is below the minimum 1m/,
    ],
    ['max pending zero', { WAKER_MAX_PENDING: '0' }, /^WAKER_MAX_PENDING: '0' is not a whole number from 1/],
  ])('%s is refused, naming the variable', (_what, change, message) => {
    expect(() => loadConfig({ ...MINIMAL, ...change })).toThrow(message);
  });

  test('a secret and its file together are refused; an unreadable file is named, its content never shown', () => {
    expect(() => loadConfig({ ...MINIMAL, WAKER_GATEWAY_PASSWORD_FILE: '/x' })).toThrow(
      'WAKER_GATEWAY_PASSWORD_FILE: is set together with WAKER_GATEWAY_PASSWORD; set one of them',
    );
    expect(() =>
      loadConfig({ ...MINIMAL, WAKER_GATEWAY_PASSWORD: '', WAKER_GATEWAY_PASSWORD_FILE: '/nonexistent/pw' }),
    ).toThrow("WAKER_GATEWAY_PASSWORD_FILE: '/nonexistent/pw' cannot be read (ENOENT)");
    let message = '';
    try {
      loadConfig({ ...MINIMAL, WAKER_GATEWAY_PASSWORD: 'line\nbreak-secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^WAKER_GATEWAY_PASSWORD: contains a line break/);
    expect(message).not.toContain('break-secret');
  });
});
