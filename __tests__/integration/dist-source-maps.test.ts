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
    const map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    const { line, column } = positionOf(code, needle);
    const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
    expect(path.resolve(path.dirname(file), entry.originalSource ?? '')).toBe(path.join(ROOT, source));
    // ncc's maps through TypeScript and the minifier are statement-granular and may land some lines off (measured:
    // src/main.ts 1 line, src/waker/config.ts 25): the file is exact, the line a pointer into it.
    const lines = readFileSync(path.join(ROOT, source), 'utf8').split('\n').length;
    expect(entry.originalLine).toBeGreaterThanOrEqual(0);
    expect(entry.originalLine).toBeLessThan(lines);
  });
});

describe('the chunks split off for lazy imports', () => {
  const chunks = readdirSync(DIST).filter((f) => /^\d+\.index\.js$/.test(f));
  /** The chunk holding `needle`: chunk names are ids the bundler picks. */
  const chunkWith = (needle: string) => {
    const name = chunks.find((f) => readFileSync(path.join(DIST, f), 'utf8').includes(needle));
    if (!name) throw new Error(`no chunk holds '${needle}'`);
    return path.join(DIST, name);
  };

  test("are minified: none of the bundler's comments left", () => {
    expect(chunks.length).toBeGreaterThan(0);
    for (const name of chunks) {
      const code = readFileSync(path.join(DIST, name), 'utf8');
      expect(code).not.toContain('/***/');
      expect(code).not.toContain('// EXTERNAL MODULE');
    }
  });

  test("map a deploy's code back to src/commands/deploy.ts", () => {
    const file = chunkWith('was closed while this run built it; not deployed');
    const code = readFileSync(file, 'utf8');
    const map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    const { line, column } = positionOf(code, 'was closed while this run built it; not deployed');
    const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
    const source = path.join(ROOT, 'src/commands/deploy.ts');
    expect(path.resolve(path.dirname(file), entry.originalSource ?? '')).toBe(source);
    // as precise as ncc's own map, which the minifier's map is composed with: the file exact, the line a pointer
    // into it (measured: the statement before the function's first await, 25 lines up)
    const lines = readFileSync(source, 'utf8').split('\n').length;
    expect(entry.originalLine).toBeGreaterThanOrEqual(0);
    expect(entry.originalLine).toBeLessThan(lines);
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
