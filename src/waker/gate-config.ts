/**
 * The sign-in gate's part of the edge service's configuration (WAKER_GATE=github): the signing key, the GitHub
 * App that signs visitors in, how often GitHub is asked again, share-link lifetimes and the automation bypass.
 * Checked like the rest (config.ts): an error names the variable and never shows a secret.
 */
import { SigningKey } from '../gate/signed.js';
import type { GateConfig } from '../gate/routes.js';
import { checkSecret } from '../rules/credentials.js';
import { InputError, type Read } from '../rules/errors.js';
import { choice, duration, integer } from '../rules/scalars.js';
import { serviceUrl } from '../rules/urls.js';

/** The gate's variables; the secrets among them may come from `<NAME>_FILE`. */
export const GATE_SECRETS = ['WAKER_GATE_KEY', 'WAKER_GITHUB_CLIENT_SECRET', 'WAKER_BYPASS_TOKEN'];
export const GATE_VARIABLES = [
  'WAKER_GATE',
  'WAKER_PUBLIC_SCHEME',
  'WAKER_GITHUB_CLIENT_ID',
  'WAKER_GITHUB_URL',
  'WAKER_GITHUB_API_URL',
  'WAKER_GATE_RECHECK',
  'WAKER_SHARE_DAYS',
  'WAKER_SHARE_MAX_DAYS',
];

const MIN_SECRET = 32;

function longSecret(read: Read, name: string, what: string): string {
  const value = checkSecret(read, name, { spaces: false });
  if (value.length < MIN_SECRET)
    throw new InputError(
      name,
      `${value ? `is ${value.length} characters long` : 'is required'}: ${what}, at least ${MIN_SECRET} random characters (for example \`openssl rand -base64 48\`)`,
    );
  return value;
}

function required(read: Read, name: string, what: string): string {
  const value = read(name);
  if (!value) throw new InputError(name, `is required with WAKER_GATE=github: ${what}`);
  return value;
}

/** The gate's configuration, or undefined with WAKER_GATE=off (the default: previews are public). */
export function gateConfig(read: Read, domainWithPort: string): GateConfig | undefined {
  if ((choice(read, 'WAKER_GATE', ['off', 'github'] as const) ?? 'off') === 'off') return undefined;
  const protocol = `${choice(read, 'WAKER_PUBLIC_SCHEME', ['https', 'http'] as const) ?? 'https'}:` as const;
  const [domain, port = ''] = domainWithPort.split(':');
  const share = {
    defaultDays: integer(read, 'WAKER_SHARE_DAYS', 7, 1, 365),
    maxDays: integer(read, 'WAKER_SHARE_MAX_DAYS', 30, 1, 365),
  };
  if (share.defaultDays > share.maxDays)
    throw new InputError('WAKER_SHARE_DAYS', `is ${share.defaultDays}, above WAKER_SHARE_MAX_DAYS (${share.maxDays})`);
  const bypass = read('WAKER_BYPASS_TOKEN');
  return {
    key: new SigningKey(Buffer.from(longSecret(read, 'WAKER_GATE_KEY', 'the key that signs sessions and share links'))),
    origin: { protocol, domain, port },
    github: {
      clientId: required(read, 'WAKER_GITHUB_CLIENT_ID', "the GitHub App's client ID (its settings page shows it)"),
      clientSecret: required(read, 'WAKER_GITHUB_CLIENT_SECRET', 'a client secret of the GitHub App'),
      webUrl: githubUrl(read, 'WAKER_GITHUB_URL', 'https://github.com'),
      apiUrl: githubUrl(read, 'WAKER_GITHUB_API_URL', 'https://api.github.com'),
      timeoutMs: 10_000,
    },
    recheckS: duration(read, 'WAKER_GATE_RECHECK', '1h', { min: '1m', max: '7d' })! / 1000,
    share,
    bypassToken: bypass ? longSecret(read, 'WAKER_BYPASS_TOKEN', 'the automation bypass token') : undefined,
  };
}

function githubUrl(read: Read, name: string, fallback: string): string {
  const value = serviceUrl(read, name, { credentials: 'WAKER_GITHUB_CLIENT_SECRET', example: fallback }) ?? fallback;
  return value.replace(/\/+$/, '');
}
