/**
 * faasd CE and OpenFaaS Edge, after faasd pkg/provider/handlers/{deploy,update,delete,scale,read,replicas,functions,
 * secret,invoke_resolver}.go and the measured behaviour in docs/architecture.md ("Provider facts"): one containerd container and task per function,
 * created synchronously (the image is pulled before the POST answers), nothing validated beyond what containerd
 * refuses, an update that deletes the function and deploys it again.
 */
import { binarySI, normalizeImage, quantityBytes } from './kube.js';
import {
  DEFAULT_NAMESPACE,
  FunctionStore,
  PROXIED_METHODS,
  listening,
  missingSecret,
  recordOf,
  secretNames,
  seedSpec,
  specOf,
  standIn,
  type FunctionSpec,
  type Instance,
  type Provider,
  type SeedInput,
  type World,
} from './model.js';
import {
  decodeDelete,
  decodeDeployment,
  decodeScale,
  decodeSecret,
  empty,
  goError,
  rfc3339,
  type FunctionDeployment,
  type Reply,
} from './wire.js';

const ANNOTATION_PREFIX = 'com.openfaas.annotations.';
const CONTAINER_ID = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
const SECRETS_DIR = '/var/lib/faasd-provider/secrets';

type Task = 'running' | 'paused' | 'stopped' | 'none';

interface FaasdFunction {
  name: string;
  namespace: string;
  /** The task's process; `task` says whether it runs. */
  instance: Instance;
  task: Task;
  createdAt: string;
  deployCount: number;
}

/** deploy.go prepareEnv then functions.go readEnvFromProcessEnv: what survives the round trip through `K=V`. */
function envOnRead(spec: FunctionSpec): { envVars: Record<string, string>; envProcess?: string } {
  let fprocess = spec.envProcess ? `fprocess=${spec.envProcess}` : undefined;
  const env: string[] = [];
  for (const [k, v] of Object.entries(spec.envVars)) {
    if (k === 'fprocess') fprocess = v;
    else env.push(`${k}=${v}`);
  }
  if (fprocess !== undefined) env.push(fprocess);
  const envVars: Record<string, string> = {};
  let envProcess: string | undefined;
  for (const kv of env.map((e) => e.split('='))) {
    if (kv.length === 1 || kv[0] === 'PATH') continue;
    if (kv[0] === 'fprocess') envProcess = kv[1];
    else envVars[kv[0]] = kv[1];
  }
  return { envVars, envProcess };
}

/** Container labels hold labels and prefixed annotations; buildLabelsAndAnnotations splits them by prefix. */
function labelsOnRead(spec: FunctionSpec): { labels: Record<string, string>; annotations: Record<string, string> } {
  const all: Record<string, string> = { ...spec.labels };
  for (const [k, v] of Object.entries(spec.annotations)) all[`${ANNOTATION_PREFIX}${k}`] = v;
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith(ANNOTATION_PREFIX)) annotations[k.slice(ANNOTATION_PREFIX.length)] = v;
    else labels[k] = v;
  }
  return { labels, annotations };
}

export class Faasd extends FunctionStore<FaasdFunction> implements Provider {
  readonly info = { orchestration: 'containerd', release: '0.19.7' };
  private nanos = 0;

  constructor(private readonly w: World) {
    super();
  }

  private validNamespace(namespace: string): boolean {
    return this.w.namespaces.includes(namespace);
  }

  private limitError(): Reply {
    return goError(
      400,
      `the OpenFaaS CE EULA only permits: ${this.w.maxFunctions} functions, visit https://openfaas.com/pricing to upgrade to OpenFaaS Standard`,
    );
  }

  /** containerd's container CreatedAt: nanoseconds, new for every container. */
  private createdAt(): string {
    const ms = this.w.now();
    this.nanos = (this.nanos % 999_983) + 1;
    return rfc3339(ms, (ms % 1000) * 1e6 + this.nanos);
  }

