import { describe, expect, test } from '@jest/globals';
import { backoffMs, RetriesExhausted, withRetry } from '../../src/retry.js';

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };
const fake = () => {
  let t = 0;
  const waits: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (waits.push(ms), (t += ms)), waits };
};

describe('withRetry', () => {
  test('retries transient failures, logs once, then succeeds', async () => {
    const clock = fake();
    const log: string[] = [];
    let calls = 0;
    const out = await withRetry(
      async () => {
        if (++calls < 3) throw new Error('502 from upstream');
        return 'ok';
      },
      {
        what: 'PUT http://gw/system/functions',
        transient: () => ({}),
        log: (l) => log.push(l),
        policy,
        ...clock,
        random: () => 0.5,
      },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(log).toEqual(['PUT http://gw/system/functions: 502 from upstream; retrying up to 3 more times']);
    expect(clock.waits).toEqual([75, 150]);
  });

  test('a non-transient error is rethrown at once, as it is', async () => {
    const err = new Error('401');
    let calls = 0;
    await expect(
      withRetry(async () => (calls++, Promise.reject(err)), { what: 'x', transient: () => false, policy }),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
  });

  test('gives up after the last attempt and says how many were made', async () => {
    const clock = fake();
    const run = withRetry(async () => Promise.reject(new Error('socket hang up')), {
      what: 'x',
      transient: () => ({}),
      policy,
      ...clock,
    });
    await expect(run).rejects.toThrow(new RetriesExhausted(4, new Error('socket hang up')).message);
    expect(clock.waits).toHaveLength(3);
  });

  test('honours a server-requested delay when it is longer than the backoff', async () => {
    const clock = fake();
    let calls = 0;
    await withRetry(async () => (++calls < 2 ? Promise.reject(new Error('429')) : 'ok'), {
      what: 'x',
      transient: () => ({ afterMs: 5000 }),
      policy,
      ...clock,
    });
    expect(clock.waits).toEqual([5000]);
  });

  test('never waits past the deadline: the error comes before it', async () => {
    const clock = fake();
    const run = withRetry(async () => Promise.reject(new Error('503')), {
      what: 'x',
      transient: () => ({}),
      policy,
      deadline: 250,
      ...clock,
      random: () => 1,
    });
    await expect(run).rejects.toThrow('503 (after 2 attempts)');
    expect(clock.waits).toEqual([100]);
  });
});

describe('backoffMs', () => {
  test('doubles up to the cap, jitter within the upper half', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(policy, a, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(policy, a, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });
});
