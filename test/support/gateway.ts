/**
 * Emulated OpenFaaS gateway for tests and the demo: the CE gateway (openfaas/faas gateway/) in front of one of four
 * provider profiles, each following the measured behaviour in docs/architecture.md ("Provider facts") and the
 * providers' handlers where that is silent:
 * - `faas-netes-ce` / `faas-netes` (Pro): test/support/gateway/faas-netes.ts — 202s, Kubernetes validation, rolling
 *   updates, swallowed update errors, CE limits (15 functions, public images, scaling labels), foreground deletes
 *   (`terminationMs`: a deleted function stays listed and counted until its pods have terminated);
 * - `faasd-ce` / `faasd` (OpenFaaS Edge): test/support/gateway/faasd.ts — 200s, no validation, delete + recreate on
 *   update, one task per function.
 * The gateway layer here adds what the CE gateway does itself: Basic auth on /system/*, the CE clamp of scale
 * requests to 1..5 (scaling/ranges.go), `invocationCount` mixed into the list from Prometheus (metrics/
 * add_metrics.go; scrape lag, counters by name.namespace, reset by `restart()`, a dropped connection when Prometheus
 * is down), and scale from zero in front of /function (handlers/scaling.go: when no replica is available it scales
 * a function at 0 to 1 and polls every 100 ms for up to `coldStartTimeoutMs`, then forwards). /system/secrets is
 * each provider's secrets API; `setSecret` adds one directly.
 *
 * Behind /function/<name> runs no container: a function answers with an honest JSON stand-in describing itself
 * (name, namespace, image, `faas-preview/sha` label, method, path; header `X-Faas-Preview-Emulated: true`, and
 * `X-Faas-Preview-Sha: <FAAS_PREVIEW_SHA env var>` when set). Per image (`images` option, `setImage`) a function can
 * listen late, never start, answer another status or hide its version; `isPublic` / `isPullable` decide what
 * registries would let the providers pull.
 *
 * Chosen where sources and measurements are silent or disagree: with Prometheus down the list drops the connection
 * (measured on gateway 0.27.14; the add_metrics.go we read returns the list without counts); after the cold-start
 * wait the gateway forwards (scaling/function_scaler.go; the 2024 CE handler may answer an empty 200 instead); the
 * faasd CE limit's message and where faasd checks it (the measurements give only the counts); Pro profiles are the CE
 * handlers without the CE rules (their sources are closed), and Pro faas-netes pulls private images.
 *
 * NOT modelled: OpenFaaS Pro's autoscaler and idler; async invocations, logs, the namespaces API, alerts; the
 * Community Edition's count "across namespaces" (a CE gateway here has one namespace); image pull secrets; probes
 * configured by annotations, profiles, constraints (node selectors), read-only root filesystems and every other
 * runtime effect of a spec; image environment variables that faasd reports; canonical forms of Kubernetes
 * quantities in faas-netes answers ("0.5" stays "0.5", not "500m"); pod-by-pod progress of a rolling update (all new
 * pods become ready together) and replica counts above 1 mid-rollout; faasd restarting crashed tasks (it does not);
 * the gateway's response headers (X-Call-Id, X-Start-Time) and its read/write/upstream timeouts; image pulls that
 * take time; what happens to a request in flight while its function is deleted or updated.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faasd } from './gateway/faasd.js';
import { FaasNetes } from './gateway/faas-netes.js';
import { Invocations } from './gateway/metrics.js';
import {
  DEFAULT_NAMESPACE,
  Readiness,
  secretNames,
  type Edition,
  type FunctionRecord,
  type ImageBehaviour,
  type Provider,
  type SeedInput,
  type World,
} from './gateway/model.js';
import { decodeScale, goError, type Reply } from './gateway/wire.js';

export type { Edition } from './gateway/model.js';

export interface GatewayOptions {
  edition?: Edition; // default 'faas-netes-ce'
  username?: string; // default 'admin'
  password?: string; // default 'secret'
  /** faas-netes: how long a new pod takes to become ready (scheduling, pull, probe); default 0. faasd starts tasks before answering. */
  readyAfterMs?: number;
  now?: () => number; // clock for createdAt (default Date.now)
  namespaces?: string[]; // namespaces Pro / Edge allow; default ['openfaas-fn']; CE only ever allows 'openfaas-fn'
  maxFunctions?: number; // default 15 on CE editions, unlimited otherwise
  /**
   * faas-netes: how long a deleted function's Deployment stays while its pods terminate (listed, counted by the CE
   * cap, its name taken; see gateway/faas-netes.ts). Default 0, gone at once: kinder than Kubernetes, where it takes
   * the pods' termination (seconds). faasd deletes before it answers and ignores this.
   */
  terminationMs?: number;
  /** Report the provider name of CE releases before faas-netes 2023-01 / faasd 2024-09: `faas-netes` / `faasd`. */
  legacyProviderName?: boolean;
  /** Can the image be pulled without credentials (faas-netes CE runs only those)? Default: every image. */
  isPublic?: (image: string) => boolean;
  /** Does the image exist for the provider's puller at all? Default: every image. */
  isPullable?: (image: string) => boolean;
  /** Runtime behaviour by image, exactly as deployed. */
  images?: Record<string, ImageBehaviour>;
  /** Prometheus scrape interval: `invocationCount` shows the counter as of the last scrape. Default 0 (no lag). */
  scrapeIntervalMs?: number;
  prometheus?: 'up' | 'down'; // default 'up'
  /** How long /function waits for a replica before forwarding anyway; the real gateway: 1000 polls × 100 ms. */
  coldStartTimeoutMs?: number;
}