  /** What deploy and update both do first: decode, then check the namespace exists. */
  private accept(raw: string): { d: FunctionDeployment; ns: string } | Reply {
    let d: FunctionDeployment;
    try {
      d = decodeDeployment(raw);
    } catch (err) {
      return goError(400, (err as Error).message);
    }
    const ns = d.namespace || DEFAULT_NAMESPACE;
    return this.validNamespace(ns) ? { d, ns } : goError(400, 'namespace not valid');
  }

  deploy(raw: string): Reply {
    const accepted = this.accept(raw);
    if ('status' in accepted) return accepted;
    const { d, ns } = accepted;
    const missing = missingSecret(this.w, d.secrets, ns);
    if (missing) return goError(400, `unable to find secret: ${missing}`);
    if (this.fns.size + 1 > this.w.maxFunctions) return this.limitError();
    const err = this.create(d, ns, 1);
    return err ? goError(400, err) : empty(200);
  }

  /** deploy.go deploy(): pull, labels, container, task. Returns the error text, if any. */
  private create(d: FunctionDeployment, namespace: string, deployCount: number): string | undefined {
    const ref = normalizeImage(d.image);
    if (!ref) return 'invalid reference format';
    if (!this.w.isPullable(d.image))
      return `unable to pull image ${ref}: failed to resolve reference "${ref}": not found`;
    const clash = Object.keys(d.annotations).find((k) => `${ANNOTATION_PREFIX}${k}` in d.labels);
    if (clash)
      return `unable to apply labels to container: ${d.service}, error: Key ${clash} cannot be used as a label due to a conflict with annotation prefix ${ANNOTATION_PREFIX}`;
    if (!CONTAINER_ID.test(d.service) || d.service.length > 76) {
      return `unable to create container: ${d.service}, error: identifier "${d.service}": must match ${CONTAINER_ID.source}: invalid argument`;
    }
    if (this.fn(d.service, namespace))
      return `unable to create container: ${d.service}, error: snapshot ${d.service}-snapshot: already exists`;
    const version = { spec: { ...specOf(d), image: ref }, behaviour: { ...this.w.behaviour(d.image) } };
    const fn: FaasdFunction = {
      name: d.service,
      namespace,
      instance: { version, startedAt: 0, readyAt: 0, heldBack: false },
      task: 'none',
      createdAt: this.createdAt(),
      deployCount,
    };
    this.put(fn);
    return this.startTask(fn);
  }

  /** createTask: a secret mount whose file is missing fails the task; a crashing process leaves it stopped. */
  private startTask(fn: FaasdFunction): string | undefined {
    const missing = missingSecret(this.w, fn.instance.version.spec.secrets, fn.namespace);
    if (missing) {
      fn.task = 'none';
      return `unable to start task: ${fn.name}, error: failed to mount ${SECRETS_DIR}/${fn.namespace}/${missing}: no such file or directory`;
    }
    fn.instance.startedAt = Date.now();
    fn.instance.readyAt = fn.instance.startedAt;
    const crashes = fn.instance.version.behaviour.neverStarts || this.w.readiness.mode === 'never';
    fn.task = crashes ? 'stopped' : 'running';
    return undefined;
  }

  /**
   * update.go: the secret check and the pull only write an error and carry on; the function is removed and
   * deployed again, so an unpullable image leaves no function and a missing secret leaves one without a task.
   * net/http keeps the first status and appends every error body.
   */
  update(raw: string): Reply {
    const accepted = this.accept(raw);
    if ('status' in accepted) return accepted;
    const { d, ns } = accepted;
    if (this.fns.size > this.w.maxFunctions) return this.limitError();
    const fn = this.fn(d.service, ns);
    if (!fn) return goError(404, `service ${d.service} not found`);
    const errors: Reply[] = [];
    const missing = missingSecret(this.w, d.secrets, ns);
    if (missing) errors.push(goError(400, `unable to find secret: ${missing}`));
    const ref = normalizeImage(d.image);
    if (!ref || !this.w.isPullable(d.image))
      errors.push(
        goError(
          500,
          ref
            ? `unable to pull image ${ref}: failed to resolve reference "${ref}": not found`
            : 'invalid reference format',
        ),
      );
    this.drop(d.service, ns);
    const err = this.create(d, ns, fn.deployCount + 1);
    if (err) errors.push(goError(400, err));
    if (errors.length === 0) return empty(200);
    return { status: errors[0].status, text: errors.map((e) => e.text).join('') };
  }

