/**
 * The gate's HTTP endpoints in the edge service, all under the reserved path `/.faas-preview/`:
 * - `auth`: nginx's auth_request asks it about every preview request; 2xx lets the request through (with the
 *   visitor's cookies minus the edge's own, for the function), 401 means "sign in", 403 "signed in, no access";
 * - `signin` (where nginx sends a 401): a page navigation goes to the sign-in host, anything else gets a plain 401;
 * - `login` and `callback` on the one sign-in host `login.<domain>`: GitHub's web flow, with the state bound to a
 *   short-lived cookie against CSRF, then the session cookie for the whole preview domain;
 * - `forbidden` (where nginx sends a 403), `share` (make a share link), `s/<token>` (open one), `signout`.
 * Nothing here is kept in memory between requests: replicas are interchangeable.
 */
import type * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { decideAccess, type Access } from './access.js';
import type { ReadSigner } from '../assets/read-signer.js';
import { BYPASS_HEADER, sameSecret } from './bypass.js';
import { objectKeys } from './objects.js';
import { authorizeUrl, canRead, exchangeCode, SignInError, userLogin, type GitHubApp } from './github.js';
import { isNavigation } from './navigation.js';
import * as pages from './pages.js';
import { loginHost, previewOfHost, safeNext, type PublicOrigin } from './redirect.js';
import {
  cookiesForUpstream,
  cookieValues,
  readUserSession,
  SESSION_COOKIE,
  setCookie,
  SHARE_COOKIE,
  signShareSession,
  signUserSession,
  type UserSession,
} from './session.js';
import { readShareLink, SHARE_PATH, shareDays, shareToken } from './share.js';
import { readToken, signToken, type SigningKey } from './signed.js';

export const GATE_PREFIX = '/.faas-preview/';
const SIGN_IN_COOKIE = 'faas-preview-sign-in';
const SIGN_IN_TTL_S = 600;
const MAX_REPOS = 20;
const LOCAL_PATH = /^\/(?![/\\])/;

export interface GateConfig {
  key: SigningKey;
  origin: PublicOrigin;
  github: GitHubApp;
  /** How long a user session lasts before GitHub is asked again. */
  recheckS: number;
  share: { defaultDays: number; maxDays: number };
  bypassToken: string | undefined;
}

export interface GateDeps {
  config: GateConfig;
  /** `owner/repo` (lowercase) of a preview, or undefined when unknown. */
  repositoryOf: (preview: string) => Promise<string | undefined>;
  /** The visitor's host (Host or X-Forwarded-Host, as the edge service is configured). */
  hostOf: (req: http.IncomingMessage) => string | undefined;
  log: (line: string) => void;
  now: () => number;
  /** Signed reads of a private bucket: the auth answer carries the presigned paths the router fetches. */
  signRead?: ReadSigner;
  /** Told of every request let through (the preview is in use: waker/visits.ts). */
  visited?: (preview: string) => void;
}

export interface Answer {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string;
  html?: boolean;
}

