import { describe, expect, test } from '@jest/globals';
import type { QuotaInput } from '../../src/decide/quota.js';
import { ANNOTATIONS, previewLabels } from '../../src/naming.js';
import type { FunctionStatus } from '../../src/openfaas/types.js';
import { evictionPlan, judgeCandidates, type Candidate, type Judging } from '../../src/sweep/evict-plan.js';
import { groupPreviews } from '../../src/sweep/groups.js';
import type { FunctionAction } from '../../src/sweep/plan.js';

const MIN = 60_000;
const NOW = Date.parse('2026-03-01T12:00:00Z');
const o = { idleAfterMs: 30 * MIN, now: NOW };

/** A preview of PR `pr` with `functions` functions, last used `usedAgo` ms ago, judged as the sweeper would. */
function preview(pr: number, usedAgo: number, functions = 1, deployedAgo = 3 * 60 * MIN): Candidate {
  const at = NOW - usedAgo;
  const idle = usedAgo >= o.idleAfterMs && deployedAgo >= o.idleAfterMs;
  const judged: FunctionAction = {
    name: `shop-pr-${pr}`,
    pr,
    decision: idle ? 'sleep' : 'keep',
    reason: idle ? 'idle' : 'active',
    lastActivity: 'x',
    lastActivityAt: at,
    ...(idle ? { idleFor: `${usedAgo / MIN}m` } : {}),
  };
  return { name: `shop-pr-${pr}`, pr, functions, deployedAt: NOW - deployedAgo, judged };
}

/** The quota input of a new preview `needed` functions wide on a CE gateway holding `candidates` and `foreign`. */
function quota(candidates: Candidate[], foreign: number, needed = 1, name = 'shop-pr-99'): QuotaInput {
  const previews = candidates.map((c) => ({ name: c.name, functions: c.functions }));
  const total = foreign + previews.reduce((n, p) => n + p.functions, 0);
  return { name, app: 'shop', previews, total, needed, maxPreviews: undefined, edition: 'community' };
}

describe('evictionPlan', () => {
  test('a full gateway of idle previews: the least recently used one sleeps, no more', () => {
    const c = [preview(1, 60 * MIN), preview(2, 5 * 60 * MIN), preview(3, 2 * 60 * MIN)];
    const plan = evictionPlan(quota(c, 12), c, o);
    expect(plan).toEqual({ kind: 'evict', victims: [c[1]] });
  });

  test('a stack needing 2 slots puts previews to sleep until 2 are free, oldest use first', () => {
    const c = [preview(1, 60 * MIN), preview(2, 5 * 60 * MIN), preview(3, 2 * 60 * MIN)];
    const plan = evictionPlan(quota(c, 12, 2), c, o);
    expect(plan.kind === 'evict' && plan.victims.map((v) => v.pr)).toEqual([2, 3]);
    // One idle stack of 2 functions frees both.
    const s = [preview(1, 60 * MIN, 2), preview(2, 10 * MIN)];
    expect(evictionPlan(quota(s, 12, 2), s, o)).toEqual({ kind: 'evict', victims: [s[0]] });
  });

  test('previews used within idle-after, or deployed within it, are never evicted: refused, each saying why', () => {
    const c = [preview(1, 5 * MIN), preview(2, 3 * 60 * MIN, 1, 10 * MIN)];
    const plan = evictionPlan(quota(c, 13), c, o);
    expect(plan.kind).toBe('refuse');
    if (plan.kind !== 'refuse') return;
    expect(plan.refusal).toMatchObject({ why: 'community-edition', used: 15, needed: 1, foreign: 13 });
    expect(plan.refusal.holders).toEqual([
      {
        name: 'shop-pr-1',
        pr: 1,
        functions: 1,
        lastUsedAt: '2026-03-01T11:55:00.000Z',
        stays: 'used less than idle-after (30m) ago',
      },
      expect.objectContaining({ pr: 2, stays: 'deployed less than idle-after (30m) ago' }),
    ]);
  });

  test('when the idle ones together free too few slots, none is touched', () => {
    const c = [preview(1, 5 * 60 * MIN), preview(2, 5 * MIN)];
    const plan = evictionPlan(quota(c, 13, 2), c, o);
    expect(plan.kind).toBe('refuse');
    if (plan.kind !== 'refuse') return;
    expect(plan.refusal.holders[0].stays).toBe('idle for 300m, but the idle previews together free too few slots');
  });

  test('unknown last use, and the deploying preview itself, are never candidates', () => {
    const unknown: Candidate = { name: 'shop-pr-1', pr: 1, functions: 1, deployedAt: NOW - 5 * 60 * MIN };
    const self = preview(7, 5 * 60 * MIN);
    // PR 7 adds a second function to its own preview on a full gateway.
    const plan = evictionPlan(quota([unknown, self], 13, 1, 'shop-pr-7'), [unknown, self], o);
    expect(plan.kind).toBe('refuse');
    if (plan.kind !== 'refuse') return;
    expect(plan.refusal.holders.map((h) => h.stays)).toEqual([
      'last use unknown, so it is not put to sleep',
      "this PR's own preview",
    ]);
  });

  test('room already: nothing sleeps', () => {
    const c = [preview(1, 5 * 60 * MIN)];
    expect(evictionPlan(quota(c, 3), c, o)).toEqual({ kind: 'evict', victims: [] });
  });
});

