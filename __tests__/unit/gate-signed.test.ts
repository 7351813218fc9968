// What this file proves: a signed token (src/gate/signed.ts) reads back only under the key and purpose it was signed
// for, only before its expiry, and only when not one byte of it was changed; anything malformed (extra dots,
// truncated or altered MAC, oversized, a payload that is not JSON or has no usable `exp`) is refused, and a key too
// short to be a secret is refused at construction.
import { createHmac } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { readToken, SigningKey, signToken, type Purpose } from '../../src/gate/signed.js';

const PURPOSES: Purpose[] = ['session', 'share-link', 'share-session', 'sign-in'];
const NOW = 1_700_000_000;

const key = new SigningKey(Buffer.alloc(32, 1));
const other = new SigningKey(Buffer.alloc(32, 2));

interface Payload {
  exp: number;
  who: string;
}

const fresh = (): Payload => ({ exp: NOW + 3600, who: 'octocat' });

/** A token whose MAC is right for `purpose` under `k`, around a payload text of our choosing. */
function withRightMac(k: SigningKey, purpose: Purpose, payloadText: string): string {
  const payload = Buffer.from(payloadText).toString('base64url');
  return `${payload}.${createHmac('sha256', k.forPurpose(purpose)).update(payload).digest('base64url')}`;
}

function parts(token: string): { payload: string; mac: string } {
  const [payload, mac] = token.split('.');
  return { payload: payload!, mac: mac! };
}

/** A base64url character other than `c`. */
const otherChar = (c: string) => (c === 'A' ? 'B' : 'A');

describe('SigningKey', () => {
  test('refuses a secret shorter than 32 bytes and accepts one of exactly 32', () => {
    expect(() => new SigningKey(Buffer.alloc(0))).toThrow('at least 32 bytes');
    expect(() => new SigningKey(Buffer.alloc(31, 9))).toThrow('at least 32 bytes');
    expect(() => new SigningKey(Buffer.alloc(32, 9))).not.toThrow();
  });

  test('derives a distinct 32-byte key per purpose, none equal to the secret, the same for the same secret', () => {
    const secret = Buffer.alloc(32, 1);
    const derived = PURPOSES.map((p) => key.forPurpose(p).toString('hex'));
    expect(new Set(derived).size).toBe(PURPOSES.length);
    for (const p of PURPOSES) {
      expect(key.forPurpose(p)).toHaveLength(32);
      expect(key.forPurpose(p).equals(secret)).toBe(false);
      expect(new SigningKey(Buffer.alloc(32, 1)).forPurpose(p).equals(key.forPurpose(p))).toBe(true);
      expect(other.forPurpose(p).equals(key.forPurpose(p))).toBe(false);
    }
  });
});