export interface GatewayCall {
  method: string;
  path: string;
  query: string;
  /** 0 when the gateway dropped the connection without an answer. */
  status: number;
  body?: unknown;
  /** The request's headers, as Node lowercases them. */
  headers: IncomingMessage['headers'];
}

export interface GatewayEmulator {
  url: string; // http://127.0.0.1:<port>
  edition: Edition;
  calls: GatewayCall[]; // every request, in order of arrival
  functions(namespace?: string): FunctionRecord[];
  get(name: string, namespace?: string): FunctionRecord | undefined;
  /**
   * A function as if deployed long ago; `invocationCount` sets its Prometheus counter (already scraped). Pods beyond
   * `availableReplicas` are still starting (faasd: a task that is not running).
   */
  seed(fn: SeedInput): FunctionRecord;
  /** Counts invocations as if requests had gone through the gateway. */
  invoke(name: string, count?: number, namespace?: string): void;
  /** A gateway restart: every invocation counter starts again at zero. */
  restart(): void;
  /** 'never': instances starting from now (and faas-netes pods still starting) do not become ready. */
  setReadiness(mode: 'normal' | 'never'): void;
  /** How containers of this image behave when started from now on. */
  setImage(image: string, behaviour: ImageBehaviour): void;
  setPrometheus(state: 'up' | 'down'): void;
  /** Prometheus scrapes the gateway now, whatever its schedule. */
  scrape(): void;
  setSecret(name: string, value?: string, namespace?: string): void;
  secrets(namespace?: string): string[];
  /** A secret's value as the provider stores it (what the function would read from /var/openfaas/secrets). */
  secretValue(name: string, namespace?: string): string | undefined;
  close(): Promise<void>;
}

const NAME_EXPRESSION = /^[-a-zA-Z_0-9.]+$/;
const CE_MAX_REPLICAS = 5;
const POLL_MS = 100;
const NOT_FOUND: Reply = { status: 404, text: '404 page not found\n' };
const NOT_ALLOWED: Reply = { status: 405, text: '' };

function authorized(req: IncomingMessage, username: string, password: string): boolean {
  const m = /^basic\s+(\S+)$/i.exec((req.headers.authorization ?? '').trim());
  if (!m) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && decoded.slice(0, colon) === username && decoded.slice(colon + 1) === password;
}

