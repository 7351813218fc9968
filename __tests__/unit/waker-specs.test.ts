import { describe, expect, test } from '@jest/globals';
import { previewLabels } from '../../src/naming.js';
import type { FunctionDeployment } from '../../src/openfaas/types.js';
import { CE_FUNCTION_LIMIT } from '../../src/decide/quota.js';
import { isFailure } from '../../src/waker/wake.js';
import { wakeLine } from '../../src/waker/server.js';
import { previewOwner, refusal } from '../../src/waker/specs.js';

const REPOS = [{ owner: 'octo-org', repo: 'shop' }];
const SHA = 'a'.repeat(40);

function spec(
  service: string,
  labels: Record<string, string> = previewLabels('octo-org', 'shop', 1, SHA),
  extra: Partial<FunctionDeployment> = {},
): FunctionDeployment {
  return { service, image: 'ghcr.io/octo-org/shop:pr-1-aaaaaaa', labels, ...extra };
}

describe('refusal: only managed functions of allowed repositories are deployed', () => {
  test('specs of an allowed repository pass, one or several', () => {
    expect(refusal([spec('shop-pr-1')], { repositories: REPOS, namespace: '' })).toBeUndefined();
    expect(
      refusal([spec('shop-pr-1'), spec('shop-pr-1-api')], { repositories: REPOS, namespace: 'openfaas-fn' }),
    ).toBeUndefined();
    expect(
      refusal([spec('shop-pr-1', previewLabels('octo-org', 'blog', 1, SHA))], {
        repositories: [...REPOS, { owner: 'octo-org', repo: 'blog' }],
        namespace: '',
      }),
    ).toBeUndefined();
  });

  test.each<[string, FunctionDeployment[], RegExp]>([
    [
      'another repository',
      [spec('shop-pr-1', previewLabels('evil', 'shop', 1, SHA))],
      /not a managed function of an allowed repository .*faas-preview\/repo=evil\.shop/,
    ],
    [
      'a repository of the same name elsewhere',
      [spec('shop-pr-1', previewLabels('octo-org2', 'shop', 1, SHA))],
      /not a managed function/,
    ],
    [
      'no managed label',
      [spec('shop-pr-1', { ...previewLabels('octo-org', 'shop', 1, SHA), 'faas-preview/managed': 'false' })],
      /faas-preview\/managed=false/,
    ],
    ['no labels at all', [spec('shop-pr-1', undefined, { labels: undefined })], /faas-preview\/managed=\(none\)/],
    [
      'one bad spec among good ones',
      [spec('shop-pr-1'), spec('shop-pr-1-api', { 'faas-preview/repo': 'octo-org.shop' })],
      /shop-pr-1-api is not a managed function/,
    ],
    [
      'no sha label',
      [spec('shop-pr-1', { 'faas-preview/managed': 'true', 'faas-preview/repo': 'octo-org.shop' })],
      /no faas-preview\/sha label/,
    ],
    ['a function saved twice', [spec('shop-pr-1'), spec('shop-pr-1')], /saved twice/],
    ['a name that is not a function name', [spec('shop-pr-1/../x')], /is not a function name/],
    [
      'another namespace',
      [spec('shop-pr-1', undefined, { namespace: 'kube-system' })],
      /saved for namespace kube-system, this waker deploys to openfaas-fn/,
    ],
  ])('refuses %s', (_what, specs, message) => {
    expect(refusal(specs, { repositories: REPOS, namespace: 'openfaas-fn' })).toMatch(message);
  });
});

describe('wake outcomes', () => {
  test('failures and refusals are held, the rest is not', () => {
    expect(isFailure({ kind: 'full', running: 15, needed: 1 })).toBe(true);
    expect(isFailure({ kind: 'failed', functions: [], reason: 'x' })).toBe(true);
    expect(isFailure({ kind: 'timeout', functions: [], reason: 'x' })).toBe(true);
    expect(isFailure({ kind: 'awake', functions: ['a'], created: ['a'] })).toBe(false);
    expect(isFailure({ kind: 'not-asleep' })).toBe(false);
    expect(isFailure({ kind: 'refused', reason: 'x' })).toBe(true);
  });

  test('one log line per wake: preview, functions, outcome, duration; a reason on one line', () => {
    expect(
      wakeLine('shop-pr-1', { kind: 'awake', functions: ['shop-pr-1', 'shop-pr-1-api'], created: ['shop-pr-1'] }, 2345),
    ).toBe('wake preview=shop-pr-1 functions=shop-pr-1,shop-pr-1-api created=1 outcome=awake duration=2.35s');
    expect(wakeLine('shop-pr-1', { kind: 'full', running: CE_FUNCTION_LIMIT, needed: 2 }, 10)).toBe(
      'wake preview=shop-pr-1 functions=- created=0 outcome=full duration=0.01s reason="15 of 15 functions run, 2 more needed"',
    );
    const line = wakeLine(
      'shop-pr-1',
      { kind: 'failed', functions: ['shop-pr-1'], reason: 'POST answered 400:\nunable to pull "image"' },
      1000,
    );
    expect(line).toBe(
      'wake preview=shop-pr-1 functions=shop-pr-1 created=0 outcome=failed duration=1.00s reason="POST answered 400: unable to pull \\"image\\""',
    );
  });
});

describe('previewOwner: whose previews a wake may make room among', () => {
  const BOTH = [...REPOS, { owner: 'octo-org', repo: 'blog' }];

  test('the repository of the saved specs, the app the name carries, the PR', () => {
    expect(previewOwner('shop-pr-1', [spec('shop-pr-1'), spec('shop-pr-1-api')], BOTH)).toEqual({
      repository: { owner: 'octo-org', repo: 'shop' },
      app: 'shop',
      pr: 1,
    });
    const blog = previewLabels('octo-org', 'blog', 12, SHA);
    expect(previewOwner('my-blog-pr-12', [spec('my-blog-pr-12', blog)], BOTH)).toEqual({
      repository: { owner: 'octo-org', repo: 'blog' },
      app: 'my-blog',
      pr: 12,
    });
    // An app input of digits only, or none left after trimming: the name is pr-<n>.
    expect(previewOwner('pr-3', [spec('pr-3')], BOTH)).toMatchObject({ app: '', pr: 3 });
  });

  test('no owner: a name the action cannot have made, specs of two repositories, none of an allowed one', () => {
    expect(previewOwner('shop-pr-01', [spec('shop-pr-01')], BOTH)).toBeUndefined();
    expect(previewOwner('shop--x-pr-1', [spec('shop--x-pr-1')], BOTH)).toBeUndefined();
    expect(previewOwner('shop-1', [spec('shop-1')], BOTH)).toBeUndefined();
    const mixed = [spec('shop-pr-1'), spec('shop-pr-1-api', previewLabels('octo-org', 'blog', 1, SHA))];
    expect(previewOwner('shop-pr-1', mixed, BOTH)).toBeUndefined();
    expect(previewOwner('shop-pr-1', [spec('shop-pr-1')], [{ owner: 'octo-org', repo: 'blog' }])).toBeUndefined();
    expect(previewOwner('shop-pr-1', [], BOTH)).toBeUndefined();
  });
});
