/**
 * The Docker Registry HTTP API v2 calls of a tag cleanup, with the two kinds of auth registries use: Basic with the
 * registry credentials, and the Bearer token flow (401 `WWW-Authenticate: Bearer realm=…,service=…,scope=…` → GET
 * realm?service&scope with the credentials → a token for that scope). A token is scoped: one a token service issued
 * for reading (pull) does not allow a DELETE, which the registry answers with a second challenge naming the scope it
 * wants (`repository:<name>:delete`). Each need (pull; push for a PUT, as a retag's; delete) gets its own token,
 * fetched once.
 *
 * Every call is bounded (request-timeout) and retried on network errors and transient statuses (http/call.ts).
 */
import { callWithRetry, StatusError, type CallResponse } from '../http/call.js';
import { secrets } from '../text/run-secrets.js';

export interface Challenge {
  realm: string;
  service?: string;
  scope?: string;
}

/** The Bearer challenge of a 401, or undefined for Basic or no challenge. */
export function bearerChallenge(header: string | string[] | undefined): Challenge | undefined {
  const text = (Array.isArray(header) ? header : [header ?? '']).find((h) => /^bearer\s/i.test(h));
  if (!text) return undefined;
  const params: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)\s*=\s*"([^"]*)"/g)) params[m[1].toLowerCase()] = m[2];
  return params.realm ? { realm: params.realm, service: params.service, scope: params.scope } : undefined;
}

export interface RegistryClientOptions {
  /** `http(s)://host[:port]`: the registry's own origin; tokens and credentials are for it. */
  origin: URL;
  /** The repository inside the registry, e.g. `acme/app`. */
  name: string;
  username?: string;
  password?: string;
  timeoutMs: number;
  log?: (line: string) => void;
}

type Need = 'pull' | 'push' | 'delete';

const NEED_ACTIONS: Record<Need, string> = { pull: 'pull', push: 'pull,push', delete: 'pull,delete' };
const REDIRECT = new Set([301, 302, 303, 307, 308]);

export class RegistryClient {
  private readonly tokens = new Map<Need, string>();
  private readonly basic?: string;

  constructor(private readonly o: RegistryClientOptions) {
    if (o.username && o.password) this.basic = 'Basic ' + Buffer.from(`${o.username}:${o.password}`).toString('base64');
  }

  get origin(): URL {
    return this.o.origin;
  }

  /** `<origin>/v2/<name>/<rest>`. */
  url(rest: string): URL {
    return new URL(`/v2/${this.o.name}/${rest}`, this.o.origin);
  }

  /** One call; `accept` lists the statuses the caller handles. A Bearer challenge is answered once per need. */
  async request(
    method: string,
    url: URL,
    accept: (status: number) => boolean,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<CallResponse> {
    const need: Need = method === 'DELETE' ? 'delete' : ['PUT', 'POST', 'PATCH'].includes(method) ? 'push' : 'pull';
    const first = await this.send(method, url, need, accept, headers, body);
    if (first.status !== 401) return first;
    const challenge = bearerChallenge(first.headers['www-authenticate']);
    if (!challenge) throw new StatusError(first.call, 401, first.text, first.headers, this.refused());
    const scope = challenge.scope || `repository:${this.o.name}:${NEED_ACTIONS[need]}`;
    this.tokens.set(need, await this.fetchToken(challenge, scope));
    const again = await this.send(method, url, need, accept, headers, body);
    if (again.status !== 401) return again;
    const hint = ` (the token service granted a token for ${scope}, and the registry still refused it: the registry credentials need ${need} access to ${this.o.name})`;
    throw new StatusError(again.call, 401, again.text, again.headers, hint);
  }

  /**
   * A blob's bytes. Registries that keep blobs elsewhere (S3-backed distribution, GHCR, Docker Hub) answer with a
   * redirect to a pre-signed URL, which is followed without the registry's credentials.
   */
  async blob(digest: string): Promise<CallResponse> {
    const url = this.url(`blobs/${digest}`);
    const res = await this.request('GET', url, (s) => s === 200 || REDIRECT.has(s));
    if (res.status === 200) return res;
    const location = res.headers.location;
    if (!location) throw new Error(`${res.call} answered ${res.status} without a Location to follow`);
    return callWithRetry({
      method: 'GET',
      url: new URL(location, url),
      accept: (s) => s === 200,
      timeoutMs: this.o.timeoutMs,
      log: this.o.log,
    });
  }

  private send(
    method: string,
    url: URL,
    need: Need,
    accept: (status: number) => boolean,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<CallResponse> {
    const token = this.tokens.get(need);
    const auth = token ? `Bearer ${token}` : this.basic;
    return callWithRetry({
      method,
      url,
      headers: auth ? { ...headers, authorization: auth } : headers,
      body,
      accept: (s) => s === 401 || accept(s),
      timeoutMs: this.o.timeoutMs,
      log: this.o.log,
    });
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<string> {
    const url = this.realmUrl(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', scope);
    const res = await callWithRetry({
      method: 'GET',
      url,
      headers: this.basic ? { authorization: this.basic } : {},
      accept: (s) => s === 200,
      timeoutMs: this.o.timeoutMs,
      log: this.o.log,
      hint: (s) => (s === 401 || s === 403 ? this.refused() : ''),
    });
    let body: { token?: unknown; access_token?: unknown };
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch {
      throw new Error(`${res.call} answered 200 with a body that is not JSON; expected {"token": "…"}`);
    }
    const token =
      typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
    if (!token) throw new Error(`${res.call} answered 200 without a token; expected {"token": "…"}`);
    secrets.add(token);
    return token;
  }

  /** The challenge's realm, which may be another host (a token service) but never downgrades https to http. */
  private realmUrl(realm: string): URL {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new Error(`registry ${this.o.origin.origin} challenged with a token realm that is not a URL`);
    }
    const downgrade = this.o.origin.protocol === 'https:' && url.protocol !== 'https:';
    if (downgrade || !['http:', 'https:'].includes(url.protocol)) {
      throw new Error(
        `registry ${this.o.origin.origin} sends the credentials to token realm ${url.origin}, which is not https; refusing`,
      );
    }
    return url;
  }

  private refused(): string {
    return this.basic
      ? ` (registry-username / registry-password were refused for ${this.o.name})`
      : ` (the registry wants credentials for ${this.o.name}: set registry-username and registry-password)`;
  }
}
