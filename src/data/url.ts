/**
 * The admin connection URL (input `database-url`, a secret) and the per-preview URLs derived from it, pure.
 * Nothing here ever puts the URL or its password into a message.
 */
import { InputError } from '../rules/errors.js';

export const URL_INPUT = 'database-url';
export const TEMPLATE_INPUT = 'database-template';

const SCHEMES = new Set(['postgres:', 'postgresql:']);
const EXAMPLE = 'postgres://user:password@host:5432/postgres?sslmode=require';

/**
 * Query parameters that are the admin's own identity or credentials: a preview URL never inherits them. libpq and
 * node-postgres let `?user=`/`?password=`/`?dbname=` override the URL's parts, and the client key, its passphrase and
 * the password file belong to the admin.
 */
const ADMIN_ONLY = ['user', 'password', 'dbname', 'database', 'db', 'passfile', 'sslcert', 'sslkey', 'sslpassword'];

export interface AdminTarget {
  /** The URL as given, for the driver. */
  url: string;
  /** `host:port` for messages (no credentials). */
  server: string;
  user: string;
  /** Decoded; empty when the URL has none (peer or certificate authentication). */
  password: string;
}

function decoded(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InputError(
      URL_INPUT,
      `the ${what} has a malformed %-escape; percent-encode special characters (encodeURIComponent) in ${EXAMPLE}`,
    );
  }
}

export function parseDatabaseUrl(text: string): AdminTarget {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw new InputError(URL_INPUT, `is not a URL; use a PostgreSQL connection URL like ${EXAMPLE}`);
  }
  if (!SCHEMES.has(u.protocol))
    throw new InputError(
      URL_INPUT,
      `has the scheme '${u.protocol}'; use postgres:// or postgresql://, like ${EXAMPLE}`,
    );
  const host = decoded(u.hostname, 'host') || u.searchParams.get('host') || '';
  if (!host) throw new InputError(URL_INPUT, `has no host; use a URL like ${EXAMPLE}`);
  const user = u.searchParams.get('user') ?? decoded(u.username, 'user name');
  if (!user)
    throw new InputError(
      URL_INPUT,
      `has no user; use a URL like ${EXAMPLE} with a role that has CREATEDB and CREATEROLE`,
    );
  const password = u.searchParams.get('password') ?? decoded(u.password, 'password');
  decoded(u.pathname, 'database name');
  const port = u.port || u.searchParams.get('port') || '5432';
  const shown = host.startsWith('/') ? host : `${host.replace(/^\[|\]$/g, '')}:${port}`;
  return { url: u.toString(), server: shown, user, password };
}

/** The admin URL with the preview's role, password and database: same host, port and TLS options. */
export function previewUrl(adminUrl: string, ident: string, password: string): string {
  const u = new URL(adminUrl);
  for (const key of ADMIN_ONLY) u.searchParams.delete(key);
  u.username = ident;
  u.password = encodeURIComponent(password);
  u.pathname = `/${ident}`;
  return u.toString();
}
