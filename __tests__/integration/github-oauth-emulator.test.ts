/**
 * GitHub's user sign-in for a GitHub App, as the emulator serves it (test/support/github/oauth.ts and users.ts):
 * the OAuth web application flow over plain HTTP, posting the sign-in form as a browser would; every refusal; the
 * lifetimes of codes and tokens on the emulator's clock; and what a user-to-server token may read. The last test
 * signs in with headless Chromium.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { startGitHub, type GitHubEmulator, type GitHubOptions } from '../../test/support/github.js';
import { describeWith } from '../../test/support/tools.js';

const OWNER = 'octo-org';
const REPO = 'docs-site';
const CLIENT_ID = 'Iv1.8a61f9b3a7aba766';
const SECRET = 'c0ffee5ecret';
const CALLBACK = 'http://127.0.0.1:8787/auth/callback';
const CALLBACK2 = 'http://127.0.0.1:8787/other/callback';
const WILDCARD = 'http://localhost:9000/wild';
const T0 = Date.UTC(2024, 0, 2, 3, 4, 5);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let now = T0;
let gh: GitHubEmulator;

function options(extra: Partial<GitHubOptions> = {}, expiringTokens = true): GitHubOptions {
  return {
    now: () => now,
    owner: OWNER,
    repo: REPO,
    ownerType: 'Organization',
    oauth: {
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      callbackUrls: [CALLBACK, CALLBACK2, { url: WILDCARD, wildcard: true }],
      expiringTokens,
    },
    users: { alice: { id: 5001, name: 'Alice Liddell' }, bob: {}, carol: {}, dave: {}, erin: {} },
    collaborators: { alice: 'write' },
    ...extra,
  };
}

beforeEach(async () => {
  now = T0;
  gh = await startGitHub(options());
});

afterEach(async () => {
  await gh.close();
});

function authorizeUrl(params: Record<string, string> = {}): string {
  return `${gh.url}/login/oauth/authorize?${new URLSearchParams({ client_id: CLIENT_ID, ...params }).toString()}`;
}

function get(url: string, cookie?: string): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: cookie ? { Cookie: cookie } : {} });
}

const unescapeHtml = (v: string) => v.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** Posts the page's form as a browser would: its hidden fields, the login typed in, the button pressed. */
function submit(page: string, login: string, button: 'Authorize' | 'Cancel'): Promise<Response> {
  const action = /<form method="post" action="([^"]+)">/.exec(page)?.[1];
  expect(action).toBe('/login/oauth/authorize');
  const fields = new URLSearchParams();
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields.append(m[1], unescapeHtml(m[2]));
  fields.append('login', login);
  const value = new RegExp(`<button type="submit" name="authorize" value="(\\d)">${button}</button>`).exec(page)?.[1];
  fields.append('authorize', value ?? '');
  return fetch(`${gh.url}${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
  });
}

/** The sign-in form, then Authorize as `login`: the redirect it answers and the session cookie it sets. */
async function signIn(login: string, params: Record<string, string> = {}): Promise<{ location: URL; cookie: string }> {
  const page = await get(authorizeUrl(params));
  expect(page.status).toBe(200);
  const res = await submit(await page.text(), login, 'Authorize');
  expect(res.status).toBe(302);
  return {
    location: new URL(res.headers.get('location') ?? ''),
    cookie: (res.headers.get('set-cookie') ?? '').split(';')[0],
  };
}

async function codeFor(login: string, params: Record<string, string> = {}): Promise<string> {
  return (await signIn(login, params)).location.searchParams.get('code') ?? '';
}

async function exchange(params: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(`${gh.url}/login/oauth/access_token`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: SECRET, ...params }).toString(),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function tokenFor(login: string): Promise<string> {
  return (await exchange({ code: await codeFor(login) })).access_token as string;
}

function api(path: string, token: string, scheme = 'Bearer'): Promise<Response> {
  return fetch(`${gh.url}${path}`, { headers: { Authorization: `${scheme} ${token}` } });
}

const TOKEN_DOCS =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/';
const AUTH_DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/';

describe('the web application flow', () => {
  test('the sign-in form, the code, the token and the user, all recorded in calls', async () => {
    const page = await get(authorizeUrl({ redirect_uri: CALLBACK, state: 's<t"a&te', login: 'alice', scope: 'repo' }));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-ratelimit-limit')).toBeNull();
    const html = await page.text();
    expect(html).toContain('<input type="text" id="login_field" name="login" value="alice"');
    expect(html).toContain('>Authorize</button>');
    expect(html).toContain('>Cancel</button>');
    expect(html).not.toMatch(/<script/i);

    const res = await submit(html, 'alice', 'Authorize');
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect([...location.searchParams.keys()]).toEqual(['code', 'state']);
    expect(location.searchParams.get('code')).toMatch(/^[0-9a-f]{20}$/);
    expect(location.searchParams.get('state')).toBe('s<t"a&te');
    expect(res.headers.get('set-cookie')).toMatch(
      /^user_session=[0-9a-f]{32}; Path=\/login\/oauth; HttpOnly; SameSite=Lax$/,
    );

    const answer = await exchange({ code: location.searchParams.get('code') ?? '', redirect_uri: CALLBACK });
    expect(answer).toEqual({
      access_token: expect.stringMatching(/^ghu_[A-Za-z0-9]{36}$/),
      expires_in: 28800,
      refresh_token: expect.stringMatching(/^ghr_[A-Za-z0-9]{76}$/),
      refresh_token_expires_in: 15897600,
      scope: '',
      token_type: 'bearer',
    });

    const me = await api('/user', answer.access_token as string);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ login: 'alice', id: 5001, name: 'Alice Liddell', type: 'User' });
    expect(gh.calls.map((c) => [c.method, c.path, c.status])).toEqual([
      ['GET', '/login/oauth/authorize', 200],
      ['POST', '/login/oauth/authorize', 302],
      ['POST', '/login/oauth/access_token', 200],
      ['GET', '/user', 200],
    ]);
  });

  test('token answers: form-encoded unless Accept asks for JSON or XML; parameters in query, form, JSON', async () => {
    const form = await fetch(`${gh.url}/login/oauth/access_token`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: SECRET, code: await codeFor('bob') }),
    });
    expect(form.headers.get('content-type')).toBe('application/x-www-form-urlencoded; charset=utf-8');
    const fields = new URLSearchParams(await form.text());
    expect(fields.get('access_token')).toMatch(/^ghu_/);
    expect([fields.get('scope'), fields.get('token_type'), fields.get('expires_in')]).toEqual(['', 'bearer', '28800']);

    const query = new URLSearchParams({ client_id: CLIENT_ID, client_secret: SECRET, code: await codeFor('bob') });
    const xml = await fetch(`${gh.url}/login/oauth/access_token?${query.toString()}`, {
      method: 'POST',
      headers: { Accept: 'application/xml' },
    });
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(await xml.text()).toMatch(
      /^<OAuth><access_token>ghu_\w{36}<\/access_token>.*<token_type>bearer<\/token_type><\/OAuth>$/,
    );

    const json = await fetch(`${gh.url}/login/oauth/access_token`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT_ID, client_secret: SECRET, code: await codeFor('bob') }),
    });
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(((await json.json()) as { token_type: string }).token_type).toBe('bearer');
  });

  test('no redirect_uri: the code goes to the first callback URL; another registered one is used as is', async () => {
    expect((await signIn('bob')).location.toString()).toMatch(new RegExp(`^${CALLBACK}\\?code=[0-9a-f]{20}$`));
    const second = await signIn('bob', { redirect_uri: CALLBACK2 });
    expect(`${second.location.origin}${second.location.pathname}`).toBe(CALLBACK2);
  });

  test('a signed-in browser goes straight back with a new code; prompt=select_account shows the form', async () => {
    const first = await signIn('carol', { state: 'one' });
    const again = await get(authorizeUrl({ state: 'two', login: 'bob' }), first.cookie);
    expect(again.status).toBe(302);
    const location = new URL(again.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('two');
    const code = location.searchParams.get('code') ?? '';
    expect(code).not.toBe(first.location.searchParams.get('code'));
    expect(await (await api('/user', (await exchange({ code })).access_token as string)).json()).toMatchObject({
      login: 'carol',
    });

    const picker = await get(authorizeUrl({ prompt: 'select_account' }), first.cookie);
    expect(picker.status).toBe(200);
    const html = await picker.text();
    expect(html).toContain('Signed in as carol');
    expect(html).toContain('name="login" value="carol"');
    expect((await get(authorizeUrl())).status).toBe(200);
    expect((await get(authorizeUrl(), 'user_session=forged')).status).toBe(200);
  });
});

describe('authorize refusals', () => {
  test('an unknown or missing client_id gets the 404 page', async () => {
    for (const url of [authorizeUrl({ client_id: 'Iv1.nope' }), `${gh.url}/login/oauth/authorize`]) {
      const res = await get(url);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('Page not found');
    }
    const posted = await fetch(`${gh.url}/login/oauth/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'Iv1.nope', login: 'alice', authorize: '1' }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(404);
  });

  test('redirect_uri must match a callback URL exactly, else the first one gets the error', async () => {
    for (const bad of [
      `${CALLBACK}/deeper`,
      `${CALLBACK}?x=1`,
      'http://127.0.0.1:8788/auth/callback',
      'https://127.0.0.1:8787/auth/callback',
      'http://evil.example/auth/callback',
    ]) {
      const res = await get(authorizeUrl({ redirect_uri: bad, state: 'xyz' }));
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
      expect(Object.fromEntries(location.searchParams)).toEqual({
        error: 'redirect_uri_mismatch',
        error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
        error_uri: `${AUTH_DOCS}#redirect-uri-mismatch`,
        state: 'xyz',
      });
    }
    const noState = await get(authorizeUrl({ redirect_uri: `${CALLBACK}/deeper` }));
    expect(new URL(noState.headers.get('location') ?? '').searchParams.has('state')).toBe(false);
  });

  test('a callback URL with wildcard matching takes its subdomains and subpaths, on the same port only', async () => {
    for (const good of [WILDCARD, `${WILDCARD}/sub/dir`, 'http://app.localhost:9000/wild/x']) {
      const res = await get(authorizeUrl({ redirect_uri: good }));
      expect(res.status).toBe(200);
    }
    for (const bad of ['http://localhost:9001/wild', 'http://localhost:9000/wilder', 'http://localhost:9000/']) {
      const res = await get(authorizeUrl({ redirect_uri: bad }));
      expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('redirect_uri_mismatch');
    }
  });

  test('Cancel → access_denied with the state; an unknown login → the form again, nothing issued', async () => {
    const page = await (await get(authorizeUrl({ redirect_uri: CALLBACK2, state: 'abc' }))).text();
    const cancel = await submit(page, 'alice', 'Cancel');
    expect(cancel.status).toBe(302);
    expect(cancel.headers.get('set-cookie')).toBeNull();
    const location = new URL(cancel.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK2);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'The user has denied your application access.',
      error_uri: `${AUTH_DOCS}#access-denied`,
      state: 'abc',
    });

    const unknown = await submit(page, 'mallory', 'Authorize');
    expect(unknown.status).toBe(200);
    expect(unknown.headers.get('set-cookie')).toBeNull();
    const again = await unknown.text();
    expect(again).toContain('<p role="alert" id="error">Incorrect username');
    expect(again).toContain('name="login" value="mallory"');
    expect(again).toContain('<input type="hidden" name="state" value="abc">');
    expect((await submit(again, 'Alice', 'Authorize')).status).toBe(302);
  });
});

