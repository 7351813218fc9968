/**
 * Share links: `https://<preview host>/.faas-preview/s/<token>` opens one preview, for people without GitHub access,
 * until the link expires. The token is signed for this purpose alone (signed.ts), names the preview and the domain,
 * and says who made it (for the edge's log, never shown to the visitor). Opening it gives a share session for that
 * preview only; rotating the signing key revokes every link.
 */
import { readToken, signToken, type SigningKey } from './signed.js';

export const SHARE_PATH = '/.faas-preview/s/';

export interface ShareLink {
  v: 1;
  preview: string;
  domain: string;
  /** The GitHub login that made it. */
  by: string;
  iat: number;
  exp: number;
}

export function shareToken(key: SigningKey, link: ShareLink): string {
  return signToken(key, 'share-link', link);
}

/** The link's facts when it is ours, unexpired, and for this preview of this domain. */
export function readShareLink(
  key: SigningKey,
  token: string,
  domain: string,
  preview: string,
  nowS: number,
): ShareLink | undefined {
  const link = readToken<ShareLink>(key, 'share-link', token, nowS);
  return link?.v === 1 && link.domain === domain && link.preview === preview ? link : undefined;
}

/**
 * How long a new link lives: what was asked for, whole days within 1 and the operator's maximum; the default when
 * nothing (or something unreadable) was asked for.
 */
export function shareDays(asked: string | undefined, defaultDays: number, maxDays: number): number {
  const n = asked === undefined || asked.trim() === '' ? defaultDays : Number(asked);
  if (!Number.isInteger(n)) return Math.min(defaultDays, maxDays);
  return Math.min(Math.max(n, 1), maxDays);
}
