/**
 * Octokit as the action uses it: against GITHUB_API_URL (GHES and the test emulator rely on it), every request
 * bounded by `request-timeout`, transient failures retried by @octokit/plugin-retry (5xx, network errors, 429) and
 * rate limits honoured by @octokit/plugin-throttling (primary: `x-ratelimit-remaining: 0` until `x-ratelimit-reset`;
 * secondary: `retry-after`), the same pair actions/github-script uses. A retry is logged once per call, and a final
 * error names the call (method and path) and GitHub's answer.
 *
 * plugin-throttling paces every write at one a second by default, which GitHub asks of clients making many
 * content-creating requests. A deploy makes a handful, so only the sweeper (`pacedWrites`) keeps that pace.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';

export type Octokit = ReturnType<typeof getOctokit>;

export interface Repo {
  owner: string;
  repo: string;
}

export interface OctokitOptions {
  timeoutMs: number;
  log: (line: string) => void;
  /** One write a second, serially (GitHub's guidance for many content-creating requests). */
  pacedWrites?: boolean;
}

/** Longest rate-limit wait worth sitting through inside a job; beyond it the call fails and says why. */
const MAX_RATE_LIMIT_WAIT_S = 120;

interface RequestOptions {
  method: string;
  url: string;
}

/** `GitHub METHOD /path` of a request, route parameters filled in (the base URL adds nothing to a message). */
function callName(
  octokit: { request: { endpoint: (o: never) => { method: string; url: string } } },
  options: RequestOptions,
): string {
  const { method, url } = octokit.request.endpoint(options as never);
  return `GitHub ${method} ${decodeURIComponent(new URL(url, 'http://github.invalid').pathname)}`;
}

/** fetch with a deadline per attempt; a network failure carries the OS's cause, which @octokit/request reports. */
function timedFetch(timeoutMs: number, onTransient: (what: string, why: string) => void): typeof fetch {
  return async (input, init) => {
    const what = `${init?.method ?? 'GET'} ${new URL(String(input instanceof Request ? input.url : input)).pathname}`;
    const signal = init?.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(input, { ...init, signal });
      if (res.status >= 500 || res.status === 429) onTransient(what, `answered ${res.status}`);
      return res;
    } catch (err) {
      const e = err as Error & { cause?: NodeJS.ErrnoException & { address?: string; port?: number } };
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${timeoutMs / 1000}s (input 'request-timeout')`
          : e.cause?.code
            ? `${e.cause.code}${e.cause.address ? ` ${e.cause.address}:${e.cause.port}` : ''}`
            : e.message;
      onTransient(what, why);
      // The shape fetch itself throws, which @octokit/request reports; the cause is the reason already worded.
      // eslint-disable-next-line preserve-caught-error
      throw new TypeError('fetch failed', { cause: why });
    }
  };
}

/**
 * The `permissions:` entry a call needs, by the route that failed: GitHub answers a GITHUB_TOKEN (or an app token)
 * that lacks it with 403 "Resource not accessible by integration" and names nothing.
 */
export function permissionFor(method: string, path: string): string | undefined {
  const access = method === 'GET' ? 'read' : 'write';
  if (/\/issues\/(\d+\/)?comments/.test(path)) return `pull-requests: ${access}`;
  if (/\/deployments(\/|$)/.test(path)) return `deployments: ${access}`;
  if (/\/packages(\/|$)/.test(path)) return `packages: ${access}`;
  if (/\/pulls(\/|$)/.test(path)) return 'pull-requests: read';
  if (/\/(contents|commits|git)(\/|$)/.test(path)) return 'contents: read';
  return undefined;
}

const NOT_ACCESSIBLE = 'Resource not accessible by integration';

/**
 * When GitHub said the token may not (403 "Resource not accessible by integration"): the entry the call needs, and
 * the hint for the error's message.
 */
function missingPermission(
  status: number | undefined,
  message: string,
  call: string,
): { need?: string; hint: string } | undefined {
  if (status !== 403 || !message.includes(NOT_ACCESSIBLE)) return undefined;
  const [, method, path] = /^GitHub (\S+) (\S+)/.exec(call) ?? [];
  const need = method && path ? permissionFor(method, path) : undefined;
  const packages = need?.startsWith('packages: write')
    ? " (deleting a package version also needs the token's account to be an admin of the package)"
    : '';
  const hint = need
    ? `; the workflow's token lacks a permission: add \`${need}\` under \`permissions:\`${packages}`
    : "; the workflow's token lacks a permission this call needs (see the action's permissions in the README)";
  return { need, hint };
}

/** The `permissions:` entry a failed GitHub call lacked, as the client found it, or undefined. */
export function lackedPermission(err: unknown): string | undefined {
  const need = (err as { missingPermission?: unknown } | null)?.missingPermission;
  return typeof need === 'string' ? need : undefined;
}

export function createOctokit(token: string, o: OctokitOptions): Octokit {
  const logged = new Set<string>();
  const once = (key: string, line: string) => {
    if (logged.has(key)) return;
    logged.add(key);
    o.log(line);
  };
  const onLimit =
    (kind: string) =>
    (
      after: number,
      options: RequestOptions,
      octokit: { request: { endpoint: (o: never) => { method: string; url: string } } },
      retryCount: number,
    ) => {
      const retrying = retryCount < 2 && after <= MAX_RATE_LIMIT_WAIT_S;
      const what = callName(octokit, options);
      once(
        `${kind} ${what}`,
        `${what} hit GitHub's ${kind} rate limit; ${retrying ? `retrying in ${after}s` : `not retrying (reset in ${after}s)`}`,
      );
      return retrying;
    };
  const octokit = getOctokit(
    token,
    {
      baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
      request: { fetch: timedFetch(o.timeoutMs, (what, why) => once(what, `GitHub ${what}: ${why}; retrying`)) },
      // plugin-retry waits (n + 1)² × this between attempts: 0.5 s, 2 s, 4.5 s.
      retry: { retryAfterBaseValue: 500 },
      throttle: {
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
        ...(o.pacedWrites ? {} : { write: new Bottleneck.Group({ maxConcurrent: 8, minTime: 0 }) }),
      },
    },
    retry,
    throttling,
  );
  // Registered after the plugins, so it wraps them: it sees the error that remains after every retry.
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options);
    } catch (err) {
      const e = err as Error & { status?: number };
      if (e instanceof Error && !e.message.startsWith('GitHub ')) {
        const call = callName(octokit, options);
        const missing = missingPermission(e.status, e.message, call);
        if (missing?.need) Object.assign(e, { missingPermission: missing.need });
        e.message = `${call}${e.status && e.status !== 500 ? ` answered ${e.status}` : ' failed'}: ${e.message}${missing?.hint ?? ''}`;
      }
      throw err;
    }
  });
  return octokit;
}
