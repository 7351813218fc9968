/**
 * The edge's two kinds of session, both signed cookies (signed.ts) and nothing kept on the server, so any replica
 * reads any session and a restart loses none:
 * - a user session (`faas-preview-session`), set for the whole preview domain after a GitHub sign-in: who signed
 *   in and which repositories GitHub said they can read, until `exp` (the re-check age) — then they sign in again,
 *   which GitHub answers at once for someone who already authorized the app;
 * - a share session (`faas-preview-share`), host-only on one preview, opened from a share link.
 * Each names the preview domain it was made for, so a cookie replayed under another domain of the same key is refused.
 */
import { readToken, signToken, type SigningKey } from './signed.js';

export const SESSION_COOKIE = 'faas-preview-session';
export const SHARE_COOKIE = 'faas-preview-share';

export interface UserSession {
  v: 1;
  login: string;
  domain: string;
  /** `owner/repo` of every repository GitHub said this user can read, lowercase. */
  repos: string[];
  /** Those GitHub said this user cannot read, so the gate answers 403 without asking again until `exp`. */
  denied?: string[];
  /** Unix seconds. */
  iat: number;
  exp: number;
}

export interface ShareSession {
  v: 1;
  domain: string;
  preview: string;
  iat: number;
  exp: number;
}

/** Every value of the cookie `name` in a Cookie header (a sibling host can add a second one of the same name). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}

/** The Cookie header without the edge's own cookies: what a preview's function may see. */
export function cookiesForUpstream(header: string | undefined): string {
  if (!header) return '';
  return header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => {
      const name = p.slice(0, Math.max(0, p.indexOf('='))).trim();
      return p !== '' && name !== SESSION_COOKIE && name !== SHARE_COOKIE;
    })
    .join('; ');
}

export function signUserSession(key: SigningKey, s: UserSession): string {
  return signToken(key, 'session', s);
}

export function signShareSession(key: SigningKey, s: ShareSession): string {
  return signToken(key, 'share-session', s);
}

/** The first valid user session for `domain` among the cookies, if any. */
export function readUserSession(
  key: SigningKey,
  cookie: string | undefined,
  domain: string,
  nowS: number,
): UserSession | undefined {
  for (const value of cookieValues(cookie, SESSION_COOKIE)) {
    const s = readToken<UserSession>(key, 'session', value, nowS);
    if (s?.v === 1 && s.domain === domain && typeof s.login === 'string' && Array.isArray(s.repos)) return s;
  }
  return undefined;
}

/** A valid share session for exactly this preview of `domain`, if any. */
export function readShareSession(
  key: SigningKey,
  cookie: string | undefined,
  domain: string,
  preview: string,
  nowS: number,
): ShareSession | undefined {
  for (const value of cookieValues(cookie, SHARE_COOKIE)) {
    const s = readToken<ShareSession>(key, 'share-session', value, nowS);
    if (s?.v === 1 && s.domain === domain && s.preview === preview) return s;
  }
  return undefined;
}

export interface CookieScope {
  /** Set for the preview domain and every host under it; absent: host-only. */
  domain?: string;
  /** Over TLS the cookie is `Secure`. */
  secure: boolean;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/; Max-Age 0 clears it. */
export function setCookie(name: string, value: string, maxAgeS: number, scope: CookieScope): string {
  const parts = [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(maxAgeS))}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (scope.domain) parts.push(`Domain=${scope.domain}`);
  if (scope.secure) parts.push('Secure');
  return parts.join('; ');
}
