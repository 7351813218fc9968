/**
 * A stack file's problem goes into a public PR comment: the values of `stack-variables` it may quote after
 * substitution are shown as `${NAME}` (src/inputs/stack.ts).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stackSettings, withoutValues } from '../../src/inputs/stack.js';

const ws = mkdtempSync(path.join(tmpdir(), 'stack-problem-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('withoutValues', () => {
  test('each value of 4 characters or more becomes its ${NAME}, the longest first', () => {
    const env = { TOKEN: 's3cr3t-token', PREFIX: 's3cr3t', SHORT: 'abc', UNSET: undefined };
    const message = 'image "s3cr3t-token/api" and "s3cr3t/web" and abc';
    expect(withoutValues(message, ['PREFIX', 'TOKEN', 'SHORT', 'UNSET'], env)).toBe(
      'image "${TOKEN}/api" and "${PREFIX}/web" and abc',
    );
  });

  test('a variable the workflow did not list is left as it is', () => {
    expect(withoutValues('value s3cr3t-token', ['OTHER'], { TOKEN: 's3cr3t-token', OTHER: 'unrelated' })).toBe(
      'value s3cr3t-token',
    );
  });
});

test('a problem that quotes a substituted value says ${NAME} instead', () => {
  mkdirSync(path.join(ws, 'api'));
  writeFileSync(
    path.join(ws, 'stack.yml'),
    'version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n  api:\n    lang: dockerfile\n    handler: ./api\n    image: ${DEPLOY_TOKEN}/api:latest\n',
  );
  const inputs: Record<string, string> = { 'stack-file': 'stack.yml', 'stack-variables': 'DEPLOY_TOKEN' };
  const settings = stackSettings((name) => inputs[name] ?? '', {
    workspace: () => ws,
    builds: true,
    registry: 'ghcr.io/acme',
    env: { DEPLOY_TOKEN: 'ghp_notreallyatoken123' },
    apiPath: '/api',
  });
  expect(settings?.problem).toContain('${DEPLOY_TOKEN}');
  expect(settings?.problem).not.toContain('ghp_notreallyatoken123');
});
