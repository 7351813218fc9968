/**
 * Client for the OpenFaaS gateway's /system API. Status handling follows faas-netes and faasd (docs/architecture.md, "Provider facts"): deploy
 * is PUT then POST on 404 like faas-cli, 200/201/202 are success, a missing function on delete is fine.
 *
 * Every call is bounded by `request-timeout` and retried with the one policy when the failure is transient; a POST
 * (create) is not idempotent, so before repeating one the function is looked up: a create that did land is not
 * sent twice (faas-netes would answer 500, faasd 400 "already exists").
 */
import { call, callWithRetry, describeCall, NetworkError, StatusError, type CallResponse } from '../http/call.js';
import type { GatewaySettings } from '../settings.js';
import type { FunctionDeployment, FunctionStatus, SystemInfo } from './types.js';

const OK = new Set([200, 201, 202, 204]);

export type Edition = 'community' | 'pro';

/** What /system/info says about the provider; `rolling` is true on Kubernetes (faas-netes), false on faasd. */
export interface Provider {
  name: string;
  edition: Edition;
  orchestration: string;
  rolling: boolean;
}

export interface GatewayOptions {
  timeoutMs: number;
  log?: (line: string) => void;
}

function hint(path: string) {
  return (status: number): string => {
    if (status === 401) return " (check 'gateway-username' and 'gateway-password')";
    if (status === 404 && path === '/system/info') return " (is 'gateway-url' the OpenFaaS gateway?)";
    return '';
  };
}

export class GatewayClient {
  private readonly auth: string;

  constructor(
    private readonly settings: GatewaySettings,
    private readonly o: GatewayOptions,
  ) {
    this.auth = 'Basic ' + Buffer.from(`${settings.username}:${settings.password}`).toString('base64');
  }

  get namespace(): string {
    return this.settings.namespace;
  }

  get url(): string {
    return this.settings.url;
  }

  /** `limit`: a longer budget per attempt (deploys: faasd pulls the image inside the request), or a deadline for all attempts. */
  private request(
    method: string,
    path: string,
    accept: (status: number) => boolean,
    body?: unknown,
    limit: { timeoutMs?: number; deadline?: number } = {},
  ): Promise<CallResponse> {
    return callWithRetry({
      method,
      url: this.settings.url + path,
      headers: { authorization: this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: limit.timeoutMs ?? this.o.timeoutMs,
      deadline: limit.deadline,
      accept,
      hint: hint(path),
      log: this.o.log,
    });
  }

  private nsQuery(): string {
    return this.settings.namespace ? `?namespace=${encodeURIComponent(this.settings.namespace)}` : '';
  }

  private parse<T>(res: CallResponse): T {
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new StatusError(res.call, res.status, res.text, res.headers, ' (not JSON: is this the OpenFaaS gateway?)');
    }
  }

  async info(): Promise<SystemInfo> {
    return this.parse<SystemInfo>(await this.request('GET', '/system/info', (s) => OK.has(s)));
  }

  /**
   * Community Edition names its provider `*-ce` (faas-netes-ce, faasd-ce). Releases before 2023 (faas-netes) and
   * 2024 (faasd) did not: such a CE gateway is taken for Pro here, which is why the sweeper verifies a scale to zero.
   */
  async provider(): Promise<Provider> {
    const p = (await this.info()).provider ?? {};
    const name = p.provider ?? '';
    const orchestration = p.orchestration ?? '';
    return {
      name,
      edition: name.endsWith('-ce') ? 'community' : 'pro',
      orchestration,
      rolling: orchestration === 'kubernetes',
    };
  }

