/** The gateway client against the emulated providers, with faults on the wire from the fault proxy. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { GatewayClient } from '../../src/openfaas/client.js';
import { startFaultProxy, type FaultProxy } from '../../test/support/faults.js';
import { startGateway, type Edition, type GatewayEmulator, type GatewayOptions } from '../../test/support/gateway.js';

const PASSWORD = 'gw-client-Pw2';
const spec = {
  service: 'shop-pr-1',
  image: 'ghcr.io/acme/shop:pr-1-abcdef0',
  labels: { 'faas-preview/sha': 'a'.repeat(40) },
};

const open: (GatewayEmulator | FaultProxy)[] = [];
afterEach(async () => Promise.all(open.splice(0).map((x) => x.close())));

async function setup(edition: Edition, o: GatewayOptions = {}) {
  const gateway = await startGateway({ edition, password: PASSWORD, ...o });
  const proxy = await startFaultProxy(gateway.url);
  open.push(gateway, proxy);
  const log: string[] = [];
  const client = new GatewayClient(
    { url: proxy.url, username: 'admin', password: PASSWORD, namespace: '' },
    { timeoutMs: 2000, log: (l) => log.push(l) },
  );
  return { gateway, proxy, client, log };
}

const posts = (p: FaultProxy) => p.requests.filter((r) => r.method === 'POST' && r.path === '/system/functions');

describe.each<Edition>(['faasd-ce', 'faas-netes-ce'])('deploy on %s', (edition) => {
  test('two creates racing: one creates, the other finds it and updates; no error', async () => {
    const { gateway, proxy, client } = await setup(edition);
    // Both PUTs answer 404 before either POST lands.
    proxy.add({ method: 'PUT', path: '/system/functions', times: 2, fault: { delay: 300 } });
    const results = await Promise.all([
      client.deploy(spec, 5000),
      client.deploy({ ...spec, image: 'ghcr.io/acme/shop:pr-1-bbbbbbb' }, 5000),
    ]);
    expect([...results].sort()).toEqual(['created', 'updated']);
    expect(gateway.functions()).toHaveLength(1);
  });

  test('a create that landed but whose answer was lost is not sent twice', async () => {
    const { gateway, proxy, client } = await setup(edition);
    proxy.add({ method: 'POST', path: '/system/functions', times: 1, fault: { drop: true } });
    expect(await client.deploy(spec, 5000)).toBe('updated');
    expect(posts(proxy)).toHaveLength(1);
    expect(gateway.get(spec.service)?.image).toMatch(/shop:pr-1-abcdef0$/);
  });

  test('a create that failed transiently and did not land is sent once more, and logged once', async () => {
    const { gateway, proxy, client, log } = await setup(edition);
    proxy.add({ method: 'POST', path: '/system/functions', times: 1, fault: { status: 502, body: 'Bad Gateway' } });
    expect(await client.deploy(spec, 5000)).toBe('created');
    expect(posts(proxy)).toHaveLength(2);
    expect(log).toEqual([
      expect.stringMatching(
        /POST http:\/\/127\.0\.0\.1:\d+\/system\/functions failed \(.*answered 502: Bad Gateway\) and the function does not exist; sending it once more/,
      ),
    ]);
    expect(gateway.functions()).toHaveLength(1);
  });
});

describe('errors that name the call and the likely cause', () => {
  test('wrong credentials: 401 with the inputs to check, not retried', async () => {
    const { proxy } = await setup('faasd-ce');
    const client = new GatewayClient(
      { url: proxy.url, username: 'admin', password: 'wrong', namespace: '' },
      { timeoutMs: 2000 },
    );
    await expect(client.info()).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/system\/info answered 401: .*\(check 'gateway-username' and 'gateway-password'\)$/,
    );
    expect(proxy.requests).toHaveLength(1);
  });

  test('the list dropped by a gateway whose Prometheus is down names Prometheus', async () => {
    const { client } = await setup('faasd-ce', { prometheus: 'down' });
    await expect(client.list()).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/system\/functions: .*\(after 3 attempts\); the OpenFaaS gateway drops this request when it cannot reach its Prometheus/,
    );
  });

  test('a gateway that never answers is cut at the timeout, three times, then named', async () => {
    const { proxy } = await setup('faasd-ce');
    proxy.add({ method: 'GET', path: '/system/info', fault: { hang: true } });
    const client = new GatewayClient(
      { url: proxy.url, username: 'admin', password: PASSWORD, namespace: '' },
      { timeoutMs: 300 },
    );
    await expect(client.info()).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/system\/info: no answer within 0\.3s \(after 3 attempts\)/,
    );
  });
});
