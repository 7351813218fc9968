/**
 * Build contexts as faas-cli makes them (builder/build.go createBuildContext), in a fresh temporary directory,
 * ready for any of the action's builders (a directory and a Dockerfile):
 * - `lang: dockerfile`: the handler directory's entries;
 * - any other lang: template/<lang>/ (beside the stack file, or fetched from configuration.templates), with the
 *   handler's entries overlaid into its handler folder (`function/` unless template.yml says otherwise).
 * Either way the handler's own `build/` and `template/` entries are left out, `configuration.copy` paths are added
 * to the function's folder, and symbolic links are copied as links, never followed: a link in a pull request
 * must not carry a file of the runner into an image.
 */
import { cp, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StackError, type Where } from './errors.js';
import type { StackFunction } from './function.js';
import type { Stack } from './parse.js';
import { readTemplate, templateBuildArgs } from './template.js';
import type { Templates } from './templates.js';

export interface BuildContext {
  /** The stack function this context builds. */
  fn: string;
  /** A fresh directory: the build context. */
  context: string;
  /** Its Dockerfile (absolute). */
  dockerfile: string;
  /** Build args to pass (stack build_args, the action's on top, build_options as ADDITIONAL_PACKAGE). */
  buildArgs: Record<string, string>;
  /** template.yml's fprocess, for a deploy of a function that sets none (faas-cli deriveFprocess). */
  fprocess?: string;
  /** Removes the context directory. */
  cleanup(): Promise<void>;
}

export interface PrepareOptions {
  /** The action's build-args, which override the stack's (faas-cli: --build-arg over build_args). */
  buildArgs?: Record<string, string>;
  /** Where the temporary directory goes (the runner's RUNNER_TEMP); default the OS temp directory. */
  tmp?: string;
}

/** Skipped in the handler, as faas-cli does: its own output and templates never enter the image. */
const SKIPPED = ['build', 'template'];

export async function prepareBuild(
  stack: Stack,
  fn: StackFunction,
  templates: Templates,
  o: PrepareOptions = {},
): Promise<BuildContext> {
  const where: Where = { file: stack.display, fn: fn.name, field: 'lang' };
  if (fn.skipBuild)
    throw new Error(`function ${fn.name} has skip_build: true; deploy ${fn.imageReference} without building it`);
  const template = fn.lang === 'dockerfile' ? undefined : await templates.dir(fn.lang, where);
  const language = template === undefined ? undefined : readTemplate(template, where);
  const args = { ...fn.buildArgs, ...o.buildArgs };
  const buildArgs = templateBuildArgs({
    requested: fn.buildOptions,
    template: language,
    args,
    lang: fn.lang,
    where: { ...where, field: 'build_options' },
  });
  const context = await mkdtemp(path.join(o.tmp ?? tmpdir(), `faas-preview-build-${fn.name}-`));
  const cleanup = () => rm(context, { recursive: true, force: true });
  try {
    if (template !== undefined) await copy(template, context);
    const folder = path.join(context, language?.handlerFolder ?? '');
    await mkdir(folder, { recursive: true });
    for (const entry of await readdir(fn.handler)) {
      if (!SKIPPED.includes(entry)) await copy(path.join(fn.handler, entry), path.join(folder, entry));
    }
    for (const extra of stack.copy) await copy(extra.from, path.join(folder, extra.to));
    const dockerfile = path.join(context, 'Dockerfile');
    await requireDockerfile(
      dockerfile,
      template === undefined
        ? `the handler ${path.relative(stack.workspace, fn.handler) || '.'}`
        : `template ${fn.lang}`,
      where,
    );
    return {
      fn: fn.name,
      context,
      dockerfile,
      buildArgs,
      ...(language?.fprocess ? { fprocess: language.fprocess } : {}),
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function copy(from: string, to: string): Promise<void> {
  return cp(from, to, { recursive: true, force: true, dereference: false, verbatimSymlinks: true });
}

/** A regular file: a link could point the builder at a file outside the context and echo it into the log. */
async function requireDockerfile(file: string, owner: string, where: Where): Promise<void> {
  const stat = await lstat(file).catch(() => undefined);
  if (stat?.isFile()) return;
  throw new StackError(
    where,
    stat
      ? `${owner} has a Dockerfile that is not a regular file (a link or a directory); make it a file`
      : `${owner} has no Dockerfile at its top; faas-cli builds from one there`,
  );
}
