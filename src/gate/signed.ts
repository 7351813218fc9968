/**
 * Tokens the edge signs and later reads back: session cookies, share links, the sign-in state. A token is
 * `<payload>.<mac>`, both base64url: the payload is JSON with an expiry (`exp`, Unix seconds), the MAC is
 * HMAC-SHA-256 under a key derived from the operator's signing key for one purpose, so a token made for one use
 * (a share link) never verifies as another (a session). Rotating the operator's key invalidates every token at once.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export type Purpose = 'session' | 'share-link' | 'share-session' | 'sign-in';

/** The operator's key, with one derived key per purpose. */
export class SigningKey {
  private readonly derived = new Map<Purpose, Buffer>();

  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error('the signing key must be at least 32 bytes');
  }

  forPurpose(purpose: Purpose): Buffer {
    let key = this.derived.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.secret, Buffer.alloc(0), `faas-preview ${purpose}`, 32));
      this.derived.set(purpose, key);
    }
    return key;
  }
}

export interface Expiring {
  /** Unix seconds. */
  exp: number;
}

const MAC_TEXT = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

function mac(key: SigningKey, purpose: Purpose, payload: string): Buffer {
  return createHmac('sha256', key.forPurpose(purpose)).update(payload).digest();
}

export function signToken<T extends Expiring>(key: SigningKey, purpose: Purpose, value: T): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${mac(key, purpose, payload).toString('base64url')}`;
}

/**
 * The token's payload when its MAC is ours for this purpose and it has not expired at `nowS`; otherwise undefined.
 * The MAC is compared in constant time before anything in the payload is looked at.
 */
export function readToken<T extends Expiring>(
  key: SigningKey,
  purpose: Purpose,
  token: string | undefined,
  nowS: number,
): T | undefined {
  if (!token || token.length > 4096) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const payload = token.slice(0, dot);
  // One spelling per token: Node's base64url decoder skips stray characters and ignores the last character's
  // unused bits, so the MAC's text must be exactly the 43 characters of a SHA-256 MAC.
  if (!MAC_TEXT.test(token.slice(dot + 1))) return undefined;
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(key, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const exp = (value as Partial<Expiring> | null)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) && exp > nowS ? (value as T) : undefined;
}
