/**
 * A stand-in for the edge router on a machine without nginx or HAProxy (the demo on a bare machine, issue 13): the
 * routing rules of deploy/edge/nginx.conf in plain node:http, and nothing else. The edge suite runs its whole
 * battery against it beside the real routers, so it cannot drift from them unnoticed. Not for production: it is
 * only as fast and as hardened as this file.
 *
 *   <name>.<domain>/<api>[/<rest>]          → gateway /function/<name>[<rest>]?query
 *   <name>.<domain>/<fns>/<fn>[/<rest>]     → gateway /function/<name>-<fn>[<rest>]?query
 *   gateway 404, 502, 503 with a waker      → the same request to the waker, Host kept
 *   <name>.<domain>/.faas-preview/<rest>    → 404: the edge service's pages (nginx.conf sends them to it) are not
 *                                             modelled, and the bucket's <name>/.faas-preview/ is the action's
 *   <name>.<domain>/<path>                  → bucket <name>/<path>, else <name>/index.html when <path> has no
 *                                             extension; GET and HEAD only; 403/404 → 404
 */
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NodeEdgeConfig {
  previewDomain: string;
  apiPath: string;
  functionsPath: string;
  gatewayUrl: string;
  /** Path-style bucket URL: endpoint + '/' + bucket. */
  bucketUrl: string;
  wakerUrl?: string;
}

type Route =
  | { kind: 'answer'; status: number; text: string }
  | { kind: 'function'; path: string }
  | { kind: 'bucket'; keys: string[] };

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const OTHER_PR = /(^|-)pr-[0-9]+(-|$)/;
const EXTENSION = /\.[A-Za-z0-9]+$/;
/** The edge service's paths (gate/routes.ts GATE_PREFIX), never the bucket's: nginx.conf's `location ^~ /.faas-preview/`. */
const SERVICE_PREFIX = '/.faas-preview/';
/** What nginx.conf passes to the waker: the gateway's status, so a request the function already ran is answered with it. */
const GATEWAY_STATUS = 'x-faas-preview-gateway-status';
/** What nginx's client_max_body_size allows by default; larger API bodies are refused there too. */
const MAX_BODY = 1024 * 1024;

/** The preview name of a Host header: exactly `<label>.<domain>`, lowercased, port removed. */
function previewOfHost(host: string | undefined, domain: string): string | undefined {
  const bare = (host ?? '').toLowerCase().replace(/:\d+$/, '');
  if (!bare.endsWith(`.${domain}`)) return undefined;
  const label = bare.slice(0, -(domain.length + 1));
  return LABEL.test(label) ? label : undefined;
}

function badPath(path: string): boolean {
  return /%(2e|2f|5c|00)/i.test(path) || path.includes('\\') || /(^|\/)\.\.?(\/|$)/.test(path);
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Where one request goes, by the rules of nginx.conf. Pure. */
function route(c: NodeEdgeConfig, method: string, host: string | undefined, rawUrl: string): Route {
  const name = previewOfHost(host, c.previewDomain);
  if (!name) return { kind: 'answer', status: 404, text: 'no such preview\n' };
  const q = rawUrl.indexOf('?');
  const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  const query = q >= 0 ? rawUrl.slice(q) : '';
  if (badPath(path)) return { kind: 'answer', status: 404, text: 'not found\n' };
  // as nginx, which merges slashes before it matches its locations
  if (path.replace(/\/{2,}/g, '/').startsWith(SERVICE_PREFIX))
    return { kind: 'answer', status: 404, text: 'not found\n' };
  if (path === c.apiPath || path.startsWith(`${c.apiPath}/`))
    return { kind: 'function', path: `/function/${name}${path.slice(c.apiPath.length)}${query}` };
  if (path === c.functionsPath || path.startsWith(`${c.functionsPath}/`)) {
    const rest = path.slice(c.functionsPath.length + 1);
    const slash = rest.indexOf('/');
    const fn = slash >= 0 ? rest.slice(0, slash) : rest;
    const target = `${name}-${fn}`;
    if (!LABEL.test(fn) || OTHER_PR.test(fn) || target.length > 63)
      return { kind: 'answer', status: 404, text: 'no such function\n' };
    return { kind: 'function', path: `/function/${target}${slash >= 0 ? rest.slice(slash) : ''}${query}` };
  }
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'answer', status: 405, text: 'method not allowed\n' };
  if (path === '/') return { kind: 'bucket', keys: [`${name}/index.html`] };
  const key = `${name}${path}`;
  return { kind: 'bucket', keys: EXTENSION.test(decoded(path)) ? [key] : [key, `${name}/index.html`] };
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(url: URL, method: string, headers: IncomingHttpHeaders, body?: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Hop-by-hop headers never pass; `drop` names what else must not (the bucket's cookies and request ids). */
function reply(
  res: ServerResponse,
  status: number,
  headers: IncomingHttpHeaders,
  body: Buffer | string,
  drop: string[] = [],
): void {
  const out = { ...headers };
  for (const h of ['connection', 'keep-alive', 'transfer-encoding', ...drop]) delete out[h];
  res.writeHead(status, out);
  res.end(body);
}

async function toFunction(c: NodeEdgeConfig, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const body = await readBody(req);
  if (!body) return reply(res, 413, { 'content-type': 'text/plain' }, 'request body too large\n');
  const headers: IncomingHttpHeaders = {
    ...req.headers,
    'x-forwarded-host': req.headers.host,
    'x-forwarded-for': req.socket.remoteAddress,
    'x-forwarded-proto': 'http',
  };
  // Only the edge says what the gateway answered (the waker trusts this header from the edge alone).
  delete headers[GATEWAY_STATUS];
  const gateway = new URL(c.gatewayUrl);
  const answer = await send(new URL(path, gateway), req.method!, { ...headers, host: gateway.host }, body);
  if (!c.wakerUrl || ![404, 502, 503].includes(answer.status))
    return reply(res, answer.status, answer.headers, answer.body);
  const woken = await send(
    new URL(path, c.wakerUrl),
    req.method!,
    { ...headers, [GATEWAY_STATUS]: String(answer.status) },
    body,
  );
  reply(res, woken.status, woken.headers, woken.body);
}

async function fromBucket(c: NodeEdgeConfig, req: IncomingMessage, res: ServerResponse, keys: string[]): Promise<void> {
  const bucket = new URL(c.bucketUrl);
  for (const key of keys) {
    const answer = await send(new URL(`${bucket.pathname}/${key}`, bucket), req.method!, { host: bucket.host });
    if (answer.status !== 403 && answer.status !== 404)
      return reply(res, answer.status, answer.headers, answer.body, ['set-cookie', 'x-amz-request-id', 'x-amz-id-2']);
  }
  reply(res, 404, { 'content-type': 'text/plain' }, 'not found\n');
}

export async function startNodeEdge(c: NodeEdgeConfig, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const r = route(c, req.method ?? 'GET', req.headers.host, req.url ?? '/');
    const done =
      r.kind === 'answer'
        ? Promise.resolve(reply(res, r.status, { 'content-type': 'text/plain' }, r.text))
        : r.kind === 'function'
          ? toFunction(c, req, res, r.path)
          : fromBucket(c, req, res, r.keys);
    done.catch(() =>
      res.headersSent ? res.destroy() : reply(res, 502, { 'content-type': 'text/plain' }, 'bad gateway\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
