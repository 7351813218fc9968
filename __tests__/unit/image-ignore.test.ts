/**
 * Ignore files as the builders read and match them. Expected values come from moby/patternmatcher's own tests and
 * from builds with the real programs here (docker 20.10 and the 28 CLI, buildah 1.28, podman 4.3); the integration
 * suite image-digest-context-real.test.ts checks the whole selection against those programs.
 */
import { describe, expect, test } from '@jest/globals';
import {
  cleanPath,
  compilePatterns,
  excluded,
  IgnoreFileError,
  readIgnoreLines,
  type Compiler,
  type MatchRule,
  type ParentInfo,
} from '../../src/image/ignore.js';

describe('readIgnoreLines', () => {
  test('docker: # only in the first column is a comment; trim, "!" split off, cleaned, one leading / dropped', () => {
    const text = '\uFEFF# comment\r\n # not a comment\n\n  /abs/  \n! spaced\n!/root\n./a/../b//c\n/\n*.log\r\n';
    expect(readIgnoreLines(text, 'docker')).toEqual([
      '# not a comment',
      'abs',
      '!spaced',
      '!root',
      'b/c',
      '/',
      '*.log',
    ]);
  });

  test('imagebuilder (buildah, podman): lines split at \\n, / trimmed from both ends, nothing else until the matcher', () => {
    expect(readIgnoreLines('# comment\n # hash\n/abs/\n!/root\n\n', 'imagebuilder')).toEqual([
      ' # hash',
      'abs',
      '!/root',
    ]);
  });
});

const matcher = (lines: string[], compiler: Compiler = 'modern') => compilePatterns(lines, compiler, '.dockerignore');

/** `path` with each parent walked first, as the builders walk: parent-results needs the parents' results. */
function isExcluded(lines: string[], path: string, rule: MatchRule, compiler: Compiler = 'modern'): boolean {
  const patterns = matcher(lines, compiler);
  let info: ParentInfo;
  const parts = path.split('/');
  let result = false;
  for (let i = 1; i <= parts.length; i++) {
    const r = excluded(patterns, rule, parts.slice(0, i).join('/'), info);
    info = r.info;
    result = r.excluded;
  }
  return result;
}

describe('pattern compilation', () => {
  // From moby/patternmatcher TestMatches (modern): [pattern, path, matches].
  const cases: [string, string, boolean][] = [
    ['**', 'file', true],
    ['**', 'file/', true],
    ['**/', 'file', true],
    ['**/', 'file/', true],
    ['dir/**', 'dir/file', true],
    ['dir/**', 'dir/dir2/file', true],
    ['**/dir', 'dir', true],
    ['**/dir', 'dir/file', false],
    ['**/dir2/*', 'dir/dir2/file', true],
    ['**/dir2/*', 'dir/dir2/dir3/file', false],
    ['**/dir2/**', 'dir/dir2/dir3/file', true],
    ['**file', 'file', true],
    ['**file', 'dir/file', true],
    ['**/file', 'dir/dir/file', true],
    ['**/file*', 'dir/dir/file.txt', true],
    ['**/file*txt', 'dir/dir/file.txt', true],
    ['**/file*.txt', 'dir/dir/file.txt', true],
    ['**/**/*.txt', 'dir/dir/file.txt', true],
    ['**/**/*.txt2', 'dir/dir/file.txt', false],
    ['**/*.txt', 'file.txt', true],
    ['**/**/*.txt', 'file.txt', true],
    ['a**/*.txt', 'a/file.txt', true],
    ['a**/*.txt', 'a/dir/file.txt', true],
    ['a**/*.txt', 'a/dir/dir/file.txt', true],
    ['a/*.txt', 'a/dir/file.txt', false],
    ['a/*.txt', 'a/file.txt', true],
    ['a/*.txt**', 'a/file.txt', true],
    ['a[b-d]e', 'ae', false],
    ['a[b-d]e', 'ace', true],
    ['a[b-d]e', 'aae', false],
    ['a[^b-d]e', 'aze', true],
    ['.*', '.foo', true],
    ['.*', 'foo', false],
    ['abc.def', 'abcdef', false],
    ['abc.def', 'abc.def', true],
    ['abc.def', 'abcZdef', false],
    ['abc?def', 'abcZdef', true],
    ['abc?def', 'abcdef', false],
    ['a\\\\', 'a\\', true],
    ['**/foo/bar', 'foo/bar', true],
    ['**/foo/bar', 'dir/foo/bar', true],
    ['**/foo/bar', 'dir/dir2/foo/bar', true],
    ['abc/**', 'abc', false],
    ['abc/**', 'abc/def', true],
    ['abc/**', 'abc/def/ghi', true],
    ['**/.foo', '.foo', true],
    ['**/.foo', 'bar.foo', false],
    ['a(b)c/def', 'a(b)c/def', true],
    ['a(b)c/def', 'a(b)c/xyz', false],
    ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
  ];
  test.each(cases)('modern %j ~ %j → %s', (pattern, path, expected) => {
    expect(matcher([pattern])[0].match(path)).toBe(expected);
  });

  // Measured: docker 20.10 and buildah 1.28 keep 'barfoo', 'a+b' and 'x(y)' for the patterns **oo, a+b, x(y) and
  // drop 'aab' instead; the docker 28 CLI does the opposite.
  test.each([
    ['**oo', 'barfoo', true, false],
    ['a+b', 'a+b', true, false],
    ['a+b', 'aab', false, true],
    ['x(y)', 'x(y)', true, false],
    ['x(y)', 'xy', false, true],
  ] as [string, string, boolean, boolean][])('%j ~ %j: modern %s, old %s', (pattern, path, modern, old) => {
    expect(matcher([pattern], 'modern')[0].match(path)).toBe(modern);
    expect(matcher([pattern], 'old')[0].match(path)).toBe(old);
  });

  test('patterns the builders refuse are refused, naming the file', () => {
    expect(() => matcher(['!'])).toThrow(IgnoreFileError);
    expect(() => matcher(['!'])).toThrow('.dockerignore: illegal exclusion pattern "!"');
    expect(() => matcher(['[abc'])).toThrow('.dockerignore: the pattern "[abc" is malformed');
    expect(() => matcher(['abc\\'])).toThrow('ends in a lone backslash');
  });

  test('cleanPath is Go filepath.Clean', () => {
    expect(['', '.', './a', 'a//b/', 'a/./b/..', '/../a', '../../a', 'a/../..', '/'].map(cleanPath)).toEqual([
      '.',
      '.',
      'a',
      'a/b',
      'a',
      '/a',
      '../../a',
      '..',
      '/',
    ]);
  });
});

