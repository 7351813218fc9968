/**
 * The automation bypass: CI tools (Playwright, Lighthouse, curl) send a secret header instead of signing in. The
 * comparison hashes both sides first, so it takes the same time whatever the guess and whatever its length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const BYPASS_HEADER = 'x-faas-preview-bypass';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Whether two secrets are equal, in the same time whatever either is (the bypass token, the sign-in nonce). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** True when the header carries the operator's token (never when no token is configured). */
export function bypasses(header: string | string[] | undefined, token: string | undefined): boolean {
  if (!token || typeof header !== 'string') return false;
  return sameSecret(header, token);
}
