/** The sweeper's Prometheus client against the emulated Prometheus HTTP API. */
import { afterEach, expect, test } from '@jest/globals';
import { queryIncreases } from '../../src/sweep/prometheus.js';
import { startPrometheus, type PrometheusEmulator } from '../../test/support/prometheus.js';

const open: PrometheusEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});
async function prometheus(...args: Parameters<typeof startPrometheus>): Promise<PrometheusEmulator> {
  const p = await startPrometheus(...args);
  open.push(p);
  return p;
}

test('one instant query over the idle-after window; .namespace suffixes folded, other namespaces left out', async () => {
  const prom = await prometheus();
  prom.setIncreases({ 'shop-pr-1.openfaas-fn': 2, 'shop-pr-2.openfaas-fn': 0, 'shop-pr-3': 1, 'shop-pr-4.dev': 9 });
  const m = await queryIncreases(prom.url + '/', 90 * 60_000, '');
  expect(Object.fromEntries(m)).toEqual({ 'shop-pr-1': 2, 'shop-pr-2': 0, 'shop-pr-3': 1 });
  expect(prom.calls).toHaveLength(1);
  expect(prom.calls[0]).toMatchObject({ method: 'GET', path: '/api/v1/query', status: 200 });
  expect(prom.windows).toEqual(['90m']);
});

test('credentials in prometheus-url become Basic auth and never reach fetch as a URL', async () => {
  const prom = await prometheus({ basicAuth: { username: 'sweeper', password: 'p@ss:word' } });
  prom.setIncreases({ 'shop-pr-1.openfaas-fn': 1 });
  const url = prom.url.replace('http://', `http://sweeper:${encodeURIComponent('p@ss:word')}@`);
  expect(Object.fromEntries(await queryIncreases(url, 30 * 60_000, 'openfaas-fn'))).toEqual({ 'shop-pr-1': 1 });
  await expect(queryIncreases(prom.url, 30 * 60_000, '')).rejects.toThrow(/prometheus-url.*401|401/);
});

test('errors name the input and carry what Prometheus said', async () => {
  const prom = await prometheus();
  await expect(queryIncreases(prom.url + '/nope', 30 * 60_000, '')).rejects.toThrow(/Prometheus query failed \(404 not_found\)/);
  await expect(queryIncreases('http://127.0.0.1:1', 30 * 60_000, '', 2000)).rejects.toThrow(/input 'prometheus-url'.*did not answer/);
});
