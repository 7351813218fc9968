import { describe, expect, test } from '@jest/globals';
import {
  FUNCTION_LABEL,
  commentMarker,
  environmentName,
  imageTag,
  isManagedBy,
  isPreviewName,
  prFromName,
  previewLabels,
  previewName,
  previewOfFunction,
  previewOfSecret,
  previewUrl,
  repoLabel,
  sanitizeApp,
} from '../../src/naming.js';

describe('previewName', () => {
  test('joins the sanitized app and the PR number', () => {
    expect(previewName('Hello-World', 2)).toBe('hello-world-pr-2');
    expect(previewName('My_App.v2', 17)).toBe('my-app-v2-pr-17');
  });

  test('folds and trims dashes from odd repository names', () => {
    expect(sanitizeApp('--Foo__Bar--')).toBe('foo-bar');
    expect(previewName('...', 3)).toBe('pr-3');
  });

  test('stays a valid DNS label of at most 63 characters, however long the app', () => {
    const name = previewName('a'.repeat(80), 123456);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.endsWith('-pr-123456')).toBe(true);
    expect(isPreviewName(name)).toBe(true);
    // A cut that lands on a dash must not leave '--pr-'.
    const dashy = previewName('x'.repeat(57) + '-yyyy', 1);
    expect(dashy).toBe('x'.repeat(57) + '-pr-1');
  });

  test('rejects a PR number that is not a positive integer', () => {
    expect(() => previewName('app', 0)).toThrow(/positive integer/);
    expect(() => previewName('app', 1.5)).toThrow(/positive integer/);
  });

  test('prFromName inverts previewName and refuses foreign names', () => {
    expect(prFromName('shop', 'shop-pr-12')).toBe(12);
    expect(prFromName('shop', 'other-pr-12')).toBeUndefined();
    expect(prFromName('shop', 'shop-pr-012')).toBeUndefined();
    expect(prFromName('shop', 'shop')).toBeUndefined();
  });
});

describe('isPreviewName', () => {
  test.each(['a', 'pr-1', 'a-b-c', '0abc'])('accepts %s', (n) => expect(isPreviewName(n)).toBe(true));
  test.each(['', '-a', 'a-', 'A', 'a_b', 'a.b', '..', 'a'.repeat(64)])('rejects %j', (n) =>
    expect(isPreviewName(n)).toBe(false),
  );
});

describe('derived names', () => {
  test('bucket, environment, marker and image tag all derive from the one name', () => {
    expect(environmentName('shop-pr-2')).toBe('preview/shop-pr-2');
    expect(commentMarker('shop-pr-2')).toBe('<!-- faas-preview:shop-pr-2 -->');
    expect(imageTag('ghcr.io/acme/shop', 2, 'ec26c3e57ca3a959ca5aad62de7213c562f8c821')).toBe(
      'ghcr.io/acme/shop:pr-2-ec26c3e',
    );
  });

  test('previewUrl expands every placeholder', () => {
    expect(previewUrl('https://{name}.p.example.com/?pr={pr}&sha={sha}', 'shop-pr-2', 2, 'abc')).toBe(
      'https://shop-pr-2.p.example.com/?pr=2&sha=abc',
    );
  });
});

describe('labels', () => {
  const valid = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

  test('repo label is owner.repo when it fits', () => {
    expect(repoLabel('Codertocat', 'Hello-World')).toBe('Codertocat.Hello-World');
  });

  test('long repo labels stay valid, short and distinct', () => {
    const a = repoLabel('o'.repeat(40), 'r'.repeat(40));
    const b = repoLabel('o'.repeat(40), 'r'.repeat(39) + 's');
    for (const v of [a, b]) {
      expect(v.length).toBeLessThanOrEqual(63);
      expect(v).toMatch(valid);
    }
    expect(a).not.toBe(b);
  });

  test('managed labels identify this repository only', () => {
    const labels = previewLabels('acme', 'shop', 4, 'f'.repeat(40));
    expect(labels).toEqual({
      'faas-preview/managed': 'true',
      'faas-preview/repo': 'acme.shop',
      'faas-preview/pr': '4',
      'faas-preview/sha': 'f'.repeat(40),
    });
    expect(isManagedBy(labels, 'acme', 'shop')).toBe(true);
    expect(isManagedBy(labels, 'acme', 'other')).toBe(false);
    expect(isManagedBy({ ...labels, 'faas-preview/managed': 'false' }, 'acme', 'shop')).toBe(false);
    expect(isManagedBy(undefined, 'acme', 'shop')).toBe(false);
  });
});