  /** delete.go (current faasd): the namespace comes from the body only. */
  remove(raw: string): Reply {
    let r: { functionName: string; namespace: string };
    try {
      r = decodeDelete(raw);
    } catch (err) {
      return goError(400, (err as Error).message);
    }
    const ns = r.namespace || DEFAULT_NAMESPACE;
    if (!this.validNamespace(ns)) return goError(400, 'namespace not valid');
    if (!this.fn(r.functionName, ns)) return goError(404, `service ${r.functionName} not found`);
    this.drop(r.functionName, ns);
    return empty(200);
  }

  /**
   * scale.go: the name comes from the body's serviceName, the namespace from the query. 0 pauses a running task;
   * any request resumes a paused one (scaling a paused function to 0 resumes it); a stopped or missing task is
   * created again. There is only ever one replica.
   */
  scale(_name: string, raw: string, query: URLSearchParams): Reply {
    let r: { serviceName: string; replicas: number };
    try {
      r = decodeScale(raw);
    } catch (err) {
      return goError(400, (err as Error).message);
    }
    const ns = query.get('namespace') || DEFAULT_NAMESPACE;
    if (!this.validNamespace(ns)) return goError(400, 'namespace not valid');
    const fn = this.fn(r.serviceName, ns);
    if (!fn) return goError(404, `service ${r.serviceName} not found`);
    const before = fn.task;
    if (r.replicas === 0 && before === 'running') fn.task = 'paused';
    if (before === 'paused') fn.task = 'running';
    if (before === 'stopped' || before === 'none') {
      const err = this.startTask(fn);
      if (err) return goError(400, err);
    }
    return empty(200);
  }

  list(query: URLSearchParams): Reply {
    const ns = query.get('namespace') || DEFAULT_NAMESPACE;
    if (!this.validNamespace(ns)) return goError(400, 'namespace not valid');
    return {
      status: 200,
      json: [...this.fns.values()].filter((f) => f.namespace === ns).map((f) => this.listStatus(f)),
    };
  }

  get(name: string, query: URLSearchParams): Reply {
    const ns = query.get('namespace') || DEFAULT_NAMESPACE;
    if (!this.validNamespace(ns)) return goError(400, 'namespace not valid');
    const fn = this.fn(name, ns);
    if (!fn) return empty(404);
    const replicas = fn.task === 'running' ? 1 : 0;
    return { status: 200, json: { ...this.status(fn), ...(replicas ? { availableReplicas: replicas } : {}) } };
  }

  /** read.go: no availableReplicas; limits with the memory limit only, in BinarySI, when one is set. */
  private listStatus(fn: FaasdFunction): Record<string, unknown> {
    const out = this.status(fn);
    const memory = fn.instance.version.spec.limits?.memory;
    const limit = binarySI(memory ? quantityBytes(memory) : 0);
    if (limit !== '0') out.limits = { memory: limit };
    return out;
  }

  private status(fn: FaasdFunction): Record<string, unknown> {
    const spec = fn.instance.version.spec;
    const { envVars, envProcess } = envOnRead(spec);
    const out: Record<string, unknown> = { name: fn.name, image: spec.image };
    if (fn.task === 'running') out.replicas = 1;
    if (envProcess) out.envProcess = envProcess;
    Object.assign(out, labelsOnRead(spec), { namespace: fn.namespace });
    if (Object.keys(envVars).length > 0) out.envVars = envVars;
    if (spec.secrets.length > 0) out.secrets = [...spec.secrets];
    out.createdAt = fn.createdAt;
    return out;
  }

