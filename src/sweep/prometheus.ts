/**
 * Idleness from the OpenFaaS Prometheus: one instant query of the invocation increase per function over the
 * `idle-after` window. The gateway labels series with `function_name`, which carries a `.<namespace>` suffix on
 * recent gateways (`shop-pr-2.openfaas-fn`) and none on older ones.
 */

import { callWithRetry, type CallResponse } from '../http/call.js';

const DEFAULT_NAMESPACE = 'openfaas-fn';

const PROM_UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** A Prometheus range duration: the largest unit that divides exactly ('30m', '90s', '1d', '1500ms'). */
export function promDuration(ms: number): string {
  const whole = Math.round(ms);
  if (!(whole >= 1)) throw new Error(`a Prometheus range needs a positive duration, got ${ms}ms`);
  const [unit, size] = PROM_UNITS.find(([, s]) => whole % s === 0)!;
  return `${whole / size}${unit}`;
}

export function increaseQuery(idleAfterMs: number): string {
  return `sum by (function_name) (increase(gateway_function_invocation_total[${promDuration(idleAfterMs)}]))`;
}

interface VectorSample {
  metric?: Record<string, string>;
  value?: [number, string];
}

interface QueryResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: VectorSample[] };
}

/**
 * Vector result → increase per function name of `namespace` (empty: the default namespace). Samples of other
 * namespaces are left out; `name` and `name.<namespace>` add up; NaN and negative values count as 0.
 */
export function increasesByFunction(samples: readonly VectorSample[], namespace: string): Map<string, number> {
  const ns = namespace || DEFAULT_NAMESPACE;
  const out = new Map<string, number>();
  for (const s of samples) {
    const label = s.metric?.function_name;
    if (!label) continue;
    const dot = label.indexOf('.');
    const name = dot < 0 ? label : label.slice(0, dot);
    if (dot >= 0 && label.slice(dot + 1) !== ns) continue;
    const value = Number(s.value?.[1]);
    out.set(name, (out.get(name) ?? 0) + (Number.isFinite(value) && value > 0 ? value : 0));
  }
  return out;
}

export interface PrometheusTarget {
  url: string;
  /** From the inputs `prometheus-username` / `prometheus-password`; sent as Basic auth. */
  auth?: { username: string; password: string };
  timeoutMs: number;
  log?: (line: string) => void;
}

/** Runs the increase query (bounded and retried like every other call); errors name the input and the call. */
export async function queryIncreases(
  target: PrometheusTarget,
  idleAfterMs: number,
  namespace: string,
): Promise<Map<string, number>> {
  const url = new URL(target.url.replace(/\/+$/, '') + '/api/v1/query');
  const query = increaseQuery(idleAfterMs);
  url.searchParams.set('query', query);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.auth)
    headers.authorization =
      'Basic ' + Buffer.from(`${target.auth.username}:${target.auth.password}`).toString('base64');
  let res: CallResponse;
  try {
    res = await callWithRetry({
      method: 'GET',
      url,
      headers,
      timeoutMs: target.timeoutMs,
      accept: () => true,
      log: target.log,
    });
  } catch (err) {
    throw new Error(`Prometheus (input 'prometheus-url') did not answer: ${(err as Error).message}`, { cause: err });
  }
  let body: QueryResponse;
  try {
    body = JSON.parse(res.text) as QueryResponse;
  } catch {
    throw new Error(
      `${res.call} (input 'prometheus-url') answered ${res.status} with something that is not JSON${res.status === 401 ? " (check 'prometheus-username' and 'prometheus-password')" : ''}`,
    );
  }
  if (res.status !== 200 || body.status !== 'success') {
    throw new Error(
      `Prometheus query failed (${res.status}${body.errorType ? ` ${body.errorType}` : ''}): ${body.error ?? ''}; query: ${query}`,
    );
  }
  if (body.data?.resultType !== 'vector' || !Array.isArray(body.data.result)) {
    throw new Error(
      `Prometheus answered a ${body.data?.resultType ?? 'missing'} result to an instant query, expected a vector`,
    );
  }
  return increasesByFunction(body.data.result, namespace);
}
