/**
 * Who may see a preview, decided from the request alone (pure): the automation bypass header, a share session for
 * this very preview, or a user session that GitHub said can read the preview's repository. Everyone else needs to
 * sign in (401), or is signed in as someone without access (403).
 */
import { bypasses } from './bypass.js';
import { readShareSession, readUserSession, type UserSession } from './session.js';
import type { SigningKey } from './signed.js';

export interface AccessRequest {
  preview: string;
  /** `owner/repo`, lowercase; undefined when the edge cannot tell. */
  repository: string | undefined;
  cookie: string | undefined;
  bypass: string | string[] | undefined;
}

export interface AccessRules {
  key: SigningKey;
  domain: string;
  bypassToken: string | undefined;
}

export type Access =
  | { allow: true; who: 'bypass' | 'share' | 'user'; login?: string }
  | { allow: false; status: 401 }
  | { allow: false; status: 403; login: string; repository: string | undefined };

export function decideAccess(r: AccessRequest, rules: AccessRules, nowS: number): Access {
  if (bypasses(r.bypass, rules.bypassToken)) return { allow: true, who: 'bypass' };
  if (readShareSession(rules.key, r.cookie, rules.domain, r.preview, nowS)) return { allow: true, who: 'share' };
  const user = readUserSession(rules.key, r.cookie, rules.domain, nowS);
  if (!user) return { allow: false, status: 401 };
  const verdict = repositoryVerdict(user, r.repository);
  if (verdict === 'readable') return { allow: true, who: 'user', login: user.login };
  // Not asked yet for this repository: sign in again (GitHub answers at once) and the callback asks.
  if (verdict === 'unchecked') return { allow: false, status: 401 };
  return { allow: false, status: 403, login: user.login, repository: r.repository };
}

/** What a session knows of a repository: GitHub said readable, said not, or was never asked. */
export function repositoryVerdict(
  user: UserSession,
  repository: string | undefined,
): 'readable' | 'denied' | 'unchecked' {
  if (!repository) return 'denied';
  if (user.repos.includes(repository)) return 'readable';
  return (user.denied ?? []).includes(repository) ? 'denied' : 'unchecked';
}
