import { describe, expect, test } from '@jest/globals';
import {
  actsOn,
  finalState,
  formatDuration,
  orphanData,
  planSweep,
  type ManagedFunction,
  type Memory,
  type PlanInput,
} from '../../src/sweep/plan.js';
import { increaseQuery, increasesByFunction, promDuration } from '../../src/sweep/prometheus.js';
import { idleSource, parseState, sweeperKey } from '../../src/state/sweeper.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function fn(pr: number, o: Partial<ManagedFunction> = {}): ManagedFunction {
  return { name: `shop-pr-${pr}`, pr, replicas: 1, invocationCount: 10, deployedAt: NOW - 2 * DAY, ...o };
}

function input(o: Partial<PlanInput> = {}): PlanInput {
  return {
    functions: [],
    previous: {},
    openPulls: new Set([1, 2, 3, 4, 5]),
    prefixes: [],
    app: 'shop',
    edition: 'community',
    now: NOW,
    idleAfterMs: 30 * MIN,
    ...o,
  };
}

const seen = (count: number, agoMs: number) => ({ count, changedAt: iso(NOW - agoMs) });
const only = (o: Partial<PlanInput>) => {
  const plan = planSweep(input(o));
  expect(plan.actions).toHaveLength(1);
  return { plan, a: plan.actions[0] };
};

describe('idleness from the invocation counter (state mode)', () => {
  test('unchanged count for at least idle-after: CE sleeps the preview, Pro scales it to zero', () => {
    const previous = { 'shop-pr-1': seen(10, 31 * MIN) };
    const ce = only({ functions: [fn(1)], previous });
    expect(ce.a.decision).toBe('sleep');
    expect(ce.a.idleFor).toBe('31m');
    expect(ce.a.reason).toMatch(/idle for 31m, idle-after is 30m/);
    expect(ce.a.lastActivity).toContain(iso(NOW - 31 * MIN));
    const pro = only({ functions: [fn(1)], previous, edition: 'pro' });
    expect(pro.a.decision).toBe('scale-to-zero');
  });

  test('exactly idle-after counts as idle; one ms less does not', () => {
    expect(only({ functions: [fn(1)], previous: { 'shop-pr-1': seen(10, 30 * MIN) } }).a.decision).toBe('sleep');
    expect(only({ functions: [fn(1)], previous: { 'shop-pr-1': seen(10, 30 * MIN - 1) } }).a.decision).toBe('keep');
  });

  test('a higher count is activity now: kept, and the state remembers the new count and time', () => {
    const { plan, a } = only({
      functions: [fn(1, { invocationCount: 15 })],
      previous: { 'shop-pr-1': seen(10, 5 * HOUR) },
    });
    expect(a.decision).toBe('keep');
    expect(a.lastActivity).toMatch(/^now; invocations 10 → 15/);
    expect(plan.next).toEqual({ 'shop-pr-1': { count: 15, changedAt: iso(NOW) } });
    expect(plan.changed).toBe(true);
  });

  test('a LOWER count (the gateway restarted, the counter reset) is activity too', () => {
    const { plan, a } = only({
      functions: [fn(1, { invocationCount: 3 })],
      previous: { 'shop-pr-1': seen(40, 5 * HOUR) },
    });
    expect(a.decision).toBe('keep');
    expect(a.lastActivity).toMatch(/counter reset 40 → 3/);
    expect(plan.next).toEqual({ 'shop-pr-1': { count: 3, changedAt: iso(NOW) } });
  });

  test('a reset to a missing invocationCount key (0) is activity', () => {
    const { plan, a } = only({
      functions: [fn(1, { invocationCount: undefined })],
      previous: { 'shop-pr-1': seen(7, 5 * HOUR) },
    });
    expect(a.decision).toBe('keep');
    expect(plan.next!['shop-pr-1']).toEqual({ count: 0, changedAt: iso(NOW) });
  });

  test('a function first seen counts as active now (conservative), even when deployed long ago', () => {
    const { plan, a } = only({ functions: [fn(1, { deployedAt: NOW - 10 * DAY })], previous: {} });
    expect(a.decision).toBe('keep');
    expect(a.lastActivity).toMatch(/first seen/);
    expect(plan.next).toEqual({ 'shop-pr-1': { count: 10, changedAt: iso(NOW) } });
    expect(plan.changed).toBe(true);
  });

  test('no previous state at all behaves as an empty one', () => {
    expect(only({ functions: [fn(1)], previous: undefined }).a.decision).toBe('keep');
  });

  test('a malformed state entry is treated as first seen, not as idle', () => {
    const previous = { 'shop-pr-1': { count: 'x', changedAt: 'yesterday' } } as unknown as Memory;
    const { a } = only({ functions: [fn(1)], previous });
    expect(a.decision).toBe('keep');
    expect(a.observed).toEqual({ count: 10, changedAt: iso(NOW) });
  });

  test('a state entry named like an Object.prototype key is not confused with a real one', () => {
    const { a } = only({ functions: [{ ...fn(1), name: 'constructor' }], previous: {} });
    expect(a.observed).toEqual({ count: 10, changedAt: iso(NOW) });
  });

  test('a deploy after the last counter change is the last activity', () => {
    const { a } = only({
      functions: [fn(1, { deployedAt: NOW - 40 * MIN })],
      previous: { 'shop-pr-1': seen(10, 3 * HOUR) },
    });
    expect(a.decision).toBe('sleep');
    expect(a.idleFor).toBe('40m');
    expect(a.lastActivity).toMatch(/deployed/);
    expect(a.lastActivityAt).toBe(NOW - 40 * MIN);
  });
});