function send(res: ServerResponse, call: GatewayCall, reply: Reply): void {
  if (reply.drop) {
    call.status = 0;
    res.socket?.destroy();
    return;
  }
  call.status = reply.status;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload = '';
  if (reply.json !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    payload = JSON.stringify(reply.json);
  } else if (reply.text) {
    headers['Content-Type'] ??= 'text/plain; charset=utf-8';
    payload = reply.text;
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(call.method === 'HEAD' ? undefined : payload);
}

/** Puts invocationCount where the gateway's struct has it, omitted at 0. */
function withInvocations(f: Record<string, unknown>, count: number): Record<string, unknown> {
  const { name, image, ...rest } = f;
  return { name, image, ...(count ? { invocationCount: count } : {}), ...rest };
}

function world(options: GatewayOptions, edition: Edition, images: Map<string, ImageBehaviour>): World {
  const ce = edition.endsWith('-ce');
  return {
    edition,
    ce,
    namespaces: ce ? [DEFAULT_NAMESPACE] : [...(options.namespaces ?? [DEFAULT_NAMESPACE])],
    maxFunctions: options.maxFunctions ?? (ce ? 15 : Number.POSITIVE_INFINITY),
    terminationMs: options.terminationMs ?? 0,
    readiness: new Readiness(options.readyAfterMs ?? 0),
    now: options.now ?? Date.now,
    behaviour: (image) => images.get(image) ?? {},
    isPublic: options.isPublic ?? (() => true),
    isPullable: options.isPullable ?? (() => true),
    secrets: new Map(),
  };
}

/** The CE gateway's own handlers in front of a provider. */
class Gateway {
  readonly calls: GatewayCall[] = [];
  readonly invocations: Invocations;
  prometheus: 'up' | 'down';
  closed = false;
  private readonly coldStartTimeoutMs: number;

  constructor(
    private readonly options: GatewayOptions,
    readonly edition: Edition,
    readonly w: World,
    readonly provider: Provider,
  ) {
    this.invocations = new Invocations(options.scrapeIntervalMs ?? 0);
    this.prometheus = options.prometheus ?? 'up';
    this.coldStartTimeoutMs = options.coldStartTimeoutMs ?? 1000 * POLL_MS;
  }

  private info(): Reply {
    const name = this.options.legacyProviderName ? this.edition.replace(/-ce$/, '') : this.edition;
    const sha = 'emulated0000000000000000000000000000000';
    const { orchestration, release } = this.provider.info;
    return {
      status: 200,
      json: {
        provider: { provider: name, orchestration, version: { sha, release } },
        version: { commit_message: 'faas-preview emulated gateway', sha, release: '0.27.14' },
        arch: 'x86_64',
      },
    };
  }

  /** metrics/add_metrics.go: a provider error becomes a 500; Prometheus down was measured to drop the connection. */
  private list(query: URLSearchParams): Reply {
    const upstream = this.provider.list(query);
    if (upstream.status !== 200)
      return { status: 500, text: `Error pulling metrics from provider/backend. Status code: ${upstream.status}` };
    if (this.prometheus === 'down') return { status: 0, drop: true };
    const items = upstream.json as (Record<string, unknown> & { name: string; namespace?: string })[];
    return {
      status: 200,
      json: items.map((f) =>
        withInvocations(f, this.invocations.scraped(`${f.name}.${f.namespace ?? DEFAULT_NAMESPACE}`)),
      ),
    };
  }

  /** scaling/ranges.go MakeHorizontalScalingHandler: CE clamps to 1..5 and forwards; the provider's status stands. */
  private scale(name: string, raw: string, query: URLSearchParams): Reply {
    if (!this.w.ce) return this.provider.scale(name, raw, query);
    let r: ReturnType<typeof decodeScale>;
    try {
      r = decodeScale(raw);
    } catch {
      return goError(400, 'Error unmarshalling request body');
    }
    const replicas = Math.min(Math.max(r.replicas, 1), CE_MAX_REPLICAS);
    return this.provider.scale(
      name,
      JSON.stringify({ serviceName: r.serviceName, replicas, ...(r.namespace ? { namespace: r.namespace } : {}) }),
      query,
    );
  }

  /** handlers/scaling.go: no available replica → scale a function at 0 to 1, then poll until one is available. */
  private async wake(name: string, ns: string): Promise<Reply | undefined> {
    const state = this.provider.replicas(name, ns);
    if (!state)
      return {
        status: 404,
        text: `error finding function ${name}.${ns}: server returned non-200 status code (404) for function, ${name}`,
      };
    if (state.available > 0) return undefined;
    if (state.replicas === 0) {
      const err = this.provider.setReplicas(name, ns, 1);
      if (err)
        return {
          status: 500,
          text: `error finding function ${name}.${ns}: unable to scale function [${name}], err: ${err}`,
        };
    }
    const deadline = Date.now() + this.coldStartTimeoutMs;
    while (!this.closed && Date.now() < deadline && (this.provider.replicas(name, ns)?.available ?? 0) === 0) {
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, deadline - Date.now())).unref());
    }
    return undefined;
  }

  /** /function/<name>[.<namespace>]/<path>: every request that reaches the forwarding proxy is counted. */
  private async callFunction(method: string, rest: string): Promise<Reply> {
    const slash = rest.indexOf('/');
    const target = decodeURIComponent(slash >= 0 ? rest.slice(0, slash) : rest);
    if (!NAME_EXPRESSION.test(target)) return NOT_FOUND;
    const dot = target.lastIndexOf('.');
    const name = dot > 0 ? target.slice(0, dot) : target;
    const ns = dot > 0 ? target.slice(dot + 1) : DEFAULT_NAMESPACE;
    const refused = await this.wake(name, ns);
    if (refused) return refused;
    this.invocations.add(`${name}.${ns}`);
    return this.provider.invoke(target, name, ns, method, slash >= 0 ? rest.slice(slash) : '/');
  }

  private system(method: string, path: string, raw: string, query: URLSearchParams): Reply {
    const only = (m: string, handler: () => Reply): Reply => (method === m ? handler() : NOT_ALLOWED);
    if (path === '/system/info') return only('GET', () => this.info());
    if (path === '/system/secrets') return this.provider.secrets(method, raw, query);
    if (path === '/system/functions') {
      const handlers: Record<string, () => Reply> = {
        GET: () => this.list(query),
        POST: () => this.provider.deploy(raw),
        PUT: () => this.provider.update(raw),
        DELETE: () => this.provider.remove(raw, query),
      };
      return (handlers[method] ?? (() => NOT_ALLOWED))();
    }
    const m = /^\/system\/(function|scale-function)\/([^/]+)$/.exec(path);
    const name = m ? decodeURIComponent(m[2]) : '';
    if (!m || !NAME_EXPRESSION.test(name)) return NOT_FOUND;
    return m[1] === 'function'
      ? only('GET', () => this.provider.get(name, query))
      : only('POST', () => this.scale(name, raw, query));
  }

  private async route(req: IncomingMessage, raw: string, url: URL): Promise<Reply> {
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz') return method === 'GET' ? { status: 200, text: 'OK' } : NOT_ALLOWED;
    if (url.pathname.startsWith('/function/'))
      return this.callFunction(method, url.pathname.slice('/function/'.length));
    if (!url.pathname.startsWith('/system/')) return NOT_FOUND;
    if (!authorized(req, this.options.username ?? 'admin', this.options.password ?? 'secret')) {
      return {
        status: 401,
        text: 'invalid credentials\n',
        headers: { 'WWW-Authenticate': 'Basic realm="Restricted"' },
      };
    }
    return this.system(method, url.pathname, raw, url.searchParams);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const call: GatewayCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      status: 0,
      headers: req.headers,
    };
    this.calls.push(call);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (raw.length > 0) call.body = parseOrRaw(raw);
      void this.route(req, raw, url)
        .catch((err: unknown): Reply => ({
          status: 500,
          text: `emulator error: ${err instanceof Error ? err.message : String(err)}`,
        }))
        .then((reply) => send(res, call, reply));
    });
  }
}

