/**
 * What both emulated providers share: the function records tests read, the runtime behaviour of an image, the
 * instances (pods or containerd tasks) that run a version of a function and when they are ready and listening, and
 * the stand-in answer a running function gives.
 */
import type { FunctionDeployment, Reply, Resources } from './wire.js';

/** `*-ce` = Community Edition; `faas-netes` = OpenFaaS Pro on Kubernetes; `faasd` = OpenFaaS Edge. */
export type Edition = 'faas-netes-ce' | 'faasd-ce' | 'faas-netes' | 'faasd';

export const DEFAULT_NAMESPACE = 'openfaas-fn';

/** How the container built from an image behaves once started. Tests set it per image tag. */
export interface ImageBehaviour {
  /** The function process listens this long after its container started (the replica is "available" before). */
  listenAfterMs?: number;
  /** The container never becomes ready: a crash loop or a failing readiness probe. */
  neverStarts?: boolean;
  /** The status the function itself answers with (default 200). */
  status?: number;
  /** false: the function does not expose its version (no `X-Faas-Preview-Sha` header). Default true. */
  exposeSha?: boolean;
  /** Headers the function adds to its answers (a Set-Cookie, say). */
  headers?: Record<string, string>;
}

/** The spec a provider holds for a function, as it was sent. */
export interface FunctionSpec {
  image: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  envVars: Record<string, string>;
  envProcess?: string;
  secrets: string[];
  limits?: Resources;
  requests?: Resources;
  constraints?: string[];
  readOnlyRootFilesystem?: boolean;
}

export interface FunctionRecord extends FunctionSpec {
  name: string;
  namespace: string;
  replicas: number;
  availableReplicas: number;
  /** The lifetime invocation counter as the gateway's /metrics has it (Prometheus may lag behind). */
  invocationCount: number;
  createdAt: string;
  /** How many POST/PUT the provider applied. */
  deployCount: number;
  /** The version that answers `/function/<name>` now; undefined when no instance is ready. */
  serving?: { image: string; sha?: string };
}

export type SeedInput = Partial<FunctionRecord> & { name: string; image: string };

export interface Version {
  spec: FunctionSpec;
  behaviour: ImageBehaviour;
}

/** A pod (faas-netes) or a containerd task (faasd) running one version. */
export interface Instance {
  version: Version;
  startedAt: number;
  /** Wall-clock ms at which the instance counts as available; Infinity = not (yet) foreseeable. */
  readyAt: number;
  /** Held back by `setReadiness('never')` rather than by its image. */
  heldBack: boolean;
}

export class Readiness {
  mode: 'normal' | 'never' = 'normal';

  constructor(readonly readyAfterMs: number) {}

  start(version: Version, delayMs = this.readyAfterMs): Instance {
    const startedAt = Date.now();
    const heldBack = this.mode === 'never' && !version.behaviour.neverStarts;
    const readyAt = version.behaviour.neverStarts || heldBack ? Number.POSITIVE_INFINITY : startedAt + delayMs;
    return { version, startedAt, readyAt, heldBack };
  }

  /** Applies a mode change to instances that are not ready yet. */
  apply(instances: Instance[]): void {
    const now = Date.now();
    for (const i of instances) {
      if (i.readyAt <= now || i.version.behaviour.neverStarts || (this.mode === 'normal' && !i.heldBack)) continue;
      i.heldBack = this.mode === 'never';
      i.readyAt = i.heldBack ? Number.POSITIVE_INFINITY : now + this.readyAfterMs;
    }
  }
}

/** Everything a provider needs from the emulator around it. */
export interface World {
  edition: Edition;
  ce: boolean;
  namespaces: string[];
  maxFunctions: number;
  /** faas-netes: how long a deleted function's Deployment stays while its pods terminate (0: gone at once). */
  terminationMs: number;
  readiness: Readiness;
  /** Clock for createdAt. */
  now: () => number;
  behaviour(image: string): ImageBehaviour;
  /** faas-netes CE pulls anonymously: may this image be pulled without credentials? */
  isPublic(image: string): boolean;
  /** Does the image exist for the provider's puller at all? */
  isPullable(image: string): boolean;
  /** Secrets by `<namespace>/<name>`. */
  secrets: Map<string, string>;
}