describe("the edge's visits (pages from the bucket never reach the gateway's counters)", () => {
  const visits = (agoMs: number) => new Map([['shop-pr-1', NOW - agoMs]]);

  test('a visit within idle-after keeps a preview whose invocations stopped long ago, in both modes', () => {
    const state = only({ functions: [fn(1)], previous: { 'shop-pr-1': seen(10, 3 * HOUR) }, visits: visits(5 * MIN) });
    expect(state.a.decision).toBe('keep');
    expect(state.a.lastActivity).toBe(`${iso(NOW - 5 * MIN)} (5m ago); visited through the edge`);
    expect(state.a.lastActivityAt).toBe(NOW - 5 * MIN);
    const prom = only({ functions: [fn(1)], increases: new Map([['shop-pr-1', 0]]), visits: visits(5 * MIN) });
    expect(prom.a.decision).toBe('keep');
  });

  test('a visit older than idle-after is idle from the visit on; an older visit than the last invocation changes nothing', () => {
    const old = only({ functions: [fn(1)], previous: { 'shop-pr-1': seen(10, 3 * HOUR) }, visits: visits(HOUR) });
    expect([old.a.decision, old.a.idleFor]).toEqual(['sleep', '1h']);
    const stale = only({ functions: [fn(1)], previous: { 'shop-pr-1': seen(10, HOUR) }, visits: visits(3 * HOUR) });
    expect([stale.a.decision, stale.a.idleFor]).toEqual(['sleep', '1h']);
    expect(stale.a.lastActivity).not.toContain('visited');
  });

  test("a visit does not change the sweeper's memory of the counter, and one in the future counts as now", () => {
    const previous = { 'shop-pr-1': seen(10, 3 * HOUR) };
    const future = only({ functions: [fn(1)], previous, visits: visits(-HOUR) });
    expect(future.a.decision).toBe('keep');
    expect(future.a.lastActivityAt).toBe(NOW);
    expect(future.a.observed).toEqual(previous['shop-pr-1']);
  });
});

describe('the deploy-age guard', () => {
  test('never touches a function deployed less than idle-after ago, whatever else holds', () => {
    const recent = fn(9, { deployedAt: NOW - 10 * MIN, replicas: undefined });
    const previous = { 'shop-pr-9': seen(10, 5 * DAY) };
    for (const edition of ['community', 'pro'] as const) {
      const { a } = only({ functions: [recent], previous, edition, openPulls: new Set(), maxAgeMs: 1 });
      expect(a.decision).toBe('keep');
      expect(a.reason).toMatch(/deployed 10m ago, less than idle-after \(30m\)/);
    }
  });

  test('a deploy time in the future (clock skew) counts as just deployed', () => {
    const { a } = only({ functions: [fn(1, { deployedAt: NOW + 5 * MIN })], previous: { 'shop-pr-1': seen(10, DAY) } });
    expect(a.decision).toBe('keep');
    expect(a.reason).toMatch(/deployed just now/);
  });

  test('an unknown deploy time does not protect, but the counter rules still apply', () => {
    expect(
      only({ functions: [fn(1, { deployedAt: undefined })], previous: { 'shop-pr-1': seen(10, HOUR) } }).a.decision,
    ).toBe('sleep');
    expect(only({ functions: [fn(1, { deployedAt: undefined })], previous: {} }).a.decision).toBe('keep');
  });
});

