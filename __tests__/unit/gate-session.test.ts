// What this file proves: the edge finds its cookies in a Cookie header however it is spaced or duplicated, never
// passes its own two cookies on to a preview's function (and passes every other cookie, in order), reads a session
// only when it was signed as that kind of session for this very domain (and, for a share session, this very
// preview) and has not expired, and writes Set-Cookie values with the attributes that keep them out of scripts and
// cross-site requests.
import { describe, expect, test } from '@jest/globals';
import {
  cookiesForUpstream,
  cookieValues,
  readShareSession,
  readUserSession,
  SESSION_COOKIE,
  setCookie,
  SHARE_COOKIE,
  signShareSession,
  signUserSession,
  type ShareSession,
  type UserSession,
} from '../../src/gate/session.js';
import { SigningKey, signToken } from '../../src/gate/signed.js';

const NOW = 1_700_000_000;
const DOMAIN = 'preview.example.com';
const key = new SigningKey(Buffer.alloc(32, 1));

const user = (over: Partial<UserSession> = {}): UserSession => ({
  v: 1,
  login: 'octocat',
  domain: DOMAIN,
  repos: ['acme/app'],
  iat: NOW - 60,
  exp: NOW + 3600,
  ...over,
});

const shared = (over: Partial<ShareSession> = {}): ShareSession => ({
  v: 1,
  domain: DOMAIN,
  preview: 'pr-1',
  iat: NOW - 60,
  exp: NOW + 3600,
  ...over,
});

describe('cookieValues', () => {
  test('no header, or an empty one, has no values', () => {
    expect(cookieValues(undefined, SESSION_COOKIE)).toEqual([]);
    expect(cookieValues('', SESSION_COOKIE)).toEqual([]);
  });

  test('finds the one value among several cookies', () => {
    expect(cookieValues('a=1; faas-preview-session=abc; b=2', SESSION_COOKIE)).toEqual(['abc']);
  });

  test('returns every value of a duplicated name, in header order', () => {
    expect(cookieValues('faas-preview-session=first; a=1; faas-preview-session=second', SESSION_COOKIE)).toEqual([
      'first',
      'second',
    ]);
  });

  test('ignores spacing around names and values, and a missing space after the semicolon', () => {
    expect(cookieValues('a=1;faas-preview-session=x;  faas-preview-session =  y  ; b=2', SESSION_COOKIE)).toEqual([
      'x',
      'y',
    ]);
  });

  test('keeps every "=" after the first as part of the value', () => {
    expect(cookieValues('faas-preview-session=a=b==; x=1', SESSION_COOKIE)).toEqual(['a=b==']);
  });

  test('does not match a name that merely contains, starts or ends with ours, or differs in case', () => {
    const header =
      'xfaas-preview-session=1; faas-preview-session-old=2; faas-preview-sessio=3; FAAS-PREVIEW-SESSION=4; ' +
      'faas-preview-share=5';
    expect(cookieValues(header, SESSION_COOKIE)).toEqual([]);
    expect(cookieValues(header, SHARE_COOKIE)).toEqual(['5']);
  });

  test('skips parts without a name or without "="', () => {
    expect(
      cookieValues('=faas-preview-session; faas-preview-session; ;; faas-preview-session=', SESSION_COOKIE),
    ).toEqual(['']);
  });
});

describe('cookiesForUpstream', () => {
  test('no header gives an empty one', () => {
    expect(cookiesForUpstream(undefined)).toBe('');
    expect(cookiesForUpstream('')).toBe('');
  });

  test('strips exactly the edge session and share cookies (every copy) and keeps the rest in order', () => {
    const header =
      'a=1; faas-preview-session=SECRET1; xfaas-preview-session=2; b=3=4; faas-preview-share=SECRET2; ' +
      'faas-preview-session-old=5;faas-preview-session=SECRET3; c=6';
    expect(cookiesForUpstream(header)).toBe('a=1; xfaas-preview-session=2; b=3=4; faas-preview-session-old=5; c=6');
  });

  test('strips our cookies however they are spaced', () => {
    expect(cookiesForUpstream('  faas-preview-session  =  v ;a=1;   faas-preview-share=w')).toBe('a=1');
  });

  test('drops empty parts and keeps a part without "=" as it is', () => {
    expect(cookiesForUpstream('a=1;; ; flag ;b=2')).toBe('a=1; flag; b=2');
  });

  test('leaves nothing when only our cookies were sent', () => {
    expect(cookiesForUpstream('faas-preview-session=x; faas-preview-share=y')).toBe('');
  });

  test('whatever the edge would read as its cookie is never passed upstream', () => {
    const headers = [
      'faas-preview-session=a',
      ' faas-preview-session=a',
      'faas-preview-session =a',
      'x=1;faas-preview-session=a;y=2',
      'faas-preview-session=a=b; faas-preview-session=c',
      '\tfaas-preview-session\t=a',
      'faas-preview-share=a; faas-preview-share =b',
    ];
    for (const h of headers) {
      const upstream = cookiesForUpstream(h);
      expect(cookieValues(h, SESSION_COOKIE).length + cookieValues(h, SHARE_COOKIE).length).toBeGreaterThan(0);
      expect(cookieValues(upstream, SESSION_COOKIE)).toEqual([]);
      expect(cookieValues(upstream, SHARE_COOKIE)).toEqual([]);
    }
  });
});