describe('judgeCandidates: last use as the sweeper sees it, unknown where it cannot tell', () => {
  const iso = (ago: number) => new Date(NOW - ago).toISOString();
  /** A listed function of PR `pr`, deployed `deployedAgo` ms ago, called `count` times in its life. */
  const fn = (pr: number, deployedAgo: number, count = 0): FunctionStatus => ({
    name: `shop-pr-${pr}`,
    image: 'ghcr.io/octo-org/shop:1',
    labels: previewLabels('octo-org', 'shop', pr, 'a'.repeat(40)),
    annotations: { [ANNOTATIONS.deployedAt]: iso(deployedAgo) },
    invocationCount: count,
  });
  const judging = (fns: FunctionStatus[], o: Partial<Judging> = {}): Judging => ({
    app: 'shop',
    groups: groupPreviews('shop', fns),
    previous: {},
    readable: true,
    visits: new Map(),
    now: NOW,
    idleAfterMs: o.idleAfterMs ?? 30 * MIN,
    ...o,
  });
  const decisions = (c: Candidate[]) => Object.fromEntries(c.map((x) => [x.pr, x.judged?.decision ?? 'unknown']));

  test('from the memory: unchanged for idle-after is idle, a new call or a visit since is use, absent is unknown', () => {
    const fns = [fn(1, 5 * 60 * MIN, 3), fn(2, 5 * 60 * MIN, 4), fn(3, 5 * 60 * MIN, 3), fn(4, 5 * 60 * MIN)];
    const previous = {
      'shop-pr-1': { count: 3, changedAt: iso(2 * 60 * MIN) },
      'shop-pr-2': { count: 3, changedAt: iso(2 * 60 * MIN) },
      'shop-pr-3': { count: 3, changedAt: iso(2 * 60 * MIN) },
    };
    const visits = new Map([['shop-pr-3', NOW - 5 * MIN]]);
    const c = judgeCandidates(judging(fns, { previous, visits }));
    expect(decisions(c)).toEqual({ 1: 'sleep', 2: 'keep', 3: 'keep', 4: 'unknown' });
    expect(c.find((x) => x.pr === 1)).toMatchObject({ functions: 1, judged: { lastActivityAt: NOW - 2 * 60 * MIN } });
  });

  test('a deploy within idle-after is kept whatever the memory says', () => {
    const previous = { 'shop-pr-1': { count: 0, changedAt: iso(3 * 60 * MIN) } };
    expect(decisions(judgeCandidates(judging([fn(1, 10 * MIN)], { previous })))).toEqual({ 1: 'keep' });
  });

  test('an unreadable source judges none; Prometheus increases judge every preview', () => {
    const previous = { 'shop-pr-1': { count: 0, changedAt: iso(3 * 60 * MIN) } };
    expect(decisions(judgeCandidates(judging([fn(1, 5 * 60 * MIN)], { previous, readable: false })))).toEqual({
      1: 'unknown',
    });
    const fns = [fn(1, 5 * 60 * MIN), fn(2, 5 * 60 * MIN)];
    const groups = groupPreviews('shop', fns, new Map([['shop-pr-2', 3]]));
    expect(decisions(judgeCandidates(judging(fns, { groups, previous: undefined })))).toEqual({
      1: 'sleep',
      2: 'keep',
    });
  });
});