describe('matching rules', () => {
  const rules: MatchRule[] = ['legacy', 'parents', 'parent-results'];

  test('every rule excludes a matching directory; parents and parent-results also everything below it', () => {
    for (const rule of rules) {
      expect(isExcluded(['**/node_modules'], 'a/b/node_modules', rule)).toBe(true);
      expect(isExcluded(['dir'], 'dir/sub/file', rule)).toBe(true);
      expect(isExcluded(['*.log'], 'app.log', rule)).toBe(true);
      expect(isExcluded(['*.log'], 'logs/app.log', rule)).toBe(false);
    }
    expect(isExcluded(['**/node_modules'], 'a/b/node_modules/x', 'parents')).toBe(true);
    expect(isExcluded(['**/node_modules'], 'a/b/node_modules/x', 'parent-results')).toBe(true);
    // legacy compares only the parent at the pattern's depth ("a/b"): the builders' walks never get that far,
    // because they do not descend into the excluded directory (see image-digest.test.ts).
    expect(isExcluded(['**/node_modules'], 'a/b/node_modules/x', 'legacy')).toBe(false);
  });

  test('the last matching pattern decides; an exception re-includes a file and, through parents, a directory', () => {
    for (const rule of rules) {
      expect(isExcluded(['*.log', '!keep.log'], 'keep.log', rule)).toBe(false);
      expect(isExcluded(['*.log', '!keep.log', 'keep.log'], 'keep.log', rule)).toBe(true);
      expect(isExcluded(['dir', '!dir/keep'], 'dir/keep', rule)).toBe(false);
      expect(isExcluded(['dir', '!dir/keep'], 'dir/other', rule)).toBe(true);
    }
  });

  // Measured with `**/node_modules`, `!a/b/node_modules/keep`, `!c/d`: docker 20.10 (legacy) sends
  // a/b/node_modules/x, the docker 28 CLI (parent-results) does not send c/d/node_modules/q/f, buildah 1.28 (parents)
  // sends it.
  const lines = ['**/node_modules', '!a/b/node_modules/keep', '!c/d'];
  test.each([
    ['legacy', 'a/b/node_modules/x', false],
    ['parents', 'a/b/node_modules/x', true],
    ['parent-results', 'a/b/node_modules/x', true],
    ['parents', 'c/d/node_modules/q/f', false],
    ['parent-results', 'c/d/node_modules/q/f', true],
  ] as [MatchRule, string, boolean][])('%s: %s excluded → %s', (rule, path, expected) => {
    expect(isExcluded(lines, path, rule, rule === 'parent-results' ? 'modern' : 'old')).toBe(expected);
  });
});
