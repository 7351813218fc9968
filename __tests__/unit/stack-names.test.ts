/**
 * The names and routes of a preview's functions (src/stack/names.ts): the default keeps the preview's name and
 * <api-path>, the others are <name>-<fn> at <functions-path>/<fn>, and no function name can make one preview's
 * <name>-<fn> another preview's name or one of its functions.
 */
import { describe, expect, test } from '@jest/globals';
import { previewName } from '../../src/naming.js';
import { deployedName, functionNameProblem, functionRoute } from '../../src/stack/names.js';

describe('function names', () => {
  test.each(['api', 'web', 'a', 'pr', 'pr-list', 'list-pr', 'pr2', 'prod-2', 'x-pr', 'api-v2', '0'])(
    '%s is a function name',
    (fn) => {
      expect(functionNameProblem(fn)).toBeUndefined();
    },
  );

  test.each([
    ['Api', 'is not a DNS-1123 label'],
    ['-api', 'is not a DNS-1123 label'],
    ['api_v2', 'is not a DNS-1123 label'],
    ['a.b', 'is not a DNS-1123 label'],
    ['', 'is not a DNS-1123 label'],
    ['a'.repeat(64), 'is 64 characters'],
    ['pr-2', "contains 'pr-<digits>'"],
    ['pr-0', "contains 'pr-<digits>'"],
    ['x-pr-12', "contains 'pr-<digits>'"],
    ['pr-3-api', "contains 'pr-<digits>'"],
    ['a-pr-3-b', "contains 'pr-<digits>'"],
  ])('%s is refused: %s', (fn, problem) => {
    expect(functionNameProblem(fn)).toContain(problem);
  });

  test('no accepted function name turns one preview into another preview or its functions', () => {
    // Previews of two apps whose names nest (app "shop" and app "shop-pr-1"), and of one app (PR 1 and PR 12).
    const previews = [
      previewName('shop', 1),
      previewName('shop', 12),
      previewName('shop-pr-1', 2),
      previewName('shop-pr-1-api', 5),
    ];
    const fns = ['api', 'pr', '2', 'pr-2', 'api-pr-5', 'pr-5', '2-x', 'x', 'web'];
    /** Deployed names claimed by more than one preview. */
    const shared = (names: string[]) => {
      const owners = new Map<string, Set<string>>();
      const claim = (name: string, owner: string) => owners.set(name, (owners.get(name) ?? new Set()).add(owner));
      for (const p of previews) {
        claim(p, p);
        for (const fn of names) claim(`${p}-${fn}`, p);
      }
      return [...owners].filter(([, o]) => o.size > 1).map(([name]) => name);
    };
    const accepted = fns.filter((f) => functionNameProblem(f) === undefined);
    expect(shared(accepted)).toEqual([]);
    // The refused names are the ones that collide.
    expect(fns.filter((f) => !accepted.includes(f))).toEqual(['pr-2', 'api-pr-5', 'pr-5']);
    expect(shared(fns).sort()).toEqual(['shop-pr-1-api-pr-5', 'shop-pr-1-pr-2']);
  });
});

describe('deployed names and routes', () => {
  const paths = { apiPath: '/api', functionsPath: '/fn' };

  test('the default function is the preview itself at the api path; the others <name>-<fn> under the functions path', () => {
    expect(deployedName('shop-pr-7', 'api', true)).toBe('shop-pr-7');
    expect(deployedName('shop-pr-7', 'web', false)).toBe('shop-pr-7-web');
    expect(functionRoute('api', true, paths)).toBe('/api');
    expect(functionRoute('web', false, paths)).toBe('/fn/web');
  });

  test('<name>-<fn> longer than 63 characters is refused with what to shorten', () => {
    const name = previewName('a'.repeat(80), 7);
    expect(name).toHaveLength(63);
    expect(deployedName(name, 'web', true)).toBe(name);
    expect(() => deployedName(name, 'web', false)).toThrow(
      `function 'web' of preview ${name} would be deployed as ${name}-web, 67 characters; a function name has at most 63: shorten the function's name or the 'app' input`,
    );
    expect(deployedName('a'.repeat(56) + '-pr-7', 'w', false)).toHaveLength(63);
  });
});
