/**
 * The sweeper decides per preview (src/sweep/groups.ts): a stack's `<name>` and `<name>-<fn>` are one preview,
 * active when any of them is; functions of the repository that are no preview of the app are strays.
 */
import { describe, expect, test } from '@jest/globals';
import { ANNOTATIONS, FUNCTION_LABEL, LABELS } from '../../src/naming.js';
import type { FunctionStatus } from '../../src/openfaas/types.js';
import { groupPreviews } from '../../src/sweep/groups.js';

const at = (iso: string) => Date.parse(iso);

function fn(
  name: string,
  o: { fn?: string; replicas?: number; invocations?: number; deployedAt?: string; createdAt?: string } = {},
): FunctionStatus {
  return {
    name,
    image: `registry.example.com/acme/${name}:1`,
    labels: { [LABELS.managed]: 'true', [LABELS.repo]: 'acme.shop', ...(o.fn ? { [FUNCTION_LABEL]: o.fn } : {}) },
    annotations: o.deployedAt ? { [ANNOTATIONS.deployedAt]: o.deployedAt } : {},
    ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
    ...(o.invocations === undefined ? {} : { invocationCount: o.invocations }),
    ...(o.createdAt ? { createdAt: o.createdAt } : {}),
  };
}

const listed = [
  fn('shop-pr-1', { fn: 'api', replicas: 0, invocations: 4, deployedAt: '2026-11-20T10:00:00Z' }),
  fn('shop-pr-1-hello', { fn: 'hello', replicas: 2, invocations: 7, deployedAt: '2026-11-21T09:00:00Z' }),
  fn('shop-pr-1-admin', { fn: 'admin', deployedAt: 'not a time', createdAt: '2026-11-19T08:00:00.123456789Z' }),
  fn('shop-pr-2', { replicas: 1, invocations: 3, createdAt: '2026-11-22T12:00:00Z' }),
  fn('shop-pr-3-hello', { fn: 'hello', invocations: 1 }),
  fn('shop-pr-1-stray'),
  fn('billing', { invocations: 100 }),
  fn('other-pr-1', { fn: 'other' }),
];

describe('groupPreviews', () => {
  const groups = groupPreviews('shop', listed);
  const preview = (name: string) => groups.previews.find((p) => p.name === name);

  test('one entry per preview, named after it, with its functions as members', () => {
    expect(groups.previews.map((p) => [p.name, p.pr])).toEqual([
      ['shop-pr-1', 1],
      ['shop-pr-2', 2],
      ['shop-pr-3', 3],
    ]);
    expect(groups.members.get('shop-pr-1')!.map((f) => f.name)).toEqual([
      'shop-pr-1',
      'shop-pr-1-hello',
      'shop-pr-1-admin',
    ]);
    expect(groups.members.get('shop-pr-2')!.map((f) => f.name)).toEqual(['shop-pr-2']);
  });

  test('invocation counts are summed over the functions (a missing count is 0)', () => {
    expect(preview('shop-pr-1')!.invocationCount).toBe(11);
    expect(preview('shop-pr-2')!.invocationCount).toBe(3);
  });

  test('replicas: the most any function has, so a preview with one function awake is awake', () => {
    expect(preview('shop-pr-1')!.replicas).toBe(2);
    expect(preview('shop-pr-3')!.replicas).toBe(0);
  });

  test('the latest deploy of any function, from its annotation, else its creation time; unknown when neither parses', () => {
    expect(preview('shop-pr-1')!.deployedAt).toBe(at('2026-11-21T09:00:00Z'));
    expect(preview('shop-pr-2')!.deployedAt).toBe(at('2026-11-22T12:00:00Z'));
    expect(preview('shop-pr-3')!.deployedAt).toBeUndefined();
  });

  test("a function whose name and label do not make it one of the app's previews is a stray, left alone", () => {
    expect(groups.strays).toEqual(['shop-pr-1-stray', 'billing', 'other-pr-1']);
    expect([...groups.members.values()].flat().map((f) => f.name)).not.toContain('billing');
  });

  test('Prometheus increases are summed by preview; without them there are none', () => {
    expect(groups.increases).toBeUndefined();
    const increases = new Map([
      ['shop-pr-1', 0],
      ['shop-pr-1-hello', 2.5],
      ['shop-pr-2', 0],
      ['billing', 9],
    ]);
    expect(groupPreviews('shop', listed, increases).increases).toEqual(
      new Map([
        ['shop-pr-1', 2.5],
        ['shop-pr-2', 0],
        ['shop-pr-3', 0],
      ]),
    );
  });

  test('nothing listed: no previews', () => {
    expect(groupPreviews('shop', [])).toEqual({ previews: [], members: new Map(), strays: [] });
  });
});
