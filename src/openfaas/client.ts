/**
 * Client for the OpenFaaS gateway's /system API. Status handling follows faas-netes and faasd (DESIGN.md):
 * deploy is PUT then POST on 404 like faas-cli, 200/201/202 are success, a missing function on delete is fine.
 */
import type { GatewaySettings } from '../settings.js';
import type { FunctionDeployment, FunctionStatus, SystemInfo } from './types.js';

export class GatewayError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`OpenFaaS gateway ${method} ${path} answered ${status}${body ? `: ${body.trim().slice(0, 300)}` : ''}${hint(status)}`);
    this.name = 'GatewayError';
  }
}

function hint(status: number): string {
  if (status === 401) return " (check 'gateway-username' and 'gateway-password')";
  return '';
}

const OK = new Set([200, 201, 202, 204]);

export type Edition = 'community' | 'pro';

export class GatewayClient {
  private readonly auth: string;

  constructor(private readonly settings: GatewaySettings) {
    this.auth = 'Basic ' + Buffer.from(`${settings.username}:${settings.password}`).toString('base64');
  }

  get namespace(): string {
    return this.settings.namespace;
  }

  private async request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const res = await fetch(this.settings.url + path, {
      method,
      headers: { authorization: this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  }

  private nsQuery(): string {
    return this.settings.namespace ? `?namespace=${encodeURIComponent(this.settings.namespace)}` : '';
  }

  async info(): Promise<SystemInfo> {
    const res = await this.request('GET', '/system/info');
    if (!OK.has(res.status)) throw new GatewayError('GET', '/system/info', res.status, res.text);
    return JSON.parse(res.text) as SystemInfo;
  }

  /** Community Edition names its provider `*-ce` (faas-netes-ce, faasd-ce). */
  async edition(): Promise<Edition> {
    const provider = (await this.info()).provider?.provider ?? '';
    return provider.endsWith('-ce') ? 'community' : 'pro';
  }

  async list(): Promise<FunctionStatus[]> {
    const path = `/system/functions${this.nsQuery()}`;
    const res = await this.request('GET', path);
    if (!OK.has(res.status)) throw new GatewayError('GET', path, res.status, res.text);
    return (JSON.parse(res.text) as FunctionStatus[] | null) ?? [];
  }

  async get(name: string): Promise<FunctionStatus | undefined> {
    const path = `/system/function/${encodeURIComponent(name)}${this.nsQuery()}`;
    const res = await this.request('GET', path);
    if (res.status === 404) return undefined;
    if (!OK.has(res.status)) throw new GatewayError('GET', path, res.status, res.text);
    return JSON.parse(res.text) as FunctionStatus;
  }

  /** Update in place when the function exists, create it otherwise; returns which one happened. */
  async deploy(spec: FunctionDeployment): Promise<'updated' | 'created'> {
    const body = this.settings.namespace ? { ...spec, namespace: this.settings.namespace } : spec;
    const put = await this.request('PUT', '/system/functions', body);
    if (OK.has(put.status)) return 'updated';
    if (put.status !== 404) throw new GatewayError('PUT', '/system/functions', put.status, put.text);
    const post = await this.request('POST', '/system/functions', body);
    if (OK.has(post.status)) return 'created';
    throw new GatewayError('POST', '/system/functions', post.status, post.text);
  }

  /** Deletes the function; false when it did not exist. faas-netes reads the namespace from the query, faasd from the body. */
  async remove(name: string): Promise<boolean> {
    const path = `/system/functions${this.nsQuery()}`;
    const body: Record<string, string> = { functionName: name };
    if (this.settings.namespace) body.namespace = this.settings.namespace;
    const res = await this.request('DELETE', path, body);
    if (res.status === 404) return false;
    if (!OK.has(res.status)) throw new GatewayError('DELETE', path, res.status, res.text);
    return true;
  }

  async scale(name: string, replicas: number): Promise<void> {
    const path = `/system/scale-function/${encodeURIComponent(name)}${this.nsQuery()}`;
    const body: Record<string, unknown> = { serviceName: name, replicas };
    if (this.settings.namespace) body.namespace = this.settings.namespace;
    const res = await this.request('POST', path, body);
    if (!OK.has(res.status)) throw new GatewayError('POST', path, res.status, res.text);
  }
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Polls until the function reports an available replica (a missing key means 0). On timeout the error carries the
 * last status seen, so the log says whether the function was missing, unscheduled or just slow.
 */
export async function waitUntilReady(client: GatewayClient, name: string, opts: WaitOptions): Promise<FunctionStatus> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + opts.timeoutMs;
  let interval = opts.intervalMs ?? 250;
  for (;;) {
    const status = await client.get(name);
    if ((status?.availableReplicas ?? 0) >= 1) return status!;
    if (now() >= deadline) {
      const seen = status
        ? `replicas=${status.replicas ?? 0}, availableReplicas=${status.availableReplicas ?? 0}, image=${status.image}`
        : 'the gateway does not know the function';
      throw new Error(`function '${name}' had no available replica after ${Math.round(opts.timeoutMs / 1000)}s (input 'ready-timeout'); last status: ${seen}`);
    }
    await sleep(Math.min(interval, Math.max(0, deadline - now())));
    interval = Math.min(interval * 2, 2000);
  }
}