describe('token refusals: status 200 with an error body', () => {
  test('a wrong client secret or client id → incorrect_client_credentials, and the code is still good', async () => {
    const code = await codeFor('alice');
    const refused = {
      error: 'incorrect_client_credentials',
      error_description: 'The client_id and/or client_secret passed are incorrect.',
      error_uri: `${TOKEN_DOCS}#incorrect-client-credentials`,
    };
    expect(await exchange({ code, client_secret: 'wrong' })).toEqual(refused);
    expect(await exchange({ code, client_id: 'Iv1.other' })).toEqual(refused);
    const { client_secret: _omitted, ...noSecret } = { client_id: CLIENT_ID, client_secret: SECRET, code };
    const res = await fetch(`${gh.url}/login/oauth/access_token`, {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: new URLSearchParams(noSecret),
    });
    expect(await res.json()).toEqual(refused);
    expect((await exchange({ code })).access_token).toMatch(/^ghu_/);
  });

  test('unknown or used code → bad_verification_code; another redirect_uri → redirect_uri_mismatch', async () => {
    const bad = {
      error: 'bad_verification_code',
      error_description: 'The code passed is incorrect or expired.',
      error_uri: `${TOKEN_DOCS}#bad-verification-code`,
    };
    expect(await exchange({ code: '0123456789abcdef0123' })).toEqual(bad);
    expect(await exchange({})).toEqual(bad);

    const code = await codeFor('alice', { redirect_uri: CALLBACK2 });
    expect(await exchange({ code, redirect_uri: CALLBACK })).toEqual({
      error: 'redirect_uri_mismatch',
      error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
      error_uri: `${AUTH_DOCS}#redirect-uri-mismatch2`,
    });
    expect((await exchange({ code, redirect_uri: CALLBACK2 })).access_token).toMatch(/^ghu_/);
    expect(await exchange({ code, redirect_uri: CALLBACK2 })).toEqual(bad);
  });

  test('a code expires after 10 minutes', async () => {
    const early = await codeFor('alice');
    const late = await codeFor('alice');
    now = T0 + 10 * MINUTE - 1000;
    expect((await exchange({ code: early })).access_token).toMatch(/^ghu_/);
    now = T0 + 10 * MINUTE;
    expect((await exchange({ code: late })).error).toBe('bad_verification_code');
  });
});

