/**
 * faas-netes (Community Edition and, where its closed source is unknown, the same minus the CE limits for Pro), after
 * pkg/handlers/{deploy,update,delete,replica_updater,replica_reader,reader,secrets,validate}.go and
 * pkg/k8s/{function_status,secrets,proxy}.go, with the Kubernetes API server's checks in front of the objects.
 *
 * A DELETE is a foreground deletion (delete.go: DeletePropagationForeground): the Deployment stays until its pods have
 * terminated, and meanwhile the list, the single GET and the CE count (k8s/function_list.go), all read from the same
 * Deployment lister, still see it; its Service is gone. With `terminationMs` (World) a deleted function lingers that
 * long: listed with no available replica, counted against the cap, its name taken (a create answers 500 "already
 * exists"), a second DELETE answers 404 for the Service, an update 404 and a scale 202 without effect. From the
 * sources and Kubernetes' garbage collector, not measured; how long pods take is the pod's grace period and the
 * watchdog's drain.
 */
import { Deployment } from './deployment.js';
import {
  annotationErrors,
  envErrors,
  isSubdomain,
  labelErrors,
  normalizeImage,
  quantityError,
  serviceNameError,
} from './kube.js';
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
  type Version,
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
  type Resources,
} from './wire.js';

const CE_MAX_REPLICAS = 5;
const VALID_DNS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ATOI = /^[+-]?\d+$/;

interface NetesFunction {
  name: string;
  namespace: string;
  deployment: Deployment;
  /** False when the Service could not be created (a name that is no DNS-1035 label): no endpoints, ever. */
  service: boolean;
  createdAt: string;
  deployCount: number;
  /** The `uid` label an update puts on the pod template (time.Now().Nanosecond()). */
  uid?: string;
  /** Deleted: epoch ms when its pods have terminated and the Deployment is gone (see above). */
  goneAt?: number;
}

/** validate.go validateScalingLabels: what CE refuses among the scaling labels (not annotations). */
function scalingLabelError(labels: Record<string, string>): string | undefined {
  if (labels['com.openfaas.scale.zero'] === 'true')
    return 'com.openfaas.scale.zero not available for Community Edition';
  for (const k of ['zero-duration', 'target', 'type']) {
    if (`com.openfaas.scale.${k}` in labels) return `com.openfaas.scale.${k} not available for Community Edition`;
  }
  for (const k of ['max', 'min']) {
    const v = labels[`com.openfaas.scale.${k}`];
    if (v !== undefined && ATOI.test(v) && Number(v) > CE_MAX_REPLICAS)
      return `com.openfaas.scale.${k} is set too high for Community Edition`;
  }
  return undefined;
}

/** deploy.go buildAnnotations, CE only. */
function ceAnnotationError(annotations: Record<string, string>): string | undefined {
  if (annotations.topic?.includes(','))
    return 'the topic annotation may only support one value in the Community Edition';
  const k = Object.keys(annotations).find((a) => a.includes('amazonaws.com') || a.includes('gke.io'));
  return k === undefined ? undefined : `annotation ${JSON.stringify(k)} is not supported in the Community Edition`;
}

/** deploy.go createResources: limits.memory, requests.memory, limits.cpu, requests.cpu in that order. */
function resourceError(d: FunctionDeployment): string | undefined {
  const qs = [d.limits?.memory, d.requests?.memory, d.limits?.cpu, d.requests?.cpu];
  return qs.map((q) => (q ? quantityError(q) : undefined)).find((e) => e !== undefined);
}

/** What the API server refuses in the Deployment faas-netes builds. */
function kubeErrors(d: FunctionDeployment): string[] {
  const errs =
    d.service.length > 253 ? [`metadata.name: Invalid value: "${d.service}": must be no more than 253 characters`] : [];
  return [
    ...errs,
    ...labelErrors('spec.template.metadata.labels', { faas_function: d.service, ...d.labels }),
    ...annotationErrors('metadata.annotations', d.annotations),
    ...envErrors('spec.template.spec.containers[0].env[].name', Object.keys(d.envVars)),
  ];
}

