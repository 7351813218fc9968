/**
 * Secrets are masked and registered before anything is checked, so no error, log line or echoed value can show
 * them; then each credential input is checked without ever quoting its value.
 */
import type { Secrets } from '../text/secrets.js';
import { CONTROL, InputError, userinfoOf, type Read } from './errors.js';

const SECRET_INPUTS = [
  'gateway-password',
  'registry-password',
  'aws-access-key-id',
  'aws-secret-access-key',
  'github-token',
  'prometheus-password',
  'database-url',
];
/** URL inputs a user may have put credentials into (refused, but masked first), and database-url, whose are meant. */
const URL_INPUTS = [
  'gateway-url',
  's3-endpoint',
  'prometheus-url',
  'url-template',
  'preview-domain',
  'registry',
  'database-url',
];
/** Pairs that travel as HTTP Basic auth (base64 of `user:password`). */
const BASIC_AUTH: [user: string, password: string, fallbackUser: string][] = [
  ['gateway-username', 'gateway-password', 'admin'],
  ['registry-username', 'registry-password', ''],
  ['prometheus-username', 'prometheus-password', ''],
];

export function maskSecrets(read: Read, mask: (secret: string) => void, secrets: Secrets): void {
  const found = SECRET_INPUTS.map(read);
  // Each value of preview-secrets (the whole line when it has no '=', which the check then refuses).
  for (const line of read('preview-secrets').split('\n')) {
    const text = line.trim();
    if (text && !text.startsWith('#')) found.push(text.includes('=') ? text.slice(text.indexOf('=') + 1).trim() : text);
  }
  for (const name of URL_INPUTS) {
    const userinfo = userinfoOf(read(name));
    if (!userinfo) continue;
    // `user:password`, or a token alone as the user (`https://<token>@host`).
    const secret = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo;
    found.push(secret, safeDecode(secret));
  }
  for (const secret of new Set(found.filter(Boolean))) {
    mask(secret);
    secrets.add(secret);
  }
  for (const [user, password, fallback] of BASIC_AUTH) secrets.addBasicAuth(read(user) || fallback, read(password));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A secret is never quoted: the error says what kind of character is wrong, not where. */
export function checkSecret(read: Read, name: string, o: { spaces: boolean }): string {
  const value = read(name);
  if (CONTROL.test(value))
    throw new InputError(
      name,
      'contains a line break or other control character (value not shown); paste the secret as one line',
    );
  if (!o.spaces && /\s/.test(value))
    throw new InputError(name, 'contains a space (value not shown); a token or key has none');
  return value;
}

/** A user name for Basic auth: one line without ':' (the separator of `user:password`). */
export function checkUser(read: Read, name: string, fallback = ''): string {
  const value = read(name) || fallback;
  if (CONTROL.test(value) || value.includes(':')) {
    throw new InputError(name, "contains ':' or a control character; a Basic-auth user name has neither");
  }
  return value;
}

/** Two inputs that only make sense together. */
export function bothOrNeither(read: Read, a: string, b: string, why: string): void {
  if (!read(a) === !read(b)) return;
  const [set, unset] = read(a) ? [a, b] : [b, a];
  throw new InputError(unset, `is empty while '${set}' is set; set both or neither (${why})`);
}
