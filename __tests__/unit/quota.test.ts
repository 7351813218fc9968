import { describe, expect, test } from '@jest/globals';
import { effectiveLimit, quotaDecision } from '../../src/decide/quota.js';

describe('quota', () => {
  const managed = Array.from({ length: 15 }, (_, i) => `shop-pr-${i + 1}`);

  test('Community Edition defaults to its 15-function cap, Pro to unlimited', () => {
    expect(effectiveLimit(undefined, 'community')).toBe(15);
    expect(effectiveLimit(undefined, 'pro')).toBe(0);
    expect(effectiveLimit(3, 'pro')).toBe(3);
  });

  test('a 16th preview on CE is refused, naming the holders in PR order', () => {
    const d = quotaDecision({ name: 'shop-pr-99', app: 'shop', managed: [...managed].reverse(), maxPreviews: undefined, edition: 'community' });
    expect(d.kind).toBe('refuse');
    if (d.kind !== 'refuse') return;
    expect(d.limit).toBe(15);
    expect(d.holders.map((h) => h.pr)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  test('updating an existing preview never needs a slot', () => {
    expect(quotaDecision({ name: 'shop-pr-3', app: 'shop', managed, maxPreviews: undefined, edition: 'community' })).toEqual({ kind: 'allow' });
  });

  test('below the limit, and unlimited, allow', () => {
    expect(quotaDecision({ name: 'shop-pr-99', app: 'shop', managed: managed.slice(0, 14), maxPreviews: undefined, edition: 'community' })).toEqual({ kind: 'allow' });
    expect(quotaDecision({ name: 'shop-pr-99', app: 'shop', managed, maxPreviews: 0, edition: 'community' })).toEqual({ kind: 'allow' });
    expect(quotaDecision({ name: 'shop-pr-99', app: 'shop', managed, maxPreviews: undefined, edition: 'pro' })).toEqual({ kind: 'allow' });
  });
});