describe('closed PRs and expiry', () => {
  test('a function whose PR is not open is torn down, even when active', () => {
    const { plan, a } = only({
      functions: [fn(7, { invocationCount: 99 })],
      previous: { 'shop-pr-7': seen(10, MIN) },
      openPulls: new Set([1]),
    });
    expect(a.decision).toBe('teardown');
    expect(a.reason).toBe('PR #7 is closed');
    expect(plan.next).toEqual({});
  });

  test('expired: last deploy older than max-age is torn down even when busy; younger is not', () => {
    const busy = { 'shop-pr-1': seen(10, MIN) };
    const old = only({
      functions: [fn(1, { deployedAt: NOW - 8 * DAY, invocationCount: 50 })],
      previous: busy,
      maxAgeMs: 7 * DAY,
    });
    expect(old.a.decision).toBe('teardown');
    expect(old.a.reason).toBe('last deployed 8d ago, more than max-age (7d)');
    const young = only({
      functions: [fn(1, { deployedAt: NOW - 6 * DAY, invocationCount: 50 })],
      previous: busy,
      maxAgeMs: 7 * DAY,
    });
    expect(young.a.decision).toBe('keep');
  });

  test('without max-age nothing expires; an unknown deploy time never expires', () => {
    expect(
      only({ functions: [fn(1, { deployedAt: NOW - 400 * DAY })], previous: { 'shop-pr-1': seen(10, MIN) } }).a
        .decision,
    ).toBe('keep');
    expect(
      only({ functions: [fn(1, { deployedAt: undefined })], previous: { 'shop-pr-1': seen(10, MIN) }, maxAgeMs: DAY }).a
        .decision,
    ).toBe('keep');
  });

  test('closed wins over expired and over already-asleep', () => {
    const { a } = only({
      functions: [fn(8, { deployedAt: NOW - 30 * DAY, replicas: 0 })],
      openPulls: new Set(),
      maxAgeMs: DAY,
      edition: 'pro',
    });
    expect(a.decision).toBe('teardown');
    expect(a.reason).toBe('PR #8 is closed');
  });
});

describe('editions and replicas', () => {
  test('Pro at zero replicas (the replicas key missing) is already asleep, and keeps its state entry', () => {
    const previous = { 'shop-pr-1': seen(10, 3 * HOUR) };
    const { plan, a } = only({ functions: [fn(1, { replicas: undefined })], previous, edition: 'pro' });
    expect(a.decision).toBe('already-asleep');
    expect(actsOn(a.decision)).toBe(false);
    expect(plan.next).toEqual(previous);
    expect(plan.changed).toBe(false);
  });

  test('Pro woken from zero by a request: count up → kept; idle again later → scaled to zero again', () => {
    const woke = only({
      functions: [fn(1, { replicas: 1, invocationCount: 11 })],
      previous: { 'shop-pr-1': seen(10, 3 * HOUR) },
      edition: 'pro',
    });
    expect(woke.a.decision).toBe('keep');
    const later = only({
      functions: [fn(1, { replicas: 1, invocationCount: 11 })],
      previous: woke.plan.next,
      edition: 'pro',
      now: NOW + 31 * MIN,
    });
    expect(later.a.decision).toBe('scale-to-zero');
  });

  test('Community Edition never reports already-asleep: a function at zero there is just idle or not', () => {
    expect(only({ functions: [fn(1, { replicas: 0 })], previous: { 'shop-pr-1': seen(10, HOUR) } }).a.decision).toBe(
      'sleep',
    );
    expect(only({ functions: [fn(1, { replicas: 0 })], previous: { 'shop-pr-1': seen(10, MIN) } }).a.decision).toBe(
      'keep',
    );
  });

  test('only scale-to-zero, sleep and teardown write to the gateway', () => {
    expect(['keep', 'scale-to-zero', 'sleep', 'teardown', 'already-asleep'].filter((d) => actsOn(d as never))).toEqual([
      'scale-to-zero',
      'sleep',
      'teardown',
    ]);
  });
});

