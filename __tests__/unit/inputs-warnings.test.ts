import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { INPUT_NAMES, staticDirWarning, unknownInputWarnings } from '../../src/inputs/warnings.js';
import type { Settings } from '../../src/settings.js';

describe('unknown inputs', () => {
  test("the list is action.yml's inputs", () => {
    const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    expect([...INPUT_NAMES].sort()).toEqual(Object.keys(action.inputs).sort());
  });

  test('a with: key the action does not have is named, with the input it most likely meant', () => {
    expect(
      unknownInputWarnings({
        'INPUT_STATIC-DIRECTORY': 'site',
        'INPUT_GATEWAY-URLL': 'x',
        INPUT_FROBNICATE: 'x',
        'INPUT_STATIC-DIR': 'site',
        PATH: '/bin',
      }),
    ).toEqual([
      "unknown input 'static-directory' (the action has no such input, so it is ignored); did you mean 'static-dir'?",
      "unknown input 'gateway-urll' (the action has no such input, so it is ignored); did you mean 'gateway-url'?",
      "unknown input 'frobnicate' (the action has no such input, so it is ignored)",
    ]);
  });
});

describe('a static-dir that serves nothing at /', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-static-'));
  const settings = (staticDir?: string) => ({ assets: staticDir ? { staticDir } : undefined }) as unknown as Settings;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('empty, or without index.html: a warning; with index.html, or API-only (no static-dir): none', () => {
    mkdirSync(path.join(dir, 'empty'));
    mkdirSync(path.join(dir, 'no-index'));
    writeFileSync(path.join(dir, 'no-index/app.js'), 'x');
    mkdirSync(path.join(dir, 'site'));
    writeFileSync(path.join(dir, 'site/index.html'), '<h1>hi</h1>');
    expect(staticDirWarning(settings(path.join(dir, 'empty')), 'dist')).toMatch(/static-dir 'dist' is empty/);
    expect(staticDirWarning(settings(path.join(dir, 'no-index')), 'out')).toMatch(/has no index.html/);
    expect(staticDirWarning(settings(path.join(dir, 'site')), 'site')).toBeUndefined();
    expect(staticDirWarning(settings(), '')).toBeUndefined();
  });
});
