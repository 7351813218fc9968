/**
 * template.yml and build args as faas-cli derives them (builder/build.go getBuildOptionPackages, buildFlagSlice),
 * and the template sources of configuration.templates (versioncontrol/parse.go).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseSource } from '../../src/stack/git.js';
import {
  ADDITIONAL_PACKAGE,
  readTemplate,
  templateBuildArgs,
  type LanguageTemplate,
} from '../../src/stack/template.js';

const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'stack-template-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const where = { file: 'stack.yml', fn: 'web', field: 'build_options' };
const FIXTURE = path.resolve('test/fixtures/stack/template/scratch-text');

function template(yml: string | undefined): string {
  const dir = mkdtempSync(path.join(root, 't-'));
  if (yml !== undefined) writeFileSync(path.join(dir, 'template.yml'), yml);
  return dir;
}

describe('template.yml', () => {
  test('the fixture template: fprocess, build options, the default handler folder', () => {
    expect(readTemplate(FIXTURE, { file: 'stack.yml', fn: 'hello', field: 'lang' })).toEqual({
      language: 'scratch-text',
      fprocess: 'cat /home/app/function/handler.txt',
      handlerFolder: 'function',
      buildOptions: [
        { name: 'docs', packages: ['man-pages', 'less'] },
        { name: 'tools', packages: ['curl', 'less'] },
      ],
    });
  });

  test('handler_folder moves the handler; one that leaves the context is refused', () => {
    expect(readTemplate(template('handler_folder: src/handler/\n'), where).handlerFolder).toBe(
      path.join('src', 'handler'),
    );
    for (const bad of ['../out', '/abs', '.', 'a/../../b']) {
      expect(() => readTemplate(template(`handler_folder: ${bad}\n`), where)).toThrow(
        `field 'build_options (template.yml).handler_folder': '${bad}' is not a folder inside the template`,
      );
    }
  });

  test('a template without template.yml is refused, as faas-cli does', () => {
    const dir = template(undefined);
    expect(() => readTemplate(dir, where)).toThrow(
      `stack file stack.yml, function 'web', field 'build_options': the template in ${dir} has no template.yml; faas-cli needs one in every template`,
    );
  });

  test('malformed build_options in template.yml', () => {
    expect(() => readTemplate(template('build_options: dev\n'), where)).toThrow(
      "field 'build_options (template.yml).build_options': must be a list",
    );
    expect(() => readTemplate(template('build_options:\n  - packages: [a]\n'), where)).toThrow(
      "field 'build_options (template.yml).build_options.0.name': is missing",
    );
  });
});

describe('build args', () => {
  const tpl: LanguageTemplate = {
    handlerFolder: 'function',
    buildOptions: [
      { name: 'docs', packages: ['man-pages', 'less'] },
      { name: 'tools', packages: ['curl', 'less'] },
    ],
  };
  const args = (requested: string[], a: Record<string, string>, t: LanguageTemplate | undefined = tpl) =>
    templateBuildArgs({ requested, template: t, args: a, lang: 'scratch-text', where });

  test('no build options: the args unchanged', () => {
    expect(args([], { A: '1' })).toEqual({ A: '1' });
  });

  test('the packages of the requested options, in order, each once, as ADDITIONAL_PACKAGE', () => {
    expect(args(['docs', 'tools'], { A: '1' })).toEqual({ A: '1', [ADDITIONAL_PACKAGE]: 'man-pages less curl' });
    expect(args(['tools'], {})).toEqual({ [ADDITIONAL_PACKAGE]: 'curl less' });
  });

  test("an ADDITIONAL_PACKAGE build arg adds its words after the options' packages", () => {
    expect(args(['docs'], { [ADDITIONAL_PACKAGE]: 'git  less vim' })).toEqual({
      [ADDITIONAL_PACKAGE]: 'man-pages less git vim',
    });
    expect(args([], { [ADDITIONAL_PACKAGE]: 'git' })).toEqual({ [ADDITIONAL_PACKAGE]: 'git' });
  });

  test('an option the template does not offer is refused with the ones it does', () => {
    expect(() => args(['docs', 'gpu'], {})).toThrow(
      "stack file stack.yml, function 'web', field 'build_options': asks for 'gpu', which template scratch-text does not offer (template/scratch-text/template.yml has docs, tools)",
    );
    expect(() => args(['docs'], {}, { handlerFolder: 'function', buildOptions: [] })).toThrow('has no build_options');
  });
});

describe('template sources', () => {
  const ws = path.join(root, 'ws');
  mkdirSync(path.join(ws, 'templates'), { recursive: true });
  mkdirSync(path.join(root, 'elsewhere'));

  test.each([
    [
      'https://github.com/openfaas/templates',
      { url: 'https://github.com/openfaas/templates', display: 'https://github.com/openfaas/templates' },
    ],
    [
      'https://github.com/openfaas/templates.git#1.2.3',
      {
        url: 'https://github.com/openfaas/templates.git',
        ref: '1.2.3',
        display: 'https://github.com/openfaas/templates.git#1.2.3',
      },
    ],
    [
      'https://github.com/openfaas/golang-http-template#release/v2',
      { url: 'https://github.com/openfaas/golang-http-template', ref: 'release/v2' },
    ],
    ['git@github.com:openfaas/templates.git#main', { url: 'git@github.com:openfaas/templates.git', ref: 'main' }],
    ['ssh://git@git.example.com/t.git', { url: 'ssh://git@git.example.com/t.git' }],
    [
      'https://user:s3cret@git.example.com/t#v1',
      { url: 'https://user:s3cret@git.example.com/t', ref: 'v1', display: 'https://***@git.example.com/t#v1' },
    ],
  ])('%s', (source, expected) => {
    expect(parseSource(source, ws)).toMatchObject(expected);
  });

  test('file:// inside the workspace becomes the real path; outside it is refused', () => {
    expect(parseSource(`file://${ws}/templates#v1`, ws)).toEqual({
      url: `file://${ws}/templates`,
      ref: 'v1',
      display: `file://${ws}/templates#v1`,
    });
    expect(parseSource(`file://${root}/elsewhere`, ws)).toContain('outside the workspace');
    expect(parseSource(`file://${ws}/missing`, ws)).toContain('does not exist');
  });

  test.each([
    ['ext::sh -c touch% /tmp/pwned', 'is not a git URL'],
    ['-uhttps://x/y', 'is not a git URL'],
    ['/abs/path', 'is not a git URL'],
    ['ftp://x.example/t', 'is not a git URL'],
    ['https://x.example/t with space', 'is not a git URL'],
    ['user@host:path', 'is not a git URL'],
    ['https://x.example/t#-b', "'-b' is not a branch or tag name"],
    ['https://x.example/t#a..b', "'a..b' is not a branch or tag name"],
    ['https://x.example/t#a b', "'a b' is not a branch or tag name"],
    ['https://x.example/t#', "'' is not a branch or tag name"],
  ])('%s is refused', (source, problem) => {
    const result = parseSource(source, ws);
    expect(typeof result).toBe('string');
    expect(result).toContain(problem);
  });

  test('credentials in a refused URL are not repeated', () => {
    expect(parseSource('ftp://user:s3cret@x.example/t', ws)).not.toContain('s3cret');
  });
});