describe('Prometheus mode', () => {
  const increases = new Map([
    ['shop-pr-1', 0],
    ['shop-pr-2', 0.4],
  ]);

  test('increase > 0 is activity, 0 or no series is idle; no state is kept', () => {
    const plan = planSweep(
      input({ functions: [fn(1), fn(2), fn(3)], increases, previous: { 'shop-pr-1': seen(10, MIN) } }),
    );
    expect(plan.mode).toBe('prometheus');
    expect(plan.actions.map((a) => [a.name, a.decision])).toEqual([
      ['shop-pr-1', 'sleep'],
      ['shop-pr-2', 'keep'],
      ['shop-pr-3', 'sleep'],
    ]);
    expect(plan.actions[0].idleFor).toBe('at least 30m');
    expect(plan.actions[0].lastActivity).toBe('no invocations in the last 30m (Prometheus)');
    expect(plan.actions[1].lastActivity).toBe('~0.4 invocations in the last 30m (Prometheus)');
    expect(plan.next).toBeUndefined();
    expect(plan.changed).toBe(false);
  });

  test('the deploy-age guard, closed PRs and Pro scale to zero apply as in state mode', () => {
    const plan = planSweep(
      input({
        functions: [fn(1, { deployedAt: NOW - 5 * MIN }), fn(2, { invocationCount: 0 }), fn(6)],
        increases: new Map(),
        edition: 'pro',
      }),
    );
    expect(plan.actions.map((a) => a.decision)).toEqual(['keep', 'scale-to-zero', 'teardown']);
  });
});

describe('orphan prefixes', () => {
  test('a prefix of a closed PR with no function is an orphan; open PRs (sleeping previews) and live functions are not', () => {
    const plan = planSweep(
      input({
        functions: [fn(6, { deployedAt: NOW - 5 * MIN })],
        openPulls: new Set([1]),
        prefixes: [
          'shop-pr-1/',
          'shop-pr-6/',
          'shop-pr-12/',
          'shop-pr-3/',
          '.faas-preview/',
          'other-pr-4/',
          'shop-pr-007/',
          'shop-pr-3/',
          'shop-pr-5',
        ],
      }),
    );
    expect(plan.orphans).toEqual([
      { name: 'shop-pr-3', pr: 3, prefix: 'shop-pr-3/' },
      { name: 'shop-pr-5', pr: 5, prefix: 'shop-pr-5/' },
      { name: 'shop-pr-12', pr: 12, prefix: 'shop-pr-12/' },
    ]);
  });

  test('a function being torn down takes its own prefix with it: not listed again as an orphan', () => {
    const plan = planSweep(input({ functions: [fn(6)], openPulls: new Set(), prefixes: ['shop-pr-6/'] }));
    expect(plan.actions[0].decision).toBe('teardown');
    expect(plan.orphans).toEqual([]);
  });
});

describe('next state', () => {
  test('unchanged counts and the same set of functions: state unchanged (not rewritten)', () => {
    const previous = { 'shop-pr-1': seen(10, 5 * MIN), 'shop-pr-2': seen(4, 10 * MIN) };
    const plan = planSweep(input({ functions: [fn(2, { invocationCount: 4 }), fn(1)], previous }));
    expect(plan.next).toEqual(previous);
    expect(plan.changed).toBe(false);
  });

  test('functions gone from the gateway are forgotten; slept and torn-down ones are dropped', () => {
    const previous = { 'shop-pr-1': seen(10, HOUR), 'shop-pr-2': seen(10, MIN), 'shop-pr-99': seen(1, DAY) };
    const plan = planSweep(input({ functions: [fn(1), fn(2), fn(7)], previous, openPulls: new Set([1, 2]) }));
    expect(plan.actions.map((a) => a.decision)).toEqual(['sleep', 'keep', 'teardown']);
    expect(plan.next).toEqual({ 'shop-pr-2': previous['shop-pr-2'] });
    expect(plan.changed).toBe(true);
  });

  test('a function whose removal failed keeps its entry, so the next sweep does not take it for first seen', () => {
    const previous = { 'shop-pr-1': seen(10, HOUR) };
    const plan = planSweep(input({ functions: [fn(1)], previous }));
    expect(finalState(plan.actions, previous, new Set(['shop-pr-1']))).toEqual({ next: previous, changed: false });
    expect(finalState(plan.actions, previous)).toEqual({ next: {}, changed: true });
  });

  test('decisions come sorted by PR number', () => {
    const plan = planSweep(input({ functions: [fn(3), fn(1), fn(2)] }));
    expect(plan.actions.map((a) => a.pr)).toEqual([1, 2, 3]);
  });
});

