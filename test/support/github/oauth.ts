/**
 * GitHub's user sign-in for a GitHub App: the OAuth web application flow that ends in a user-to-server token.
 * github.com serves it; the emulator serves it on its own origin, next to the API.
 *
 * `GET /login/oauth/authorize` (client_id, redirect_uri, state, login, prompt; allow_signup and scope are accepted
 * and change nothing: there is no sign-up here, and user tokens of GitHub Apps have no scopes):
 *   - an unknown or missing `client_id` gets github.com's 404 page;
 *   - a `redirect_uri` that matches no registered callback URL redirects to the first callback URL with
 *     `error=redirect_uri_mismatch`, `error_description`, `error_uri` and `state` (docs.github.com "Troubleshooting
 *     authorization request errors"). For a GitHub App the match is exact, and the URL can carry no extra
 *     parameters (docs.github.com "Generating a user access token for a GitHub App", `redirect_uri`), unless
 *     wildcard matching is on for that callback URL (`{ url, wildcard: true }`): then the same host or a subdomain
 *     of it, the same port, and the same path or one below it (docs.github.com reusable
 *     "redirect-uri-wildcard-matching"). Without `redirect_uri` the first callback URL is used (docs.github.com
 *     "About the user authorization callback URL");
 *   - otherwise the sign-in form (oauth-page.ts). Authorize with a known login → 302 to the redirect URL with a
 *     `code` and the same `state`; Cancel → `error=access_denied` (same troubleshooting page); an unknown login →
 *     the form again with an error. The code is single-use and expires after 10 minutes (docs.github.com
 *     "Authorizing OAuth apps", step 2).
 *   - Signing in sets the `user_session` cookie, so a later authorize from the same browser redirects at once, as
 *     GitHub does once the user has authorized the app; `prompt=select_account` always shows the form (same page,
 *     `prompt`). The cookie's path is /login/oauth: cookies do not tell ports apart (RFC 6265 §8.5), and the
 *     services under test share 127.0.0.1 with the emulator. When signed in, `login` is not looked at.
 *
 * `POST /login/oauth/access_token`: the parameters come in the query string or the body (form-encoded or JSON);
 * the answer is form-encoded unless `Accept` asks for JSON or XML (docs.github.com "Authorizing OAuth apps").
 * Refusals are answered with status 200 and an `error` body (octokit/auth-oauth-app.js#13): a wrong client id or
 * secret `incorrect_client_credentials`, an unknown, used or expired code `bad_verification_code`, a
 * `redirect_uri` other than the one the code was sent to `redirect_uri_mismatch` (docs.github.com "Troubleshooting
 * OAuth app access token request errors"; the `error_uri` values as github.com sends them, e.g.
 * reactivemanifesto/website-manifesto#91). Success: `access_token` `ghu_` + 36 characters, `scope` "",
 * `token_type` bearer; with `expiringTokens` also `expires_in` 28800 (8 hours) and a `ghr_` `refresh_token` with
 * `refresh_token_expires_in` (docs.github.com reusable "user-access-token-response-parameters"). The docs give
 * 15811200 for the latter, but real answers quoted in public code carry 15897600 (184 days): the emulator sends
 * that.
 * `grant_type=refresh_token` rotates the pair: the old refresh and access tokens stop working (docs.github.com
 * "Refreshing user access tokens"); an unknown, used or expired refresh token is `bad_refresh_token`.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CallbackUrl, OAuthApp, Store } from './model.js';
import { notFoundPage, signInPage } from './oauth-page.js';
import { isPlainObject, type Reply } from './wire.js';

const CODE_TTL_MS = 10 * 60 * 1000;
const ACCESS_TTL_S = 8 * 3600;
const REFRESH_TTL_S = 15_897_600;
const SESSION_COOKIE = 'user_session';
const AUTH_DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/';
const TOKEN_DOCS =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/';

/**
 * GitHub's wire values for each refusal: error_description and error_uri, as the pages and issues cited in the
 * header show them; those of bad_refresh_token and unsupported_grant_type are not confirmed.
 */
const ERRORS: Record<string, [string, string]> = {
  redirect_uri_mismatch: [
    'The redirect_uri MUST match the registered callback URL for this application.',
    `${AUTH_DOCS}#redirect-uri-mismatch`,
  ],
  access_denied: ['The user has denied your application access.', `${AUTH_DOCS}#access-denied`],
  incorrect_client_credentials: [
    'The client_id and/or client_secret passed are incorrect.',
    `${TOKEN_DOCS}#incorrect-client-credentials`,
  ],
  bad_verification_code: ['The code passed is incorrect or expired.', `${TOKEN_DOCS}#bad-verification-code`],
  token_redirect_uri_mismatch: [
    'The redirect_uri MUST match the registered callback URL for this application.',
    `${AUTH_DOCS}#redirect-uri-mismatch2`,
  ],
  bad_refresh_token: ['The refresh token passed is incorrect or expired.', `${TOKEN_DOCS}#bad-refresh-token`],
  unsupported_grant_type: ['The grant type is not supported.', `${TOKEN_DOCS}#unsupported-grant-type`],
};

