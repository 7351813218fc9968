// What this file proves: a share link opens only the preview and domain it names, only until it expires, only
// untouched and only under the key that made it, and no other signed token (a session, a share session, a sign-in
// state) passes for one; and a new link's lifetime is whole days between 1 and the operator's maximum, the default
// when nothing readable was asked for.
import { describe, expect, test } from '@jest/globals';
import { signShareSession, signUserSession } from '../../src/gate/session.js';
import { readShareLink, SHARE_PATH, shareDays, shareToken, type ShareLink } from '../../src/gate/share.js';
import { SigningKey, signToken } from '../../src/gate/signed.js';

const NOW = 1_700_000_000;
const DAY = 86400;
const DOMAIN = 'preview.example.com';
const key = new SigningKey(Buffer.alloc(32, 1));

const link = (over: Partial<ShareLink> = {}): ShareLink => ({
  v: 1,
  preview: 'pr-1',
  domain: DOMAIN,
  by: 'octocat',
  iat: NOW,
  exp: NOW + 7 * DAY,
  ...over,
});

describe('share links', () => {
  test('the path share links live under is the gate reserved one', () => {
    expect(SHARE_PATH).toBe('/.faas-preview/s/');
  });

  test('a link reads back with who made it and until when, and is URL-safe as a path segment', () => {
    const token = shareToken(key, link());
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(readShareLink(key, token, DOMAIN, 'pr-1', NOW)).toEqual(link());
  });

  test('refused for another preview, including one that shares a prefix or differs in case', () => {
    const token = shareToken(key, link());
    for (const preview of ['pr-2', 'pr-10', 'pr', 'PR-1', '']) {
      expect(readShareLink(key, token, DOMAIN, preview, NOW)).toBeUndefined();
    }
  });

  test('refused for another domain under the same key', () => {
    const token = shareToken(key, link({ domain: 'staging.example.com' }));
    expect(readShareLink(key, token, DOMAIN, 'pr-1', NOW)).toBeUndefined();
    expect(readShareLink(key, token, 'staging.example.com', 'pr-1', NOW)?.by).toBe('octocat');
  });

  test('refused at and after its expiry, accepted a second before', () => {
    const token = shareToken(key, link({ exp: NOW + DAY }));
    expect(readShareLink(key, token, DOMAIN, 'pr-1', NOW + DAY - 1)?.preview).toBe('pr-1');
    expect(readShareLink(key, token, DOMAIN, 'pr-1', NOW + DAY)).toBeUndefined();
    expect(readShareLink(key, token, DOMAIN, 'pr-1', NOW + 30 * DAY)).toBeUndefined();
  });

  test('refused when tampered: its preview rewritten, a MAC character changed, the MAC cut short', () => {
    const token = shareToken(key, link());
    const [payload, mac] = token.split('.') as [string, string];
    const json = Buffer.from(payload, 'base64url').toString('utf8');
    const otherPreview = Buffer.from(json.replace('"pr-1"', '"pr-2"')).toString('base64url');
    expect(readShareLink(key, `${otherPreview}.${mac}`, DOMAIN, 'pr-2', NOW)).toBeUndefined();
    const longer = Buffer.from(json.replace(String(NOW + 7 * DAY), String(NOW + 999 * DAY))).toString('base64url');
    expect(readShareLink(key, `${longer}.${mac}`, DOMAIN, 'pr-1', NOW)).toBeUndefined();
    const changed = mac.slice(0, 5) + (mac[5] === 'A' ? 'B' : 'A') + mac.slice(6);
    expect(readShareLink(key, `${payload}.${changed}`, DOMAIN, 'pr-1', NOW)).toBeUndefined();
    expect(readShareLink(key, `${payload}.${mac.slice(0, -2)}`, DOMAIN, 'pr-1', NOW)).toBeUndefined();
    expect(readShareLink(key, payload, DOMAIN, 'pr-1', NOW)).toBeUndefined();
    expect(readShareLink(key, '', DOMAIN, 'pr-1', NOW)).toBeUndefined();
  });

  test('refused under a rotated key', () => {
    const token = shareToken(key, link());
    expect(readShareLink(new SigningKey(Buffer.alloc(32, 2)), token, DOMAIN, 'pr-1', NOW)).toBeUndefined();
  });

  test('a user session, a share session or a sign-in state is not a link, even with all the fields of one', () => {
    const fields = link();
    const session = signUserSession(key, { ...fields, login: 'octocat', repos: [] });
    expect(readShareLink(key, session, DOMAIN, 'pr-1', NOW)).toBeUndefined();
    expect(readShareLink(key, signShareSession(key, fields), DOMAIN, 'pr-1', NOW)).toBeUndefined();
    expect(readShareLink(key, signToken(key, 'sign-in', fields), DOMAIN, 'pr-1', NOW)).toBeUndefined();
    // …while the very same fields signed as a link are one (so the refusals above are the purpose's doing).
    expect(readShareLink(key, signToken(key, 'share-link', fields), DOMAIN, 'pr-1', NOW)).toEqual(fields);
  });

  test('a signed link of another version is refused', () => {
    const token = signToken(key, 'share-link', { ...link(), v: 2 });
    expect(readShareLink(key, token, DOMAIN, 'pr-1', NOW)).toBeUndefined();
  });
});

describe('shareDays', () => {
  test('nothing asked (absent or empty): the default', () => {
    expect(shareDays(undefined, 7, 30)).toBe(7);
    expect(shareDays('', 7, 30)).toBe(7);
  });

  test('a whole number within bounds: that many days', () => {
    expect(shareDays('1', 7, 30)).toBe(1);
    expect(shareDays('14', 7, 30)).toBe(14);
    expect(shareDays('30', 7, 30)).toBe(30);
  });

  test('below 1: one day', () => {
    expect(shareDays('0', 7, 30)).toBe(1);
    expect(shareDays('-5', 7, 30)).toBe(1);
    expect(shareDays('-0', 7, 30)).toBe(1);
  });

  test('above the maximum: the maximum', () => {
    expect(shareDays('31', 7, 30)).toBe(30);
    expect(shareDays('100000', 7, 30)).toBe(30);
    expect(shareDays('1e21', 7, 30)).toBe(30);
  });

  test('not a whole number (fraction, text, infinite, NaN): the default', () => {
    for (const asked of ['2.5', '0.1', 'abc', '7days', 'Infinity', '-Infinity', '1e400', 'NaN']) {
      expect(shareDays(asked, 7, 30)).toBe(7);
    }
  });

  test('a default above the maximum is capped at the maximum, whatever was asked', () => {
    expect(shareDays(undefined, 60, 30)).toBe(30);
    expect(shareDays('', 60, 30)).toBe(30);
    expect(shareDays('2.5', 60, 30)).toBe(30);
    expect(shareDays('45', 60, 30)).toBe(30);
  });

  test('the result is always a whole number of days from 1 to the maximum', () => {
    for (const asked of [undefined, '', '0', '-1', '3', '99', '2.5', 'x', '1e400']) {
      const days = shareDays(asked, 7, 30);
      expect(Number.isInteger(days)).toBe(true);
      expect(days).toBeGreaterThanOrEqual(1);
      expect(days).toBeLessThanOrEqual(30);
    }
  });

  // Number(' ') is 0, so a blank field is read as "0 days" and clamped to 1, where '' gets the default: a visitor
  // who leaves a space in the form gets a one-day link instead of the operator's default. The fix: trim `asked`
  // before the empty check.
  test('a blank (whitespace-only) days value gets the default, not one day', () => {
    expect(shareDays(' ', 7, 30)).toBe(7);
  });
});
