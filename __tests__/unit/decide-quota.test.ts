import { describe, expect, test } from '@jest/globals';
import { effectiveLimit, quotaDecision } from '../../src/decide/quota.js';

describe('quota', () => {
  const managed = Array.from({ length: 15 }, (_, i) => `shop-pr-${i + 1}`);
  const base = { name: 'shop-pr-99', app: 'shop', maxPreviews: undefined, edition: 'community' as const };

  test('Community Edition defaults to its 15-function cap, Pro to unlimited', () => {
    expect(effectiveLimit(undefined, 'community')).toBe(15);
    expect(effectiveLimit(undefined, 'pro')).toBe(0);
    expect(effectiveLimit(3, 'pro')).toBe(3);
  });

  test('a 16th preview on CE is refused, naming the holders in PR order', () => {
    const d = quotaDecision({ ...base, managed: [...managed].reverse(), total: 15 });
    expect(d).toMatchObject({ kind: 'refuse', why: 'community-edition', limit: 15, foreign: 0 });
    if (d.kind !== 'refuse') return;
    expect(d.holders.map((h) => h.pr)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  test("CE's cap counts functions that are not previews of this repository", () => {
    const d = quotaDecision({ ...base, managed: managed.slice(0, 3), total: 15, maxPreviews: 0 });
    expect(d).toMatchObject({ kind: 'refuse', why: 'community-edition', limit: 15, foreign: 12 });
    expect(quotaDecision({ ...base, managed: managed.slice(0, 3), total: 14 })).toEqual({ kind: 'allow' });
  });

  test('max-previews counts only previews of this repository', () => {
    expect(
      quotaDecision({ ...base, edition: 'pro', managed: managed.slice(0, 2), total: 40, maxPreviews: 2 }),
    ).toMatchObject({ kind: 'refuse', why: 'max-previews', limit: 2, foreign: 38 });
    expect(quotaDecision({ ...base, edition: 'pro', managed: managed.slice(0, 1), total: 40, maxPreviews: 2 })).toEqual(
      { kind: 'allow' },
    );
  });

  test('updating an existing preview never needs a slot', () => {
    expect(quotaDecision({ ...base, name: 'shop-pr-3', managed, total: 15 })).toEqual({ kind: 'allow' });
  });

  test('below the limit, and unlimited, allow', () => {
    expect(quotaDecision({ ...base, managed: managed.slice(0, 14), total: 14 })).toEqual({ kind: 'allow' });
    expect(quotaDecision({ ...base, edition: 'pro', managed, total: 15 })).toEqual({ kind: 'allow' });
  });
});
