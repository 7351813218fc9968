/**
 * A language template's template.yml (faas-cli stack/schema.go LanguageTemplate) and what faas-cli derives from it
 * when it builds (builder/build.go): the folder the handler goes into (`handler_folder`, default `function`), the
 * `fprocess` deploy sends when the function sets none, and the packages of the `build_options` a function asks for,
 * passed as the build arg ADDITIONAL_PACKAGE.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { show } from '../rules/errors.js';
import { StackError, type Where } from './errors.js';
import { readSmall } from './files.js';
import { at, mapping, parseYaml, requiredText, text, texts, type Node } from './tree.js';

export interface LanguageTemplate {
  language?: string;
  fprocess?: string;
  /** Relative to the build context; faas-cli's default is `function`. */
  handlerFolder: string;
  buildOptions: { name: string; packages: string[] }[];
}

/** faas-cli's build arg for build_options (builder.AdditionalPackageBuildArg). */
export const ADDITIONAL_PACKAGE = 'ADDITIONAL_PACKAGE';

export function readTemplate(dir: string, where: Where): LanguageTemplate {
  const file = path.join(dir, 'template.yml');
  if (!existsSync(file))
    throw new StackError(where, `the template in ${dir} has no template.yml; faas-cli needs one in every template`);
  const w = { ...where, field: `${where.field} (template.yml)` };
  const root = mapping(parseYaml(readSmall(file, w), w), w);
  const folder = text(root.get('handler_folder'), at(w, 'handler_folder')) || 'function';
  const normal = path.normalize(folder).replace(/(.)\/+$/, '$1');
  if (path.isAbsolute(normal) || normal === '..' || normal.startsWith(`..${path.sep}`) || normal === '.') {
    throw new StackError(at(w, 'handler_folder'), `${show(folder)} is not a folder inside the template`);
  }
  const language = text(root.get('language'), at(w, 'language'));
  const fprocess = text(root.get('fprocess'), at(w, 'fprocess'));
  return {
    ...(language ? { language } : {}),
    ...(fprocess ? { fprocess } : {}),
    handlerFolder: normal,
    buildOptions: buildOptions(root.get('build_options'), at(w, 'build_options')),
  };
}

function buildOptions(node: Node | undefined, where: Where): LanguageTemplate['buildOptions'] {
  if (node === undefined || node === null) return [];
  if (!Array.isArray(node)) throw new StackError(where, "must be a list of '- name: <option>' entries with 'packages'");
  return node.map((entry, i) => {
    const m = mapping(entry, at(where, String(i)));
    return {
      name: requiredText(m.get('name'), at(where, `${i}.name`), 'give the option a name'),
      packages: texts(m.get('packages'), at(where, `${i}.packages`)),
    };
  });
}

/**
 * The build args of a function, as faas-cli passes them (builder/build.go buildFlagSlice): its build_args overridden
 * by the action's; ADDITIONAL_PACKAGE then holds the packages of the requested build_options followed by the words
 * of any ADDITIONAL_PACKAGE build arg, each package once.
 */
export function templateBuildArgs(o: {
  requested: string[];
  template?: LanguageTemplate;
  args: Record<string, string>;
  lang: string;
  where: Where;
}): Record<string, string> {
  const packages: string[] = [];
  for (const name of o.requested) {
    const option = o.template?.buildOptions.find((b) => b.name === name);
    if (!option) {
      const available = o.template?.buildOptions.map((b) => b.name) ?? [];
      throw new StackError(
        o.where,
        `asks for ${show(name)}, which template ${o.lang} does not offer (template/${o.lang}/template.yml has ${available.length ? available.join(', ') : 'no build_options'})`,
      );
    }
    packages.push(...option.packages);
  }
  const { [ADDITIONAL_PACKAGE]: extra, ...rest } = o.args;
  if (extra !== undefined) packages.push(...extra.split(' ').filter(Boolean));
  const unique = [...new Set(packages)];
  return unique.length > 0 ? { ...rest, [ADDITIONAL_PACKAGE]: unique.join(' ') } : rest;
}