/** getMinReplicaCount: `com.openfaas.scale.min` sets the replicas on create and on update. */
function minReplicas(labels: Record<string, string>): number | undefined {
  const v = labels['com.openfaas.scale.min'];
  return v !== undefined && ATOI.test(v) && Number(v) > 0 ? Number(v) : undefined;
}

/** AsFunctionStatus reports unset quantities of a set resource as "0". */
function resourceStatus(r: Resources | undefined): Resources | undefined {
  return r && (r.memory || r.cpu) ? { memory: r.memory ?? '0', cpu: r.cpu ?? '0' } : undefined;
}

export class FaasNetes extends FunctionStore<NetesFunction> implements Provider {
  readonly info = { orchestration: 'kubernetes', release: '0.18.13' };

  constructor(private readonly w: World) {
    super();
  }

  /** Deployments whose foreground deletion is over are gone; every read and write looks after this. */
  private reap(now = Date.now()): void {
    for (const f of [...this.fns.values()])
      if (f.goneAt !== undefined && f.goneAt <= now) this.drop(f.name, f.namespace);
  }

  protected override fn(name: string, namespace: string): NetesFunction | undefined {
    this.reap();
    return super.fn(name, namespace);
  }

  override records() {
    this.reap();
    return super.records();
  }

  private namespaceError(namespace: string): Reply | undefined {
    if (this.w.ce && namespace !== DEFAULT_NAMESPACE) return goError(400, `namespace must be: ${DEFAULT_NAMESPACE}`);
    if (namespace === 'kube-system') return goError(401, 'unable to list within the kube-system namespace');
    return this.w.namespaces.includes(namespace) ? undefined : goError(400, `namespace ${namespace} is not allowed`);
  }

  /** validate.go isAnonymous: a HEAD of the manifest without credentials. */
  private anonymousError(image: string): string | undefined {
    if (!normalizeImage(image)) return `unable to parse image reference: could not parse reference: ${image}`;
    if (!this.w.isPublic(image) || !this.w.isPullable(image))
      return 'the Community Edition license agreement only supports public images';
    return undefined;
  }

  private validate(d: FunctionDeployment): string | undefined {
    if (!d.service) return 'service: is required';
    if (!VALID_DNS.test(d.service)) return `service: (${d.service}) is invalid, must be a valid DNS entry`;
    if (!d.image) return 'image: is required';
    return this.w.ce ? scalingLabelError(d.labels) : undefined;
  }

  /** A pod that cannot pull its image never starts; on CE only public images get this far. */
  private version(spec: FunctionSpec): Version {
    const behaviour = { ...this.w.behaviour(spec.image) };
    if (!this.w.isPullable(spec.image)) behaviour.neverStarts = true;
    return { spec, behaviour };
  }

  /** What deploy and update both do first: decode, ValidateDeployRequest, the namespace. */
  private accept(raw: string, unmarshalError: string): { d: FunctionDeployment; ns: string } | Reply {
    let d: FunctionDeployment;
    try {
      d = decodeDeployment(raw);
    } catch (err) {
      return goError(400, `${unmarshalError}: ${(err as Error).message}`);
    }
    const invalid = this.validate(d);
    if (invalid) return goError(400, `validation failed: ${invalid}`);
    const ns = d.namespace || DEFAULT_NAMESPACE;
    return this.namespaceError(ns) ?? { d, ns };
  }

