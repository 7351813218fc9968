/**
 * The sweeper decides per preview, not per function: a stack's preview is `<name>` and `<name>-<fn>` (issue 12), and
 * idling one of its functions while a reviewer calls another would break the page. Pure: this repository's listed
 * functions (and Prometheus increases by function) → one ManagedFunction per preview, activity summed over its
 * functions, with the functions it stands for.
 */
import { ANNOTATIONS, previewOfFunction } from '../naming.js';
import type { FunctionStatus } from '../openfaas/types.js';
import type { ManagedFunction } from './plan.js';

export interface PreviewGroups {
  /** One entry per preview, named after the preview. */
  previews: ManagedFunction[];
  /** The functions of each preview, by preview name. */
  members: Map<string, FunctionStatus[]>;
  /** Functions with this repository's labels that are no preview of `app` (left alone, said in the log). */
  strays: string[];
  /** Prometheus increases by preview; undefined when none were given. */
  increases?: Map<string, number>;
}

function deployedAt(f: FunctionStatus): number | undefined {
  for (const text of [f.annotations?.[ANNOTATIONS.deployedAt], f.createdAt]) {
    const ms = text ? Date.parse(text) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}

const sum = (xs: (number | undefined)[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);

/** The latest deploy of any of the functions: a push that changed one function is activity for the preview. */
function latest(xs: (number | undefined)[]): number | undefined {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? Math.max(...known) : undefined;
}

export function groupPreviews(
  app: string,
  ours: readonly FunctionStatus[],
  increases?: ReadonlyMap<string, number>,
): PreviewGroups {
  const members = new Map<string, FunctionStatus[]>();
  const prs = new Map<string, number>();
  const strays: string[] = [];
  for (const f of ours) {
    const of = previewOfFunction(app, f);
    if (!of) {
      strays.push(f.name);
      continue;
    }
    members.set(of.preview, [...(members.get(of.preview) ?? []), f]);
    prs.set(of.preview, of.pr);
  }
  const previews = [...members].map(([name, fns]) => ({
    name,
    pr: prs.get(name)!,
    replicas: Math.max(...fns.map((f) => f.replicas ?? 0)),
    invocationCount: sum(fns.map((f) => f.invocationCount)),
    deployedAt: latest(fns.map(deployedAt)),
  }));
  const byPreview =
    increases && new Map([...members].map(([name, fns]) => [name, sum(fns.map((f) => increases.get(f.name)))]));
  return { previews, members, strays, ...(byPreview ? { increases: byPreview } : {}) };
}