const nowS = (d: GateDeps) => Math.floor(d.now() / 1000);
/** A request header's (first) value. */
export const header = (req: http.IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const pageAnswer = (p: pages.Page, headers: Record<string, string | string[]> = {}): Answer => ({
  status: p.status,
  body: p.html,
  html: true,
  headers,
});
const redirect = (location: string, headers: Record<string, string | string[]> = {}): Answer => ({
  status: 302,
  headers: { location, ...headers },
});

/** `<scheme>://<host>[:port]` as visitors use it; routers may pass the Host on without its port. */
function originUrl(o: PublicOrigin, hostname: string): string {
  return `${o.protocol}//${hostname}${o.port ? `:${o.port}` : ''}`;
}

const loginOrigin = (o: PublicOrigin) => `${o.protocol}//${loginHost(o)}`;

/** The answer for a `/.faas-preview/…` request, or undefined when the path is not the gate's. */
export async function gateAnswer(req: http.IncomingMessage, d: GateDeps): Promise<Answer | undefined> {
  const url = new URL(req.url ?? '/', 'http://edge.invalid');
  if (!url.pathname.startsWith(GATE_PREFIX)) return undefined;
  const route = url.pathname.slice(GATE_PREFIX.length);
  const hostname = d.hostOf(req)?.toLowerCase().replace(/:\d+$/, '');
  const { origin } = d.config;
  if (hostname === `login.${origin.domain}`) {
    if (route === 'login' && req.method === 'GET') return login(url, d);
    if (route === 'callback' && req.method === 'GET') return callback(req, url, d);
    return { status: 404, body: 'not found\n' };
  }
  const preview = previewOfHost(hostname, origin.domain);
  if (!preview) return { status: 404, body: 'not found\n' };
  const host = `${preview}.${origin.domain}`;
  if (route === 'auth') return auth(req, preview, d);
  if (route === 'signin') return refused(req, host, preview, d);
  if (route === 'share') return share(req, host, preview, d);
  if (route === 'signout' && req.method === 'GET') return signOut(d);
  if (`/${GATE_PREFIX.slice(1)}${route}`.startsWith(SHARE_PATH) && req.method === 'GET')
    return openShareLink(route.slice(SHARE_PATH.length - GATE_PREFIX.length), preview, d);
  return { status: 404, body: 'not found\n' };
}

async function accessOf(req: http.IncomingMessage, preview: string, d: GateDeps): Promise<Access> {
  const repository = await d.repositoryOf(preview);
  return decideAccess(
    { preview, repository, cookie: header(req, 'cookie'), bypass: req.headers[BYPASS_HEADER] },
    { key: d.config.key, domain: d.config.origin.domain, bypassToken: d.config.bypassToken },
    nowS(d),
  );
}

/**
 * Every refusal is a 401 to nginx: a 403 would meet the bucket locations' own `error_page 403` (a missing object)
 * and become a 404. nginx then asks `signin`, which tells the two apart again.
 */
async function auth(req: http.IncomingMessage, preview: string, d: GateDeps): Promise<Answer> {
  const access = await accessOf(req, preview, d);
  if (!access.allow) return { status: 401 };
  d.visited?.(preview);
  return allowed(req, preview, d.signRead);
}

/**
 * The answer that lets a request through: the cookies a function may see and, with signed bucket reads, where the
 * router fetches the object and the preview's index.html. A path that names no object of the preview gets no
 * signature, and the router's fetch then fails as a missing object does.
 */
export async function allowed(
  req: http.IncomingMessage,
  preview: string,
  signRead: ReadSigner | undefined,
): Promise<Answer> {
  const headers: Record<string, string> = { 'x-faas-preview-cookie': cookiesForUpstream(header(req, 'cookie')) };
  const keys = signRead ? objectKeys(preview, header(req, 'x-original-uri') ?? '/') : undefined;
  if (signRead && keys) {
    headers['x-faas-preview-object'] = await signRead(keys.object);
    headers['x-faas-preview-index'] = await signRead(keys.index);
  }
  return { status: 204, headers };
}

/**
 * The path and query the visitor asked for: nginx's X-Original-URI, or ingress-nginx's `rd` (the whole URL, in the
 * sign-in redirect's query), believed only when it is this very preview's.
 */
function originalUri(req: http.IncomingMessage, host: string, d: GateDeps): string {
  const given = header(req, 'x-original-uri');
  const rd = safeNext(
    new URL(req.url ?? '/', 'http://edge.invalid').searchParams.get('rd') ?? undefined,
    d.config.origin,
  );
  const url = rd ? new URL(rd) : undefined;
  const path = given ?? (url?.hostname === host ? `${url.pathname}${url.search}` : '/');
  // A path of this host only: `//host` and `/\host` would be another site to a browser (a URL's path may be either).
  return LOCAL_PATH.test(path) ? path : '/';
}

const navigation = (req: http.IncomingMessage) =>
  isNavigation(req.headers, header(req, 'x-original-method') ?? req.method ?? '');

/** What a request nginx's auth refused gets: a way to sign in, the no-access page, or a plain status for a script. */
async function refused(req: http.IncomingMessage, host: string, preview: string, d: GateDeps): Promise<Answer> {
  const access = await accessOf(req, preview, d);
  if (access.allow) return redirect(originalUri(req, host, d));
  return refusal(req, host, access, d);
}

/** Undefined when the visitor may see `preview`; else what they get instead (sign-in, 401, 403). */
export async function gateRefusal(
  req: http.IncomingMessage,
  preview: string,
  d: GateDeps,
): Promise<Answer | undefined> {
  const access = await accessOf(req, preview, d);
  return access.allow ? undefined : refusal(req, `${preview}.${d.config.origin.domain}`, access, d);
}

function refusal(
  req: http.IncomingMessage,
  host: string,
  access: Extract<Access, { allow: false }>,
  d: GateDeps,
): Answer {
  if (access.status === 401) return signIn(req, host, d);
  if (!navigation(req)) return { status: 403, body: 'no access to this preview\n' };
  return forbiddenAnswer(req, host, access, d);
}

function signIn(req: http.IncomingMessage, host: string, d: GateDeps): Answer {
  if (!navigation(req)) return { status: 401, body: 'sign-in required: open the preview in a browser\n' };
  const next = `${originUrl(d.config.origin, host)}${originalUri(req, host, d)}`;
  const login = `${loginOrigin(d.config.origin)}${GATE_PREFIX}login`;
  return redirect(`${login}?${new URLSearchParams({ next }).toString()}`);
}

function callbackUrl(o: PublicOrigin): string {
  return `${loginOrigin(o)}${GATE_PREFIX}callback`;
}

interface SignInState {
  nonce: string;
  next: string;
  exp: number;
}

function login(url: URL, d: GateDeps): Answer {
  const { origin, key, github } = d.config;
  const next = safeNext(url.searchParams.get('next') ?? undefined, origin);
  if (!next) return pageAnswer(pages.signInFailedPage('The page to return to is not a preview on this domain.'));
  const nonce = randomBytes(18).toString('base64url');
  const state = signToken(key, 'sign-in', { nonce, next, exp: nowS(d) + SIGN_IN_TTL_S } satisfies SignInState);
  const cookie = setCookie(SIGN_IN_COOKIE, state, SIGN_IN_TTL_S, { secure: origin.protocol === 'https:' });
  let to = authorizeUrl(github, { redirectUri: callbackUrl(origin), state: nonce });
  if (url.searchParams.get('switch') === '1') to += '&prompt=select_account';
  return redirect(to, { 'set-cookie': cookie });
}

/** The sign-in this browser started here, if `state` is its nonce and it is younger than 10 minutes. */
function startedSignIn(req: http.IncomingMessage, state: string | null, d: GateDeps): SignInState | undefined {
  if (!state) return undefined;
  for (const value of cookieValues(header(req, 'cookie'), SIGN_IN_COOKIE)) {
    const s = readToken<SignInState>(d.config.key, 'sign-in', value, nowS(d));
    if (s && typeof s.nonce === 'string' && sameSecret(s.nonce, state)) return s;
  }
  return undefined;
}

async function callback(req: http.IncomingMessage, url: URL, d: GateDeps): Promise<Answer> {
  const { origin, github } = d.config;
  const started = startedSignIn(req, url.searchParams.get('state'), d);
  const clear = setCookie(SIGN_IN_COOKIE, '', 0, { secure: origin.protocol === 'https:' });
  if (!started)
    return pageAnswer(pages.signInFailedPage('This sign-in was not started here, or took over 10 minutes.'));
  const denied = url.searchParams.get('error');
  if (denied) return pageAnswer(pages.signInFailedPage(`GitHub did not sign you in (${denied.slice(0, 64)}).`));
  const preview = previewOfHost(new URL(started.next).hostname, origin.domain)!;
  try {
    const token = await exchangeCode(github, url.searchParams.get('code') ?? '', callbackUrl(origin));
    const login = await userLogin(github, token);
    const repository = await d.repositoryOf(preview);
    const readable = repository !== undefined && (await canRead(github, token, repository));
    d.log(
      `sign-in: ${login} for ${preview} (${repository ?? 'repository unknown'}): ${readable ? 'can' : 'cannot'} read`,
    );
    const session = sessionAfterCheck(req, d, login, repository, readable);
    const cookies = [clear, sessionCookie(d, session)];
    if (readable) return redirect(started.next, { 'set-cookie': cookies });
    if (!repository) return pageAnswer(pages.unknownRepositoryPage(), { 'set-cookie': cookies });
    return pageAnswer(pages.forbiddenPage(login, repository, switchUrl(origin, started.next)), {
      'set-cookie': cookies,
    });
  } catch (err) {
    d.log(`sign-in failed for ${preview}: ${err instanceof SignInError ? err.message : (err as Error).message}`);
    const why = err instanceof SignInError ? 'GitHub refused the sign-in code.' : 'GitHub could not be asked.';
    return pageAnswer(
      { ...pages.signInFailedPage(why), status: err instanceof SignInError ? 400 : 502 },
      { 'set-cookie': clear },
    );
  }
}

/** The session after GitHub answered for `repository`: merged into this user's current one, else a new one. */
function sessionAfterCheck(
  req: http.IncomingMessage,
  d: GateDeps,
  login: string,
  repository: string | undefined,
  readable: boolean,
): UserSession {
  const now = nowS(d);
  const current = readUserSession(d.config.key, header(req, 'cookie'), d.config.origin.domain, now);
  const base: UserSession =
    current?.login === login
      ? current
      : { v: 1, login, domain: d.config.origin.domain, repos: [], iat: now, exp: now + d.config.recheckS };
  if (!repository) return base;
  // The newest answers are kept, a few dozen at most, so the cookie stays far below browsers' 4 KB.
  const repos = base.repos
    .filter((r) => r !== repository)
    .concat(readable ? [repository] : [])
    .slice(-MAX_REPOS);
  const deniedRepos = (base.denied ?? [])
    .filter((r) => r !== repository)
    .concat(readable ? [] : [repository])
    .slice(-MAX_REPOS);
  return { ...base, repos, denied: deniedRepos };
}

function sessionCookie(d: GateDeps, s: UserSession): string {
  const { origin, key } = d.config;
  return setCookie(SESSION_COOKIE, signUserSession(key, s), s.exp - nowS(d), {
    domain: origin.domain,
    secure: origin.protocol === 'https:',
  });
}

function switchUrl(o: PublicOrigin, next: string): string {
  return `${loginOrigin(o)}${GATE_PREFIX}login?${new URLSearchParams({ next, switch: '1' }).toString()}`;
}

async function forbidden(req: http.IncomingMessage, host: string, preview: string, d: GateDeps): Promise<Answer> {
  const access = await accessOf(req, preview, d);
  if (access.allow) return redirect(originalUri(req, host, d));
  if (access.status === 401) return signIn(req, host, d);
  return forbiddenAnswer(req, host, access, d);
}

function forbiddenAnswer(
  req: http.IncomingMessage,
  host: string,
  access: Extract<Access, { allow: false; status: 403 }>,
  d: GateDeps,
): Answer {
  if (!access.repository) return pageAnswer(pages.unknownRepositoryPage());
  const next = `${originUrl(d.config.origin, host)}${originalUri(req, host, d)}`;
  return pageAnswer(pages.forbiddenPage(access.login, access.repository, switchUrl(d.config.origin, next)));
}

async function readForm(req: http.IncomingMessage, max = 4096): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    body += chunk.toString('utf8');
    if (body.length > max) break;
  }
  return new URLSearchParams(body.slice(0, max));
}

