/**
 * What the inputs allow but is likely a mistake, said as warnings before anything runs: a `with:` key the action
 * does not have (the runner passes it on as INPUT_<NAME> all the same, and the run would go on without it, a preview
 * "ready" with no pages for `static-directory`), and a `static-dir` that will serve nothing at `/`. A preview with no
 * `static-dir` is an API-only preview, which is fine: no warning for it.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Settings } from '../settings.js';

/** Every input of action.yml (a unit test keeps the two equal). */
export const INPUT_NAMES = [
  'command', 'gateway-url', 'gateway-username', 'gateway-password', 'namespace', 'app', 'preview-domain',
  'url-template', 'api-path', 'builder', 'context', 'dockerfile', 'stack-file', 'functions', 'default-function',
  'functions-path', 'stack-variables', 'build-args', 'rebuild', 'registry', 'image', 'registry-username',
  'registry-password', 'registry-insecure', 'delete-image', 'env', 'secrets', 'labels', 'annotations',
  'preview-secrets', 'database', 'database-url', 'database-template', 'database-migrate', 'database-seed',
  'on-deploy', 'on-teardown', 'hook-timeout', 'memory-limit', 'cpu-limit', 'ready-timeout', 'ready-path',
  'static-dir', 'bucket', 's3-endpoint', 's3-region', 'aws-access-key-id', 'aws-secret-access-key',
  'include-dotfiles', 'cache-control', 'cache-control-fingerprinted', 'upload-concurrency', 'github-token',
  'comment', 'deployment', 'show-internal-addresses', 'allow-fork-builds', 'label', 'idle-after', 'prometheus-url',
  'prometheus-username', 'prometheus-password', 'state-prefix', 'max-age', 'max-previews', 'dry-run', 'waker',
  'request-timeout',
]; // prettier-ignore

/** The runner's variable for an input: spaces to `_`, upper case (`static-dir` → INPUT_STATIC-DIR). */
const envName = (input: string) => `INPUT_${input.replace(/ /g, '_').toUpperCase()}`;

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** The closest input: one that starts like it (`static-directory` → `static-dir`), else one a few edits away. */
function closest(name: string): string | undefined {
  const prefixed = INPUT_NAMES.filter((n) => name.startsWith(n) || n.startsWith(name));
  if (prefixed.length) return prefixed.sort((a, b) => b.length - a.length)[0];
  const [best] = INPUT_NAMES.map((n) => [n, distance(name, n)] as const).sort((a, b) => a[1] - b[1]);
  return best && best[1] <= 3 ? best[0] : undefined;
}

/** One warning per INPUT_* variable that is no input of the action. */
export function unknownInputWarnings(env: Record<string, string | undefined>): string[] {
  const known = new Set(INPUT_NAMES.map(envName));
  return Object.keys(env)
    .filter((k) => k.startsWith('INPUT_') && !known.has(k.toUpperCase()))
    .map((k) => {
      const name = k.slice('INPUT_'.length).toLowerCase();
      const guess = closest(name);
      return `unknown input '${name}' (the action has no such input, so it is ignored)${guess ? `; did you mean '${guess}'?` : ''}`;
    });
}

/** A `static-dir` that is empty or has no index.html: the preview's `/` will answer 404. */
export function staticDirWarning(settings: Settings, shown: string): string | undefined {
  const dir = settings.assets?.staticDir;
  if (!dir) return undefined;
  if (readdirSync(dir).length === 0)
    return `static-dir '${shown}' is empty: the preview will serve no page (did the build step run before this one?)`;
  if (!existsSync(path.join(dir, 'index.html')))
    return `static-dir '${shown}' has no index.html: the preview will answer 404 at / (its other files are served)`;
  return undefined;
}
