/** The readiness rules of docs/architecture.md ("What a preview promises") against a scripted gateway and a fake clock. */
import { describe, expect, test } from '@jest/globals';
import type { GatewayClient, Provider } from '../../src/openfaas/client.js';
import { NotReady, waitUntilReady } from '../../src/openfaas/readiness.js';
import type { FunctionStatus } from '../../src/openfaas/types.js';

const SHA = 'c'.repeat(40);
const OLD = 'b'.repeat(40);
const target = { name: 'shop-pr-1', image: 'r/shop:pr-1-ccccccc', sha: SHA, readyPath: '/', created: false };
const faasd: Provider = { name: 'faasd-ce', edition: 'community', orchestration: 'containerd', rolling: false };
const netes: Provider = { name: 'faas-netes-ce', edition: 'community', orchestration: 'kubernetes', rolling: true };

type Probe = { status: number; headers?: Record<string, string>; text?: string } | Error;

/** A gateway whose GET and probe answers follow the scripts (the last entry repeats). */
function gateway(statuses: (FunctionStatus | undefined | Error)[], probes: Probe[] = [{ status: 200 }]) {
  let g = 0;
  let p = 0;
  const pick = <T>(list: T[], i: number) => list[Math.min(i, list.length - 1)];
  return {
    url: 'http://gw',
    calls: { get: 0, invoke: 0 },
    async get() {
      this.calls.get++;
      const s = pick(statuses, g++);
      if (s instanceof Error) throw s;
      return s;
    },
    async invoke() {
      this.calls.invoke++;
      const r = pick(probes, p++);
      if (r instanceof Error) throw r;
      return {
        status: r.status,
        headers: r.headers ?? {},
        text: r.text ?? '',
        call: 'GET http://gw/function/shop-pr-1/',
      };
    },
  };
}

const status = (o: Partial<FunctionStatus> = {}): FunctionStatus => ({
  name: 'shop-pr-1',
  image: target.image,
  labels: { 'faas-preview/sha': SHA },
  replicas: 1,
  availableReplicas: 1,
  ...o,
});

function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += Math.max(ms, 1)) };
}

const wait = (gw: ReturnType<typeof gateway>, provider: Provider, o: Partial<typeof target> = {}, timeoutMs = 10_000) =>
  waitUntilReady(
    gw as unknown as GatewayClient,
    provider,
    { ...target, ...o },
    { timeoutMs, requestTimeoutMs: 1000, ...clock() },
  );

describe('waitUntilReady', () => {
  test('ready when the function answers with this commit in X-Faas-Preview-Sha', async () => {
    const r = await wait(gateway([status()], [{ status: 200, headers: { 'x-faas-preview-sha': SHA } }]), netes);
    expect(r).toEqual({
      state: 'ready',
      evidence: 'GET http://gw/function/shop-pr-1/ answered 200 from ccccccc (x-faas-preview-sha)',
      // What public text may say: the path, the status, the commit and why it is this one; no gateway address.
      checks: [{ name: 'shop-pr-1', path: '/', status: 200, sha: SHA, proof: 'header' }],
    });
  });

  test('faasd reports the image in normal form (acme/shop:tag as docker.io/acme/shop:tag): still the image that was sent', async () => {
    const gw = gateway(
      [status({ image: 'docker.io/acme/shop:pr-1-ccccccc' })],
      [{ status: 200, headers: { 'x-faas-preview-sha': SHA } }],
    );
    expect((await wait(gw, faasd, { image: 'acme/shop:pr-1-ccccccc' })).state).toBe('ready');
  });

  test('another image in normal form is still another image', async () => {
    const gw = gateway([status({ image: 'docker.io/acme/shop:pr-1-bbbbbbb' })]);
    await expect(wait(gw, faasd, { image: 'acme/shop:pr-1-ccccccc' })).rejects.toThrow(/did not apply it/);
  });

  test('an available replica is not enough: 500s until the process listens', async () => {
    const gw = gateway(
      [status()],
      [{ status: 500, text: "Can't reach service" }, { status: 500, text: "Can't reach service" }, { status: 204 }],
    );
    expect((await wait(gw, faasd)).state).toBe('ready');
    expect(gw.calls.invoke).toBe(3);
  });

  test('without the header, faasd and a new function are ready (nothing older can answer)', async () => {
    expect((await wait(gateway([status()]), faasd)).evidence).toMatch(/faasd replaces a function on update/);
    expect((await wait(gateway([status()]), netes, { created: true })).evidence).toMatch(/new function/);
  });

  test('without the header, a faas-netes update is only rolling out', async () => {
    const r = await wait(gateway([status()]), netes);
    expect(r.state).toBe('rolling-out');
    expect(r.evidence).toMatch(/may still be the previous version/);
  });

  test('the old version answering with its own sha is waited for, then a clear failure', async () => {
    const err = await wait(
      gateway([status()], [{ status: 200, headers: { 'x-faas-preview-sha': OLD } }]),
      netes,
      {},
      3000,
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(NotReady);
    expect((err as Error).message).toMatch(
      /was not ready within 3s \(input 'ready-timeout'\); last seen: .* answered 200, but from bbbbbbb \(x-faas-preview-sha\); waiting for ccccccc/,
    );
  });

  test('a spec the gateway did not apply fails once the cache lag is over', async () => {
    const stale = status({ image: 'r/shop:pr-1-bbbbbbb', labels: { 'faas-preview/sha': OLD } });
    const err = await wait(gateway([stale]), netes).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /accepted the deploy of r\/shop:pr-1-ccccccc but did not apply it \(it has image r\/shop:pr-1-bbbbbbb, faas-preview\/sha=b{40}\)/,
    );
    expect((err as NotReady).gone).toBe(false);
  });

  test('a read-back that lags briefly is tolerated', async () => {
    const stale = status({ image: 'r/shop:pr-1-bbbbbbb' });
    expect(
      (await wait(gateway([stale, stale, status()], [{ status: 200, headers: { 'x-faas-preview-sha': SHA } }]), netes))
        .state,
    ).toBe('ready');
  });

  test('faasd: a function missing after an update is gone, and says so', async () => {
    const err = (await wait(gateway([undefined]), faasd).catch((e: NotReady) => e)) as NotReady;
    expect(err.gone).toBe(true);
    expect(err.message).toMatch(/gone after the update: faasd replaces a function on update/);
  });

  test('seen, then gone: deleted during the wait', async () => {
    const err = (await wait(gateway([status({ availableReplicas: 0 }), undefined]), netes, { created: true }).catch(
      (e: NotReady) => e,
    )) as NotReady;
    expect(err.message).toMatch(/was deleted while this run waited/);
  });

  test('a probe that cannot connect is reported with its cause at the timeout', async () => {
    const err = await wait(
      gateway([status()], [new Error('GET http://gw/function/shop-pr-1/: socket hang up')]),
      netes,
      {},
      2000,
    ).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/last seen: available replica, but GET .*: socket hang up/);
  });

  test('a status request that hangs counts against ready-timeout and ends in NotReady, not a stray error', async () => {
    const err = await wait(
      gateway([new Error('GET http://gw/system/function/shop-pr-1: no answer within 1s')]),
      netes,
      {},
      2000,
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(NotReady);
    expect((err as Error).message).toMatch(
      /not ready within 2s .*last seen: GET http:\/\/gw\/system\/function\/shop-pr-1: no answer within 1s/,
    );
  });
});