  deploy(raw: string): Reply {
    const accepted = this.accept(raw, 'failed to unmarshal request');
    if ('status' in accepted) return accepted;
    const { d, ns } = accepted;
    const missing = missingSecret(this.w, d.secrets, ns);
    if (missing) return goError(400, `unable to fetch secrets: secrets "${missing}" not found`);
    const anonymous = this.w.ce ? this.anonymousError(d.image) : undefined;
    if (anonymous) return goError(400, anonymous);
    const specError = resourceError(d) ?? (this.w.ce ? ceAnnotationError(d.annotations) : undefined);
    if (specError) return goError(400, `failed create Deployment spec: ${specError}`);
    this.reap();
    // Every Deployment with the faas_function label, those still being deleted too.
    if (this.fns.size + 1 > this.w.maxFunctions) {
      return goError(
        400,
        `unable to create function, maximum: ${this.w.maxFunctions}, visit https://openfaas.com/pricing to upgrade to OpenFaaS Standard`,
      );
    }
    return this.create(d, ns);
  }

  private create(d: FunctionDeployment, namespace: string): Reply {
    if (this.fn(d.service, namespace))
      return goError(500, `unable create Deployment: deployments.apps "${d.service}" already exists`);
    const errs = kubeErrors(d);
    if (errs.length > 0)
      return goError(500, `unable create Deployment: Deployment.apps "${d.service}" is invalid: [${errs.join(', ')}]`);
    const replicas = minReplicas(d.labels) ?? 1;
    const deployment = new Deployment(this.version(specOf(d)), replicas, this.w.readiness);
    const fn: NetesFunction = {
      name: d.service,
      namespace,
      deployment,
      service: false,
      createdAt: rfc3339(this.w.now()),
      deployCount: 1,
    };
    this.put(fn);
    const serviceError = serviceNameError(d.service);
    if (serviceError) return goError(400, `failed create Service: Service "${d.service}" is invalid: ${serviceError}`);
    fn.service = true;
    return empty(202);
  }

  update(raw: string): Reply {
    const accepted = this.accept(raw, 'unable to unmarshal request');
    if ('status' in accepted) return accepted;
    const { d, ns } = accepted;
    const annotationError = this.w.ce ? ceAnnotationError(d.annotations) : undefined;
    if (annotationError) return goError(400, annotationError);
    const fn = this.fn(d.service, ns);
    if (!fn)
      return goError(
        404,
        `unable update Deployment: ${d.service}.${ns}, error: deployments.apps "${d.service}" not found`,
      );
    return this.apply(fn, d);
  }

  /**
   * update.go updateDeploymentSpec: an error that is not "not found" is only logged and the handler returns without
   * writing, so the client gets 200 and nothing changed (a private image on CE, a bad quantity, an object the API
   * server refuses). A missing secret is a "not found" and answers 400.
   */
  private apply(fn: NetesFunction, d: FunctionDeployment): Reply {
    if (fn.goneAt !== undefined)
      return goError(
        404,
        `unable update Service: ${d.service}.${fn.namespace}, error: services "${d.service}" not found`,
      );
    if (this.w.ce && this.anonymousError(d.image)) return empty(200);
    if (resourceError(d)) return empty(200);
    const missing = missingSecret(this.w, d.secrets, fn.namespace);
    if (missing)
      return goError(
        400,
        `unable update Deployment: ${d.service}.${fn.namespace}, error: secrets "${missing}" not found`,
      );
    if (kubeErrors(d).length > 0) return empty(200);
    fn.deployment.rollout(this.version(specOf(d)), minReplicas(d.labels) ?? fn.deployment.replicas);
    fn.uid = String(Math.floor(Math.random() * 1e9));
    fn.deployCount += 1;
    if (!fn.service)
      return goError(
        404,
        `unable update Service: ${d.service}.${d.namespace}, error: services "${d.service}" not found`,
      );
    return empty(202);
  }