describe('previewOfFunction', () => {
  const fn = (name: string, label?: string) => ({
    name,
    labels: { 'faas-preview/pr': '3', ...(label === undefined ? {} : { [FUNCTION_LABEL]: label }) },
  });

  test("a preview's default function is the preview, with or without the function label", () => {
    expect(previewOfFunction('hello-world', fn('hello-world-pr-3'))).toEqual({ preview: 'hello-world-pr-3', pr: 3 });
    expect(previewOfFunction('hello-world', fn('hello-world-pr-3', 'api'))).toEqual({
      preview: 'hello-world-pr-3',
      pr: 3,
    });
    expect(previewOfFunction('hello-world', { name: 'hello-world-pr-12' })).toEqual({
      preview: 'hello-world-pr-12',
      pr: 12,
    });
  });

  test('<name>-<fn> with the function label <fn> belongs to <name>', () => {
    expect(previewOfFunction('hello-world', fn('hello-world-pr-3-api', 'api'))).toEqual({
      preview: 'hello-world-pr-3',
      pr: 3,
    });
    expect(previewOfFunction('hello-world', fn('hello-world-pr-3-admin-v2', 'admin-v2'))).toEqual({
      preview: 'hello-world-pr-3',
      pr: 3,
    });
  });

  test('without the label, or with a label the name does not end in, it is no preview function', () => {
    expect(previewOfFunction('hello-world', fn('hello-world-pr-3-api'))).toBeUndefined();
    expect(previewOfFunction('hello-world', fn('hello-world-pr-3-api', 'web'))).toBeUndefined();
    expect(previewOfFunction('hello-world', fn('hello-world-pr-3-api', 'pr-3-api'))).toBeUndefined();
    expect(previewOfFunction('hello-world', fn('hello-world-pr-3-api', ''))).toBeUndefined();
    expect(previewOfFunction('hello-world', fn('hello-world-pr-3xapi', 'api'))).toBeUndefined();
  });

  test("another app's previews and their functions are not this app's", () => {
    expect(previewOfFunction('hello', fn('hello-world-pr-3'))).toBeUndefined();
    expect(previewOfFunction('hello', fn('hello-world-pr-3-api', 'api'))).toBeUndefined();
    expect(previewOfFunction('hello-world', fn('shop-pr-3-api', 'api'))).toBeUndefined();
  });

  test('names that are no preview at all', () => {
    for (const name of [
      'billing',
      'api',
      'hello-world',
      'hello-world-pr-0',
      'hello-world-pr-03',
      'hello-world-pr-',
      'pr-3',
    ]) {
      expect(previewOfFunction('hello-world', fn(name))).toBeUndefined();
      expect(previewOfFunction('hello-world', fn(name, name))).toBeUndefined();
    }
  });
});

describe('previewOfSecret', () => {
  test.each([
    ['shop-pr-1-database-url', { preview: 'shop-pr-1', pr: 1 }],
    ['shop-pr-12-api-key', { preview: 'shop-pr-12', pr: 12 }],
    ['shop-pr-1-pr-2-token', { preview: 'shop-pr-1', pr: 1 }], // a key PR_2_TOKEN of shop-pr-1
    ['other-pr-1-database-url', undefined], // another app's
    ['shop-pr-1', undefined], // no key
    ['shop-pr-1-', undefined],
    ['xshop-pr-1-key', undefined],
  ])('%s → %j', (secret, expected) => {
    expect(previewOfSecret('shop', secret)).toEqual(expected);
  });

  test('an app whose name has a pr-<n> label of its own', () => {
    expect(previewOfSecret('x-pr-1', 'x-pr-1-pr-2-token')).toEqual({ preview: 'x-pr-1-pr-2', pr: 2 });
  });
});
