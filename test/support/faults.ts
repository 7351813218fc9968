/**
 * A fault-injecting HTTP proxy for tests: it listens on 127.0.0.1 in front of any HTTP upstream (the emulated
 * gateway or GitHub API, s3rver, radosgw, docker-registry) and forwards every request byte for byte — method,
 * raw path and query, raw headers in their order and case (Host and Authorization included, so S3 SigV4 signatures
 * still verify upstream), request and response bodies streamed both ways — except requests that match a rule.
 *
 * A rule matches by method (any when absent) and path: a string is compared with the path without the query, a
 * RegExp is tested against the path with the query. Rules are tried in the order they were added; a rule with
 * `times` applies to its first N matches only. Faults:
 * - `hang`: accept the request, never answer (the socket stays open until the client or `close()` ends it);
 * - `reset`: destroy the connection with a TCP reset, no answer;
 * - `delay`: wait that many milliseconds, then forward;
 * - `until`: hold the request until the promise settles, then forward (a race a test orders by itself, not by time);
 * - `status`: answer with this status, headers and body without forwarding (502, 429 + retry-after, GitHub's
 *   rate-limit 403, ...);
 * - `drop`: forward, let the upstream act, then cut the client connection before any byte of the answer.
 *
 * Every request is recorded in arrival order with what the proxy did. When the upstream cannot be reached the client
 * connection is reset (a network error, as a transparent hop would give), recorded as `unreachable`.
 */
import { once } from 'node:events';
import {
  request as httpRequest,
  createServer,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

type Fault =
  | { hang: true }
  | { reset: true }
  | { delay: number }
  | { until: Promise<unknown> }
  | { status: number; headers?: Record<string, string>; body?: string }
  | { drop: true };

export interface FaultRule {
  method?: string;
  path: string | RegExp;
  /** Applies to the first N matching requests only; every match when absent. */
  times?: number;
  fault: Fault;
}

type FaultAction = 'forward' | 'hang' | 'reset' | 'delay' | 'status' | 'drop' | 'unreachable';

interface ProxiedRequest {
  method: string;
  path: string;
  query: string;
  action: FaultAction;
  /** The status the client received, when it received one. */
  status?: number;
}

export interface FaultProxy {
  url: string;
  /** `127.0.0.1:<port>`, the Host header clients send to the proxy. */
  host: string;
  requests: ProxiedRequest[];
  /** Adds a rule after the existing ones; returns its removal. */
  add(rule: FaultRule): () => void;
  clearRules(): void;
  /** Destroys every open socket (hung ones included) and stops listening. */
  close(): Promise<void>;
}

interface LiveRule extends FaultRule {
  left: number;
}

function actionOf(fault: Fault): FaultAction {
  if ('hang' in fault) return 'hang';
  if ('reset' in fault) return 'reset';
  if ('delay' in fault || 'until' in fault) return 'delay';
  if ('drop' in fault) return 'drop';
  return 'status';
}

function matches(rule: LiveRule, req: IncomingMessage, path: string): boolean {
  if (rule.left <= 0) return false;
  if (rule.method && rule.method.toUpperCase() !== req.method) return false;
  return typeof rule.path === 'string' ? rule.path === path : rule.path.test(req.url ?? '');
}

function resetSocket(socket: Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}

export async function startFaultProxy(upstream: string, rules: FaultRule[] = []): Promise<FaultProxy> {
  const target = new URL(upstream);
  const live: LiveRule[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const outgoing = new Set<ClientRequest>();
  let closed = false;

  function add(rule: FaultRule): () => void {
    const entry: LiveRule = { ...rule, left: rule.times ?? Number.POSITIVE_INFINITY };
    live.push(entry);
    return () => {
      const i = live.indexOf(entry);
      if (i >= 0) live.splice(i, 1);
    };
  }
  rules.forEach(add);

  /** Sends the request upstream unchanged; `onAnswer` decides what the client gets once the upstream answers. */
  function forward(req: IncomingMessage, record: ProxiedRequest, onAnswer: (up: IncomingMessage) => void): void {
    const up = httpRequest({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.rawHeaders,
      agent: false,
    });
    outgoing.add(up);
    up.on('close', () => outgoing.delete(up));
    up.on('response', onAnswer);
    up.on('error', () => {
      if (record.action === 'forward' || record.action === 'delay') record.action = 'unreachable';
      resetSocket(req.socket);
    });
    req.pipe(up);
  }

  function relay(res: ServerResponse, record: ProxiedRequest) {
    return (up: IncomingMessage): void => {
      record.status = up.statusCode;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
      up.pipe(res);
      up.on('error', () => res.destroy());
    };
  }

  function apply(fault: Fault, req: IncomingMessage, res: ServerResponse, record: ProxiedRequest): void {
    if ('hang' in fault) return void req.resume();
    if ('reset' in fault) return resetSocket(req.socket);
    if ('drop' in fault) {
      return forward(req, record, (up) => {
        up.resume();
        resetSocket(req.socket);
      });
    }
    if ('delay' in fault) {
      req.pause();
      const timer = setTimeout(() => {
        timers.delete(timer);
        forward(req, record, relay(res, record));
      }, fault.delay);
      timers.add(timer);
      return;
    }
    if ('until' in fault) {
      req.pause();
      const go = () => void (closed || forward(req, record, relay(res, record)));
      return void fault.until.then(go, go);
    }
    req.resume();
    record.status = fault.status;
    res.writeHead(fault.status, fault.headers);
    res.end(fault.body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const rule = live.find((r) => matches(r, req, url.pathname));
    const record: ProxiedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      action: rule ? actionOf(rule.fault) : 'forward',
    };
    requests.push(record);
    if (!rule) return forward(req, record, relay(res, record));
    rule.left -= 1;
    apply(rule.fault, req, res, record);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  server.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    add,
    clearRules: () => void live.splice(0),
    close(): Promise<void> {
      closed = true;
      timers.forEach(clearTimeout);
      timers.clear();
      outgoing.forEach((r) => r.destroy());
      sockets.forEach((s) => s.destroy());
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