/**
 * The share page, for a signed-in user who can read the preview's repository (a share session or the bypass cannot
 * make links). A POST must come from the preview's own page: the session cookie is SameSite=Lax, and the Origin
 * header must be the preview's origin.
 */
async function share(req: http.IncomingMessage, host: string, preview: string, d: GateDeps): Promise<Answer> {
  const access = await accessOf(req, preview, d);
  if (!access.allow && access.status === 401) return signIn(req, host, d);
  if (!access.allow) return forbidden(req, host, preview, d);
  if (access.who !== 'user')
    return pageAnswer(
      pages.page(403, 'Sign in to share', '<p>Only people signed in with GitHub can make share links.</p>'),
    );
  const { share: limits, key, origin } = d.config;
  if (req.method === 'GET') return pageAnswer(pages.shareFormPage(preview, limits.defaultDays, limits.maxDays));
  if (req.method !== 'POST') return { status: 405, headers: { allow: 'GET, POST' }, body: 'method not allowed\n' };
  if (header(req, 'origin') !== originUrl(origin, host)) return { status: 403, body: 'cross-site request refused\n' };
  const days = shareDays((await readForm(req)).get('days') ?? undefined, limits.defaultDays, limits.maxDays);
  const now = nowS(d);
  const token = shareToken(key, {
    v: 1,
    preview,
    domain: origin.domain,
    by: access.login!,
    iat: now,
    exp: now + days * 86400,
  });
  d.log(`share link: ${access.login} made one for ${preview}, valid ${days} days`);
  return pageAnswer(pages.shareLinkPage(`${originUrl(origin, host)}${SHARE_PATH}${token}`, days));
}

