/**
 * A stack trace from a user's run points at src/: every bundle loads ncc's source-map register first, and its map
 * takes a position in the minified code back to the source file it came from. The register maps stacks only when
 * the process crashes (process/stack-maps.ts): the stacks formatted on the way cost no parse of the map.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE, DIST, ROOT } from '../../test/support/action.js';

/** The generated position (0-based line and column) of the first occurrence of `needle` in `code`. */
function positionOf(code: string, needle: string): { line: number; column: number } {
  const at = code.indexOf(needle);
  if (at < 0) throw new Error(`'${needle}' is not in the bundle`);
  const before = code.slice(0, at);
  return { line: before.split('\n').length - 1, column: at - (before.lastIndexOf('\n') + 1) };
}

/**
 * The file `needle`'s first occurrence in `file` comes from (absolute), by the map beside it; the line the map gives is
 * checked to be a line of that file (the maps are statement-granular: the line is a pointer into the file).
 */
function mappedSource(file: string, needle: string): string {
  const map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  const { line, column } = positionOf(readFileSync(file, 'utf8'), needle);
  const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
  const original = path.resolve(path.dirname(file), entry.originalSource ?? '');
  const lines = readFileSync(original, 'utf8').split('\n').length;
  expect(entry.originalLine).toBeGreaterThanOrEqual(0);
  expect(entry.originalLine).toBeLessThan(lines);
  return original;
}

describe.each([
  { bundle: 'index.js', needle: 'faas-preview: ', source: 'src/main.ts' },
  { bundle: 'waker/index.js', needle: 'is empty while its pair is set', source: 'src/waker/config.ts' },
])('$bundle', ({ bundle, needle, source }) => {
  const file = path.join(DIST, bundle);
  const code = readFileSync(file, 'utf8');

  test('loads the source-map register before anything else', () => {
    expect(code.startsWith("import './sourcemap-register.cjs';")).toBe(true);
    expect(readFileSync(path.join(path.dirname(file), 'sourcemap-register.cjs'), 'utf8').length).toBeGreaterThan(0);
  });

  test(`maps its code back to ${source}`, () => {
    // ncc's maps through TypeScript and the minifier are statement-granular and may land some lines off (measured:
    // src/main.ts 1 line, src/waker/config.ts 25): the file is exact, the line a pointer into it.
    expect(mappedSource(file, needle)).toBe(path.join(ROOT, source));
  });
});

describe('the chunks split off for lazy imports', () => {
  const chunks = ['.', 'waker'].flatMap((folder) =>
    readdirSync(path.join(DIST, folder))
      .filter((f) => /^\d+\.index\.js$/.test(f))
      .map((f) => path.join(DIST, folder, f)),
  );
  /** The chunk of `folder` holding `needle`: chunk names are ids the bundler picks. */
  const chunkWith = (folder: string, needle: string) => {
    const file = chunks.find(
      (f) => path.dirname(f) === path.join(DIST, folder) && readFileSync(f, 'utf8').includes(needle),
    );
    if (!file) throw new Error(`no chunk in ${folder} holds '${needle}'`);
    return file;
  };

  test("are minified: none of the bundler's comments left", () => {
    expect(chunks.length).toBeGreaterThan(0);
    for (const file of chunks) {
      const code = readFileSync(file, 'utf8');
      expect(code).not.toContain('/***/');
      expect(code).not.toContain('// EXTERNAL MODULE');
    }
  });

  test.each([
    { folder: '.', needle: 'was closed while this run built it; not deployed', source: 'src/commands/deploy.ts' },
    { folder: '.', needle: 'octokit-core.js/', source: 'node_modules/@octokit/core/' },
    { folder: 'waker', needle: 'aws-sdk-js', source: 'node_modules/@aws-sdk/' },
  ])("map their code back to its source: '$needle' in $source", ({ folder, needle, source }) => {
    // as precise as ncc's own map, which the minifier's map is composed with: the file exact, the line a pointer
    // into it (measured for the deploy's string: the statement before the function's first await, 25 lines up)
    const original = mappedSource(chunkWith(folder, needle), needle);
    if (source.endsWith('/')) expect(original.startsWith(path.join(ROOT, source))).toBe(true);
    else expect(original).toBe(path.join(ROOT, source));
  });
});

test("the action formats plain stacks while it runs and puts the register's formatter back when it crashes", () => {
  // The run fails at once (no event: an ::error:: line), then the script crashes on purpose.
  const script = `
    await import(${JSON.stringify(pathToFileURL(BUNDLE).href)});
    process.stderr.write('while running: ' + typeof Error.prepareStackTrace + '\\n');
    process.on('uncaughtExceptionMonitor', () => process.stderr.write('on crash: ' + typeof Error.prepareStackTrace + '\\n'));
    setTimeout(() => { throw new Error('crashed on purpose'); });
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 60_000,
  });
  expect(child.stdout).toContain('::error::');
  expect(child.stderr).toContain('while running: undefined');
  expect(child.stderr).toContain('on crash: function');
  expect(child.stderr).toContain('Error: crashed on purpose');
  expect(child.status).toBe(1);
});
