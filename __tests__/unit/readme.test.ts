import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { actionTables } from '../../scripts/action-tables.js';
import { DEFAULT_UPLOAD_CONCURRENCY } from '../../src/settings.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const tables = actionTables(readFileSync(new URL('action.yml', root), 'utf8'));

function between(start: string, end: string): string {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  expect(from).toBeGreaterThan(-1);
  expect(to).toBeGreaterThan(from);
  return readme.slice(from + start.length, to).trim();
}

describe('README matches action.yml', () => {
  test('inputs table (regenerate with `npx tsx scripts/action-tables.ts`)', () => {
    expect(between('<!-- inputs:start -->', '<!-- inputs:end -->')).toBe(tables.inputs);
  });

  test('outputs table', () => {
    expect(between('<!-- outputs:start -->', '<!-- outputs:end -->')).toBe(tables.outputs);
  });

  test("action.yml's upload-concurrency default is the tuned one the code falls back to", () => {
    const action = parse(readFileSync(new URL('action.yml', root), 'utf8'));
    expect(action.inputs['upload-concurrency'].default).toBe(String(DEFAULT_UPLOAD_CONCURRENCY));
  });

  test('the two commands come first', () => {
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks[0]).toContain('npm run demo');
    expect(blocks[1]).toContain('npm test');
  });
});
