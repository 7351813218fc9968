/** forEachLimited (src/concurrency.ts): the bound, the order, and what happens after a failure. */
import { jest } from '@jest/globals';
import { forEachLimited } from '../../src/concurrency.js';
import { gate } from '../../test/support/tools.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('forEachLimited', () => {
  it('runs at most `limit` calls at a time, starting items in order', async () => {
    const gates = Array.from({ length: 7 }, gate);
    const started: number[] = [];
    let active = 0;
    let most = 0;
    const done = forEachLimited(gates, 3, async (g, i) => {
      started.push(i);
      most = Math.max(most, ++active);
      await g.promise;
      active--;
    });
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[1].open();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    await done;
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });

  it('after a failure starts nothing new, waits for the running calls, then throws the first failure', async () => {
    const slow = gate();
    const started: number[] = [];
    let settledBeforeThrow = false;
    const done = forEachLimited([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      if (i === 0) {
        await slow.promise;
        settledBeforeThrow = true;
        throw new Error('second failure');
      }
      if (i === 1) throw new Error('first failure');
    });
    let rejected = false;
    done.catch(() => (rejected = true));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(rejected).toBe(false); // item 0 still runs
    slow.open();
    await expect(done).rejects.toThrow('first failure');
    expect(settledBeforeThrow).toBe(true);
    expect(started).toEqual([0, 1]);
  });

  it('a call that handles its own errors stops nothing', async () => {
    const seen: number[] = [];
    await forEachLimited([1, 2, 3], 2, async (n) => {
      try {
        if (n === 2) throw new Error('handled');
      } catch {
        return;
      }
      seen.push(n);
    });
    expect(seen.sort()).toEqual([1, 3]);
  });

  it('copes with no items, a limit above the count, and a limit below 1', async () => {
    const fn = jest.fn(async () => undefined);
    await forEachLimited([], 4, fn);
    expect(fn).not.toHaveBeenCalled();
    await forEachLimited(['a', 'b'], 100, fn);
    expect(fn).toHaveBeenCalledTimes(2);
    const order: string[] = [];
    await forEachLimited(['x', 'y', 'z'], 0, async (s) => void order.push(s));
    expect(order).toEqual(['x', 'y', 'z']);
  });
});