  /** delete.go reads the namespace from the query only. */
  remove(raw: string, query: URLSearchParams): Reply {
    const ns = query.get('namespace') || DEFAULT_NAMESPACE;
    if (ns === 'kube-system') return goError(401, 'unable to list within the kube-system namespace');
    let name: string;
    try {
      name = decodeDelete(raw).functionName;
    } catch {
      return empty(400);
    }
    if (!name) return empty(400);
    const fn = this.fn(name, ns);
    if (!fn) return { status: 404, text: `deployments.apps "${name}" not found` };
    const service = fn.service;
    if (this.w.terminationMs > 0) {
      // The Deployment's delete is accepted again while it is in progress; the Service went with the first one.
      fn.goneAt ??= Date.now() + this.w.terminationMs;
      fn.service = false;
      fn.deployment.pods = [];
    } else this.drop(name, ns);
    return service ? empty(202) : { status: 404, text: `services "${name}" not found` };
  }

  /** replica_updater.go: name from the path, namespace from the query. */
  scale(name: string, raw: string, query: URLSearchParams): Reply {
    const ns = query.get('namespace') || DEFAULT_NAMESPACE;
    if (this.w.ce && ns !== DEFAULT_NAMESPACE) return goError(400, `namespace must be: ${DEFAULT_NAMESPACE}`);
    let replicas: number;
    try {
      replicas = decodeScale(raw).replicas;
    } catch {
      return { status: 400, text: 'Cannot parse request. Please pass valid JSON.' };
    }
    if (this.w.ce && replicas === 0) return goError(400, 'replicas cannot be set to 0 in OpenFaaS CE');
    const fn = this.fn(name, ns);
    if (!fn) return { status: 500, text: `Unable to lookup function deployment ${name}` };
    if (fn.goneAt !== undefined) return empty(202); // the garbage collector removes what a scale would add
    fn.deployment.scale(this.w.ce ? Math.min(replicas, CE_MAX_REPLICAS) : replicas);
    return empty(202);
  }

  list(query: URLSearchParams): Reply {
    const ns = query.get('namespace') || DEFAULT_NAMESPACE;
    const nsError = this.namespaceError(ns);
    if (nsError) return nsError;
    this.reap();
    return { status: 200, json: [...this.fns.values()].filter((f) => f.namespace === ns).map((f) => this.status(f)) };
  }

  get(name: string, query: URLSearchParams): Reply {
    const ns = query.get('namespace') || DEFAULT_NAMESPACE;
    const nsError = this.namespaceError(ns);
    if (nsError) return nsError;
    const fn = this.fn(name, ns);
    return fn ? { status: 200, json: this.status(fn) } : empty(404);
  }

  /** k8s/function_status.go AsFunctionStatus, omitempty as encoding/json writes it. */
  private status(fn: NetesFunction): Record<string, unknown> {
    const spec = fn.deployment.target.spec;
    const envVars = { ...(spec.envProcess ? { fprocess: spec.envProcess } : {}), ...spec.envVars };
    const out: Record<string, unknown> = { name: fn.name, image: spec.image };
    if (fn.deployment.replicas) out.replicas = fn.deployment.replicas;
    if (envVars.fprocess) out.envProcess = envVars.fprocess;
    const available = fn.deployment.available();
    if (available) out.availableReplicas = available;
    out.labels = { faas_function: fn.name, ...(fn.uid ? { uid: fn.uid } : {}), ...spec.labels };
    out.annotations = { 'prometheus.io.scrape': 'false', ...spec.annotations };
    out.namespace = fn.namespace;
    if (Object.keys(envVars).length > 0) out.envVars = envVars;
    if (spec.secrets.length > 0) out.secrets = [...spec.secrets].sort();
    const limits = resourceStatus(spec.limits);
    const requests = resourceStatus(spec.requests);
    if (limits) out.limits = limits;
    if (requests) out.requests = requests;
    out.createdAt = fn.createdAt;
    return out;
  }