  async list(): Promise<FunctionStatus[]> {
    const path = `/system/functions${this.nsQuery()}`;
    try {
      return this.parse<FunctionStatus[] | null>(await this.request('GET', path, (s) => OK.has(s))) ?? [];
    } catch (err) {
      // The real gateway's list handler panics when its Prometheus cannot be reached: the connection just drops.
      if (err instanceof Error && /socket hang up|ECONNRESET/.test(err.message)) {
        throw new Error(
          `${err.message}; the OpenFaaS gateway drops this request when it cannot reach its Prometheus (invocation counts come from there): check the prometheus deployment of the OpenFaaS installation`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async get(name: string, deadline?: number): Promise<FunctionStatus | undefined> {
    const path = `/system/function/${encodeURIComponent(name)}${this.nsQuery()}`;
    const res = await this.request('GET', path, (s) => OK.has(s) || s === 404, undefined, { deadline });
    return res.status === 404 ? undefined : this.parse<FunctionStatus>(res);
  }

  /**
   * Update in place when the function exists, create it otherwise; returns which one happened. `timeoutMs` bounds
   * the whole deploy, retries included (faasd pulls the image inside the request, so it may need long).
   */
  async deploy(spec: FunctionDeployment, timeoutMs: number): Promise<'updated' | 'created'> {
    const body = this.inNamespace(spec);
    const deadline = Date.now() + timeoutMs;
    const update = () =>
      this.request('PUT', '/system/functions', (s) => OK.has(s) || s === 404, body, { timeoutMs, deadline });
    if ((await update()).status !== 404) return 'updated';
    const created = await this.post(body, deadline);
    if (created) return 'created';
    // Another run created it between our PUT and POST (faasd 400 "already exists", faas-netes 500): update it.
    if ((await update()).status !== 404) return 'updated';
    throw new Error(
      `${describeCall('POST', this.settings.url + '/system/functions')} and PUT both failed: the function ${spec.service} neither could be created nor exists`,
    );
  }

  /**
   * Create only, never update: true when this call created the function, false when it exists (the waker must not
   * overwrite a newer version that a deploy created meanwhile).
   */
  async create(spec: FunctionDeployment, timeoutMs: number): Promise<boolean> {
    return this.post(this.inNamespace(spec), Date.now() + timeoutMs);
  }

  private inNamespace(spec: FunctionDeployment): FunctionDeployment {
    return this.settings.namespace ? { ...spec, namespace: this.settings.namespace } : spec;
  }

  /**
   * POST, repeated once after a transient failure, but only after looking (see the header comment). True when this
   * call created it; false when the function exists anyway (created by another run at the same moment).
   */
  private async post(body: FunctionDeployment, deadline: number): Promise<boolean> {
    const url = this.settings.url + '/system/functions';
    const send = () =>
      call({
        method: 'POST',
        url,
        headers: { authorization: this.auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        timeoutMs: Math.max(1, deadline - Date.now()),
      });
    for (let attempt = 1; ; attempt++) {
      let res: CallResponse | undefined;
      let failure: Error;
      try {
        res = await send();
        if (OK.has(res.status)) return true;
        failure = new StatusError(res.call, res.status, res.text, res.headers, hint('/system/functions')(res.status));
      } catch (err) {
        failure = err as Error;
      }
      // It exists: another run's create, or ours that landed before the failure. Either way the caller updates it.
      if (await this.get(body.service, deadline).catch(() => undefined)) return false;
      const transient =
        failure instanceof NetworkError || (res !== undefined && (res.status >= 500 || res.status === 429));
      if (!transient || attempt >= 2 || Date.now() >= deadline) throw failure;
      this.o.log?.(
        `${describeCall('POST', url)} failed (${failure.message}) and the function does not exist; sending it once more`,
      );
    }
  }

  /** Deletes the function; false when it did not exist. faas-netes reads the namespace from the query, faasd from the body. */
  async remove(name: string): Promise<boolean> {
    const path = `/system/functions${this.nsQuery()}`;
    const body: Record<string, string> = { functionName: name };
    if (this.settings.namespace) body.namespace = this.settings.namespace;
    const res = await this.request('DELETE', path, (s) => OK.has(s) || s === 404, body);
    return res.status !== 404;
  }

  async scale(name: string, replicas: number): Promise<void> {
    const path = `/system/scale-function/${encodeURIComponent(name)}${this.nsQuery()}`;
    const body: Record<string, unknown> = { serviceName: name, replicas };
    if (this.settings.namespace) body.namespace = this.settings.namespace;
    await this.request('POST', path, (s) => OK.has(s), body);
  }

  /** Names of the secrets in the function namespace (the gateway never returns values). */
  async secretNames(): Promise<string[]> {
    const res = await this.request('GET', `/system/secrets${this.nsQuery()}`, (s) => OK.has(s));
    return (this.parse<{ name?: string }[] | null>(res) ?? []).map((x) => x.name ?? '').filter(Boolean);
  }

  /** Creates the secret, or updates it when it exists (faas-netes answers 409 to a create; faasd's create overwrites). */
  async putSecret(name: string, value: string): Promise<void> {
    const body = { name, value, ...(this.settings.namespace ? { namespace: this.settings.namespace } : {}) };
    const created = await this.request('POST', '/system/secrets', (s) => OK.has(s) || s === 409, body);
    if (created.status === 409) await this.request('PUT', '/system/secrets', (s) => OK.has(s), body);
  }

  /** Deletes a secret that exists (list first: faasd answers 500, not 404, for a missing one). */
  async deleteSecret(name: string): Promise<void> {
    const body = { name, ...(this.settings.namespace ? { namespace: this.settings.namespace } : {}) };
    await this.request('DELETE', `/system/secrets${this.nsQuery()}`, (s) => OK.has(s) || s === 404, body);
  }

  /** One GET through the gateway's invoke route, as a visitor's request would travel (no auth, no retry). */
  async invoke(name: string, path: string, timeoutMs: number): Promise<CallResponse> {
    const target = this.settings.namespace ? `${name}.${this.settings.namespace}` : name;
    return call({
      method: 'GET',
      url: `${this.settings.url}/function/${encodeURIComponent(target)}${path}`,
      timeoutMs,
    });
  }
}