  /** secret.go: files under the secrets directory; write errors are 500s, a list without Content-Type. */
  secrets(method: string, raw: string, query: URLSearchParams): Reply {
    if (method === 'GET') {
      const ns = query.get('namespace') || DEFAULT_NAMESPACE;
      if (!this.validNamespace(ns)) return goError(400, 'namespace not valid');
      return { status: 200, text: JSON.stringify(secretNames(this.w, ns).map((name) => ({ name, namespace: ns }))) };
    }
    if (!['POST', 'PUT', 'DELETE'].includes(method)) return empty(400);
    let s: { name: string; namespace: string; value: string };
    try {
      s = decodeSecret(raw);
    } catch (err) {
      return goError(500, (err as Error).message);
    }
    if (method === 'DELETE') {
      const ns = query.get('namespace') || DEFAULT_NAMESPACE;
      const removed = this.w.secrets.delete(`${ns}/${s.name}`);
      return removed ? empty(200) : goError(500, `remove ${SECRETS_DIR}/${ns}/${s.name}: no such file or directory`);
    }
    if (!s.name.trim()) return goError(400, 'non-empty name is required');
    if (s.name.includes('/') || s.name.includes('..')) return goError(400, 'directory traversal found in name');
    this.w.secrets.set(`${s.namespace || DEFAULT_NAMESPACE}/${s.name}`, s.value);
    return empty(200);
  }

  replicas(name: string, namespace: string): { replicas: number; available: number } | undefined {
    const fn = this.fn(name, namespace);
    if (!fn) return undefined;
    const n = fn.task === 'running' ? 1 : 0;
    return { replicas: n, available: n };
  }

  setReplicas(name: string, namespace: string, replicas: number): string | undefined {
    const reply = this.scale(name, JSON.stringify({ serviceName: name, replicas }), new URLSearchParams({ namespace }));
    return reply.status === 200 ? undefined : (reply.text ?? '').trim();
  }

  /** The provider's proxy: a task that runs but whose process does not listen yet is "Can't reach service" (measured). */
  invoke(target: string, name: string, namespace: string, method: string, path: string): Reply {
    if (!PROXIED_METHODS.has(method)) return empty(405);
    const fn = this.fn(name, namespace);
    if (!fn) return { status: 404, text: `Cannot find service: ${target}.` };
    if (fn.task !== 'running' || !listening(fn.instance))
      return { status: 500, text: `Can't reach service for: ${target}.` };
    return standIn(fn.name, fn.namespace, fn.instance, method, path);
  }

  protected recordOf(fn: FaasdFunction) {
    const running = fn.task === 'running' ? 1 : 0;
    return {
      ...recordOf(fn.name, fn.namespace, fn.instance.version.spec, running ? fn.instance : undefined),
      replicas: running,
      availableReplicas: running,
      createdAt: fn.createdAt,
      deployCount: fn.deployCount,
    };
  }

  seed(input: SeedInput): void {
    const ns = input.namespace ?? DEFAULT_NAMESPACE;
    const spec = seedSpec(input);
    spec.image = normalizeImage(spec.image) ?? spec.image;
    const replicas = input.replicas ?? 1;
    const ready = (input.availableReplicas ?? replicas) > 0;
    const version = { spec, behaviour: { ...this.w.behaviour(input.image) } };
    this.put({
      name: input.name,
      namespace: ns,
      instance: { version, startedAt: Number.NEGATIVE_INFINITY, readyAt: Number.NEGATIVE_INFINITY, heldBack: false },
      task: replicas === 0 ? 'paused' : ready ? 'running' : 'stopped',
      createdAt: input.createdAt ?? this.createdAt(),
      deployCount: input.deployCount ?? 0,
    });
  }

  /** Tasks start or crash synchronously: nothing waits on the readiness mode. */
  instances(): Instance[] {
    return [];
  }
}
