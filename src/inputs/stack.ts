/**
 * The faas-cli stack inputs (issue 12): `stack-file`, `functions`, `default-function`, `functions-path` and
 * `stack-variables`. The stack file comes from the pull request, so `${VAR}` in it may read only the variables the
 * workflow names in `stack-variables` (a PR could otherwise copy any runner variable into a function's environment
 * or an image name), and every image it builds must live under `registry`.
 */
import { loadStack, type Stack } from '../stack/parse.js';
import { StackError } from '../stack/errors.js';
import type { StackSettings } from '../settings.js';
import { InputError, show, type Read } from '../rules/errors.js';
import { apiPath } from '../rules/paths.js';
import { list } from '../rules/scalars.js';

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface StackContext {
  workspace: () => string;
  /** Deploy runs parse the file; teardown and sweep runs (often without a checkout) do not need it. */
  builds: boolean;
  registry: string;
  env: NodeJS.ProcessEnv;
  apiPath: string;
}

export function stackSettings(read: Read, c: StackContext): StackSettings | undefined {
  const file = read('stack-file');
  const functions = list(read, 'functions');
  const defaultFunction = read('default-function') || undefined;
  if (!file) {
    const stray = ['functions', 'default-function', 'stack-variables'].find((name) => read(name));
    if (stray) throw new InputError(stray, "has no use without 'stack-file'; set it, or remove this input");
    return undefined;
  }
  for (const name of ['context', 'dockerfile', 'image']) {
    if (read(name))
      throw new InputError(
        name,
        "has no use with 'stack-file': each function's handler and image come from the stack file",
      );
  }
  const functionsPath = apiPath(read, 'functions-path', '/fn');
  if (
    functionsPath === c.apiPath ||
    functionsPath.startsWith(`${c.apiPath}/`) ||
    c.apiPath.startsWith(`${functionsPath}/`)
  ) {
    throw new InputError(
      'functions-path',
      `${show(functionsPath)} overlaps 'api-path' ${show(c.apiPath)}; the edge routes them apart, so use separate prefixes like /api and /fn`,
    );
  }
  const variables = list(read, 'stack-variables');
  const bad = variables.find((v) => !VARIABLE.test(v));
  if (bad !== undefined)
    throw new InputError(
      'stack-variables',
      `${show(bad)} is not a variable name: letters, digits and '_', not starting with a digit`,
    );
  const settings: StackSettings = { file, functions, defaultFunction, functionsPath, variables };
  if (c.builds) {
    try {
      settings.parsed = parse(settings, c);
    } catch (err) {
      // The file comes with the pull request, so its problems are the PR's to fix: deploy says them on the PR, as it
      // does a failed build, where a failed input check would only reach the job log.
      if (!(err instanceof InputError)) throw err;
      settings.problem = withoutValues(err.message, settings.variables, c.env);
    }
  }
  return settings;
}

/**
 * The problem goes into a public PR comment, and a message may quote the file after substitution: each variable's
 * value is shown as its `${NAME}` (a workflow may pass a secret through `stack-variables`). Values under 4
 * characters stay: no secret is that short, and replacing them would garble the message.
 */
export function withoutValues(message: string, variables: string[], env: NodeJS.ProcessEnv): string {
  const values = variables.flatMap((v) => (env[v] && env[v].length >= 4 ? [[env[v], `\${${v}}`] as const] : []));
  values.sort((a, b) => b[0].length - a[0].length); // a value that contains another goes first
  return values.reduce((text, [value, name]) => text.split(value).join(name), message);
}

function parse(s: StackSettings, c: StackContext): Stack {
  const env = Object.fromEntries(s.variables.map((v) => [v, c.env[v]]));
  let stack: Stack;
  try {
    stack = loadStack({
      file: s.file,
      workspace: c.workspace(),
      env,
      functions: s.functions,
      registry: c.registry || undefined,
    });
  } catch (err) {
    if (err instanceof StackError) throw new InputError('stack-file', err.message);
    throw err;
  }
  if (s.defaultFunction && !stack.functions.some((fn) => fn.name === s.defaultFunction)) {
    throw new InputError(
      'default-function',
      `${show(s.defaultFunction)} is not one of the deployed functions (${stack.functions.map((f) => f.name).join(', ')})`,
    );
  }
  return stack;
}