describe('user tokens', () => {
  test('an expiring token stops working after 8 hours; a refresh token rotates the pair', async () => {
    const first = await exchange({ code: await codeFor('alice') });
    const token = first.access_token as string;
    const rotatedAt = T0 + 8 * HOUR - 1000;
    now = rotatedAt;
    expect((await api('/user', token)).status).toBe(200);
    const rotated = await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
    expect(rotated).toMatchObject({ access_token: expect.stringMatching(/^ghu_/), expires_in: 28800 });
    expect((await api('/user', token)).status).toBe(401);
    expect((await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string })).error).toBe(
      'bad_refresh_token',
    );
    now = rotatedAt + 8 * HOUR - 1000;
    expect((await api('/user', rotated.access_token as string)).status).toBe(200);
    now = rotatedAt + 8 * HOUR;
    const expired = await api('/user', rotated.access_token as string);
    expect(expired.status).toBe(401);
    expect((await expired.json()).message).toBe('Bad credentials');
  });

  test('without expiringTokens the answer has no expiry and the token keeps working', async () => {
    await gh.close();
    gh = await startGitHub(options({}, false));
    const answer = await exchange({ code: await codeFor('bob') });
    expect(answer).toEqual({ access_token: expect.stringMatching(/^ghu_\w{36}$/), scope: '', token_type: 'bearer' });
    now = T0 + 365 * 24 * HOUR;
    expect((await api('/user', answer.access_token as string)).status).toBe(200);
  });

  test('GET /user takes both schemes; an unknown token is 401 Bad credentials', async () => {
    const token = await tokenFor('bob');
    const me = await api('/user', token, 'token');
    expect(await me.json()).toMatchObject({ login: 'bob', name: null, type: 'User', id: expect.any(Number) });
    const bad = await api('/user', `ghu_${'x'.repeat(36)}`);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    const viewer = await fetch(`${gh.url}/graphql`, {
      method: 'POST',
      headers: { Authorization: `bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { login } }' }),
    });
    expect(await viewer.json()).toEqual({ data: { viewer: { login: 'bob' } } });
  });
});

describe('what a user token may read', () => {
  const repoPath = `/repos/${OWNER}/${REPO}`;

  test("each role's permissions on an organization's private repository", async () => {
    const expected = {
      read: { admin: false, maintain: false, push: false, triage: false, pull: true },
      triage: { admin: false, maintain: false, push: false, triage: true, pull: true },
      write: { admin: false, maintain: false, push: true, triage: true, pull: true },
      maintain: { admin: false, maintain: true, push: true, triage: true, pull: true },
      admin: { admin: true, maintain: true, push: true, triage: true, pull: true },
    } as const;
    const token = await tokenFor('dave');
    for (const [role, permissions] of Object.entries(expected)) {
      gh.setCollaborator('dave', role as keyof typeof expected);
      const res = await api(repoPath, token);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        full_name: `${OWNER}/${REPO}`,
        private: true,
        visibility: 'private',
        owner: { login: OWNER, type: 'Organization' },
        permissions,
      });
    }
    expect(gh.calls.filter((c) => c.path === repoPath).map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
  });

  test('a stranger gets 404 on a private repository and pull only on a public one', async () => {
    const token = await tokenFor('erin');
    const hidden = await api(repoPath, token);
    expect(hidden.status).toBe(404);
    expect((await hidden.json()).message).toBe('Not Found');
    gh.setVisibility('public');
    const open = await api(repoPath, token);
    expect(await open.json()).toMatchObject({
      private: false,
      visibility: 'public',
      permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    });
    gh.setVisibility('private');
    const alice = await tokenFor('alice');
    expect((await api(repoPath, alice)).status).toBe(200);
    gh.setCollaborator('alice', undefined);
    expect((await api(repoPath, alice)).status).toBe(404);
    expect((await api(`/repos/${OWNER}/elsewhere`, alice)).status).toBe(404);
  });

  test('a personal repository: the owner is admin, collaborators can only have write', async () => {
    await gh.close();
    gh = await startGitHub({
      ...options({ ownerType: 'User', owner: 'octocat', collaborators: {} }),
      users: { octocat: {}, bob: {} },
    });
    expect(() => gh.setCollaborator('bob', 'read')).toThrow(/personal account/);
    await expect(
      startGitHub(options({ ownerType: 'User', owner: 'octocat', collaborators: { bob: 'admin' } })),
    ).rejects.toThrow(/personal account/);
    gh.setCollaborator('bob', 'write');
    const owner = await api(`/repos/octocat/${REPO}`, await tokenFor('octocat'));
    expect((await owner.json()).permissions).toEqual({
      admin: true,
      maintain: true,
      push: true,
      triage: true,
      pull: true,
    });
    const bob = await api(`/repos/octocat/${REPO}`, await tokenFor('bob'));
    expect(await bob.json()).toMatchObject({
      owner: { login: 'octocat', type: 'User' },
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    });
  });

  test('other routes refuse a user token (the app holds Metadata only); the action token is unchanged', async () => {
    gh.setPull({ number: 7, state: 'open', headSha: 'a'.repeat(40) });
    const alice = await tokenFor('alice');
    const refused = await api(`${repoPath}/pulls/7`, alice);
    expect(refused.status).toBe(403);
    expect((await refused.json()).message).toBe('Resource not accessible by integration');
    expect((await api(`${repoPath}/pulls/7`, await tokenFor('erin'))).status).toBe(404);
    expect((await api(`${repoPath}/pulls/7`, gh.token)).status).toBe(200);
    expect((await api(repoPath, gh.token)).status).toBe(404);
    expect((await api('/user', gh.token)).status).toBe(403);
  });

  test('configuration GitHub would not allow is refused at start', async () => {
    const app = { clientId: CLIENT_ID, clientSecret: SECRET };
    await expect(startGitHub({ oauth: { ...app, callbackUrls: [] } })).rejects.toThrow(/callback URL/);
    await expect(startGitHub({ oauth: { ...app, callbackUrls: ['not a url'] } })).rejects.toThrow(/callback URL/);
    await expect(startGitHub({ users: { '-bad-': {} } })).rejects.toThrow(/not a GitHub login/);
    await expect(startGitHub({ ownerType: 'Organization', users: { Codertocat: {} } })).rejects.toThrow(/organization/);
  });
});

const { describe: withChromium } = describeWith(['chromium']);

withChromium('in a real browser', () => {
  let callback: Server;
  const hits: URL[] = [];

  beforeAll(async () => {
    callback = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/cb') hits.push(url); // not /favicon.ico
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('signed in');
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => callback.close(() => resolve()));
  });

  test('Chromium signs in through the form, and the second time goes straight through', async () => {
    const cb = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/cb`;
    await gh.close();
    gh = await startGitHub(options({ oauth: { clientId: CLIENT_ID, clientSecret: SECRET, callbackUrls: [cb] } }));
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox'],
    });
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(authorizeUrl({ state: 'st1' }));
      await page.fill('#login_field', 'alice');
      await Promise.all([page.waitForURL(/\/cb\?/), page.click('text=Authorize')]);
      expect(await page.textContent('body')).toBe('signed in');
      await page.goto(authorizeUrl({ state: 'st2' }));
      expect(page.url()).toMatch(/\/cb\?code=[0-9a-f]{20}&state=st2$/);
    } finally {
      await browser.close();
    }
    expect(hits.map((u) => u.searchParams.get('state'))).toEqual(['st1', 'st2']);
    const answer = await exchange({ code: hits[1].searchParams.get('code') ?? '' });
    expect(await (await api('/user', answer.access_token as string)).json()).toMatchObject({ login: 'alice' });
  });
});
