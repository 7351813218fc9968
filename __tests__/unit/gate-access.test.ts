// What this file proves: decideAccess, fed real cookies made by the gate's own signing functions, lets a request
// through for the bypass token first, then for a share session of this very preview, then for a user session that
// GitHub said can read the preview's repository; it answers 403 (with who is signed in) when GitHub said they cannot
// or the repository is unknown, and 401 (sign in) for everything else: no cookie, a forged, expired, rotated,
// misplaced or foreign-domain cookie, or a repository this session never asked about.
import { describe, expect, test } from '@jest/globals';
import { decideAccess, repositoryVerdict, type AccessRequest, type AccessRules } from '../../src/gate/access.js';
import {
  SESSION_COOKIE,
  SHARE_COOKIE,
  signShareSession,
  signUserSession,
  type ShareSession,
  type UserSession,
} from '../../src/gate/session.js';
import { SigningKey } from '../../src/gate/signed.js';

const NOW = 1_700_000_000;
const DOMAIN = 'preview.example.com';
const BYPASS = 'ci-bypass-7f3a9c1e5b2d4f60';
const key = new SigningKey(Buffer.alloc(32, 1));
const rules: AccessRules = { key, domain: DOMAIN, bypassToken: BYPASS };

const user = (over: Partial<UserSession> = {}): UserSession => ({
  v: 1,
  login: 'octocat',
  domain: DOMAIN,
  repos: ['acme/app'],
  denied: ['acme/secret'],
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

const sessionCookie = (s: UserSession, k = key) => `${SESSION_COOKIE}=${signUserSession(k, s)}`;
const shareCookie = (s: ShareSession, k = key) => `${SHARE_COOKIE}=${signShareSession(k, s)}`;

const request = (over: Partial<AccessRequest> = {}): AccessRequest => ({
  preview: 'pr-1',
  repository: 'acme/app',
  cookie: undefined,
  bypass: undefined,
  ...over,
});

const decide = (over: Partial<AccessRequest>, r: AccessRules = rules, now = NOW) => decideAccess(request(over), r, now);

/** A signed value with one character of its MAC changed. */
function tampered(token: string): string {
  const at = token.length - 10;
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
}

describe('the bypass header', () => {
  test('lets the request through with no cookie at all', () => {
    expect(decide({ bypass: BYPASS })).toEqual({ allow: true, who: 'bypass' });
  });

  test('comes first: before a share session, a denied user, a forged cookie, or an unknown repository', () => {
    expect(decide({ bypass: BYPASS, cookie: shareCookie(shared()) })).toEqual({ allow: true, who: 'bypass' });
    expect(decide({ bypass: BYPASS, repository: 'acme/secret', cookie: sessionCookie(user()) })).toEqual({
      allow: true,
      who: 'bypass',
    });
    expect(decide({ bypass: BYPASS, cookie: `${SESSION_COOKIE}=forged.forged` })).toEqual({
      allow: true,
      who: 'bypass',
    });
    expect(decide({ bypass: BYPASS, repository: undefined })).toEqual({ allow: true, who: 'bypass' });
  });

  test('a wrong or repeated header falls through to the cookies', () => {
    expect(decide({ bypass: `${BYPASS}x` })).toEqual({ allow: false, status: 401 });
    expect(decide({ bypass: [BYPASS, BYPASS] })).toEqual({ allow: false, status: 401 });
    expect(decide({ bypass: 'wrong', cookie: sessionCookie(user()) })).toEqual({
      allow: true,
      who: 'user',
      login: 'octocat',
    });
  });

  test('does nothing when no bypass token is configured', () => {
    const noBypass: AccessRules = { ...rules, bypassToken: undefined };
    expect(decide({ bypass: '' }, noBypass)).toEqual({ allow: false, status: 401 });
    expect(decide({ bypass: BYPASS }, noBypass)).toEqual({ allow: false, status: 401 });
    expect(decide({ bypass: '' }, { ...rules, bypassToken: '' })).toEqual({ allow: false, status: 401 });
  });
});

describe('a share session', () => {
  test('lets its own preview through, whatever the repository', () => {
    expect(decide({ cookie: shareCookie(shared()) })).toEqual({ allow: true, who: 'share' });
    expect(decide({ cookie: shareCookie(shared()), repository: undefined })).toEqual({ allow: true, who: 'share' });
  });

  test('does not open another preview, even of the same repository', () => {
    expect(decide({ preview: 'pr-2', cookie: shareCookie(shared()) })).toEqual({ allow: false, status: 401 });
    expect(decide({ preview: 'pr-10', cookie: shareCookie(shared()) })).toEqual({ allow: false, status: 401 });
  });

  test('comes before the user session (a share visitor signed in as someone without access still sees it)', () => {
    const cookie = `${sessionCookie(user())}; ${shareCookie(shared())}`;
    expect(decide({ repository: 'acme/secret', cookie })).toEqual({ allow: true, who: 'share' });
  });

  test('for another preview, leaves the decision to the user session', () => {
    const cookie = `${shareCookie(shared({ preview: 'pr-2' }))}; ${sessionCookie(user())}`;
    expect(decide({ cookie })).toEqual({ allow: true, who: 'user', login: 'octocat' });
    expect(decide({ cookie, repository: 'acme/secret' })).toEqual({
      allow: false,
      status: 403,
      login: 'octocat',
      repository: 'acme/secret',
    });
  });

  test('refused when expired (at exp), for another domain, signed by another key, or tampered', () => {
    expect(decide({ cookie: shareCookie(shared({ exp: NOW })) })).toEqual({ allow: false, status: 401 });
    expect(decide({ cookie: shareCookie(shared({ exp: NOW })) }, rules, NOW - 1)).toEqual({
      allow: true,
      who: 'share',
    });
    expect(decide({ cookie: shareCookie(shared({ domain: 'staging.example.com' })) })).toEqual({
      allow: false,
      status: 401,
    });
    const rotated = new SigningKey(Buffer.alloc(32, 2));
    expect(decide({ cookie: shareCookie(shared(), rotated) })).toEqual({ allow: false, status: 401 });
    const forged = `${SHARE_COOKIE}=${tampered(signShareSession(key, shared()))}`;
    expect(decide({ cookie: forged })).toEqual({ allow: false, status: 401 });
  });
});

describe('a user session', () => {
  test('whose repositories include the preview one: allowed, as that login', () => {
    expect(decide({ cookie: sessionCookie(user()) })).toEqual({ allow: true, who: 'user', login: 'octocat' });
  });

  test('whose denied list has the repository: 403 naming the login and the repository', () => {
    expect(decide({ repository: 'acme/secret', cookie: sessionCookie(user()) })).toEqual({
      allow: false,
      status: 403,
      login: 'octocat',
      repository: 'acme/secret',
    });
  });

  test('that never asked about the repository: 401, so the sign-in asks GitHub', () => {
    expect(decide({ repository: 'acme/other', cookie: sessionCookie(user()) })).toEqual({
      allow: false,
      status: 401,
    });
    expect(decide({ repository: 'acme/other', cookie: sessionCookie(user({ denied: undefined })) })).toEqual({
      allow: false,
      status: 401,
    });
  });

  test('for a preview whose repository is unknown: 403 naming the login, with no repository', () => {
    expect(decide({ repository: undefined, cookie: sessionCookie(user()) })).toEqual({
      allow: false,
      status: 403,
      login: 'octocat',
      repository: undefined,
    });
  });

  test('readable wins over denied when GitHub said both', () => {
    const both = user({ repos: ['acme/app'], denied: ['acme/app'] });
    expect(decide({ cookie: sessionCookie(both) })).toEqual({ allow: true, who: 'user', login: 'octocat' });
  });

  test('matches the repository exactly, not by prefix or substring', () => {
    const cookie = sessionCookie(user({ repos: ['acme/app'], denied: [] }));
    for (const repository of ['acme/ap', 'acme/app2', 'acme/app/x', 'cme/app']) {
      expect(decide({ repository, cookie })).toEqual({ allow: false, status: 401 });
    }
  });

  test('refused (401) when expired: at exp, not a second before', () => {
    const cookie = sessionCookie(user({ exp: NOW }));
    expect(decide({ cookie })).toEqual({ allow: false, status: 401 });
    expect(decide({ cookie }, rules, NOW - 1)).toEqual({ allow: true, who: 'user', login: 'octocat' });
  });

  test('refused (401) when made for another domain under the same key', () => {
    const cookie = sessionCookie(user({ domain: 'staging.example.com' }));
    expect(decide({ cookie })).toEqual({ allow: false, status: 401 });
    expect(decide({ cookie }, { ...rules, domain: 'staging.example.com' })).toEqual({
      allow: true,
      who: 'user',
      login: 'octocat',
    });
  });

  test('refused (401) when tampered, signed by another key, or only garbage', () => {
    const forged = `${SESSION_COOKIE}=${tampered(signUserSession(key, user()))}`;
    expect(decide({ cookie: forged })).toEqual({ allow: false, status: 401 });
    const rotated = new SigningKey(Buffer.alloc(32, 2));
    expect(decide({ cookie: sessionCookie(user(), rotated) })).toEqual({ allow: false, status: 401 });
    expect(decide({ cookie: `${SESSION_COOKIE}=garbage; ${SESSION_COOKIE}=` })).toEqual({
      allow: false,
      status: 401,
    });
  });

  test('refused (401) when put under the wrong cookie, or a share session is put under the session cookie', () => {
    expect(decide({ cookie: `${SHARE_COOKIE}=${signUserSession(key, user())}` })).toEqual({
      allow: false,
      status: 401,
    });
    expect(decide({ cookie: `${SESSION_COOKIE}=${signShareSession(key, shared())}` })).toEqual({
      allow: false,
      status: 401,
    });
  });

  test('a valid one is found behind a foreign, expired or forged copy of the cookie', () => {
    const cookie = [
      `${SESSION_COOKIE}=${tampered(signUserSession(key, user({ login: 'mallory' })))}`,
      sessionCookie(user({ login: 'old', exp: NOW })),
      sessionCookie(user({ login: 'elsewhere', domain: 'other.example' })),
      sessionCookie(user({ login: 'octocat' })),
    ].join('; ');
    expect(decide({ cookie })).toEqual({ allow: true, who: 'user', login: 'octocat' });
  });
});

describe('no session at all', () => {
  test('no cookie header, an empty one, or only unrelated cookies: 401', () => {
    expect(decide({ cookie: undefined })).toEqual({ allow: false, status: 401 });
    expect(decide({ cookie: '' })).toEqual({ allow: false, status: 401 });
    expect(decide({ cookie: 'theme=dark; _ga=GA1.2.3' })).toEqual({ allow: false, status: 401 });
  });

  test('401 even when the repository is unknown (sign in first, then be told)', () => {
    expect(decide({ repository: undefined })).toEqual({ allow: false, status: 401 });
  });
});

describe('repositoryVerdict', () => {
  const s = user({ repos: ['acme/app'], denied: ['acme/secret'] });

  test('readable, denied, or unchecked as the session says', () => {
    expect(repositoryVerdict(s, 'acme/app')).toBe('readable');
    expect(repositoryVerdict(s, 'acme/secret')).toBe('denied');
    expect(repositoryVerdict(s, 'acme/other')).toBe('unchecked');
    expect(repositoryVerdict(user({ denied: undefined }), 'acme/secret')).toBe('unchecked');
  });

  test('an unknown (undefined or empty) repository is denied', () => {
    expect(repositoryVerdict(s, undefined)).toBe('denied');
    expect(repositoryVerdict(s, '')).toBe('denied');
  });
});
