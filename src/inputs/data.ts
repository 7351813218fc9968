/**
 * The per-preview data inputs (issue 11): `preview-secrets`, `database`, `database-url`, `database-template`, and the
 * hooks `database-migrate`, `database-seed`, `on-deploy`, `on-teardown` with `hook-timeout`. Values of
 * `preview-secrets` and `database-url` are secrets, masked before anything is checked (credentials.ts); here they are
 * checked without ever being quoted.
 */
import { DATABASE_KEY } from '../naming.js';
import { parseDatabaseUrl, TEMPLATE_INPUT, URL_INPUT } from '../data/url.js';
import { templateProblem } from '../data/names.js';
import type { DataSettings } from '../settings.js';
import { CONTROL, InputError, show, type Read } from '../rules/errors.js';
import { choice, duration, keyValues } from '../rules/scalars.js';

/**
 * Shell-style, so `<KEY>_FILE` is an environment variable name every runtime reads, and starting and ending with a
 * letter or digit, so the secret `<name>-<key>` (lowercase, `_` → `-`) is a Kubernetes object name.
 */
const SECRET_KEY = /^[A-Za-z]([A-Za-z0-9_]*[A-Za-z0-9])?$/;
const HOOKS = {
  migrate: 'database-migrate',
  seed: 'database-seed',
  onDeploy: 'on-deploy',
  onTeardown: 'on-teardown',
} as const;

export function dataSettings(read: Read, env: Record<string, string>): DataSettings {
  const database = databaseSettings(read);
  return {
    previewSecrets: previewSecrets(read, env, database !== undefined),
    database,
    hooks: hooks(read, database !== undefined),
  };
}

function previewSecrets(read: Read, env: Record<string, string>, withDatabase: boolean): Record<string, string> {
  const pairs = keyValues(read, 'preview-secrets');
  for (const [key, value] of pairs) {
    if (!SECRET_KEY.test(key))
      throw new InputError(
        'preview-secrets',
        `${show(key)} is not a key: letters, digits and '_', starting with a letter and not ending with '_' (it names the secret <name>-<key> and the variable <KEY>_FILE)`,
      );
    if (!value)
      throw new InputError(
        'preview-secrets',
        `${show(key)} has an empty value; a secret the workflow did not pass is empty: check the secret's name`,
      );
    if (withDatabase && key.toUpperCase() === DATABASE_KEY)
      throw new InputError(
        'preview-secrets',
        `${show(key)} is the secret the preview database's URL travels in ('database: postgres'); use another key`,
      );
    if (`${key}_FILE` in env)
      throw new InputError(
        'preview-secrets',
        `${show(key)} gives the function ${key}_FILE, which 'env' sets too; rename one of them`,
      );
  }
  const lower = pairs.map(([key]) => key.toLowerCase());
  const clash = pairs.find(([,], i) => lower.indexOf(lower[i]) !== i);
  if (clash)
    throw new InputError(
      'preview-secrets',
      `keys differing only in case (${show(clash[0])}) name the same OpenFaaS secret; keep one`,
    );
  return Object.fromEntries(pairs);
}

function databaseSettings(read: Read): DataSettings['database'] {
  const kind = choice(read, 'database', ['postgres'] as const);
  const url = read(URL_INPUT);
  const template = read(TEMPLATE_INPUT);
  if (!kind) {
    const stray = [URL_INPUT, TEMPLATE_INPUT, HOOKS.migrate, HOOKS.seed].find((name) => read(name));
    if (stray) throw new InputError(stray, "has no use without 'database: postgres'; set it, or remove this input");
    return undefined;
  }
  if (!url)
    throw new InputError(
      URL_INPUT,
      "is required with 'database: postgres': an admin connection URL (a secret) like postgres://faas_preview:password@db.example.com:5432/postgres",
    );
  parseDatabaseUrl(url);
  const problem = template ? templateProblem(template) : undefined;
  if (problem) throw new InputError(TEMPLATE_INPUT, problem);
  return { url, template: template || undefined };
}

function hooks(read: Read, withDatabase: boolean): DataSettings['hooks'] {
  const command = (name: string) => {
    const value = read(name);
    // Multi-line scripts are fine (`|` in YAML); other control characters are a paste accident.
    if (CONTROL.test(value.replace(/[\n\t]/g, '')))
      throw new InputError(name, 'contains a control character other than a line break or tab');
    return value || undefined;
  };
  const out = {
    migrate: command(HOOKS.migrate),
    seed: command(HOOKS.seed),
    onDeploy: command(HOOKS.onDeploy),
    onTeardown: command(HOOKS.onTeardown),
    timeoutMs: duration(read, 'hook-timeout', '10m', { min: '1s', max: '2h' })!,
  };
  if (!withDatabase && (out.migrate || out.seed))
    throw new InputError(
      out.migrate ? HOOKS.migrate : HOOKS.seed,
      "runs against the preview database: set 'database: postgres' and 'database-url'",
    );
  return out;
}