  /** handlers/secrets.go: Kubernetes secrets; errors mapped by ProcessErrorReasons, bodies empty. */
  secrets(method: string, raw: string, query: URLSearchParams): Reply {
    if (method === 'GET') {
      const ns = query.get('namespace') || DEFAULT_NAMESPACE;
      if (this.namespaceError(ns)) return empty(400);
      return {
        status: 200,
        json: secretNames(this.w, ns)
          .sort()
          .map((name) => ({ name, namespace: ns })),
      };
    }
    if (!['POST', 'PUT', 'DELETE'].includes(method)) return empty(400);
    let secret: { name: string; namespace: string; value: string };
    try {
      secret = decodeSecret(raw);
    } catch {
      return empty(400);
    }
    const ns = secret.namespace || DEFAULT_NAMESPACE;
    if (this.namespaceError(ns)) return empty(400);
    return this.writeSecret(method, ns, secret.name, secret.value);
  }

  private writeSecret(method: string, namespace: string, name: string, value: string): Reply {
    const key = `${namespace}/${name}`;
    if (!name.trim()) return empty(500);
    const exists = this.w.secrets.has(key);
    if (method === 'DELETE') return exists ? (this.w.secrets.delete(key), empty(202)) : empty(404);
    if (method === 'POST' && !isSubdomain(name)) return empty(422);
    if (method === 'POST' && exists) return empty(409);
    if (method === 'PUT' && !exists) return empty(404);
    this.w.secrets.set(key, value);
    return empty(202);
  }

  replicas(name: string, namespace: string): { replicas: number; available: number } | undefined {
    const fn = this.fn(name, namespace);
    return fn ? { replicas: fn.deployment.replicas, available: fn.deployment.available() } : undefined;
  }

  setReplicas(name: string, namespace: string, replicas: number): string | undefined {
    const reply = this.scale(name, JSON.stringify({ serviceName: name, replicas }), new URLSearchParams({ namespace }));
    return reply.status === 202
      ? undefined
      : `server returned non-202 status code (${reply.status}) for function, ${name}`;
  }

  /**
   * The provider's proxy (faas-provider proxy.go with k8s/proxy.go's endpoint resolver): no ready pod, no endpoint,
   * 404. A ready pod whose function process does not listen yet: the watchdog's own 500 without a body
   * (of-watchdog executor/http_runner.go).
   */
  invoke(target: string, name: string, namespace: string, method: string, path: string): Reply {
    if (!PROXIED_METHODS.has(method)) return empty(405);
    const fn = this.fn(name, namespace);
    const pod = fn?.service ? fn.deployment.serving() : undefined;
    if (!fn || !pod) return { status: 404, text: `Cannot find service: ${target}.` };
    if (!listening(pod)) return { status: 500, text: '', headers: { 'X-Duration-Seconds': '0.000412' } };
    return standIn(fn.name, fn.namespace, pod, method, path);
  }

  protected recordOf(fn: NetesFunction) {
    return {
      ...recordOf(fn.name, fn.namespace, fn.deployment.target.spec, fn.deployment.serving()),
      replicas: fn.deployment.replicas,
      availableReplicas: fn.deployment.available(),
      createdAt: fn.createdAt,
      deployCount: fn.deployCount,
    };
  }

  seed(input: SeedInput): void {
    const ns = input.namespace ?? DEFAULT_NAMESPACE;
    const replicas = input.replicas ?? 1;
    const deployment = new Deployment(this.version(seedSpec(input)), replicas, this.w.readiness);
    const ready = Math.min(input.availableReplicas ?? replicas, replicas);
    for (const pod of deployment.pods.slice(0, ready))
      Object.assign(pod, { startedAt: Number.NEGATIVE_INFINITY, readyAt: Number.NEGATIVE_INFINITY });
    const createdAt = input.createdAt ?? rfc3339(this.w.now());
    this.put({
      name: input.name,
      namespace: ns,
      deployment,
      service: true,
      createdAt,
      deployCount: input.deployCount ?? 0,
    });
  }

  instances(): Instance[] {
    this.reap();
    return [...this.fns.values()].flatMap((f) => f.deployment.pods);
  }
}
