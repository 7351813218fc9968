import { describe, expect, test } from '@jest/globals';
import { isPrTag, planDigestDeletes, planVersionDeletes, quoteTags } from '../../src/image/tag-cleanup-plan.js';

const D1 = 'sha256:' + '1'.repeat(64);
const D2 = 'sha256:' + '2'.repeat(64);
const D3 = 'sha256:' + '3'.repeat(64);

describe('isPrTag: only the tags deploy pushes for this PR', () => {
  test.each([
    ['pr-12-ec26c3e', true],
    ['pr-12-ec26c3e0d1f2a3b4c5d6e7f8091a2b3c4d5e6f70', true],
    ['pr-1-ec26c3e', false], // another PR whose number is a prefix
    ['pr-123-ec26c3e', false],
    ['pr-12-final', false], // a user's tag that merely looks similar
    ['pr-12-EC26C3E', false],
    ['pr-12-ec26c3', false],
    ['latest', false],
    ['xpr-12-ec26c3e', false],
    ['pr-12-ec26c3e-debug', false],
  ])('%s → %s', (tag, expected) => {
    expect(isPrTag(tag, 12)).toBe(expected);
  });
});

describe('quoteTags', () => {
  test('quotes, joins with "and", and bounds a long list', () => {
    expect(quoteTags(['a'])).toBe("'a'");
    expect(quoteTags(['a', 'b'])).toBe("'a' and 'b'");
    expect(quoteTags(['a', 'b', 'c'])).toBe("'a', 'b' and 'c'");
    expect(quoteTags(['a', 'b', 'c', 'd', 'e'])).toBe("'a', 'b', 'c' and 2 more");
  });
});

describe('planDigestDeletes (distribution)', () => {
  test('one DELETE per digest; a digest a foreign tag shares is kept and the foreign tag is named', () => {
    const plan = planDigestDeletes(
      [
        { tag: 'pr-7-aaaaaaa', digest: D1 },
        { tag: 'pr-7-bbbbbbb', digest: D1 },
        { tag: 'pr-7-ccccccc', digest: D2 },
      ],
      [
        { tag: 'latest', digest: D2 },
        { tag: 'main', digest: D2 },
        { tag: 'v1', digest: D3 },
      ],
    );
    expect(plan.deletes).toEqual([{ digest: D1, tags: ['pr-7-aaaaaaa', 'pr-7-bbbbbbb'] }]);
    expect(plan.kept).toEqual([
      { tag: 'pr-7-ccccccc', reason: expect.stringContaining(`${D2} is also tagged 'latest' and 'main'`) },
    ]);
  });

  test('nothing of the PR: nothing to do', () => {
    expect(planDigestDeletes([], [{ tag: 'latest', digest: D1 }])).toEqual({ deletes: [], kept: [] });
  });
});

describe('planVersionDeletes (GHCR)', () => {
  test('a version with only this PR’s tags is deleted; one with a foreign tag is kept; others are untouched', () => {
    const plan = planVersionDeletes(
      [
        { id: 1, name: D1, tags: ['pr-7-aaaaaaa'] },
        { id: 2, name: D2, tags: ['pr-7-bbbbbbb', 'latest'] },
        { id: 3, name: D3, tags: ['pr-8-ccccccc'] },
        { id: 4, name: 'sha256:' + '4'.repeat(64), tags: [] },
      ],
      7,
    );
    expect(plan.deletes.map((v) => v.id)).toEqual([1]);
    expect(plan.kept).toEqual([
      {
        tag: 'pr-7-bbbbbbb',
        reason: expect.stringMatching(
          /^package version 2 \(sha256:2+\) is also tagged 'latest'; .*cannot remove one tag$/,
        ),
      },
    ]);
  });
});
