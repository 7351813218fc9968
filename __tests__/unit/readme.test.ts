import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { actionTables } from '../../scripts/action-tables.js';
import { DEFAULT_UPLOAD_CONCURRENCY } from '../../src/settings.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
// The input and output tables moved from the README to the reference page (issue 20).
const reference = readFileSync(new URL('docs/reference.md', root), 'utf8');
const tables = actionTables(readFileSync(new URL('action.yml', root), 'utf8'));

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  expect(from).toBeGreaterThan(-1);
  expect(to).toBeGreaterThan(from);
  return text.slice(from + start.length, to).trim();
}

describe('docs/reference.md matches action.yml', () => {
  test('inputs table (regenerate with `npx tsx scripts/action-tables.ts --write`)', () => {
    expect(between(reference, '<!-- inputs:start -->', '<!-- inputs:end -->')).toBe(tables.inputs);
  });

  test('outputs table', () => {
    expect(between(reference, '<!-- outputs:start -->', '<!-- outputs:end -->')).toBe(tables.outputs);
  });

  test('every value of the result output is documented in action.yml and in the reference', () => {
    // The type the code writes outputs with (src/report.ts); TypeScript keeps every writeOutputs call inside it.
    const type = /type Result = ([^;]+);/.exec(readFileSync(new URL('src/report.ts', root), 'utf8'));
    expect(type).not.toBeNull();
    const values = [...type![1].matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
    expect(values.length).toBeGreaterThanOrEqual(7);
    const action = parse(readFileSync(new URL('action.yml', root), 'utf8'));
    const described = action.outputs.result.description as string;
    const rows = between(reference, '## The `result` output', '`url`, `name`');
    for (const value of values) {
      expect({ value, inActionYml: described.includes(`${value}:`) }).toEqual({ value, inActionYml: true });
      expect({ value, inReference: rows.includes(`| \`${value}\` |`) }).toEqual({ value, inReference: true });
    }
  });

  test("action.yml's upload-concurrency default is the tuned one the code falls back to", () => {
    const action = parse(readFileSync(new URL('action.yml', root), 'utf8'));
    expect(action.inputs['upload-concurrency'].default).toBe(String(DEFAULT_UPLOAD_CONCURRENCY));
  });
});

describe('README', () => {
  test('the two commands come first', () => {
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks[0]).toContain('npm run demo');
    expect(blocks[1]).toContain('npm test');
  });
});
