import { describe, expect, test } from '@jest/globals';
import type { FunctionStatus } from '../../src/openfaas/types.js';
import { untilGone } from '../../src/sweep/put-to-sleep.js';

/** A gateway whose listings are `listings`, one per call, the last one repeated. */
function gateway(listings: string[][]) {
  let calls = 0;
  return {
    calls: () => calls,
    list: (): Promise<FunctionStatus[]> =>
      Promise.resolve(listings[Math.min(calls++, listings.length - 1)].map((name) => ({ name, image: 'x' }))),
  };
}

const noWait = () => Promise.resolve();

describe('untilGone: the slots of deleted functions are free once the gateway stops listing them', () => {
  test('faasd: gone at the first listing', async () => {
    const g = gateway([['other']]);
    await untilGone(g, new Set(['shop-pr-1']), Date.now() + 60_000, noWait);
    expect(g.calls()).toBe(1);
  });

  test('faas-netes: listed while its pods terminate, looked at again until it is gone', async () => {
    const g = gateway([['shop-pr-1', 'shop-pr-1-api', 'other'], ['shop-pr-1-api', 'other'], ['other']]);
    await untilGone(g, new Set(['shop-pr-1', 'shop-pr-1-api']), Date.now() + 60_000, noWait);
    expect(g.calls()).toBe(3);
  });

  test('still listed at the deadline: an error naming what is left', async () => {
    const g = gateway([['shop-pr-1', 'other']]);
    await expect(untilGone(g, new Set(['shop-pr-1']), Date.now() - 1, noWait)).rejects.toThrow(
      'the functions put to sleep to make room are still on the gateway: shop-pr-1',
    );
  });
});
