/**
 * Names and routes of a preview's functions, the scheme the edge configs (deploy/edge/) route without per-PR
 * configuration:
 *   default function  deployed as <name>        https://<name>.<domain><api-path>/<rest>        → /function/<name>/<rest>
 *   every other fn    deployed as <name>-<fn>   https://<name>.<domain><functions-path>/<fn>/<rest> → /function/<name>-<fn>/<rest>
 *
 * A preview name ends in `-pr-<number>` (naming.ts), so `<name>-<fn>` can only be another preview's name, or the
 * name of one of its functions, when `<fn>` contains `pr-<digits>` as whole '-'-separated labels (`pr-2`, `x-pr-2`,
 * `pr-2-x`). Such function names are refused here and by the edge, which is what keeps one preview's Host from
 * reaching another preview's functions.
 */
import { dnsLabelProblem } from '../rules/kubernetes.js';

const MAX_NAME = 63;
const PR_LABELS = /(^|-)pr-[0-9]+(-|$)/;

/** Why `fn` cannot be a function name of a stack; undefined when it can. */
export function functionNameProblem(fn: string): string | undefined {
  const dns = dnsLabelProblem(fn);
  if (dns) return dns;
  if (PR_LABELS.test(fn))
    return "contains 'pr-<digits>' as whole labels, which could name another preview's function; rename it";
  return undefined;
}

/** The deployed name: the preview's own name for its default function, `<name>-<fn>` for the others. */
export function deployedName(preview: string, fn: string, isDefault: boolean): string {
  if (isDefault) return preview;
  const name = `${preview}-${fn}`;
  if (name.length > MAX_NAME) {
    throw new Error(
      `function '${fn}' of preview ${preview} would be deployed as ${name}, ${name.length} characters; a function name has at most ${MAX_NAME}: shorten the function's name or the 'app' input`,
    );
  }
  return name;
}

/** The path the edge routes to the function, on the preview's own origin. */
export function functionRoute(
  fn: string,
  isDefault: boolean,
  paths: { apiPath: string; functionsPath: string },
): string {
  return isDefault ? paths.apiPath : `${paths.functionsPath}/${fn}`;
}
