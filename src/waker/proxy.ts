/**
 * Sends the visitor's request on to the gateway once, as the edge would have: same method, request target
 * (`/function/<fn>/<rest>?<query>`, byte for byte), headers except hop-by-hop ones, and the body the waker buffered
 * while the preview woke; then streams the gateway's answer back. Never retried (the request may not be idempotent),
 * and always to the configured gateway: the visitor's Host only chose the preview.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { BYPASS_HEADER } from '../gate/bypass.js';

/** RFC 9110 §7.6.1 connection-specific fields, plus those a proxy must not forward. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
]);

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** `headers` without hop-by-hop fields and without those the Connection header names. */
export function endToEnd(headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  const connection = Object.entries(headers).find(([key]) => key.toLowerCase() === 'connection')?.[1];
  const named = String(connection ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase());
  const out: http.OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(headers)) {
    const k = key.toLowerCase();
    if (value !== undefined && !HOP_BY_HOP.has(k) && !named.includes(k)) out[k] = value;
  }
  return out;
}

export interface Forward {
  method: string;
  /** The validated request target, `/function/...`. */
  target: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Forwards to `gatewayUrl` and pipes the answer into `res`. `idleMs` ends an exchange that stays silent that long:
 * with a 502 before the answer started, by closing the connection after.
 */
export function forward(gatewayUrl: string, f: Forward, res: http.ServerResponse, idleMs: number): Promise<void> {
  const base = new URL(gatewayUrl);
  const lib = base.protocol === 'https:' ? https : http;
  const headers = endToEnd(f.headers);
  // The automation token opens every preview: a preview's own code never gets it.
  delete headers[BYPASS_HEADER];
  if (f.body.length > 0 || !['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(f.method))
    headers['content-length'] = String(f.body.length);
  else delete headers['content-length'];
  return new Promise((resolve) => {
    const upstream = lib.request({
      protocol: base.protocol,
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port || undefined,
      method: f.method,
      path: base.pathname.replace(/\/+$/, '') + f.target,
      headers,
      agent: agents[base.protocol as 'http:' | 'https:'],
    });
    upstream.setTimeout(idleMs, () => upstream.destroy(new Error(`no answer within ${idleMs} ms`)));
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      res.on('close', () => {
        if (!answer.complete) upstream.destroy();
        resolve();
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('the function did not answer\n');
      } else res.destroy();
      resolve();
    });
    upstream.end(f.body);
  });
}
