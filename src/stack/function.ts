/**
 * One entry of a stack file's `functions` as faas-cli reads it (stack/schema.go Function), checked and typed.
 * Relative paths are taken from the stack file's directory (faas-cli takes them from the directory it runs in,
 * which is that directory when it is run next to the file, its normal use) and must stay inside the workspace
 * with symbolic links resolved, like the action's other paths.
 */
import * as path from 'node:path';
import { show } from '../rules/errors.js';
import { StackError, place, type Where } from './errors.js';
import { contained, readSmall } from './files.js';
import { functionNameProblem } from './names.js';
import { at, bool, mapping, parseYaml, requiredText, text, texts, unknownKeys, type Node } from './tree.js';
import { annotations, buildArgs, envPairs, image, labels, resources, secretNames, type Resources } from './values.js';

export interface StackFunction {
  /** Its key under `functions`: a DNS label. */
  name: string;
  /** `dockerfile` (faas-cli also accepts `Dockerfile`) or the name of a template. */
  lang: string;
  /** Real path of the handler directory; '' for a `skip_build` function without one. */
  handler: string;
  /** The repository to push to, registry host first; the action tags it `pr-<n>-<sha7>`. */
  image: string;
  /** `image` as written (tag or digest included): what a `skip_build` function deploys. */
  imageReference: string;
  skipBuild: boolean;
  fprocess?: string;
  buildArgs: Record<string, string>;
  buildOptions: string[];
  /** `environment`, then each `environment_file` in order, a later one overriding (faas-cli's compileEnvironment). */
  environment: Record<string, string>;
  /** Real paths of the `environment_file` files. */
  environmentFiles: string[];
  secrets: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  limits: Resources;
  requests: Resources;
  readonlyRootFilesystem: boolean;
}

/** What a function needs from the file around it. */
export interface FunctionContext {
  /** The stack file's name for errors (relative to the workspace). */
  file: string;
  /** Real path of the stack file's directory: relative paths start here. */
  dir: string;
  workspace: string;
  /** When set, every image the action builds must be under it (the action's credentials go to no other registry). */
  registry?: string;
  warnings: string[];
}

const KNOWN = [
  'lang',
  'handler',
  'image',
  'fprocess',
  'environment',
  'environment_file',
  'secrets',
  'labels',
  'annotations',
  'limits',
  'requests',
  'readonly_root_filesystem',
  'build_options',
  'build_args',
  'skip_build',
];
/** faas-cli fields a preview does not use, and why (logged, not refused: the same file serves faas-cli). */
const IGNORED: Record<string, string> = {
  namespace: "a preview deploys into the action's namespace",
  constraints: "previews are scheduled by the gateway's defaults",
  registry_auth: 'the action deploys with its own registry settings',
  platforms: "the action builds for the runner's platform",
  build_secrets: "the action's builders take no build secrets",
};

const LANG = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function parseFunction(name: string, node: Node, c: FunctionContext): StackFunction {
  const where: Where = { file: c.file, fn: name };
  const nameProblem = functionNameProblem(name);
  if (nameProblem)
    throw new StackError({ file: c.file, field: 'functions' }, `the function name ${show(name)} ${nameProblem}`);
  const m = mapping(node, where);
  c.warnings.push(...unknownKeys(m, [...KNOWN, ...Object.keys(IGNORED)], where));
  for (const key of Object.keys(IGNORED))
    if (m.has(key)) c.warnings.push(`${place(at(where, key))}: ignored, ${IGNORED[key]}`);
  const skipBuild = bool(m.get('skip_build'), at(where, 'skip_build'));
  const lang = language(m.get('lang'), at(where, 'lang'));
  const img = image(
    requiredText(m.get('image'), at(where, 'image'), "give the image's repository, like 'ghcr.io/acme/api'"),
    at(where, 'image'),
  );
  if (!skipBuild) underRegistry(img.repository, c.registry, at(where, 'image'));
  const buildOptions = texts(m.get('build_options'), at(where, 'build_options'));
  if (buildOptions.length > 0 && lang === 'dockerfile') {
    throw new StackError(
      at(where, 'build_options'),
      "needs a template's template.yml, and lang 'dockerfile' has none; pass packages with build_args instead",
    );
  }
  const files = texts(m.get('environment_file'), at(where, 'environment_file')).map((f, i) =>
    contained(f, 'file', c, at(where, `environment_file.${i}`)),
  );
  return {
    name,
    lang,
    handler: handler(m.get('handler'), skipBuild, c, at(where, 'handler')),
    image: img.repository,
    imageReference: img.reference,
    skipBuild,
    ...optional('fprocess', text(m.get('fprocess'), at(where, 'fprocess'))),
    buildArgs: buildArgs(m.get('build_args'), at(where, 'build_args')),
    buildOptions,
    environment: environment(m.get('environment'), files, c, where),
    environmentFiles: files,
    secrets: secretNames(texts(m.get('secrets'), at(where, 'secrets')), at(where, 'secrets')),
    labels: labels(m.get('labels'), at(where, 'labels')),
    annotations: annotations(m.get('annotations'), at(where, 'annotations')),
    limits: resources(m.get('limits'), at(where, 'limits'), c.warnings),
    requests: resources(m.get('requests'), at(where, 'requests'), c.warnings),
    readonlyRootFilesystem: bool(m.get('readonly_root_filesystem'), at(where, 'readonly_root_filesystem')),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function language(node: Node | undefined, where: Where): string {
  const lang = requiredText(node, where, "use 'dockerfile' or the name of a template under template/, like 'node20'");
  // faas-cli accepts both spellings for a function built from its own Dockerfile (builder/build.go).
  if (lang.toLowerCase() === 'dockerfile') return 'dockerfile';
  if (!LANG.test(lang) || lang.includes('..')) {
    throw new StackError(
      where,
      `${show(lang)} is not a template name: a directory name under template/ of letters, digits, '.', '_' and '-'`,
    );
  }
  return lang;
}

function underRegistry(repository: string, registry: string | undefined, where: Where): void {
  if (registry === undefined || repository.startsWith(`${registry}/`)) return;
  throw new StackError(
    where,
    `${show(repository)} is not under ${show(registry)}, the registry the action pushes to with its credentials (input 'registry'); use an image like '${registry}/<name>', or set skip_build: true for a prebuilt image`,
  );
}

function handler(node: Node | undefined, skipBuild: boolean, c: FunctionContext, where: Where): string {
  const value = text(node, where);
  if (value === undefined || value === '') {
    if (skipBuild) return '';
    throw new StackError(where, "is missing; give the directory with the function's code, like ./api");
  }
  return contained(value, 'directory', c, where);
}

/** faas-cli's compileEnvironment: the file's `environment`, overridden by each environment_file in order. */
function environment(
  node: Node | undefined,
  files: string[],
  c: FunctionContext,
  where: Where,
): Record<string, string> {
  const merged = new Map(envPairs(node, at(where, 'environment')));
  files.forEach((file, i) => {
    const fileWhere = at(where, `environment_file.${i}`);
    const rel = path.relative(c.workspace, file);
    const root = mapping(
      parseYaml(readSmall(file, fileWhere), { ...fileWhere, field: `${fileWhere.field} (${rel})` }),
      fileWhere,
    );
    for (const [k, v] of envPairs(root.get('environment'), {
      ...fileWhere,
      field: `${fileWhere.field} (${rel}) environment`,
    }))
      merged.set(k, v);
  });
  return Object.fromEntries(merged);
}
