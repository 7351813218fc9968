/** The keys a signed read may fetch: the request's own object under `<name>/`, and the preview's index.html. */
import { describe, expect, test } from '@jest/globals';
import { objectKeys } from '../../src/gate/objects.js';

describe('objectKeys', () => {
  test('the object the path names, decoded once, and the index', () => {
    expect(objectKeys('shop-pr-1', '/assets/app.1234.js?v=2')).toEqual({
      object: 'shop-pr-1/assets/app.1234.js',
      index: 'shop-pr-1/index.html',
    });
    expect(objectKeys('shop-pr-1', '/a%20file%20(1).txt')?.object).toBe('shop-pr-1/a file (1).txt');
    expect(objectKeys('shop-pr-1', '/%C3%BCn%C3%AF/x')?.object).toBe('shop-pr-1/ünï/x');
    expect(objectKeys('shop-pr-1', '/')?.object).toBe('shop-pr-1/');
  });

  test.each([
    ['a dot-dot segment', '/../other-pr-2/index.html'],
    ['an encoded dot-dot', '/%2e%2e/other-pr-2/index.html'],
    ['an encoded slash', '/a%2f..%2fb'],
    ['a backslash', '/a\\b'],
    ['an encoded backslash', '/a%5cb'],
    ['a NUL', '/a%00b'],
    ['a dot segment', '/./index.html'],
    ['a bad percent-encoding', '/%E0%A4%A'],
    ['no leading slash', 'index.html'],
    ["the sync's own folder (the content manifest)", '/.faas-preview/assets.json'],
    ["the sync's own folder, encoded", '/%2Efaas-preview/assets.json'],
    ["the sync's own folder after doubled slashes", '//.faas-preview/assets.json'],
  ])('%s names nothing', (_, uri) => {
    expect(objectKeys('shop-pr-1', uri)).toBeUndefined();
  });

  test.each(['faas-state', 'shop', 'shop-pr-0', 'shop-pr-1-api', 'pr-x'])(
    'a host label that is no preview name (%s, say a state-prefix) names nothing',
    (label) => {
      expect(objectKeys(label, '/sleeping/shop-pr-1.json')).toBeUndefined();
    },
  );

  test('pr-<n> alone is a preview name (an app name that sanitises to nothing)', () => {
    expect(objectKeys('pr-7', '/x.js')?.object).toBe('pr-7/x.js');
  });
});