function errorFields(name: string): Record<string, string> {
  const [description, uri] = ERRORS[name];
  return { error: name.replace(/^token_/, ''), error_description: description, error_uri: uri };
}

/**
 * Registers the app. GitHub takes up to 10 callback URLs (docs.github.com "About the user authorization callback
 * URL"); the emulator needs at least one, the web flow's default, and each an absolute URL.
 */
export function registerApp(s: Store, app: OAuthApp): void {
  if (!app.clientId || !app.clientSecret) throw new Error('oauth: clientId and clientSecret are required');
  const urls = callbacks(app).map((c) => c.url);
  if (urls.length < 1 || urls.length > 10)
    throw new Error(`oauth: a GitHub App has 1 to 10 callback URLs, not ${urls.length}`);
  for (const u of urls) if (!URL.canParse(u)) throw new Error(`oauth: '${u}' is not an absolute callback URL`);
  s.oauth.app = structuredClone(app);
}

/** `/login/oauth/*`; undefined for any other path. */
export function oauthWeb(s: Store, req: IncomingMessage, url: URL, raw: string): Reply | undefined {
  if (url.pathname === '/login/oauth/authorize') return authorizeEndpoint(s, req, url, raw);
  if (url.pathname === '/login/oauth/access_token') {
    return req.method === 'POST' ? tokenReply(req, exchange(s, tokenParams(req, url, raw))) : notFoundPage();
  }
  return undefined;
}

// ---- authorize ----

function callbacks(app: OAuthApp): CallbackUrl[] {
  return app.callbackUrls.map((c) => (typeof c === 'string' ? { url: c } : c));
}

/** See the header: exact, or GitHub's wildcard matching when it is on for that callback URL. */
function matchesCallback(cb: CallbackUrl, given: string): boolean {
  if (!cb.wildcard) return given === cb.url;
  let reg: URL, got: URL;
  try {
    [reg, got] = [new URL(cb.url), new URL(given)];
  } catch {
    return false;
  }
  const host = got.hostname === reg.hostname || got.hostname.endsWith(`.${reg.hostname}`);
  const dir = reg.pathname.endsWith('/') ? reg.pathname : `${reg.pathname}/`;
  const path = got.pathname === reg.pathname || got.pathname.startsWith(dir);
  return got.protocol === reg.protocol && host && got.port === reg.port && path;
}

function redirectTo(target: string, params: Record<string, string | null>, headers = {}): Reply {
  const u = new URL(target);
  for (const [k, v] of Object.entries(params)) if (v !== null) u.searchParams.append(k, v);
  return { status: 302, web: true, headers: { Location: u.toString(), ...headers } };
}

/** The redirect URL this request will use, or GitHub's answer when it refuses the request. */
function checkClient(s: Store, q: URLSearchParams): string | Reply {
  const app = s.oauth.app;
  if (!app || q.get('client_id') !== app.clientId) return notFoundPage();
  const registered = callbacks(app);
  const given = q.get('redirect_uri');
  if (!given) return registered[0].url;
  if (registered.some((cb) => matchesCallback(cb, given))) return given;
  return redirectTo(registered[0].url, { ...errorFields('redirect_uri_mismatch'), state: q.get('state') });
}

function sessionLogin(s: Store, req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    const login = name === SESSION_COOKIE ? s.oauth.sessions.get(value ?? '') : undefined;
    if (login && s.users.has(login.toLowerCase())) return login;
  }
  return undefined;
}

/** The user said yes: a fresh single-use code, sent to the redirect URL with the app's `state`. */
function approve(s: Store, redirectUri: string, q: URLSearchParams, login: string, headers = {}): Reply {
  const code = randomBytes(10).toString('hex');
  s.oauth.codes.set(code, { login, redirectUri, expiresAt: s.now() + CODE_TTL_MS });
  return redirectTo(redirectUri, { code, state: q.get('state') }, headers);
}

function form(q: URLSearchParams, login: string, extra: { error?: string; signedInAs?: string } = {}): Reply {
  const [redirectUri, state] = [q.get('redirect_uri'), q.get('state')];
  return signInPage({ clientId: q.get('client_id') ?? '', redirectUri: redirectUri || null, state, login, ...extra });
}

/** The form's answer (see oauth-page.ts): `authorize` 1 signs in and approves, anything else is Cancel. */
function submitForm(s: Store, body: URLSearchParams): Reply {
  const redirectUri = checkClient(s, body);
  if (typeof redirectUri !== 'string') return redirectUri;
  if (body.get('authorize') !== '1')
    return redirectTo(redirectUri, { ...errorFields('access_denied'), state: body.get('state') });
  const typed = (body.get('login') ?? '').trim();
  const u = s.users.get(typed.toLowerCase());
  if (!u) return form(body, typed, { error: `Incorrect username: there is no GitHub account '${typed}'.` });
  const session = randomBytes(16).toString('hex');
  s.oauth.sessions.set(session, u.login);
  const cookie = `${SESSION_COOKIE}=${session}; Path=/login/oauth; HttpOnly; SameSite=Lax`;
  return approve(s, redirectUri, body, u.login, { 'Set-Cookie': cookie });
}