function parseOrRaw(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The test-facing handle: records with their live invocation counters, and the knobs tests turn. */
function handleFor(gw: Gateway, url: string, server: Server, images: Map<string, ImageBehaviour>): GatewayEmulator {
  const { provider, invocations, w } = gw;
  const withCount = (r: Omit<FunctionRecord, 'invocationCount'>): FunctionRecord => ({
    ...r,
    invocationCount: invocations.live(`${r.name}.${r.namespace}`),
  });
  const get = (name: string, namespace = DEFAULT_NAMESPACE): FunctionRecord | undefined => {
    const r = provider.record(name, namespace);
    return r && withCount(r);
  };
  return {
    url,
    edition: gw.edition,
    calls: gw.calls,
    functions: (namespace) =>
      provider
        .records()
        .filter((r) => namespace === undefined || r.namespace === namespace)
        .map(withCount),
    get,
    seed(fn): FunctionRecord {
      const ns = fn.namespace ?? DEFAULT_NAMESPACE;
      if (!w.namespaces.includes(ns)) throw new Error(`seed: namespace ${ns} is not allowed on this gateway`);
      if (provider.record(fn.name, ns)) throw new Error(`seed: function ${ns}/${fn.name} already exists`);
      provider.seed(fn);
      if (fn.invocationCount !== undefined) invocations.set(`${fn.name}.${ns}`, fn.invocationCount);
      return get(fn.name, ns)!;
    },
    invoke(name, count = 1, namespace = DEFAULT_NAMESPACE): void {
      if (!provider.record(name, namespace)) throw new Error(`invoke: function ${namespace}/${name} does not exist`);
      invocations.add(`${name}.${namespace}`, count);
    },
    restart: () => invocations.reset(),
    setReadiness(mode): void {
      w.readiness.mode = mode;
      w.readiness.apply(provider.instances());
    },
    setImage: (image, behaviour) => void images.set(image, { ...behaviour }),
    setPrometheus: (state) => void (gw.prometheus = state),
    scrape: () => invocations.scrape(),
    setSecret: (name, value = '', namespace = DEFAULT_NAMESPACE) => void w.secrets.set(`${namespace}/${name}`, value),
    secrets: (namespace = DEFAULT_NAMESPACE) => secretNames(w, namespace),
    secretValue: (name, namespace = DEFAULT_NAMESPACE) => w.secrets.get(`${namespace}/${name}`),
    close(): Promise<void> {
      gw.closed = true;
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

export async function startGateway(options: GatewayOptions = {}): Promise<GatewayEmulator> {
  const edition: Edition = options.edition ?? 'faas-netes-ce';
  const images = new Map(Object.entries(options.images ?? {}));
  const w = world(options, edition, images);
  const gw = new Gateway(options, edition, w, edition.startsWith('faasd') ? new Faasd(w) : new FaasNetes(w));
  const server = createServer((req, res) => gw.handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  server.unref();
  const { port } = server.address() as AddressInfo;
  return handleFor(gw, `http://127.0.0.1:${port}`, server, images);
}
