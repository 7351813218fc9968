/**
 * `.dockerignore` / `.containerignore` exactly as the builders read and match them, so the build digest covers the
 * files a build can see and nothing else. The builders do not agree, so each way is kept apart:
 *
 * - Reading the file. docker (moby `ignorefile.ReadAll`): a line is a comment only when `#` is its first byte; then
 *   the line is trimmed, `!` is split off and the rest trimmed again, cleaned like Go's `filepath.Clean`, and one
 *   leading `/` dropped. buildah and podman (openshift/imagebuilder `ParseIgnore`): lines split at `\n`, empty lines
 *   and lines starting with `#` dropped, `/` trimmed from both ends; the matcher then trims and cleans.
 * - Compiling a pattern (moby/patternmatcher): `*` is any run of non-`/`, `?` one non-`/`, `**` any number of path
 *   elements, `[…]` a class, `\` escapes. Docker 20.10 and containers/storage compiled every pattern to a regexp and
 *   escaped only `.` and `$` ("old"); patternmatcher ≥ 0.5 escapes `.+()|{}$` and matches plain and `**`-anchored
 *   patterns as strings ("modern"), so `**foo` means "ends with foo" there.
 * - Matching a path: the last pattern that matches the path or one of its parent directories decides
 *   (`MatchesOrParentMatches`, "parents"), with two older variants: docker 20.10's `Matches` checks only the parent at
 *   the pattern's own depth ("legacy"), and `MatchesUsingParentResults` (docker ≥ 23's CLI, BuildKit) carries each
 *   pattern's result down from the parent directory, computed only where the pattern was evaluated ("parent-results").
 */

export type IgnoreSyntax = 'docker' | 'imagebuilder';
export type MatchRule = 'legacy' | 'parents' | 'parent-results';

export interface Pattern {
  /** As the matcher keeps it (cleaned, without `!`). */
  text: string;
  exclusion: boolean;
  /** Path elements of the pattern: the depth the legacy matcher compares parents at. */
  depth: number;
  match(path: string): boolean;
}

/** An ignore file the builder would refuse (an illegal `!`, a malformed class): the build fails on it too. */
export class IgnoreFileError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'IgnoreFileError';
  }
}

/** Go's strings.TrimSpace: ASCII and Unicode white space at both ends. */
const trimSpace = (s: string): string => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');

/** Go's path/filepath.Clean on Unix. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (!rooted) out.push('..');
  }
  const joined = out.join('/');
  return rooted ? '/' + joined : joined || '.';
}

/** The pattern lines of an ignore file's text, as the builder hands them to its matcher. */
export function readIgnoreLines(text: string, syntax: IgnoreSyntax): string[] {
  return syntax === 'docker' ? readDocker(text) : readImagebuilder(text);
}

function readDocker(text: string): string[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  const out: string[] = [];
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let pattern = trimSpace(line);
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = trimSpace(pattern.slice(1));
    if (pattern !== '') {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? '!' + pattern : pattern);
  }
  return out;
}

function readImagebuilder(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/^\/+|\/+$/g, ''))
    .filter((l) => l !== '');
}

export type Compiler = 'old' | 'modern';

/** PatternMatcher.New: trim, clean, split off `!`, compile; `file` names the ignore file in errors. */
export function compilePatterns(lines: string[], compiler: Compiler, file: string): Pattern[] {
  const patterns: Pattern[] = [];
  for (const raw of lines) {
    let p = trimSpace(raw);
    if (p === '') continue;
    p = cleanPath(p);
    const exclusion = p.startsWith('!');
    if (exclusion) {
      if (p.length === 1)
        throw new IgnoreFileError(file, 'illegal exclusion pattern "!" (a "!" needs a pattern after it)');
      p = p.slice(1);
    }
    patterns.push({ text: p, exclusion, depth: p.split('/').length, match: compileOne(p, compiler, file) });
  }
  return patterns;
}

const ESCAPED: Record<Compiler, Set<string>> = { modern: new Set([...'.+()|{}$']), old: new Set([...'.$']) };

/** Pattern.compile of moby/patternmatcher (modern) or of docker 20.10 and containers/storage (old). */
function compileOne(pattern: string, compiler: Compiler, file: string): (path: string) => boolean {
  const chars = [...pattern];
  let re = '^';
  let kind: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  for (let i = 0, n = 0; i < chars.length; n++) {
    const ch = chars[i++];
    if (ch === '*' && chars[i] === '*') {
      i++;
      if (chars[i] === '/') i++;
      // "**" at the end is everything below (like .gitignore); elsewhere any number of path elements, even none.
      re += i === chars.length ? '[^\\n]*' : '(?:[^\\n]*/)?';
      kind = i === chars.length && kind === 'exact' ? 'prefix' : 'regexp';
      if (n === 0) kind = 'suffix';
    } else if (ch === '*' || ch === '?') {
      re += ch === '*' ? '[^/]*' : '[^/]';
      kind = 'regexp';
    } else if (ch === '\\') {
      if (i === chars.length)
        throw new IgnoreFileError(
          file,
          `the pattern "${pattern}" ends in a lone backslash (the builders refuse it with "syntax error in pattern")`,
        );
      re += '\\' + chars[i++];
      kind = 'regexp';
    } else {
      re += ESCAPED[compiler].has(ch) ? '\\' + ch : ch;
      if (ch === '[' || ch === ']') kind = 'regexp';
    }
  }
  if (compiler === 'modern' && kind === 'exact') return (path) => path === pattern;
  if (compiler === 'modern' && kind === 'prefix') return (path) => path.startsWith(pattern.slice(0, -2));
  if (compiler === 'modern' && kind === 'suffix') {
    const suffix = pattern.slice(2);
    return (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
  }
  let regexp: RegExp;
  try {
    regexp = new RegExp(re + '$');
  } catch {
    throw new IgnoreFileError(
      file,
      `the pattern "${pattern}" is malformed (the builders refuse it with "syntax error in pattern")`,
    );
  }
  return (path) => regexp.test(path);
}

/** What a matcher remembers of a directory for its children; only parent-results uses it. */
export type ParentInfo = readonly boolean[] | undefined;

/** Whether `path` (slash-separated, relative to the context) is excluded, by one matching rule. */
export function excluded(
  patterns: Pattern[],
  rule: MatchRule,
  path: string,
  parent: ParentInfo,
): { excluded: boolean; info: ParentInfo } {
  if (rule === 'parent-results') return matchUsingParentResults(patterns, path, parent);
  const dirs = path.split('/').slice(0, -1);
  let matched = false;
  for (const p of patterns) {
    if (p.exclusion !== matched) continue;
    let hit = p.match(path);
    if (!hit && dirs.length > 0) {
      if (rule === 'legacy') hit = p.depth <= dirs.length && p.match(dirs.slice(0, p.depth).join('/'));
      else hit = dirs.some((_, i) => p.match(dirs.slice(0, i + 1).join('/')));
    }
    if (hit) matched = !p.exclusion;
  }
  return { excluded: matched, info: undefined };
}

function matchUsingParentResults(
  patterns: Pattern[],
  path: string,
  parent: ParentInfo,
): { excluded: boolean; info: ParentInfo } {
  const info: boolean[] = [];
  let matched = false;
  patterns.forEach((p, i) => {
    let hit = parent?.[i] ?? false;
    if (!hit) {
      if (p.exclusion !== matched) {
        info.push(false);
        return;
      }
      hit = p.match(path);
    }
    info.push(hit);
    if (hit) matched = !p.exclusion;
  });
  return { excluded: matched, info };
}