function authorizeEndpoint(s: Store, req: IncomingMessage, url: URL, raw: string): Reply {
  if (req.method === 'POST') return submitForm(s, new URLSearchParams(raw));
  if (req.method !== 'GET') return notFoundPage();
  const q = url.searchParams;
  const redirectUri = checkClient(s, q);
  if (typeof redirectUri !== 'string') return redirectUri;
  const login = sessionLogin(s, req);
  if (login && q.get('prompt') !== 'select_account') return approve(s, redirectUri, q, login);
  return form(q, q.get('login') ?? login ?? '', { signedInAs: login });
}

// ---- access_token ----

/** The query string's parameters, overridden by the body's (form-encoded, or JSON when the Content-Type says so). */
function tokenParams(req: IncomingMessage, url: URL, raw: string): Record<string, string> {
  const p: Record<string, string> = Object.fromEntries(url.searchParams);
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    for (const [k, v] of new URLSearchParams(raw)) p[k] = v;
    return p;
  }
  let b: unknown;
  try {
    b = JSON.parse(raw);
  } catch {
    return p;
  }
  if (!isPlainObject(b)) return p;
  for (const [k, v] of Object.entries(b)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') p[k] = String(v);
  }
  return p;
}

type TokenAnswer = Record<string, string | number>;

function exchange(s: Store, p: Record<string, string>): TokenAnswer {
  const app = s.oauth.app;
  if (!app || p.client_id !== app.clientId || p.client_secret !== app.clientSecret)
    return errorFields('incorrect_client_credentials');
  const grant = p.grant_type ?? 'authorization_code';
  if (grant === 'authorization_code') return redeemCode(s, app, p);
  if (grant === 'refresh_token') return redeemRefresh(s, app, p.refresh_token);
  return errorFields('unsupported_grant_type');
}

function redeemCode(s: Store, app: OAuthApp, p: Record<string, string>): TokenAnswer {
  const code = p.code ?? '';
  const c = s.oauth.codes.get(code);
  if (!c || s.now() >= c.expiresAt) return errorFields('bad_verification_code');
  if (p.redirect_uri && p.redirect_uri !== c.redirectUri) return errorFields('token_redirect_uri_mismatch');
  s.oauth.codes.delete(code);
  return issueTokens(s, app, c.login);
}

function redeemRefresh(s: Store, app: OAuthApp, token = ''): TokenAnswer {
  const r = s.oauth.refreshTokens.get(token);
  if (!r || s.now() >= r.expiresAt) return errorFields('bad_refresh_token');
  s.oauth.refreshTokens.delete(token);
  s.oauth.tokens.delete(r.accessToken);
  s.logins.delete(r.accessToken);
  return issueTokens(s, app, r.login);
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomToken(length: number): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

function issueTokens(s: Store, app: OAuthApp, login: string): TokenAnswer {
  const now = s.now();
  const access = `ghu_${randomToken(36)}`;
  s.logins.set(access, login);
  s.oauth.tokens.set(access, { login, expiresAt: app.expiringTokens ? now + ACCESS_TTL_S * 1000 : null });
  if (!app.expiringTokens) return { access_token: access, scope: '', token_type: 'bearer' };
  const refresh = `ghr_${randomToken(76)}`;
  s.oauth.refreshTokens.set(refresh, { login, accessToken: access, expiresAt: now + REFRESH_TTL_S * 1000 });
  return {
    access_token: access,
    expires_in: ACCESS_TTL_S,
    refresh_token: refresh,
    refresh_token_expires_in: REFRESH_TTL_S,
    scope: '',
    token_type: 'bearer',
  };
}

function xml(answer: TokenAnswer): string {
  const esc = (v: string | number) => String(v).replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<OAuth>${Object.entries(answer)
    .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
    .join('')}</OAuth>`;
}

/** The answer's media type and text, as `Accept` asks (see the header). */
function format(accept: string, answer: TokenAnswer): [string, string] {
  if (/application\/json/i.test(accept)) return ['application/json', JSON.stringify(answer)];
  if (/application\/xml/i.test(accept)) return ['application/xml', xml(answer)];
  const fields = Object.entries(answer).map(([k, v]) => [k, String(v)]);
  return ['application/x-www-form-urlencoded', new URLSearchParams(fields).toString()];
}

/** Always 200, refusals included. */
function tokenReply(req: IncomingMessage, answer: TokenAnswer): Reply {
  const [type, text] = format(req.headers.accept ?? '', answer);
  const headers = { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'max-age=0, private, must-revalidate' };
  return { status: 200, text, web: true, headers };
}
