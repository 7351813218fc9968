import { describe, expect, test } from '@jest/globals';
import { Flights } from '../../src/waker/flight.js';

type Result = 'ok' | 'fail';

/** A wake the test finishes by hand, and a clock it moves by hand. */
function harness(o: { holdMs?: number; maxHolds?: number } = {}) {
  let now = 1_000_000;
  const started: string[] = [];
  const finish = new Map<string, (r: Result) => void>();
  const flights = new Flights<Result>({
    now: () => now,
    holdMs: o.holdMs ?? 30_000,
    held: (r) => r === 'fail',
    maxHolds: o.maxHolds,
  });
  const start = (key: string) => () =>
    new Promise<Result>((resolve) => {
      started.push(key);
      finish.set(key, resolve);
    });
  return {
    flights,
    started,
    admit: (key: string) => flights.admit(key, start(key)),
    finish: async (key: string, r: Result) => {
      finish.get(key)!(r);
      await new Promise((resolve) => setImmediate(resolve));
    },
    advance: (ms: number) => void (now += ms),
  };
}

function joined<T>(a: { joined: Promise<T> } | { held: T }): Promise<T> {
  if (!('joined' in a)) throw new Error(`expected to join a wake, got held ${String(a.held)}`);
  return a.joined;
}

describe('Flights: single flight per preview', () => {
  test('twenty requests for one preview share one wake and all get its result', async () => {
    const h = harness();
    const admissions = Array.from({ length: 20 }, () => h.admit('a'));
    expect(h.started).toEqual(['a']);
    expect(admissions.map((a) => 'joined' in a && a.started)).toEqual([true, ...Array(19).fill(false)]);
    expect(h.flights.size).toBe(1);
    await h.finish('a', 'ok');
    expect(await Promise.all(admissions.map(joined))).toEqual(Array(20).fill('ok'));
    expect(h.flights.size).toBe(0);
  });

  test('two previews wake independently', async () => {
    const h = harness();
    const a = h.admit('a');
    const b = h.admit('b');
    expect(h.started).toEqual(['a', 'b']);
    await h.finish('b', 'ok');
    expect(await joined(b)).toBe('ok');
    expect(h.flights.size).toBe(1);
    await h.finish('a', 'ok');
    expect(await joined(a)).toBe('ok');
  });

  test('after a successful wake the next request starts a new one (the preview may have been put to sleep again)', async () => {
    const h = harness();
    h.admit('a');
    await h.finish('a', 'ok');
    expect('joined' in h.admit('a')).toBe(true);
    expect(h.started).toEqual(['a', 'a']);
  });

  test('a wake that throws is not remembered: its waiters get the error, the next request tries again', async () => {
    const flights = new Flights<Result>({ now: () => 0, holdMs: 30_000, held: () => true });
    const a = flights.admit('a', () => Promise.reject(new Error('boom')));
    await expect(joined(a)).rejects.toThrow('boom');
    const again = flights.admit('a', () => Promise.resolve('ok'));
    expect(await joined(again)).toBe('ok');
  });
});

describe('Flights: a failed wake is held for holdMs', () => {
  test('requests within the hold get the failure and the time left, without a new wake', async () => {
    const h = harness({ holdMs: 30_000 });
    h.admit('a');
    await h.finish('a', 'fail');
    h.advance(10_000);
    expect(h.admit('a')).toEqual({ held: 'fail', retryAfterMs: 20_000 });
    h.advance(19_999);
    expect(h.admit('a')).toEqual({ held: 'fail', retryAfterMs: 1 });
    expect(h.started).toEqual(['a']);
  });

  test('once the hold has passed, the next request wakes again', async () => {
    const h = harness({ holdMs: 30_000 });
    h.admit('a');
    await h.finish('a', 'fail');
    h.advance(30_000);
    expect('joined' in h.admit('a')).toBe(true);
    expect(h.started).toEqual(['a', 'a']);
  });

  test("one preview's failure does not hold another", async () => {
    const h = harness();
    h.admit('a');
    await h.finish('a', 'fail');
    expect('joined' in h.admit('b')).toBe(true);
  });

  test('at most maxHolds failures are remembered, the oldest forgotten first', async () => {
    const h = harness({ maxHolds: 2 });
    for (const key of ['a', 'b', 'c']) {
      h.admit(key);
      await h.finish(key, 'fail');
    }
    expect('joined' in h.admit('a')).toBe(true);
    expect(h.admit('b')).toMatchObject({ held: 'fail' });
    expect(h.admit('c')).toMatchObject({ held: 'fail' });
  });
});
