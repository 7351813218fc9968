import { describe, expect, test } from '@jest/globals';
import { dataSettings } from '../../src/inputs/data.js';
import { maskSecrets } from '../../src/rules/credentials.js';
import { Secrets } from '../../src/text/secrets.js';
import { reader, refusal } from './inputs-support.js';

const URL = 'postgres://faas_preview:s3cret-Pw@db.example.com:5432/postgres';
const data = (inputs: Record<string, string>, env: Record<string, string> = {}) => dataSettings(reader(inputs), env);

describe('data inputs', () => {
  test('nothing set: no secrets, no database, no hooks, the default hook timeout', () => {
    expect(data({})).toEqual({
      previewSecrets: {},
      database: undefined,
      hooks: { migrate: undefined, seed: undefined, onDeploy: undefined, onTeardown: undefined, timeoutMs: 600_000 },
    });
  });

  test('a database with its template and hooks; multi-line hook scripts are fine', () => {
    const d = data({
      database: 'postgres',
      'database-url': URL,
      'database-template': 'shop_template',
      'database-migrate': 'npm run migrate\nnpm run check',
      'hook-timeout': '90s',
      'preview-secrets': 'API_KEY=abc\n# note\nSTRIPE_KEY=sk_test=1',
    });
    expect(d.database).toEqual({ url: URL, template: 'shop_template' });
    expect(d.hooks).toMatchObject({ migrate: 'npm run migrate\nnpm run check', timeoutMs: 90_000 });
    expect(d.previewSecrets).toEqual({ API_KEY: 'abc', STRIPE_KEY: 'sk_test=1' });
  });

  test.each([
    [{ database: 'mysql' }, "input 'database': 'mysql' is not one of 'postgres'"],
    [{ database: 'postgres' }, "input 'database-url': is required with 'database: postgres'"],
    [{ 'database-url': URL }, "input 'database-url': has no use without 'database: postgres'"],
    [{ 'database-migrate': 'make migrate' }, "input 'database-migrate': has no use without 'database: postgres'"],
    [{ database: 'postgres', 'database-url': 'mysql://u:p@h/db' }, "input 'database-url': has the scheme 'mysql:'"],
    [
      { database: 'postgres', 'database-url': URL, 'database-template': 'tpl"; DROP DATABASE x; --' },
      "input 'database-template': 'tpl\"; DROP DATABASE x; --' is not a database name",
    ],
    [{ 'preview-secrets': '1KEY=x' }, "input 'preview-secrets': '1KEY' is not a key"],
    [{ 'preview-secrets': 'KEY_=x' }, "input 'preview-secrets': 'KEY_' is not a key"],
    [{ 'preview-secrets': 'API_KEY=' }, "input 'preview-secrets': 'API_KEY' has an empty value"],
    [
      { 'preview-secrets': 'api_key=a\nAPI_KEY=b' },
      "input 'preview-secrets': keys differing only in case ('API_KEY') name the same OpenFaaS secret",
    ],
    [
      { database: 'postgres', 'database-url': URL, 'preview-secrets': 'DATABASE_URL=x' },
      "input 'preview-secrets': 'DATABASE_URL' is the secret the preview database's URL travels in",
    ],
    [{ 'on-deploy': 'echo \u0007' }, "input 'on-deploy': contains a control character"],
    [{ 'hook-timeout': '3h' }, "input 'hook-timeout': '3h' is above the maximum 2h"],
  ])('%j is refused', (inputs, message) => expect(refusal(() => data(inputs))).toContain(message));

  test('a preview secret may not collide with env', () => {
    expect(refusal(() => data({ 'preview-secrets': 'API_KEY=x' }, { API_KEY_FILE: '/tmp/k' }))).toContain(
      "gives the function API_KEY_FILE, which 'env' sets too",
    );
  });

  test('errors never quote a secret: the database URL and preview secret values are masked before any check', () => {
    const masked: string[] = [];
    const secrets = new Secrets();
    const inputs = { 'database-url': URL, 'preview-secrets': 'API_KEY=value-Zq9\nnot-a-pair-secret' };
    maskSecrets(reader(inputs), (v) => masked.push(v), secrets);
    expect(masked).toEqual(expect.arrayContaining([URL, 's3cret-Pw', 'value-Zq9', 'not-a-pair-secret']));
    expect(secrets.scrub(refusal(() => data(inputs)))).not.toContain('not-a-pair-secret');
  });
});
