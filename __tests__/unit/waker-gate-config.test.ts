/**
 * The gate's variables (WAKER_GATE=github): what a full configuration becomes, and each mistake refused with the
 * variable's name and without its value.
 */
import { describe, expect, test } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/waker/config.js';

const KEY = 'a-gate-key-that-is-long-enough-0123456789';
const SECRET = 'github-client-secret-0123456789abcdef';
const BASE = {
  WAKER_GATEWAY_URL: 'http://gateway.openfaas:8080',
  WAKER_GATEWAY_PASSWORD: 'gateway-pw-1234',
  WAKER_BUCKET: 'previews',
  WAKER_PREVIEW_DOMAIN: 'preview.example.com',
  WAKER_REPOSITORIES: 'octo-org/shop',
};
const GATE = {
  ...BASE,
  WAKER_GATE: 'github',
  WAKER_GATE_KEY: KEY,
  WAKER_GITHUB_CLIENT_ID: 'Iv1.0123456789abcdef',
  WAKER_GITHUB_CLIENT_SECRET: SECRET,
};

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, () => {
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('the configuration was accepted');
}

describe('the gate configuration', () => {
  test('off unless WAKER_GATE=github', () => {
    expect(loadConfig(BASE).gate).toBeUndefined();
    expect(loadConfig({ ...BASE, WAKER_GATE: 'off' }).gate).toBeUndefined();
  });

  test('with github: the public origin, GitHub.com, a 1-hour re-check, 7 of at most 30 days for share links', () => {
    const gate = loadConfig(GATE).gate!;
    expect(gate.origin).toEqual({ protocol: 'https:', domain: 'preview.example.com', port: '' });
    expect(gate.github).toEqual({
      clientId: 'Iv1.0123456789abcdef',
      clientSecret: SECRET,
      webUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      timeoutMs: 10_000,
    });
    expect(gate.recheckS).toBe(3600);
    expect(gate.share).toEqual({ defaultDays: 7, maxDays: 30 });
    expect(gate.bypassToken).toBeUndefined();
  });

  test('a local edge: http, the port of the preview domain, GitHub Enterprise URLs, every option', () => {
    const gate = loadConfig({
      ...GATE,
      WAKER_PREVIEW_DOMAIN: 'preview.localhost:8080',
      WAKER_PUBLIC_SCHEME: 'http',
      WAKER_GITHUB_URL: 'https://ghe.example.com/',
      WAKER_GITHUB_API_URL: 'https://ghe.example.com/api/v3',
      WAKER_GATE_RECHECK: '15m',
      WAKER_SHARE_DAYS: '3',
      WAKER_SHARE_MAX_DAYS: '14',
      WAKER_BYPASS_TOKEN: 'b'.repeat(40),
    }).gate!;
    expect(gate.origin).toEqual({ protocol: 'http:', domain: 'preview.localhost', port: '8080' });
    expect([gate.github.webUrl, gate.github.apiUrl]).toEqual([
      'https://ghe.example.com',
      'https://ghe.example.com/api/v3',
    ]);
    expect([gate.recheckS, gate.share.defaultDays, gate.share.maxDays, gate.bypassToken]).toEqual([
      900,
      3,
      14,
      'b'.repeat(40),
    ]);
  });

  test.each([
    ['WAKER_GATE_KEY', { WAKER_GATE_KEY: '' }, /is required/],
    ['WAKER_GATE_KEY', { WAKER_GATE_KEY: 'short-key' }, /is 9 characters long/],
    ['WAKER_GITHUB_CLIENT_ID', { WAKER_GITHUB_CLIENT_ID: '' }, /is required with WAKER_GATE=github/],
    ['WAKER_GITHUB_CLIENT_SECRET', { WAKER_GITHUB_CLIENT_SECRET: '' }, /is required with WAKER_GATE=github/],
    ['WAKER_BYPASS_TOKEN', { WAKER_BYPASS_TOKEN: 'guessable' }, /at least 32/],
    ['WAKER_SHARE_DAYS', { WAKER_SHARE_DAYS: '40' }, /above WAKER_SHARE_MAX_DAYS \(30\)/],
    ['WAKER_GATE', { WAKER_GATE: 'yes' }, /github/],
    ['WAKER_PUBLIC_SCHEME', { WAKER_PUBLIC_SCHEME: 'ftp' }, /https/],
    ['WAKER_GATE_RECHECK', { WAKER_GATE_RECHECK: '10s' }, /1m/],
  ])('%s: %j is refused', (variable, change, why) => {
    const err = refusal({ ...GATE, ...change });
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(why);
    for (const secret of [KEY, SECRET, 'short-key', 'guessable']) expect(err.message).not.toContain(secret);
  });

  test('secrets come from files too, and a file that cannot be read is named', () => {
    const files: Record<string, string> = { '/run/key': `${KEY}\n`, '/run/secret': SECRET };
    const env = {
      ...GATE,
      WAKER_GATE_KEY: '',
      WAKER_GATE_KEY_FILE: '/run/key',
      WAKER_GITHUB_CLIENT_SECRET: '',
      WAKER_GITHUB_CLIENT_SECRET_FILE: '/run/secret',
    };
    const gate = loadConfig(env, (p) => files[p] ?? '').gate!;
    expect(gate.github.clientSecret).toBe(SECRET);
    expect(refusal({ ...env, WAKER_GATE_KEY_FILE: '/run/missing' }).variable).toBe('WAKER_GATE_KEY_FILE');
  });
});