describe('readUserSession', () => {
  const cookie = (...values: string[]) => values.map((v) => `${SESSION_COOKIE}=${v}`).join('; ');

  test('reads a valid session for this domain', () => {
    const s = readUserSession(key, `a=1; ${cookie(signUserSession(key, user()))}`, DOMAIN, NOW);
    expect(s?.login).toBe('octocat');
    expect(s?.repos).toEqual(['acme/app']);
  });

  test('no cookie header, or no session cookie, is no session', () => {
    expect(readUserSession(key, undefined, DOMAIN, NOW)).toBeUndefined();
    expect(readUserSession(key, 'a=1', DOMAIN, NOW)).toBeUndefined();
  });

  test('refuses a session made for another domain under the same key (replay across domains)', () => {
    const elsewhere = cookie(signUserSession(key, user({ domain: 'staging.example.com' })));
    expect(readUserSession(key, elsewhere, DOMAIN, NOW)).toBeUndefined();
    expect(readUserSession(key, elsewhere, 'staging.example.com', NOW)?.login).toBe('octocat');
  });

  test('refuses a session for a parent or child of the domain', () => {
    expect(readUserSession(key, cookie(signUserSession(key, user({ domain: 'example.com' }))), DOMAIN, NOW)).toBe(
      undefined,
    );
    const child = cookie(signUserSession(key, user({ domain: `pr-1.${DOMAIN}` })));
    expect(readUserSession(key, child, DOMAIN, NOW)).toBeUndefined();
  });

  test('refuses an expired session: at exp, not a second before', () => {
    const value = cookie(signUserSession(key, user({ exp: NOW })));
    expect(readUserSession(key, value, DOMAIN, NOW)).toBeUndefined();
    expect(readUserSession(key, value, DOMAIN, NOW - 1)?.login).toBe('octocat');
  });

  test('refuses a share session (or any other purpose) put in the session cookie', () => {
    // Same fields a user session needs, signed for another purpose: only the purpose differs.
    const lookalike = { ...user() };
    for (const purpose of ['share-session', 'share-link', 'sign-in'] as const) {
      expect(readUserSession(key, cookie(signToken(key, purpose, lookalike)), DOMAIN, NOW)).toBeUndefined();
    }
    expect(readUserSession(key, cookie(signToken(key, 'session', lookalike)), DOMAIN, NOW)?.login).toBe('octocat');
    expect(readUserSession(key, cookie(signShareSession(key, shared())), DOMAIN, NOW)).toBeUndefined();
  });

  test('refuses a session under the share cookie name', () => {
    const value = signUserSession(key, user());
    expect(readUserSession(key, `${SHARE_COOKIE}=${value}`, DOMAIN, NOW)).toBeUndefined();
  });

  test('refuses a signed session of another version or without a login or a repository list', () => {
    const bad = [
      { ...user(), v: 2 },
      { ...user(), login: undefined },
      { ...user(), login: 42 },
      { ...user(), repos: undefined },
      { ...user(), repos: 'acme/app' },
    ];
    for (const s of bad)
      expect(readUserSession(key, cookie(signToken(key, 'session', s)), DOMAIN, NOW)).toBe(undefined);
  });

  test('refuses a session signed with another key', () => {
    const rotated = new SigningKey(Buffer.alloc(32, 2));
    expect(readUserSession(rotated, cookie(signUserSession(key, user())), DOMAIN, NOW)).toBeUndefined();
  });

  test('among duplicates, picks the first valid one whatever comes before it', () => {
    const mallory = signUserSession(key, user({ login: 'mallory' }));
    const at = mallory.length - 10; // inside the MAC
    const forged = mallory.slice(0, at) + (mallory[at] === 'A' ? 'B' : 'A') + mallory.slice(at + 1);
    const expired = signUserSession(key, user({ login: 'old', exp: NOW }));
    const foreign = signUserSession(key, user({ login: 'elsewhere', domain: 'other.example' }));
    const good = signUserSession(key, user({ login: 'octocat' }));
    const later = signUserSession(key, user({ login: 'second' }));
    const s = readUserSession(key, cookie('garbage', forged, expired, foreign, good, later), DOMAIN, NOW);
    expect(s?.login).toBe('octocat');
  });
});

