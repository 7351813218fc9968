import { describe, expect, test } from '@jest/globals';
import { bothOrNeither, checkSecret, checkUser, maskSecrets } from '../../src/rules/credentials.js';
import { Secrets } from '../../src/text/secrets.js';
import { reader, refusal } from './inputs-support.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('maskSecrets', () => {
  test('every secret input, URL passwords (raw and decoded) and Basic-auth pairs are masked and registered', () => {
    const masked: string[] = [];
    const secrets = new Secrets();
    maskSecrets(
      reader({
        'gateway-password': 'gw-pass-1',
        'registry-username': 'bot',
        'registry-password': 'reg-pass-2',
        'aws-access-key-id': 'AKIAEXAMPLE',
        'aws-secret-access-key': 's3-secret-3',
        'github-token': 'ghs_token4',
        'prometheus-username': 'prom',
        'prometheus-password': 'prom-pass-5',
        'gateway-url': 'https://admin:url%2Fpass6@gw.example.com',
        's3-endpoint': 'key:s3urlpass7@s3.example.com',
        'prometheus-url': 'https://ghp_tokenAsUser8@prom.example.com',
      }),
      (s) => masked.push(s),
      secrets,
    );
    expect(masked).toEqual([
      'gw-pass-1',
      'reg-pass-2',
      'AKIAEXAMPLE',
      's3-secret-3',
      'ghs_token4',
      'prom-pass-5',
      'url%2Fpass6',
      'url/pass6',
      's3urlpass7',
      'ghp_tokenAsUser8',
    ]);
    const log = [
      b64('admin:gw-pass-1'),
      b64('bot:reg-pass-2'),
      b64('prom:prom-pass-5'),
      'url/pass6',
      encodeURIComponent('reg-pass-2'),
    ].join(' ');
    expect(secrets.scrub(log)).toBe('*** *** *** *** ***');
  });

  test('nothing is masked when nothing secret is set', () => {
    const masked: string[] = [];
    maskSecrets(reader({ 'gateway-url': 'https://gw.example.com' }), (s) => masked.push(s), new Secrets());
    expect(masked).toEqual([]);
  });
});

describe('credential checks never quote the value', () => {
  test('a secret with a line break or control character', () => {
    const message = refusal(() =>
      checkSecret(reader({ 'gateway-password': 'hunter22\nX-Injected: 1' }), 'gateway-password', { spaces: true }),
    );
    expect(message).toBe(
      "input 'gateway-password': contains a line break or other control character (value not shown); paste the secret as one line",
    );
    expect(message).not.toContain('hunter22');
  });

  test('a token with a space; a password may have one', () => {
    expect(
      refusal(() => checkSecret(reader({ 'github-token': 'ghs_abc def' }), 'github-token', { spaces: false })),
    ).toBe("input 'github-token': contains a space (value not shown); a token or key has none");
    expect(checkSecret(reader({ 'gateway-password': 'correct horse' }), 'gateway-password', { spaces: true })).toBe(
      'correct horse',
    );
  });

  test("a Basic-auth user without ':' or control characters", () => {
    expect(checkUser(reader({}), 'gateway-username', 'admin')).toBe('admin');
    expect(checkUser(reader({ 'gateway-username': 'ops' }), 'gateway-username', 'admin')).toBe('ops');
    expect(refusal(() => checkUser(reader({ 'gateway-username': 'admin:pw' }), 'gateway-username'))).toBe(
      "input 'gateway-username': contains ':' or a control character; a Basic-auth user name has neither",
    );
  });

  test('pairs are set together', () => {
    expect(() => bothOrNeither(reader({}), 'a', 'b', 'why')).not.toThrow();
    expect(() => bothOrNeither(reader({ a: '1', b: '2' }), 'a', 'b', 'why')).not.toThrow();
    expect(refusal(() => bothOrNeither(reader({ a: '1' }), 'a', 'b', 'why'))).toBe(
      "input 'b': is empty while 'a' is set; set both or neither (why)",
    );
    expect(refusal(() => bothOrNeither(reader({ b: '1' }), 'a', 'b', 'why'))).toBe(
      "input 'a': is empty while 'b' is set; set both or neither (why)",
    );
  });
});