describe('signToken and readToken', () => {
  test('a token reads back as the value it was made from, and has the form <base64url>.<43 base64url>', () => {
    const token = signToken(key, 'session', fresh());
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(readToken<Payload>(key, 'session', token, NOW)).toEqual({ exp: NOW + 3600, who: 'octocat' });
  });

  test.each(PURPOSES)('a token signed for %s is refused for every other purpose', (signedFor) => {
    const token = signToken(key, signedFor, fresh());
    expect(readToken(key, signedFor, token, NOW)).toBeDefined();
    for (const purpose of PURPOSES.filter((p) => p !== signedFor)) {
      expect(readToken(key, purpose, token, NOW)).toBeUndefined();
    }
  });

  test('another key (after rotation) refuses every token of the old one, for every purpose', () => {
    for (const purpose of PURPOSES) {
      const token = signToken(key, purpose, fresh());
      expect(readToken(key, purpose, token, NOW)).toBeDefined();
      expect(readToken(other, purpose, token, NOW)).toBeUndefined();
    }
  });

  describe('expiry', () => {
    const token = signToken(key, 'session', { exp: NOW, who: 'octocat' });

    test('refused exactly at `exp` and after it', () => {
      expect(readToken(key, 'session', token, NOW)).toBeUndefined();
      expect(readToken(key, 'session', token, NOW + 1)).toBeUndefined();
    });

    test('accepted one second before `exp`', () => {
      expect(readToken<Payload>(key, 'session', token, NOW - 1)?.who).toBe('octocat');
    });
  });

  describe('tampering', () => {
    const token = signToken(key, 'session', fresh());
    const { payload, mac } = parts(token);

    test('any single changed character of the payload is refused', () => {
      for (let i = 0; i < payload.length; i++) {
        const changed = payload.slice(0, i) + otherChar(payload[i]!) + payload.slice(i + 1);
        expect(readToken(key, 'session', `${changed}.${mac}`, NOW)).toBeUndefined();
      }
    });

    test('a flipped byte in the decoded payload is refused, even one that keeps it valid JSON', () => {
      const json = Buffer.from(payload, 'base64url').toString('utf8');
      const edited = Buffer.from(json.replace('octocat', 'octocaT')).toString('base64url');
      expect(readToken(key, 'session', `${edited}.${mac}`, NOW)).toBeUndefined();
      const longer = Buffer.from(json.replace(String(NOW + 3600), String(NOW + 9_999_999))).toString('base64url');
      expect(readToken(key, 'session', `${longer}.${mac}`, NOW)).toBeUndefined();
    });

    test('a flipped bit in any byte of the MAC is refused', () => {
      const bytes = Buffer.from(mac, 'base64url');
      expect(bytes).toHaveLength(32);
      for (let i = 0; i < bytes.length; i++) {
        for (const bit of [0x01, 0x80]) {
          const flipped = Buffer.from(bytes);
          flipped[i] = flipped[i]! ^ bit;
          expect(readToken(key, 'session', `${payload}.${flipped.toString('base64url')}`, NOW)).toBeUndefined();
        }
      }
    });

    test('a changed character anywhere in the MAC but its last is refused', () => {
      for (let i = 0; i < mac.length - 1; i++) {
        const changed = mac.slice(0, i) + otherChar(mac[i]!) + mac.slice(i + 1);
        expect(readToken(key, 'session', `${payload}.${changed}`, NOW)).toBeUndefined();
      }
    });

    test('a truncated or lengthened MAC is refused', () => {
      expect(readToken(key, 'session', `${payload}.${mac.slice(0, -1)}`, NOW)).toBeUndefined();
      expect(readToken(key, 'session', `${payload}.${mac.slice(0, 22)}`, NOW)).toBeUndefined();
      expect(readToken(key, 'session', `${payload}.${mac}A`, NOW)).toBeUndefined();
      expect(readToken(key, 'session', `${payload}.${mac}${mac}`, NOW)).toBeUndefined();
      expect(readToken(key, 'session', `${payload}.`, NOW)).toBeUndefined();
    });

    test('a MAC of another payload does not verify this one (no swapping halves between tokens)', () => {
      const second = parts(signToken(key, 'session', { exp: NOW + 7200, who: 'hubot' }));
      expect(readToken(key, 'session', `${payload}.${second.mac}`, NOW)).toBeUndefined();
      expect(readToken(key, 'session', `${second.payload}.${mac}`, NOW)).toBeUndefined();
    });

    // Node's base64url decoder skips characters outside the alphabet, accepts '+' and '/', and ignores the two unused
    // low bits of a 43-character MAC's last character, so one MAC has many spellings that all verify. Nothing can be
    // forged this way (the payload text is what is MACed), but a token is not one fixed string: anything that keys on
    // the token's text (a log, a revocation list, a cache) sees different tokens for one. The fix: refuse a MAC that
    // is not exactly /^[A-Za-z0-9_-]{43}$/ (or compare `given.toString('base64url')` with the text).
    test('a MAC followed by characters outside base64url ("!", "*", "=", " ") is refused', () => {
      for (const junk of ['!', '*', '=', ' ']) {
        expect(readToken(key, 'session', `${payload}.${mac}${junk}`, NOW)).toBeUndefined();
      }
    });

    test('a MAC whose last character differs only in its unused low bits is refused', () => {
      const last = mac.charCodeAt(mac.length - 1);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const index = alphabet.indexOf(String.fromCharCode(last));
      const sibling = alphabet[index ^ 1]!; // same high four bits, different low bits
      expect(readToken(key, 'session', `${payload}.${mac.slice(0, -1)}${sibling}`, NOW)).toBeUndefined();
    });

    test('a MAC spelled in standard base64 ("+" and "/" for "-" and "_") is refused', () => {
      // A payload whose MAC has a '-' or '_' in it, found deterministically.
      let exp = NOW + 1;
      while (!/[-_]/.test(parts(signToken(key, 'session', { exp })).mac)) exp++;
      const t = signToken(key, 'session', { exp });
      const p = parts(t);
      expect(readToken(key, 'session', t, NOW)).toBeDefined();
      const standard = p.mac.replace(/-/g, '+').replace(/_/g, '/');
      expect(readToken(key, 'session', `${p.payload}.${standard}`, NOW)).toBeUndefined();
    });
  });

  describe('malformed tokens', () => {
    const token = signToken(key, 'session', fresh());
    const { payload, mac } = parts(token);

    test.each([
      ['undefined', undefined],
      ['empty', ''],
      ['a lone dot', '.'],
      ['no dot', `${payload}${mac}`],
      ['nothing before the dot', `.${mac}`],
      ['a dot before the payload', `.${payload}.${mac}`],
      ['an extra dot after the MAC', `${token}.`],
      ['a third part', `${token}.${mac}`],
      ['two dots in the middle', `${payload}..${mac}`],
      ['not base64 at all', '%%%.@@@'],
      ['a space before the token', ` ${token}`],
    ])('refused: %s', (_name, bad) => {
      expect(readToken(key, 'session', bad, NOW)).toBeUndefined();
    });

    test('a token is read up to 4096 characters and refused beyond, even when correctly signed', () => {
      const sized = (pad: number) => signToken(key, 'session', { exp: NOW + 60, pad: 'x'.repeat(pad) });
      let pad = 0;
      while (sized(pad + 1).length <= 4096) pad++;
      expect(sized(pad).length).toBeLessThanOrEqual(4096);
      expect(sized(pad).length).toBeGreaterThan(4090);
      expect(readToken(key, 'session', sized(pad), NOW)).toBeDefined();
      expect(sized(pad + 1).length).toBeGreaterThan(4096);
      expect(readToken(key, 'session', sized(pad + 1), NOW)).toBeUndefined();
      expect(readToken(key, 'session', sized(100_000), NOW)).toBeUndefined();
    });
  });

  describe('a correctly signed payload without a usable expiry is refused', () => {
    test.each([
      ['not JSON', 'not json'],
      ['only whitespace', ' '],
      ['JSON null', 'null'],
      ['a bare number', String(NOW + 3600)],
      ['an array', `[${NOW + 3600}]`],
      ['no exp', '{"who":"octocat"}'],
      ['exp null (what NaN and Infinity serialise to)', '{"exp":null}'],
      ['exp as a string', `{"exp":"${NOW + 3600}"}`],
      ['exp true', '{"exp":true}'],
      ['exp overflowing to Infinity', '{"exp":1e400}'],
      ['exp as an object', `{"exp":{"valueOf":${NOW + 3600}}}`],
    ])('%s', (_name, text) => {
      const token = withRightMac(key, 'session', text);
      expect(readToken(key, 'session', token, NOW)).toBeUndefined();
    });

    test('the same helper does produce a readable token when the payload is good (so the cases above can fail)', () => {
      const token = withRightMac(key, 'session', `{"exp":${NOW + 1}}`);
      expect(readToken(key, 'session', token, NOW)).toEqual({ exp: NOW + 1 });
    });

    test('a value signed with exp NaN or Infinity never reads back', () => {
      expect(readToken(key, 'session', signToken(key, 'session', { exp: NaN }), NOW)).toBeUndefined();
      expect(readToken(key, 'session', signToken(key, 'session', { exp: Infinity }), NOW)).toBeUndefined();
    });
  });
});