describe('readShareSession', () => {
  const cookie = (v: string) => `${SHARE_COOKIE}=${v}`;

  test('reads a share session for the same preview and domain', () => {
    const s = readShareSession(key, cookie(signShareSession(key, shared())), DOMAIN, 'pr-1', NOW);
    expect(s).toEqual(shared());
  });

  test('refuses it for another preview, including one that shares a prefix', () => {
    const value = cookie(signShareSession(key, shared()));
    expect(readShareSession(key, value, DOMAIN, 'pr-2', NOW)).toBeUndefined();
    expect(readShareSession(key, value, DOMAIN, 'pr-10', NOW)).toBeUndefined();
    expect(readShareSession(key, value, DOMAIN, 'pr', NOW)).toBeUndefined();
  });

  test('refuses it for another domain', () => {
    const value = cookie(signShareSession(key, shared({ domain: 'staging.example.com' })));
    expect(readShareSession(key, value, DOMAIN, 'pr-1', NOW)).toBeUndefined();
  });

  test('refuses it expired: at exp, not a second before', () => {
    const value = cookie(signShareSession(key, shared({ exp: NOW })));
    expect(readShareSession(key, value, DOMAIN, 'pr-1', NOW)).toBeUndefined();
    expect(readShareSession(key, value, DOMAIN, 'pr-1', NOW - 1)?.preview).toBe('pr-1');
  });

  test('refuses a share link token or a user session put in the share cookie', () => {
    const link = { v: 1, preview: 'pr-1', domain: DOMAIN, by: 'octocat', iat: NOW, exp: NOW + 3600 };
    expect(readShareSession(key, cookie(signToken(key, 'share-link', link)), DOMAIN, 'pr-1', NOW)).toBeUndefined();
    const asUser = signUserSession(key, { ...user(), preview: 'pr-1' } as UserSession);
    expect(readShareSession(key, cookie(asUser), DOMAIN, 'pr-1', NOW)).toBeUndefined();
  });

  test('refuses a share session under the session cookie name', () => {
    const value = `${SESSION_COOKIE}=${signShareSession(key, shared())}`;
    expect(readShareSession(key, value, DOMAIN, 'pr-1', NOW)).toBeUndefined();
  });

  test('refuses a signed share session of another version', () => {
    const v2 = cookie(signToken(key, 'share-session', { ...shared(), v: 2 }));
    expect(readShareSession(key, v2, DOMAIN, 'pr-1', NOW)).toBeUndefined();
  });

  test('among duplicates, finds the one for this preview', () => {
    const header = [
      cookie(signShareSession(key, shared({ preview: 'pr-2' }))),
      cookie(signShareSession(key, shared({ preview: 'pr-1', iat: NOW - 5 }))),
    ].join('; ');
    expect(readShareSession(key, header, DOMAIN, 'pr-1', NOW)?.iat).toBe(NOW - 5);
    expect(readShareSession(key, header, DOMAIN, 'pr-2', NOW)?.preview).toBe('pr-2');
    expect(readShareSession(key, header, DOMAIN, 'pr-3', NOW)).toBeUndefined();
  });
});

describe('setCookie', () => {
  const attributes = (v: string) => v.split('; ');

  test('a domain-wide secure cookie has exactly these attributes', () => {
    expect(setCookie(SESSION_COOKIE, 'tok', 3600, { domain: DOMAIN, secure: true })).toBe(
      'faas-preview-session=tok; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Domain=preview.example.com; Secure',
    );
  });

  test('host-only when no domain is given, and not Secure unless asked', () => {
    const a = attributes(setCookie(SHARE_COOKIE, 'tok', 60, { secure: false }));
    expect(a).toEqual(['faas-preview-share=tok', 'Path=/', 'Max-Age=60', 'HttpOnly', 'SameSite=Lax']);
    expect(a.some((x) => x.startsWith('Domain'))).toBe(false);
    expect(a).not.toContain('Secure');
    expect(attributes(setCookie(SHARE_COOKIE, 'tok', 60, { domain: '', secure: true }))).toEqual([
      'faas-preview-share=tok',
      'Path=/',
      'Max-Age=60',
      'HttpOnly',
      'SameSite=Lax',
      'Secure',
    ]);
  });

  test('always HttpOnly, SameSite=Lax and Path=/', () => {
    for (const scope of [{ secure: true }, { secure: false }, { domain: DOMAIN, secure: false }]) {
      const a = attributes(setCookie('n', 'v', 10, scope));
      expect(a).toContain('HttpOnly');
      expect(a).toContain('SameSite=Lax');
      expect(a).toContain('Path=/');
    }
  });

  test('Max-Age is floored to whole seconds and never negative; 0 clears', () => {
    const maxAge = (s: number) => attributes(setCookie('n', 'v', s, { secure: true })).find((x) => x.startsWith('Max'));
    expect(maxAge(59.9)).toBe('Max-Age=59');
    expect(maxAge(0.5)).toBe('Max-Age=0');
    expect(maxAge(0)).toBe('Max-Age=0');
    expect(maxAge(-1)).toBe('Max-Age=0');
    expect(maxAge(-0.5)).toBe('Max-Age=0');
    expect(maxAge(-86400)).toBe('Max-Age=0');
    expect(setCookie(SESSION_COOKIE, '', 0, { domain: DOMAIN, secure: true })).toMatch(
      /^faas-preview-session=; Path=\/; Max-Age=0;/,
    );
  });
});
