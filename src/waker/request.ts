/**
 * What the waker accepts from the edge, decided before anything is read or called (pure). The edge sends an API
 * request exactly as it sent it to the gateway: `METHOD /function/<fn>/<rest>?<query>` with the visitor's Host.
 * The preview name comes from the Host by the edge's own rule (naming.ts previewFromHost). The function must be the
 * preview's own (`<name>`) or one of its named functions (`<name>-<fn>`), and the path must not be one the edge would
 * have refused (dot segments, encoded dots, slashes, backslashes, NUL), so that nothing reaches the waker that could
 * not reach the gateway.
 */
import { isPreviewName } from '../naming.js';

/** The methods the OpenFaaS gateway proxies to a function (faas-provider proxy.go). */
export const PROXIED_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);

/** Safe methods (RFC 9110 §9.2.1): the only ones the waker sends to a function that may have received them already. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The header in which the edge (deploy/edge/nginx.conf) tells the waker the gateway's status. The edge replaces any
 * value a visitor sent; the waker only answers with it, so a forged value could change no more than the status of
 * the sender's own answer.
 */
export const GATEWAY_STATUS_HEADER = 'x-faas-preview-gateway-status';

/** The statuses the edge hands to the waker. */
const HANDED_OVER = new Set([404, 502, 503]);

/**
 * The gateway's status from the edge's header: nginx's `$upstream_status` lists every server it tried ("502, 404");
 * the last one answered. Undefined when absent or not a status the edge hands over.
 */
export function gatewayStatus(value: string | string[] | undefined): number | undefined {
  const m = typeof value === 'string' ? /(?:^|[\s,:])(\d{3})\s*$/.exec(value) : null;
  const status = m ? Number(m[1]) : NaN;
  return HANDED_OVER.has(status) ? status : undefined;
}

export interface Target {
  /** The function: `<name>` or `<name>-<fn>`. */
  fn: string;
  /** The request target as received (`/function/<fn>/<rest>?<query>`), forwarded byte for byte. */
  raw: string;
}

/** Paths the edge refuses: they could be decoded differently further on or step out of the function's path. */
function badPath(path: string): boolean {
  return /%(2e|2f|5c|00)/i.test(path) || path.includes('\\') || /(^|\/)\.\.?(\/|$)/.test(path);
}

/** The function a request target addresses, or undefined when it is not `/function/<fn>[/<rest>]` of preview `name`. */
export function parseTarget(url: string | undefined, name: string): Target | undefined {
  if (!url?.startsWith('/function/')) return undefined;
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  if (badPath(path)) return undefined;
  const rest = path.slice('/function/'.length);
  const slash = rest.indexOf('/');
  const fn = slash >= 0 ? rest.slice(0, slash) : rest;
  if (!isPreviewName(fn) || (fn !== name && !fn.startsWith(`${name}-`))) return undefined;
  return { fn, raw: url };
}