export interface Provider {
  info: { orchestration: string; release: string };
  list(query: URLSearchParams): Reply;
  get(name: string, query: URLSearchParams): Reply;
  deploy(raw: string): Reply;
  update(raw: string): Reply;
  remove(raw: string, query: URLSearchParams): Reply;
  scale(name: string, raw: string, query: URLSearchParams): Reply;
  secrets(method: string, raw: string, query: URLSearchParams): Reply;
  /** The gateway's service query: desired and available replicas, undefined when the function is unknown. */
  replicas(name: string, namespace: string): { replicas: number; available: number } | undefined;
  /** The gateway's SetReplicas when it scales from zero; the provider's refusal, if any. */
  setReplicas(name: string, namespace: string, replicas: number): string | undefined;
  /** The provider's function proxy; `target` is the name as requested (`name` or `name.namespace`). */
  invoke(target: string, name: string, namespace: string, method: string, path: string): Reply;
  records(): Omit<FunctionRecord, 'invocationCount'>[];
  record(name: string, namespace: string): Omit<FunctionRecord, 'invocationCount'> | undefined;
  seed(fn: SeedInput): void;
  instances(): Instance[];
}

export function specOf(d: FunctionDeployment): FunctionSpec {
  return {
    image: d.image,
    labels: { ...d.labels },
    annotations: { ...d.annotations },
    envVars: { ...d.envVars },
    envProcess: d.envProcess || undefined,
    secrets: [...d.secrets],
    limits: d.limits && (d.limits.memory || d.limits.cpu) ? { ...d.limits } : undefined,
    requests: d.requests && (d.requests.memory || d.requests.cpu) ? { ...d.requests } : undefined,
    constraints: d.constraints.length > 0 ? [...d.constraints] : undefined,
    readOnlyRootFilesystem: d.readOnlyRootFilesystem || undefined,
  };
}

export function seedSpec(fn: SeedInput): FunctionSpec {
  return structuredClone({
    image: fn.image,
    labels: fn.labels ?? {},
    annotations: fn.annotations ?? {},
    envVars: fn.envVars ?? {},
    envProcess: fn.envProcess,
    secrets: fn.secrets ?? [],
    limits: fn.limits,
    requests: fn.requests,
    constraints: fn.constraints,
    readOnlyRootFilesystem: fn.readOnlyRootFilesystem,
  });
}

/** The functions a provider holds, by namespace and name. */
export abstract class FunctionStore<T extends { name: string; namespace: string }> {
  protected readonly fns = new Map<string, T>();

  protected fn(name: string, namespace: string): T | undefined {
    return this.fns.get(`${namespace}/${name}`);
  }

  protected put(fn: T): void {
    this.fns.set(`${fn.namespace}/${fn.name}`, fn);
  }

  protected drop(name: string, namespace: string): void {
    this.fns.delete(`${namespace}/${name}`);
  }

  protected abstract recordOf(fn: T): Omit<FunctionRecord, 'invocationCount'>;

  records(): Omit<FunctionRecord, 'invocationCount'>[] {
    return [...this.fns.values()].map((fn) => this.recordOf(fn));
  }

  record(name: string, namespace: string): Omit<FunctionRecord, 'invocationCount'> | undefined {
    const fn = this.fn(name, namespace);
    return fn && this.recordOf(fn);
  }
}

/** The first of these secrets that does not exist in the namespace. */
export function missingSecret(w: World, secrets: string[], namespace: string): string | undefined {
  return secrets.find((s) => !w.secrets.has(`${namespace}/${s}`));
}

export function secretNames(w: World, namespace: string): string[] {
  return [...w.secrets.keys()].filter((k) => k.startsWith(`${namespace}/`)).map((k) => k.slice(namespace.length + 1));
}

export const PROXIED_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export function listening(instance: Instance, now = Date.now()): boolean {
  return now >= instance.startedAt + (instance.version.behaviour.listenAfterMs ?? 0);
}

/** The record fields every provider fills the same way from the version it holds. */
export function recordOf(name: string, namespace: string, spec: FunctionSpec, serving: Instance | undefined) {
  const sha = serving?.version.spec.labels['faas-preview/sha'];
  return {
    ...structuredClone(spec),
    name,
    namespace,
    serving: serving ? { image: serving.version.spec.image, ...(sha ? { sha } : {}) } : undefined,
  };
}

/**
 * What a running function answers: an honest stand-in that describes itself. A function exposes its version in
 * `X-Faas-Preview-Sha` (its FAAS_PREVIEW_SHA env var) unless its image says it does not.
 */
export function standIn(name: string, namespace: string, instance: Instance, method: string, path: string): Reply {
  const { spec, behaviour } = instance.version;
  const headers: Record<string, string> = { ...behaviour.headers, 'X-Faas-Preview-Emulated': 'true' };
  const sha = spec.envVars.FAAS_PREVIEW_SHA;
  if (sha && behaviour.exposeSha !== false) headers['X-Faas-Preview-Sha'] = sha;
  return {
    status: behaviour.status ?? 200,
    headers,
    json: {
      emulated: true,
      function: name,
      namespace,
      image: spec.image,
      sha: spec.labels['faas-preview/sha'] ?? null,
      method,
      path,
    },
  };
}
