/**
 * Emulated OpenFaaS gateway for tests and the demo.
 *
 * It follows the gateway / faas-provider REST contract strictly (status codes per provider, Basic auth on
 * `/system/*`, omitempty JSON, Community Edition limits) and rejects what the real gateway rejects, so the
 * client code is exercised against the same edges it meets in production.
 *
 * What it is NOT: it does not pull images or run containers. `/function/<name>` answers with an honest
 * stand-in JSON body (`{"emulated":true,...}`, header `X-Faas-Preview-Emulated: true`) that describes the
 * function that would have served the request. Not modelled either: secrets existing in the namespace,
 * private-image checks on CE, `com.openfaas.scale.min` as initial replicas, async invocations.
 *
 * Readiness: a deploy/update (or a scale up) leaves `availableReplicas` below `replicas` until
 * `readyAfterMs` (wall clock) has passed; with readiness `'never'` it stays there. The `now` option only
 * drives `createdAt`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Edition = 'faas-netes-ce' | 'faasd-ce' | 'faas-netes' | 'faasd'; // *-ce = Community Edition; faas-netes = Pro on Kubernetes; faasd = OpenFaaS Edge

export interface GatewayOptions {
  edition?: Edition; // default 'faas-netes-ce'
  username?: string; // default 'admin'
  password?: string; // default 'secret'
  readyAfterMs?: number; // time after a deploy/update until availableReplicas becomes 1; default 0 (ready on next poll)
  now?: () => number; // clock for createdAt (default Date.now)
  namespaces?: string[]; // allowed namespaces; default ['openfaas-fn'] (CE only ever allows 'openfaas-fn')
  maxFunctions?: number; // default 15 on CE editions, unlimited otherwise
}

export interface FunctionRecord {
  name: string;
  namespace: string;
  image: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  envVars: Record<string, string>;
  envProcess?: string;
  secrets: string[];
  limits?: { memory?: string; cpu?: string };
  requests?: { memory?: string; cpu?: string };
  constraints?: string[];
  readOnlyRootFilesystem?: boolean;
  replicas: number;
  availableReplicas: number;
  invocationCount: number;
  createdAt: string; // RFC3339
  deployCount: number; // how many successful POST/PUT this function received
}

export interface GatewayCall {
  method: string;
  path: string;
  query: string;
  status: number;
  body?: unknown;
}

export interface GatewayEmulator {
  url: string; // http://127.0.0.1:<port>
  edition: Edition;
  calls: GatewayCall[]; // every request, in order of arrival
  functions(namespace?: string): FunctionRecord[];
  get(name: string, namespace?: string): FunctionRecord | undefined;
  seed(fn: Partial<FunctionRecord> & { name: string; image: string }): FunctionRecord;
  invoke(name: string, count?: number, namespace?: string): void;
  restart(): void;
  setReadiness(mode: 'normal' | 'never'): void;
  close(): Promise<void>;
}

const DEFAULT_NAMESPACE = 'openfaas-fn';
const CE_MAX_REPLICAS = 5;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const SCALE_ZERO_PREFIX = 'com.openfaas.scale.zero';

interface Stored extends FunctionRecord {
  /** Wall-clock ms at which availableReplicas catches up with replicas; Infinity = never; undefined = settled. */
  readyAt?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isCommunity(edition: Edition): boolean {
  return edition.endsWith('-ce');
}

function isFaasd(edition: Edition): boolean {
  return edition.startsWith('faasd');
}

/** Kubernetes label key: optional DNS-1123 subdomain prefix (≤253) + '/' + qualified name (≤63). */
function validLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  let name = key;
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) return false;
  }
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

function validLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && QUALIFIED_NAME.test(value));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decode like Go's encoding/json into map[string]string: absent/null → {}, anything else but strings → 400. */
function stringMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) throw new HttpError(400, `${field}: expected an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw new HttpError(400, `${field}.${k}: expected a string`);
    out[k] = val;
  }
  return out;
}

function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `${field}: expected a string`);
  return v;
}

function stringArray(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw new HttpError(400, `${field}: expected an array of strings`);
  }
  return [...(v as string[])];
}

function resources(v: unknown, field: string): { memory?: string; cpu?: string } | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) throw new HttpError(400, `${field}: expected an object`);
  const memory = optionalString(v.memory, `${field}.memory`);
  const cpu = optionalString(v.cpu, `${field}.cpu`);
  const out: { memory?: string; cpu?: string } = {};
  if (memory) out.memory = memory;
  if (cpu) out.cpu = cpu;
  return out;
}

function copy(rec: Stored): FunctionRecord {
  const { readyAt: _ignored, ...rest } = rec;
  void _ignored;
  return structuredClone(rest);
}

interface ParsedDeployment {
  service: string;
  image: string;
  namespace?: string;
  envProcess?: string;
  envVars: Record<string, string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  secrets: string[];
  limits?: { memory?: string; cpu?: string };
  requests?: { memory?: string; cpu?: string };
  constraints: string[];
  readOnlyRootFilesystem: boolean;
}

export async function startGateway(options: GatewayOptions = {}): Promise<GatewayEmulator> {
  const edition: Edition = options.edition ?? 'faas-netes-ce';
  const ce = isCommunity(edition);
  const faasd = isFaasd(edition);
  const username = options.username ?? 'admin';
  const password = options.password ?? 'secret';
  const readyAfterMs = options.readyAfterMs ?? 0;
  const now = options.now ?? Date.now;
  const namespaces = ce ? [DEFAULT_NAMESPACE] : [...(options.namespaces ?? [DEFAULT_NAMESPACE])];
  const maxFunctions = options.maxFunctions ?? (ce ? 15 : Number.POSITIVE_INFINITY);
  /** Status for a successful deploy/delete/scale: faas-netes answers 202 Accepted, faasd 200 OK. */
  const okStatus = faasd ? 200 : 202;

  const store = new Map<string, Stored>();
  const calls: GatewayCall[] = [];
  let readiness: 'normal' | 'never' = 'normal';

  const key = (name: string, ns: string) => `${ns}/${name}`;

  function pendingUntil(): number {
    return readiness === 'never' ? Number.POSITIVE_INFINITY : Date.now() + readyAfterMs;
  }

  /** Settle readiness lazily: a pending function becomes available once its time has come. */
  function refresh(rec: Stored): Stored {
    if (rec.readyAt !== undefined && Date.now() >= rec.readyAt) {
      rec.availableReplicas = rec.replicas;
      rec.readyAt = undefined;
    }
    return rec;
  }

  function lookup(name: string, ns: string): Stored | undefined {
    const rec = store.get(key(name, ns));
    return rec ? refresh(rec) : undefined;
  }

  function checkNamespace(ns: string): void {
    if (!namespaces.includes(ns)) throw new HttpError(400, `namespace ${ns} is not allowed`);
  }

  function parseDeployment(body: unknown): ParsedDeployment {
    if (!isPlainObject(body)) throw new HttpError(400, 'invalid request body: expected a JSON object');
    const service = optionalString(body.service, 'service') ?? '';
    const image = optionalString(body.image, 'image') ?? '';
    if (!service) throw new HttpError(400, 'service is required');
    if (!image) throw new HttpError(400, 'image is required');
    if (service.length > 63 || !DNS1123_LABEL.test(service)) {
      throw new HttpError(400, `(${service}) must be a valid DNS entry for service name`);
    }
    const labels = stringMap(body.labels, 'labels');
    const annotations = stringMap(body.annotations, 'annotations');
    for (const [k, v] of Object.entries(labels)) {
      if (!validLabelKey(k)) throw new HttpError(400, `invalid label key: ${JSON.stringify(k)}`);
      if (!validLabelValue(v)) throw new HttpError(400, `invalid value for label ${k}: ${JSON.stringify(v)}`);
    }
    for (const k of Object.keys(annotations)) {
      if (!validLabelKey(k)) throw new HttpError(400, `invalid annotation key: ${JSON.stringify(k)}`);
    }
    if (ce) {
      for (const k of [...Object.keys(labels), ...Object.keys(annotations)]) {
        if (k.startsWith(SCALE_ZERO_PREFIX)) {
          throw new HttpError(400, `${k} is not supported in OpenFaaS Community Edition (scale to zero is an OpenFaaS Pro feature)`);
        }
      }
    }
    const rorf = body.readOnlyRootFilesystem;
    if (rorf !== undefined && rorf !== null && typeof rorf !== 'boolean') {
      throw new HttpError(400, 'readOnlyRootFilesystem: expected a boolean');
    }
    return {
      service,
      image,
      namespace: optionalString(body.namespace, 'namespace') || undefined,
      envProcess: optionalString(body.envProcess, 'envProcess') || undefined,
      envVars: stringMap(body.envVars, 'envVars'),
      labels,
      annotations,
      secrets: stringArray(body.secrets, 'secrets'),
      limits: resources(body.limits, 'limits'),
      requests: resources(body.requests, 'requests'),
      constraints: stringArray(body.constraints, 'constraints'),
      readOnlyRootFilesystem: rorf === true,
    };
  }

  function applySpec(rec: Stored, d: ParsedDeployment): void {
    rec.image = d.image;
    rec.labels = d.labels;
    rec.annotations = d.annotations;
    rec.envVars = d.envVars;
    rec.envProcess = d.envProcess;
    rec.secrets = d.secrets;
    rec.limits = d.limits && Object.keys(d.limits).length > 0 ? d.limits : undefined;
    rec.requests = d.requests && Object.keys(d.requests).length > 0 ? d.requests : undefined;
    rec.constraints = d.constraints.length > 0 ? d.constraints : undefined;
    rec.readOnlyRootFilesystem = d.readOnlyRootFilesystem || undefined;
  }

  /** FunctionStatus as the Go struct marshals it: field order of faas-provider, omitempty everywhere. */
  function status(rec: Stored, withInvocations: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = { name: rec.name, image: rec.image };
    if (rec.namespace) out.namespace = rec.namespace;
    if (rec.envProcess) out.envProcess = rec.envProcess;
    if (Object.keys(rec.envVars).length > 0) out.envVars = { ...rec.envVars };
    if (rec.constraints && rec.constraints.length > 0) out.constraints = [...rec.constraints];
    if (rec.secrets.length > 0) out.secrets = [...rec.secrets];
    if (Object.keys(rec.labels).length > 0) out.labels = { ...rec.labels };
    if (Object.keys(rec.annotations).length > 0) out.annotations = { ...rec.annotations };
    if (rec.limits && Object.keys(rec.limits).length > 0) out.limits = { ...rec.limits };
    if (rec.requests && Object.keys(rec.requests).length > 0) out.requests = { ...rec.requests };
    if (rec.readOnlyRootFilesystem) out.readOnlyRootFilesystem = true;
    if (withInvocations && rec.invocationCount) out.invocationCount = rec.invocationCount;
    if (rec.replicas) out.replicas = rec.replicas;
    if (rec.availableReplicas) out.availableReplicas = rec.availableReplicas;
    out.createdAt = rec.createdAt;
    return out;
  }

  function scaleTo(rec: Stored, replicas: number): void {
    rec.replicas = replicas;
    if (replicas === 0) {
      rec.availableReplicas = 0;
      rec.readyAt = undefined;
    } else if (replicas < rec.availableReplicas) {
      rec.availableReplicas = replicas;
    } else if (replicas > rec.availableReplicas && rec.readyAt === undefined) {
      rec.readyAt = pendingUntil();
    }
  }

  // ---- handlers -------------------------------------------------------------------------------------

  type Reply = { status: number; json?: unknown; text?: string; headers?: Record<string, string> };

  function parseJsonBody(raw: string): unknown {
    if (raw.trim() === '') throw new HttpError(400, 'request body is empty');
    try {
      return JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'invalid JSON in request body');
    }
  }

  function namespaceFrom(query: URLSearchParams, bodyNs?: string): string {
    return bodyNs || query.get('namespace') || DEFAULT_NAMESPACE;
  }

  function info(): Reply {
    return {
      status: 200,
      json: {
        provider: {
          provider: edition,
          orchestration: faasd ? 'containerd' : 'kubernetes',
          version: { sha: 'emulated0000000000000000000000000000000', release: faasd ? '0.19.0-emulated' : '0.18.0-emulated' },
        },
        version: { commit_message: 'faas-preview emulated gateway', sha: 'emulated0000000000000000000000000000000', release: '0.27.0-emulated' },
        arch: 'x86_64',
      },
    };
  }

  function list(query: URLSearchParams): Reply {
    const ns = namespaceFrom(query);
    checkNamespace(ns);
    const items: unknown[] = [];
    for (const rec of store.values()) {
      if (rec.namespace === ns) items.push(status(refresh(rec), true));
    }
    return { status: 200, json: items };
  }

  function describe(name: string, query: URLSearchParams): Reply {
    const ns = namespaceFrom(query);
    checkNamespace(ns);
    const rec = lookup(name, ns);
    if (!rec) throw new HttpError(404, `function ${name} not found in namespace ${ns}`);
    return { status: 200, json: status(rec, false) };
  }

  function deploy(raw: string, query: URLSearchParams): Reply {
    const d = parseDeployment(parseJsonBody(raw));
    const ns = namespaceFrom(query, d.namespace);
    checkNamespace(ns);
    if (store.has(key(d.service, ns))) {
      throw new HttpError(500, `Unable create Deployment: deployment.apps "${d.service}" already exists`);
    }
    if (store.size >= maxFunctions) {
      throw new HttpError(
        400,
        `the OpenFaaS Community Edition limit of ${maxFunctions} functions has been reached; upgrade to OpenFaaS Pro for more`,
      );
    }
    const rec: Stored = {
      name: d.service,
      namespace: ns,
      image: d.image,
      labels: {},
      annotations: {},
      envVars: {},
      secrets: [],
      replicas: 1,
      availableReplicas: 0,
      invocationCount: 0,
      createdAt: new Date(now()).toISOString(),
      deployCount: 1,
      readyAt: pendingUntil(),
    };
    applySpec(rec, d);
    store.set(key(d.service, ns), rec);
    return { status: okStatus };
  }

  function update(raw: string, query: URLSearchParams): Reply {
    const d = parseDeployment(parseJsonBody(raw));
    const ns = namespaceFrom(query, d.namespace);
    checkNamespace(ns);
    const rec = lookup(d.service, ns);
    if (!rec) throw new HttpError(404, `deployment not found: ${d.service}`);
    applySpec(rec, d);
    rec.deployCount += 1;
    rec.availableReplicas = 0;
    rec.readyAt = rec.replicas > 0 ? pendingUntil() : undefined;
    return { status: 202 };
  }

  function remove(raw: string, query: URLSearchParams): Reply {
    const body = parseJsonBody(raw);
    if (!isPlainObject(body)) throw new HttpError(400, 'invalid request body: expected a JSON object');
    const name = optionalString(body.functionName, 'functionName');
    if (!name) throw new HttpError(400, 'functionName is required in the request body');
    const bodyNs = optionalString(body.namespace, 'namespace') || undefined;
    const queryNs = query.get('namespace') || undefined;
    if (bodyNs && queryNs && bodyNs !== queryNs) {
      throw new HttpError(400, `namespace in the query (${queryNs}) and in the body (${bodyNs}) differ`);
    }
    const ns = bodyNs ?? queryNs ?? DEFAULT_NAMESPACE;
    checkNamespace(ns);
    if (!store.has(key(name, ns))) throw new HttpError(404, `function ${name} not found in namespace ${ns}`);
    store.delete(key(name, ns));
    return { status: okStatus };
  }

  function scale(name: string, raw: string, query: URLSearchParams): Reply {
    const body = parseJsonBody(raw);
    if (!isPlainObject(body)) throw new HttpError(400, 'invalid request body: expected a JSON object');
    const replicas = body.replicas ?? 0;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new HttpError(400, 'replicas: expected a non-negative integer');
    }
    const ns = namespaceFrom(query, optionalString(body.namespace, 'namespace'));
    checkNamespace(ns);
    const rec = lookup(name, ns);
    if (!rec) {
      // faas-netes surfaces the Kubernetes "not found" as a 500; faasd answers 404.
      if (faasd) throw new HttpError(404, `service ${name} not found`);
      throw new HttpError(500, `Unable to lookup function deployment ${name}: deployments.apps "${name}" not found`);
    }
    if (ce && replicas === 0) {
      throw new HttpError(400, 'scale to zero is not supported in OpenFaaS Community Edition (OpenFaaS Pro feature)');
    }
    scaleTo(rec, ce ? Math.min(Math.max(replicas, 1), CE_MAX_REPLICAS) : replicas);
    return { status: okStatus };
  }

  async function proxy(method: string, rest: string): Promise<Reply> {
    const slash = rest.indexOf('/');
    const target = decodeURIComponent(slash >= 0 ? rest.slice(0, slash) : rest);
    const subPath = slash >= 0 ? rest.slice(slash) : '/';
    const dot = target.indexOf('.');
    const name = dot >= 0 ? target.slice(0, dot) : target;
    const ns = dot >= 0 ? target.slice(dot + 1) : DEFAULT_NAMESPACE;
    if (!name) throw new HttpError(404, 'Not Found');
    checkNamespace(ns);
    const rec = lookup(name, ns);
    if (!rec) throw new HttpError(404, `Cannot find service: ${name}.${ns}.`);
    if (rec.replicas === 0) {
      if (ce) throw new HttpError(502, `no endpoints available for service ${name}.${ns} (scaled to zero)`);
      scaleTo(rec, 1); // scale from zero (Pro / Edge gateway)
    }
    if (rec.availableReplicas === 0) {
      const readyAt = rec.readyAt ?? Number.POSITIVE_INFINITY;
      if (!Number.isFinite(readyAt)) {
        throw new HttpError(502, `no endpoints available for service ${name}.${ns}`);
      }
      const wait = readyAt - Date.now();
      if (wait > 0) await new Promise<void>((r) => setTimeout(r, wait).unref());
      refresh(rec);
    }
    rec.invocationCount += 1;
    return {
      status: 200,
      headers: { 'X-Faas-Preview-Emulated': 'true' },
      json: {
        emulated: true,
        function: rec.name,
        namespace: rec.namespace,
        image: rec.image,
        sha: rec.labels['faas-preview/sha'] ?? null,
        method,
        path: subPath,
      },
    };
  }

  function authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const m = /^basic\s+(\S+)$/i.exec(header.trim());
    if (!m) return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    return decoded.slice(0, colon) === username && decoded.slice(colon + 1) === password;
  }

  async function route(req: IncomingMessage, raw: string, path: string, query: URLSearchParams): Promise<Reply> {
    const method = req.method ?? 'GET';
    const isGet = method === 'GET' || method === 'HEAD';
    const notAllowed = (): Reply => ({ status: 405, text: 'Method Not Allowed' });

    if (path === '/healthz') return isGet ? { status: 200, text: 'OK' } : notAllowed();

    if (path.startsWith('/function/')) return proxy(method, path.slice('/function/'.length));

    if (path.startsWith('/system/')) {
      if (!authorized(req)) {
        return { status: 401, text: 'invalid credentials', headers: { 'WWW-Authenticate': 'Basic realm="Restricted"' } };
      }
      if (path === '/system/info') return isGet ? info() : notAllowed();
      if (path === '/system/functions') {
        switch (method) {
          case 'GET':
          case 'HEAD':
            return list(query);
          case 'POST':
            return deploy(raw, query);
          case 'PUT':
            return update(raw, query);
          case 'DELETE':
            return remove(raw, query);
          default:
            return notAllowed();
        }
      }
      let m = /^\/system\/function\/([^/]+)$/.exec(path);
      if (m) return isGet ? describe(decodeURIComponent(m[1]), query) : notAllowed();
      m = /^\/system\/scale-function\/([^/]+)$/.exec(path);
      if (m) return method === 'POST' ? scale(decodeURIComponent(m[1]), raw, query) : notAllowed();
    }
    return { status: 404, text: '404 page not found' };
  }

  function send(res: ServerResponse, call: GatewayCall, reply: Reply): void {
    call.status = reply.status;
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    let payload = '';
    if (reply.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(reply.json);
    } else if (reply.text !== undefined) {
      headers['Content-Type'] = 'text/plain; charset=utf-8';
      payload = reply.text.endsWith('\n') ? reply.text : `${reply.text}\n`;
    }
    headers['Content-Length'] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(call.method === 'HEAD' ? undefined : payload);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const call: GatewayCall = { method: req.method ?? 'GET', path: url.pathname, query: url.search.replace(/^\?/, ''), status: 0 };
    calls.push(call);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (raw.length > 0) {
        try {
          call.body = JSON.parse(raw);
        } catch {
          call.body = raw;
        }
      }
      route(req, raw, url.pathname, url.searchParams)
        .catch((err: unknown): Reply => {
          if (err instanceof HttpError) return { status: err.status, text: err.message };
          return { status: 500, text: `emulator error: ${err instanceof Error ? err.message : String(err)}` };
        })
        .then((reply) => send(res, call, reply));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    edition,
    calls,
    functions(namespace?: string): FunctionRecord[] {
      const out: FunctionRecord[] = [];
      for (const rec of store.values()) {
        if (namespace === undefined || rec.namespace === namespace) out.push(copy(refresh(rec)));
      }
      return out;
    },
    get(name: string, namespace = DEFAULT_NAMESPACE): FunctionRecord | undefined {
      const rec = lookup(name, namespace);
      return rec ? copy(rec) : undefined;
    },
    seed(fn): FunctionRecord {
      const ns = fn.namespace ?? DEFAULT_NAMESPACE;
      if (!namespaces.includes(ns)) throw new Error(`seed: namespace ${ns} is not allowed on this gateway`);
      if (store.has(key(fn.name, ns))) throw new Error(`seed: function ${ns}/${fn.name} already exists`);
      const replicas = fn.replicas ?? 1;
      const rec: Stored = {
        name: fn.name,
        namespace: ns,
        image: fn.image,
        labels: { ...(fn.labels ?? {}) },
        annotations: { ...(fn.annotations ?? {}) },
        envVars: { ...(fn.envVars ?? {}) },
        envProcess: fn.envProcess,
        secrets: [...(fn.secrets ?? [])],
        limits: fn.limits ? { ...fn.limits } : undefined,
        requests: fn.requests ? { ...fn.requests } : undefined,
        constraints: fn.constraints ? [...fn.constraints] : undefined,
        readOnlyRootFilesystem: fn.readOnlyRootFilesystem,
        replicas,
        availableReplicas: fn.availableReplicas ?? replicas,
        invocationCount: fn.invocationCount ?? 0,
        createdAt: fn.createdAt ?? new Date(now()).toISOString(),
        deployCount: fn.deployCount ?? 0,
      };
      store.set(key(fn.name, ns), rec);
      return copy(rec);
    },
    invoke(name: string, count = 1, namespace = DEFAULT_NAMESPACE): void {
      const rec = lookup(name, namespace);
      if (!rec) throw new Error(`invoke: function ${namespace}/${name} does not exist`);
      rec.invocationCount += count;
    },
    restart(): void {
      for (const rec of store.values()) rec.invocationCount = 0;
    },
    setReadiness(mode: 'normal' | 'never'): void {
      readiness = mode;
      for (const rec of store.values()) {
        if (rec.readyAt === undefined) continue;
        if (mode === 'never') rec.readyAt = Number.POSITIVE_INFINITY;
        else if (!Number.isFinite(rec.readyAt)) rec.readyAt = Date.now() + readyAfterMs;
      }
    },
    close(): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