function openShareLink(token: string, preview: string, d: GateDeps): Answer {
  const { key, origin } = d.config;
  const now = nowS(d);
  const link = readShareLink(key, token, origin.domain, preview, now);
  if (!link) return pageAnswer(pages.badShareLinkPage());
  const session = signShareSession(key, { v: 1, domain: origin.domain, preview, iat: now, exp: link.exp });
  return redirect('/', {
    'set-cookie': setCookie(SHARE_COOKIE, session, link.exp - now, { secure: origin.protocol === 'https:' }),
  });
}

function signOut(d: GateDeps): Answer {
  const { origin } = d.config;
  const secure = origin.protocol === 'https:';
  return pageAnswer(pages.signedOutPage(), {
    'set-cookie': [
      setCookie(SESSION_COOKIE, '', 0, { domain: origin.domain, secure }),
      setCookie(SHARE_COOKIE, '', 0, { secure }),
    ],
  });
}

/** Headers every gate answer carries: never cached, never indexed, no referrer to other sites (a share link is in a URL). */
const COMMON = {
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function sendAnswer(res: http.ServerResponse, a: Answer): void {
  const type = a.html
    ? { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP }
    : { 'content-type': 'text/plain; charset=utf-8' };
  res.writeHead(a.status, { ...COMMON, ...type, ...a.headers });
  res.end(a.body ?? '');
}
