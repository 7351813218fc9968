/**
 * The functions of a preview, each one "unit" of the deploy: without a stack file, one function built from
 * `context`/`dockerfile` (or the prebuilt `image`); with one (issue 12), every selected function of the file. The
 * default function is deployed as `<name>` and answers at `api-path`; every other one as `<name>-<fn>` at
 * `<functions-path>/<fn>` (stack/names.ts), which the edge routes without per-PR configuration.
 */
import { show } from '../rules/errors.js';
import { imageTag } from '../naming.js';
import type { FunctionDeployment } from '../openfaas/types.js';
import type { BuildSettings, Settings } from '../settings.js';
import { prepareBuild, type BuildContext } from '../stack/context.js';
import { deployedName, functionRoute } from '../stack/names.js';
import type { StackFunction } from '../stack/function.js';
import type { Templates } from '../stack/templates.js';

/** What a stack gives a function's spec beneath the action's inputs. */
export type StackSpec = Pick<
  FunctionDeployment,
  'envVars' | 'labels' | 'annotations' | 'secrets' | 'limits' | 'requests' | 'readOnlyRootFilesystem' | 'envProcess'
>;

export interface Unit {
  /** The stack function's name; '' without a stack. */
  fn: string;
  /** The deployed function name. */
  name: string;
  /** Its path on the preview's origin. */
  route: string;
  isDefault: boolean;
  /** This commit's tag to build or retag; for a prebuilt image, that image. */
  tag: string;
  /** Build settings for this function; undefined: the image is deployed as it is (builder none, skip_build). */
  build?: BuildSettings;
  /** A stack function's build context, made in a temporary directory (templates); call `cleanup` after the build. */
  context?: (templates: Templates) => Promise<BuildContext>;
  stackSpec?: StackSpec;
}

export function unitsOf(settings: Settings, preview: string, pr: number, sha: string): Unit[] {
  const stack = settings.stack?.parsed;
  if (!stack) {
    const built = settings.build.builder !== 'none';
    return [
      {
        fn: '',
        name: preview,
        route: settings.apiPath,
        isDefault: true,
        tag: built ? imageTag(settings.build.repository, pr, sha) : settings.build.prebuiltImage,
        build: built ? settings.build : undefined,
      },
    ];
  }
  const defaultFn = settings.stack!.defaultFunction ?? stack.functions[0].name;
  return stack.functions.map((fn) => {
    const isDefault = fn.name === defaultFn;
    const built = !fn.skipBuild && settings.build.builder !== 'none';
    return {
      fn: fn.name,
      name: deployedName(preview, fn.name, isDefault),
      route: functionRoute(fn.name, isDefault, {
        apiPath: settings.apiPath,
        functionsPath: settings.stack!.functionsPath,
      }),
      isDefault,
      tag: built ? imageTag(fn.image, pr, sha) : fn.imageReference,
      build: built ? { ...settings.build, repository: fn.image } : undefined,
      context: built
        ? (templates: Templates) =>
            prepareBuild(stack, fn, templates, { buildArgs: settings.build.buildArgs, tmp: process.env.RUNNER_TEMP })
        : undefined,
      stackSpec: stackSpec(fn),
    };
  });
}

/**
 * What the deploy says in the log about the stack file: each field it ignores, and a `provider.gateway` that is not
 * `gateway-url` (the same file serves faas-cli, so neither is an error).
 */
export function stackNotes(settings: Settings): string[] {
  const stack = settings.stack?.parsed;
  if (!stack) return [];
  const notes = [...stack.warnings];
  const trim = (url: string) => url.replace(/\/+$/, '');
  if (stack.gateway !== undefined && trim(stack.gateway) !== trim(settings.gateway.url)) {
    notes.push(
      `stack file ${stack.display}, field 'provider.gateway': ${show(stack.gateway)} is not used; the preview deploys to the gateway of input 'gateway-url'`,
    );
  }
  return notes;
}

function stackSpec(fn: StackFunction): StackSpec {
  const has = (r: { memory?: string; cpu?: string }) => r.memory !== undefined || r.cpu !== undefined;
  return {
    envVars: fn.environment,
    labels: fn.labels,
    annotations: fn.annotations,
    secrets: fn.secrets,
    ...(has(fn.limits) ? { limits: fn.limits } : {}),
    ...(has(fn.requests) ? { requests: fn.requests } : {}),
    ...(fn.readonlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
    ...(fn.fprocess ? { envProcess: fn.fprocess } : {}),
  };
}
