import { describe, expect, test } from '@jest/globals';
import { effectiveLimit, quotaDecision, refusalText, type Refusal } from '../../src/decide/quota.js';

describe('quota', () => {
  const one = (n: number) => ({ name: `shop-pr-${n}`, functions: 1 });
  const previews = Array.from({ length: 15 }, (_, i) => one(i + 1));
  const base = { name: 'shop-pr-99', app: 'shop', maxPreviews: undefined, edition: 'community' as const, needed: 1 };

  test('Community Edition defaults to its 15-function cap, Pro to unlimited', () => {
    expect(effectiveLimit(undefined, 'community')).toBe(15);
    expect(effectiveLimit(undefined, 'pro')).toBe(0);
    expect(effectiveLimit(3, 'pro')).toBe(3);
  });

  test('a 16th preview on CE is refused, naming the holders in PR order', () => {
    const d = quotaDecision({ ...base, previews: [...previews].reverse(), total: 15 });
    expect(d).toMatchObject({ kind: 'refuse', why: 'community-edition', limit: 15, used: 15, needed: 1, foreign: 0 });
    if (d.kind !== 'refuse') return;
    expect(d.holders.map((h) => h.pr)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  test("CE's cap counts functions that are not previews of this repository", () => {
    const d = quotaDecision({ ...base, previews: previews.slice(0, 3), total: 15, maxPreviews: 0 });
    expect(d).toMatchObject({ kind: 'refuse', why: 'community-edition', limit: 15, used: 15, foreign: 12 });
    expect(quotaDecision({ ...base, previews: previews.slice(0, 3), total: 14 })).toEqual({ kind: 'allow' });
  });

  test('the cap counts functions, not previews: a stack holds one slot per function', () => {
    // Issue 23, measured on faasd-ce: a two-function stack and 13 other functions, 15 in all.
    const d = quotaDecision({ ...base, previews: [{ name: 'shop-pr-1', functions: 2 }], total: 15, needed: 2 });
    expect(d).toEqual({
      kind: 'refuse',
      why: 'community-edition',
      limit: 15,
      used: 15,
      needed: 2,
      holders: [{ name: 'shop-pr-1', pr: 1, functions: 2 }],
      foreign: 13,
    });
    // 14 functions leave one slot: not enough for a new 2-function stack, enough for a single function.
    const stack = { ...base, previews: [{ name: 'shop-pr-1', functions: 2 }], total: 14 };
    expect(quotaDecision({ ...stack, needed: 2 })).toMatchObject({ kind: 'refuse', used: 14, needed: 2, foreign: 12 });
    expect(quotaDecision({ ...stack, needed: 1 })).toEqual({ kind: 'allow' });
  });

  test('an existing preview that adds a function needs that slot, but no max-previews slot', () => {
    const existing = { ...base, name: 'shop-pr-1', previews: [one(1)], maxPreviews: 1 };
    expect(quotaDecision({ ...existing, total: 15, needed: 1 })).toMatchObject({ kind: 'refuse', used: 15 });
    expect(quotaDecision({ ...existing, total: 3, needed: 1 })).toEqual({ kind: 'allow' });
  });

  test('max-previews counts only previews of this repository', () => {
    expect(
      quotaDecision({ ...base, edition: 'pro', previews: previews.slice(0, 2), total: 40, maxPreviews: 2 }),
    ).toMatchObject({ kind: 'refuse', why: 'max-previews', limit: 2, used: 2, needed: 1, foreign: 38 });
    expect(
      quotaDecision({ ...base, edition: 'pro', previews: previews.slice(0, 1), total: 40, maxPreviews: 2 }),
    ).toEqual({ kind: 'allow' });
  });

  test('updating an existing preview never needs a slot', () => {
    expect(quotaDecision({ ...base, name: 'shop-pr-3', previews, total: 15, needed: 0 })).toEqual({ kind: 'allow' });
  });

  test('below the limit, and unlimited, allow', () => {
    expect(quotaDecision({ ...base, previews: previews.slice(0, 14), total: 14 })).toEqual({ kind: 'allow' });
    expect(quotaDecision({ ...base, edition: 'pro', previews, total: 15 })).toEqual({ kind: 'allow' });
  });
});

describe('refusalText', () => {
  const ce: Refusal = {
    kind: 'refuse',
    why: 'community-edition',
    limit: 15,
    used: 15,
    needed: 2,
    holders: [{ name: 'shop-pr-1', pr: 1, functions: 2 }],
    foreign: 13,
  };

  test('Community Edition: functions used of the cap, what the preview needs, whose they are', () => {
    expect(refusalText(ce)).toBe(
      'the gateway runs 15 of the 15 functions Community Edition allows (it counts every function), and this preview ' +
        'needs 2 free slots; 2 of the 15 are previews of this repository (1 preview), 13 are not',
    );
  });

  test('max-previews: previews of this repository against the input', () => {
    const r: Refusal = { ...ce, why: 'max-previews', limit: 1, used: 1, needed: 1, foreign: 0 };
    expect(refusalText(r)).toBe(
      "this repository has 1 of the 1 preview input 'max-previews' allows, and this preview needs 1 more",
    );
  });
});
