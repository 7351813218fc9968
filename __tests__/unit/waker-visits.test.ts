/**
 * The edge service's visit marks: one background write per preview per VISIT_WRITE_MS, never on the request's path;
 * a failed write is tried again on the next request; the sweeper reads what was written.
 */
import { describe, expect, test } from '@jest/globals';
import type { BucketObjects } from '../../src/state/objects.js';
import type { StateStore } from '../../src/state/store.js';
import { readVisit } from '../../src/state/visits.js';
import { VISIT_WRITE_MS, visitRecorder } from '../../src/waker/visits.js';

/** A bucket in memory that can be told to fail its writes. */
function bucket() {
  const objects = new Map<string, string>();
  const state = { failing: false, writes: [] as string[] };
  const calls: Pick<BucketObjects, 'get' | 'put'> = {
    get: async (key) => {
      const text = objects.get(key);
      return text === undefined ? undefined : Buffer.from(text);
    },
    put: async (key, body) => {
      if (state.failing) throw new Error('the bucket is down');
      state.writes.push(key);
      objects.set(key, body);
    },
  };
  const store = { bucket: 'previews', statePrefix: '.faas-preview', objects: calls } as StateStore;
  return { state, store };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('visitRecorder', () => {
  test('the first request of a preview is written at once, the next ones only after VISIT_WRITE_MS', async () => {
    const b = bucket();
    let now = Date.parse('2026-12-07T09:00:00Z');
    const seen = visitRecorder(
      b.store,
      () => now,
      () => undefined,
    );
    seen('shop-pr-1');
    seen('shop-pr-1');
    seen('shop-pr-2');
    await settle();
    expect(b.state.writes).toEqual(['.faas-preview/visited/shop-pr-1.json', '.faas-preview/visited/shop-pr-2.json']);
    now += VISIT_WRITE_MS - 1;
    seen('shop-pr-1');
    await settle();
    expect(b.state.writes).toHaveLength(2);
    now += 1;
    seen('shop-pr-1');
    await settle();
    expect(b.state.writes).toHaveLength(3);
    expect(await readVisit(b.store, 'shop-pr-1')).toBe(now);
  });

  test('a failed write is logged and tried again by the next request', async () => {
    const b = bucket();
    const lines: string[] = [];
    const seen = visitRecorder(
      b.store,
      () => 1_000_000,
      (l) => lines.push(l),
    );
    b.state.failing = true;
    seen('shop-pr-3');
    await settle();
    expect(lines).toEqual(['visit of shop-pr-3 not recorded: the bucket is down']);
    b.state.failing = false;
    seen('shop-pr-3');
    await settle();
    expect(await readVisit(b.store, 'shop-pr-3')).toBe(1_000_000);
  });

  test('readVisit: nothing written, or an object that is not a visit, is no visit', async () => {
    const b = bucket();
    expect(await readVisit(b.store, 'shop-pr-4')).toBeUndefined();
    await b.store.objects.put('.faas-preview/visited/shop-pr-4.json', '{"at":"yesterday"}', {
      contentType: 'application/json',
      cacheControl: 'no-cache',
    });
    expect(await readVisit(b.store, 'shop-pr-4')).toBeUndefined();
  });
});
