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
  const m = await queryIncreases({ url: prom.url + '/', timeoutMs: 5000 }, 90 * 60_000, '');
  expect(Object.fromEntries(m)).toEqual({ 'shop-pr-1': 2, 'shop-pr-2': 0, 'shop-pr-3': 1 });
  expect(prom.calls).toHaveLength(1);
  expect(prom.calls[0]).toMatchObject({ method: 'GET', path: '/api/v1/query', status: 200 });
  expect(prom.windows).toEqual(['90m']);
});

test('prometheus-username and -password go as Basic auth; without them a 401 names the inputs', async () => {
  const prom = await prometheus({ basicAuth: { username: 'sweeper', password: 'p@ss:word' } });
  prom.setIncreases({ 'shop-pr-1.openfaas-fn': 1 });
  expect(
    Object.fromEntries(
      await queryIncreases(
        { url: prom.url, auth: { username: 'sweeper', password: 'p@ss:word' }, timeoutMs: 5000 },
        30 * 60_000,
        'openfaas-fn',
      ),
    ),
  ).toEqual({ 'shop-pr-1': 1 });
  await expect(queryIncreases({ url: prom.url, timeoutMs: 5000 }, 30 * 60_000, '')).rejects.toThrow(
    /answered 401.*prometheus-username/,
  );
});

test('errors name the input and carry what Prometheus said', async () => {
  const prom = await prometheus();
  await expect(queryIncreases({ url: prom.url + '/nope', timeoutMs: 5000 }, 30 * 60_000, '')).rejects.toThrow(
    /Prometheus query failed \(404 not_found\)/,
  );
  await expect(queryIncreases({ url: 'http://127.0.0.1:1', timeoutMs: 2000 }, 30 * 60_000, '')).rejects.toThrow(
    /input 'prometheus-url'.*ECONNREFUSED 127\.0\.0\.1:1/,
  );
});
