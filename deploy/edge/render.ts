/**
 * Fills the `${NAME}` placeholders of deploy/edge/nginx.conf and haproxy.cfg, the way `envsubst` (or the
 * official nginx image's templates) and HAProxy's own environment expansion do. Used by the tests and the demo;
 * users render with envsubst or run HAProxy with the variables in its environment.
 *
 * Only upper-case `${NAME}` placeholders are ours; nginx's own `$host`, `$uri`... are left alone. A placeholder
 * without a value is an error, never an empty string.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EDGE_DIR = path.dirname(fileURLToPath(import.meta.url));
export const NGINX_TEMPLATE = path.join(EDGE_DIR, 'nginx.conf');
export const HAPROXY_TEMPLATE = path.join(EDGE_DIR, 'haproxy.cfg');

export interface EdgeConfig {
  /** `address:port` to listen on, e.g. `127.0.0.1:8080`. */
  listen: string;
  /** Wildcard domain without `*.`, e.g. `preview.localhost`. */
  previewDomain: string;
  /** Path prefix sent to the function, default `/api`. */
  apiPath?: string;
  /** Path prefix of a stack's other functions (`<functionsPath>/<fn>/...`), default `/fn`. */
  functionsPath?: string;
  /** OpenFaaS gateway base URL, e.g. `http://127.0.0.1:8081`. */
  gatewayUrl: string;
  /** Path-style bucket URL (endpoint + `/` + bucket), e.g. `http://127.0.0.1:9000/previews`. */
  bucketUrl: string;
  /** DNS server nginx uses for host names in the URLs (default 127.0.0.53; unused for IP addresses). */
  resolver?: string;
  /**
   * The waker's base URL (deploy/waker/), e.g. `http://127.0.0.1:8089`: API requests the gateway answers with 404,
   * 502 or 503 go to it. Absent: no waker (nginx `WAKER=off`, HAProxy without `WAKER_ADDR`).
   */
  wakerUrl?: string;
  /** Private previews: every request is asked of the edge service's sign-in gate first (nginx only; needs wakerUrl). */
  gate?: boolean;
  /** A private bucket: the edge service signs each read (nginx only; needs wakerUrl). Default anonymous. */
  bucketReads?: 'anonymous' | 'signed';
}

const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const API_PATH = /^(\/[A-Za-z0-9_-]+)+$/;

function baseUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what}: '${value}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${what}: '${value}' is not http(s)`);
  if (url.search || url.hash || url.username || url.password) throw new Error(`${what}: '${value}' must be a plain base URL`);
  return url;
}

function hostPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** True when `a` is `b` or a path below it: the two prefixes would claim the same requests. */
function within(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`);
}

/** nginx's WAKER and WAKER_URL; HAProxy's WAKER_ADDR only with a waker, because haproxy.cfg tests `defined(WAKER_ADDR)`. */
function wakerVariables(wakerUrl: string | undefined): Record<string, string> {
  if (wakerUrl === undefined) return { WAKER: 'off', WAKER_URL: '' };
  const waker = baseUrl(wakerUrl, 'wakerUrl');
  if (waker.pathname !== '/') throw new Error(`wakerUrl: '${wakerUrl}' must not have a path (the edge appends /function/...)`);
  return { WAKER: 'on', WAKER_URL: waker.origin, WAKER_ADDR: hostPort(waker) };
}

/** nginx's AUTH_REQUEST: the internal location that asks the edge service, or off. */
function gateVariable(c: EdgeConfig): string {
  if (!c.gate && c.bucketReads !== 'signed') return 'off';
  if (c.wakerUrl === undefined) throw new Error('gate, bucketReads: the edge service answers them; set wakerUrl too');
  return '/.faas-preview-auth';
}

/** Every variable of both files, the HAProxy ones (addresses, bucket path) derived from the URLs. */
export function edgeVariables(c: EdgeConfig): Record<string, string> {
  const apiPath = c.apiPath ?? '/api';
  const functionsPath = c.functionsPath ?? '/fn';
  if (!API_PATH.test(apiPath)) throw new Error(`apiPath: '${apiPath}' must look like /api (letters, digits, - _ /, no trailing slash)`);
  if (!API_PATH.test(functionsPath)) throw new Error(`functionsPath: '${functionsPath}' must look like /fn (letters, digits, - _ /, no trailing slash)`);
  if (within(functionsPath, apiPath) || within(apiPath, functionsPath)) {
    throw new Error(`functionsPath: '${functionsPath}' overlaps apiPath '${apiPath}'; use separate prefixes like /api and /fn`);
  }
  if (!DOMAIN.test(c.previewDomain)) throw new Error(`previewDomain: '${c.previewDomain}' is not a lower-case domain name`);
  if (!/^[^\s;{}'"]+:\d+$/.test(c.listen)) throw new Error(`listen: '${c.listen}' must be address:port`);
  const gateway = baseUrl(c.gatewayUrl, 'gatewayUrl');
  if (gateway.pathname !== '/') throw new Error(`gatewayUrl: '${c.gatewayUrl}' must not have a path`);
  const bucket = baseUrl(c.bucketUrl, 'bucketUrl');
  const bucketPath = bucket.pathname.replace(/\/+$/, '');
  if (!/^\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucketPath)) {
    throw new Error(`bucketUrl: '${c.bucketUrl}' must be a path-style bucket URL (endpoint/bucket)`);
  }
  return {
    LISTEN: c.listen,
    PREVIEW_DOMAIN: c.previewDomain,
    API_PATH: apiPath,
    FUNCTIONS_PATH: functionsPath,
    GATEWAY_URL: gateway.origin,
    BUCKET_URL: `${bucket.origin}${bucketPath}`,
    RESOLVER: c.resolver ?? '127.0.0.53',
    GATEWAY_ADDR: hostPort(gateway),
    BUCKET_ADDR: hostPort(bucket),
    BUCKET_PATH: bucketPath,
    ...wakerVariables(c.wakerUrl),
    AUTH_REQUEST: gateVariable(c),
    BUCKET_READS: c.bucketReads ?? 'anonymous',
  };
}

/** envsubst for upper-case `${NAME}` placeholders; throws on a placeholder without a value. */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  const missing = new Set<string>();
  const out = template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return value;
  });
  if (missing.size > 0) throw new Error(`no value for ${[...missing].map((n) => '${' + n + '}').join(', ')}`);
  return out;
}

export function renderNginx(c: EdgeConfig): string {
  return renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), edgeVariables(c));
}

export function renderHaproxy(c: EdgeConfig): string {
  if (c.gate || c.bucketReads === 'signed')
    throw new Error('gate, bucketReads: HAProxy has no auth_request; private previews need nginx.conf or ingress-nginx');
  return renderTemplate(readFileSync(HAPROXY_TEMPLATE, 'utf8'), edgeVariables(c));
}