describe('helpers', () => {
  test('formatDuration: the largest unit and the next when not zero', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(999)).toBe('0s');
    expect(formatDuration(45 * 1000)).toBe('45s');
    expect(formatDuration(30 * MIN)).toBe('30m');
    expect(formatDuration(90 * MIN)).toBe('1h 30m');
    expect(formatDuration(DAY + 2 * HOUR + 3 * MIN)).toBe('1d 2h');
    expect(formatDuration(DAY + 3 * MIN)).toBe('1d');
  });

  test('promDuration: exact Prometheus range durations', () => {
    expect(promDuration(30 * MIN)).toBe('30m');
    expect(promDuration(90 * 1000)).toBe('90s');
    expect(promDuration(2 * HOUR)).toBe('2h');
    expect(promDuration(DAY)).toBe('1d');
    expect(promDuration(1500)).toBe('1500ms');
    expect(() => promDuration(0)).toThrow(/positive/);
    expect(increaseQuery(30 * MIN)).toBe('sum by (function_name) (increase(gateway_function_invocation_total[30m]))');
  });

  test('increasesByFunction: .namespace suffix stripped, other namespaces left out, NaN counts as 0, duplicates add up', () => {
    const m = increasesByFunction(
      [
        { metric: { function_name: 'shop-pr-1.openfaas-fn' }, value: [1, '3'] },
        { metric: { function_name: 'shop-pr-1' }, value: [1, '1.5'] },
        { metric: { function_name: 'shop-pr-2.staging' }, value: [1, '8'] },
        { metric: { function_name: 'shop-pr-3.openfaas-fn' }, value: [1, 'NaN'] },
        { metric: {}, value: [1, '4'] },
      ],
      '',
    );
    expect([...m]).toEqual([
      ['shop-pr-1', 4.5],
      ['shop-pr-3', 0],
    ]);
    expect([
      ...increasesByFunction([{ metric: { function_name: 'shop-pr-2.staging' }, value: [1, '8'] }], 'staging'),
    ]).toEqual([['shop-pr-2', 8]]);
  });

  test('state key and idle source: a clear error naming the inputs when neither is configured', () => {
    expect(sweeperKey('.faas-preview')).toBe('.faas-preview/sweeper.json');
    expect(sweeperKey('/ops/previews/')).toBe('ops/previews/sweeper.json');
    expect(sweeperKey('')).toBe('sweeper.json');
    const sweep = { idleAfterMs: 30 * MIN, statePrefix: '.faas-preview', dryRun: false, waker: false };
    expect(idleSource({ sweep: { ...sweep, prometheusUrl: 'http://prom:9090' } })).toBe('prometheus');
    expect(idleSource({ sweep, assets: { bucket: 'b' } as never })).toBe('state');
    expect(() => idleSource({ sweep })).toThrow(/'prometheus-url'.*'bucket'.*\.faas-preview\/sweeper\.json/);
  });

  test('parseState: a missing object is empty; a foreign or malformed one starts afresh with a warning', () => {
    expect(parseState(undefined)).toEqual({ memory: {} });
    const good = { version: 1, updatedAt: iso(NOW), functions: { 'shop-pr-1': seen(3, MIN) } };
    expect(parseState(good)).toEqual({ memory: good.functions, warning: undefined });
    expect(parseState({ version: 2, functions: {} }).warning).toMatch(/version 2/);
    expect(parseState([1, 2]).warning).toMatch(/not an object/);
    const mixed = parseState({ version: 1, functions: { 'shop-pr-1': seen(3, MIN), 'shop-pr-2': { count: '3' } } });
    expect(Object.keys(mixed.memory)).toEqual(['shop-pr-1']);
    expect(mixed.warning).toMatch(/ignored 1 malformed/);
  });
});

describe('orphanData', () => {
  const base = { app: 'shop', openPulls: new Set([2]), covered: new Set(['shop-pr-3']) };

  test('databases of closed PRs that no teardown of this sweep covers; open PRs (asleep) keep theirs', () => {
    const d = orphanData({
      ...base,
      databases: [
        { preview: 'shop-pr-1', pr: 1 },
        { preview: 'shop-pr-2', pr: 2 },
        { preview: 'shop-pr-3', pr: 3 },
      ],
      secrets: [],
    });
    expect(d.databases).toEqual([{ preview: 'shop-pr-1', pr: 1 }]);
  });

  test("secrets named <preview>-<key> of this app's closed PRs; other apps' and open PRs' are left", () => {
    const d = orphanData({
      ...base,
      databases: [],
      secrets: [
        'shop-pr-1-api-key',
        'shop-pr-1-database-url',
        'shop-pr-2-api-key',
        'shop-pr-3-x',
        'other-pr-1-api-key',
        'shop-pr-12',
        'shop-pr-0-x',
        'registry-creds',
      ],
    });
    expect(d.secrets).toEqual([
      { name: 'shop-pr-1-api-key', preview: 'shop-pr-1', pr: 1 },
      { name: 'shop-pr-1-database-url', preview: 'shop-pr-1', pr: 1 },
    ]);
  });
});
