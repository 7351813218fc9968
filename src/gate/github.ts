/**
 * Signing in with GitHub, as a GitHub App's user (OAuth web flow): the authorize URL, the code exchange, who the
 * user is, and whether they can read a repository. A GitHub App's user token carries no scopes: with the app's
 * "Metadata: read" permission, `GET /repos/{owner}/{repo}` as the user answers 200 with `permissions` when they can
 * read it and 404 when not (GitHub hides private repositories from those who cannot see them). The token is used
 * for these calls only and never kept, logged or sent anywhere else.
 */
import { call, StatusError } from '../http/call.js';

export interface GitHubApp {
  clientId: string;
  clientSecret: string;
  /** https://github.com, or a GitHub Enterprise Server's. */
  webUrl: string;
  /** https://api.github.com, or `<server>/api/v3`. */
  apiUrl: string;
  timeoutMs: number;
}

export function authorizeUrl(app: GitHubApp, o: { redirectUri: string; state: string }): string {
  const url = new URL('/login/oauth/authorize', app.webUrl);
  url.search = new URLSearchParams({ client_id: app.clientId, redirect_uri: o.redirectUri, state: o.state }).toString();
  return url.href;
}

/** A sign-in GitHub refused; `code` is GitHub's (bad_verification_code, incorrect_client_credentials…). */
export class SignInError extends Error {
  constructor(readonly code: string) {
    super(`GitHub refused the sign-in: ${code}`);
    this.name = 'SignInError';
  }
}

/** The user's token for a code from the callback; GitHub answers errors with 200 and an `error` field. */
export async function exchangeCode(app: GitHubApp, code: string, redirectUri: string): Promise<string> {
  const body = new URLSearchParams({
    client_id: app.clientId,
    client_secret: app.clientSecret,
    code,
    redirect_uri: redirectUri,
  }).toString();
  const res = await call({
    method: 'POST',
    url: new URL('/login/oauth/access_token', app.webUrl),
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body,
    timeoutMs: app.timeoutMs,
  });
  if (res.status !== 200) throw new StatusError(res.call, res.status, '');
  const answer = parse(res.text) as { access_token?: unknown; error?: unknown };
  if (typeof answer.access_token === 'string' && answer.access_token) return answer.access_token;
  throw new SignInError(typeof answer.error === 'string' ? answer.error.slice(0, 64) : 'no access_token');
}

function parse(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function asUser(app: GitHubApp, token: string, path: string) {
  return call({
    method: 'GET',
    url: new URL(path.replace(/^\//, ''), app.apiUrl.endsWith('/') ? app.apiUrl : `${app.apiUrl}/`),
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${token}`,
      'x-github-api-version': '2022-11-28',
    },
    timeoutMs: app.timeoutMs,
  });
}

/** The signed-in user's login. */
export async function userLogin(app: GitHubApp, token: string): Promise<string> {
  const res = await asUser(app, token, '/user');
  const login = parse(res.text).login;
  if (res.status !== 200 || typeof login !== 'string') throw new StatusError(res.call, res.status, '');
  return login;
}

/** Whether the user can read `owner/repo`: 200 with pull permission yes, 404 no, anything else an error. */
export async function canRead(app: GitHubApp, token: string, repository: string): Promise<boolean> {
  const res = await asUser(app, token, `/repos/${repository}`);
  if (res.status === 404) return false;
  if (res.status !== 200) throw new StatusError(res.call, res.status, '');
  const permissions = parse(res.text).permissions as { pull?: unknown } | undefined;
  return permissions?.pull === true;
}
