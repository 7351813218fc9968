/**
 * A faas-cli stack file (stack.yml) → one checked `Stack`. Follows faas-cli's stack/stack.go ParseYAMLData:
 * `${VAR}` substitution over the raw text first (substitute.ts), then YAML; `provider.name` must be `openfaas`;
 * `version`, when given, must be `1.0`; a subset of functions may be picked by name (faas-cli's `--filter` with
 * exact names). Anything malformed stops with one StackError naming the file, the function and the field.
 */
import * as path from 'node:path';
import { inside } from '../rules/paths.js';
import { show, quoted } from '../rules/errors.js';
import { StackError, type Where } from './errors.js';
import { contained, readSmall } from './files.js';
import { parseFunction, type FunctionContext, type StackFunction } from './function.js';
import { SubstitutionError, substitute } from './substitute.js';
import { at, mapping, parseYaml, requiredText, text, texts, unknownKeys, type Node } from './tree.js';

interface TemplateSource {
  /** The template (a `lang`) this entry provides. */
  name: string;
  /** A git URL, optionally pinned with `#<branch or tag>`; absent for templates of the store. */
  source?: string;
}

interface CopyPath {
  /** Real path of the file or directory. */
  from: string;
  /** Where it goes, relative to the function's folder in the build context. */
  to: string;
}

export interface Stack {
  /** Real path of the stack file. */
  file: string;
  /** The stack file relative to the workspace, as errors name it. */
  display: string;
  /** Real path of its directory, where relative paths (handlers, template/, env files) start. */
  dir: string;
  workspace: string;
  version?: string;
  /** `provider.gateway` as written: reported only, the action deploys to its `gateway-url`. */
  gateway?: string;
  /** The selected functions, in the file's order. */
  functions: StackFunction[];
  /** `configuration.templates`. */
  templates: TemplateSource[];
  /** `configuration.copy`: copied into every build context (faas-cli's CopyExtraPaths). */
  copy: CopyPath[];
  /** Variables the file referred to with `${...}`. */
  variables: string[];
  /** Fields that were ignored, one log line each. */
  warnings: string[];
}

export interface LoadOptions {
  /** The stack file: relative to the workspace (the `stack-file` input), or absolute inside it. */
  file: string;
  /** Real path of the workspace. */
  workspace: string;
  /** The variables `${VAR}` may read. Pass an allow-list, never the whole process environment (see README). */
  env: Readonly<Record<string, string | undefined>>;
  /** Names of the functions to keep (the `functions` input); empty or absent: all of them. */
  functions?: readonly string[];
  /** The registry the action pushes to (`<host>/<namespace>`, no trailing '/'): images it builds must be under it. */
  registry?: string;
}

const TOP = ['version', 'provider', 'functions', 'configuration'];

export function loadStack(o: LoadOptions): Stack {
  const ctx = { dir: o.workspace, workspace: o.workspace };
  const file = contained(o.file, 'file', ctx, { file: show(o.file) });
  const display = path.relative(o.workspace, file);
  const where: Where = { file: display };
  let substituted;
  try {
    substituted = substitute(readSmall(file, where), o.env);
  } catch (err) {
    if (err instanceof SubstitutionError) throw new StackError(where, err.message);
    throw err;
  }
  const root = mapping(parseYaml(substituted.text, where), where);
  const warnings = unknownKeys(root, TOP, where);
  const version = text(root.get('version'), at(where, 'version'));
  if (version !== undefined && version !== '1.0')
    throw new StackError(at(where, 'version'), `is ${show(version)}; faas-cli knows only version 1.0`);
  const dir = path.dirname(file);
  const configuration = mapping(root.get('configuration'), at(where, 'configuration'));
  warnings.push(...unknownKeys(configuration, ['templates', 'copy'], at(where, 'configuration')));
  const c: FunctionContext = { file: display, dir, workspace: o.workspace, registry: o.registry, warnings };
  return {
    file,
    display,
    dir,
    workspace: o.workspace,
    ...(version === undefined ? {} : { version }),
    ...provider(root.get('provider'), at(where, 'provider'), warnings),
    functions: functions(root.get('functions'), o.functions ?? [], c),
    templates: templates(configuration.get('templates'), at(where, 'configuration.templates')),
    copy: copyPaths(configuration.get('copy'), c, at(where, 'configuration.copy')),
    variables: substituted.variables,
    warnings,
  };
}

function provider(node: Node | undefined, where: Where, warnings: string[]): { gateway?: string } {
  const m = mapping(node, where);
  warnings.push(...unknownKeys(m, ['name', 'gateway', 'network'], where));
  const name = text(m.get('name'), at(where, 'name'));
  if (name !== 'openfaas')
    throw new StackError(
      at(where, 'name'),
      `is ${name === undefined ? 'missing' : show(name)}; faas-cli accepts only 'openfaas'`,
    );
  const gateway = text(m.get('gateway'), at(where, 'gateway'));
  return gateway ? { gateway } : {};
}

function functions(node: Node | undefined, picked: readonly string[], c: FunctionContext): StackFunction[] {
  const where = { file: c.file, field: 'functions' };
  const all = mapping(node, where);
  if (all.size === 0) throw new StackError(where, 'has no function; list at least one under functions:');
  const unknown = picked.filter((name) => !all.has(name));
  if (unknown.length > 0)
    throw new StackError(
      where,
      `has no function ${quoted(unknown)} (input 'functions'); the file has ${quoted([...all.keys()])}`,
    );
  return [...all]
    .filter(([name]) => picked.length === 0 || picked.includes(name))
    .map(([name, fn]) => parseFunction(name, fn, c));
}

function templates(node: Node | undefined, where: Where): TemplateSource[] {
  if (node === undefined || node === null) return [];
  if (!Array.isArray(node))
    throw new StackError(where, "must be a list of '- name: <template>' entries with an optional 'source: <git URL>'");
  return node.map((entry, i) => {
    const w = at(where, String(i));
    const m = mapping(entry, w);
    const name = requiredText(m.get('name'), at(w, 'name'), 'give the template it provides, the lang functions use');
    const source = text(m.get('source'), at(w, 'source'));
    return source ? { name, source } : { name };
  });
}

/**
 * faas-cli copies each path into the build context at the same relative place, and refuses one that is the project
 * itself or outside it (builder/build.go pathInScope).
 */
function copyPaths(node: Node | undefined, c: FunctionContext, where: Where): CopyPath[] {
  return texts(node, where).map((value, i) => {
    const w = at(where, String(i));
    const resolved = path.resolve(c.dir, value);
    const to = path.relative(c.dir, resolved);
    if (to === '') throw new StackError(w, `${show(value)} is the whole project; name a directory or file inside it`);
    if (!inside(c.dir, resolved)) {
      throw new StackError(
        w,
        `${show(value)} is outside ${c.file}'s directory; faas-cli copies paths from inside the project`,
      );
    }
    try {
      return { from: contained(value, 'directory', c, w), to };
    } catch {
      return { from: contained(value, 'file', c, w), to };
    }
  });
}
