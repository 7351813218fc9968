/**
 * The GitHub App as github.com answers for it, without signing anyone in:
 * - `GET /login/oauth/authorize` with the client id and the sign-in host's callback URL: an unknown client id gets
 *   GitHub's 404 page; a callback URL the App does not list is sent back to the App's first callback URL with
 *   `error=redirect_uri_mismatch`; a signed-out visitor of a known App is sent to `/login` (the callback is then
 *   only checked after sign-in, and the line says so); the sign-in form itself (200) means both were accepted.
 * - `POST /login/oauth/access_token` with the client id and secret and a code nobody was given: GitHub answers
 *   `bad_verification_code` when the id and secret are right and `incorrect_client_credentials` when not (always
 *   with status 200, docs.github.com "Troubleshooting OAuth app access token request errors").
 * The secret goes to GitHub only, as in a real sign-in; nothing here prints it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { call } from '../../src/http/call.js';
import { show } from '../../src/rules/errors.js';
import type { OneHost } from './env.js';
import { notChecked, ok, problem, reason, type DateLog, type Line } from './check-line.js';

const TIMEOUT_MS = 10_000;

function webUrl(h: OneHost): string {
  return (h.values.GITHUB_URL || 'https://github.com').replace(/\/+$/, '');
}

function callbackUrl(h: OneHost): string {
  return `${h.values.PUBLIC_SCHEME || 'https'}://login.${h.domain}/.faas-preview/callback`;
}

function authorizeLine(h: OneHost, status: number, location: string | undefined): Line {
  const id = show(h.values.GITHUB_CLIENT_ID);
  if (status === 404)
    return problem(
      'github app',
      `GitHub does not know the client id ${id}: copy the Client ID from the App's settings page`,
    );
  if (status === 200)
    return ok('github app', `GitHub accepts the client id ${id} with the callback URL ${callbackUrl(h)}`);
  let to: URL | undefined;
  try {
    to = status === 302 && location ? new URL(location, webUrl(h)) : undefined;
  } catch {
    to = undefined;
  }
  if (to?.searchParams.get('error') === 'redirect_uri_mismatch')
    return problem('github app', `the App's callback URL is not ${callbackUrl(h)}: add it in the App's settings`);
  if (to && to.origin === new URL(webUrl(h)).origin && to.pathname === '/login')
    return ok(
      'github app',
      `GitHub knows the client id ${id}; it checks the callback URL only after a sign-in: the App must list ${callbackUrl(h)}`,
    );
  return notChecked(
    'github app',
    `GitHub answered ${status}${to ? ` redirecting to ${show(to.origin + to.pathname)}` : ''}, which this check does not know`,
  );
}

async function authorize(h: OneHost, seen: DateLog): Promise<Line> {
  const url = new URL('/login/oauth/authorize', webUrl(h));
  url.search = new URLSearchParams({
    client_id: h.values.GITHUB_CLIENT_ID,
    redirect_uri: callbackUrl(h),
    state: 'faas-preview-check',
  }).toString();
  const res = await call({ method: 'GET', url, timeoutMs: TIMEOUT_MS });
  seen.record('GitHub', res.headers.date);
  return authorizeLine(h, res.status, res.headers.location);
}

function errorOf(text: string): string {
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    return typeof error === 'string' ? error : '';
  } catch {
    return '';
  }
}

async function secret(h: OneHost): Promise<Line> {
  let clientSecret: string;
  try {
    clientSecret = readFileSync(h.values.GITHUB_CLIENT_SECRET_FILE, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    return notChecked(
      'github secret',
      `GITHUB_CLIENT_SECRET_FILE cannot be read (${reason(err)}): run the check as root`,
    );
  }
  const body = new URLSearchParams({
    client_id: h.values.GITHUB_CLIENT_ID,
    client_secret: clientSecret,
    code: randomBytes(10).toString('hex'),
  });
  const res = await call({
    method: 'POST',
    url: new URL('/login/oauth/access_token', webUrl(h)),
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    timeoutMs: TIMEOUT_MS,
  });
  const error = errorOf(res.text);
  if (error === 'bad_verification_code') return ok('github secret', 'GitHub accepts the client id and secret');
  if (error === 'incorrect_client_credentials')
    return problem(
      'github secret',
      "GitHub refused the client id and secret: generate a client secret in the App's settings and put it in GITHUB_CLIENT_SECRET_FILE",
    );
  return notChecked(
    'github secret',
    `GitHub answered ${res.status}${error ? ` ${show(error, 40)}` : ''}, which this check does not know`,
  );
}

export async function checkGitHub(h: OneHost, seen: DateLog): Promise<Line[]> {
  if (h.values.GATE !== 'github')
    return [notChecked('github app', 'GATE is not github: previews are public, no sign-in')];
  try {
    return [await authorize(h, seen), await secret(h)];
  } catch (err) {
    return [problem('github app', `${webUrl(h)}: ${reason(err)}: can this host reach GitHub (HTTPS out)?`)];
  }
}
