/**
 * Which saved specs the waker may POST (pure). The bucket's state prefix is written by the sweeper, but the waker
 * trusts it no further than it must: every spec must be a function the action manages (`faas-preview/managed=true`)
 * for one of the repositories this waker serves (`faas-preview/repo`), name a function of the preview
 * (readSleeping checks `<name>` / `<name>-<fn>`), carry the commit it runs (`faas-preview/sha`, which the readiness
 * check reads back), and stay in the waker's namespace.
 */
import { isManagedBy, isPreviewName, LABELS, prFromName } from '../naming.js';
import type { FunctionDeployment, FunctionStatus } from '../openfaas/types.js';

export interface Repository {
  owner: string;
  repo: string;
}

/** A function (saved spec or live status) the action deployed for one of `repositories`. */
export function managedByAny(labels: FunctionStatus['labels'], repositories: readonly Repository[]): boolean {
  return repositories.some((r) => isManagedBy(labels, r.owner, r.repo));
}

/** Why the waker will not deploy these specs, or undefined when it may. */
export function refusal(
  specs: readonly FunctionDeployment[],
  o: { repositories: readonly Repository[]; namespace: string },
): string | undefined {
  const seen = new Set<string>();
  for (const spec of specs) {
    const service = String(spec.service);
    if (!isPreviewName(service)) return `'${service}' is not a function name`;
    if (seen.has(service)) return `function ${service} is saved twice`;
    seen.add(service);
    if (!managedByAny(spec.labels, o.repositories)) {
      return `function ${service} is not a managed function of an allowed repository (labels ${LABELS.managed}=${spec.labels?.[LABELS.managed] ?? '(none)'}, ${LABELS.repo}=${spec.labels?.[LABELS.repo] ?? '(none)'})`;
    }
    if (!spec.labels?.[LABELS.sha])
      return `function ${service} has no ${LABELS.sha} label, so its readiness could not be verified`;
    if (spec.namespace && o.namespace && spec.namespace !== o.namespace)
      return `function ${service} was saved for namespace ${spec.namespace}, this waker deploys to ${o.namespace}`;
  }
  return undefined;
}

/**
 * Whose preview the checked specs of `name` are: the repository they were deployed from, the app its previews are
 * named after (`<app>-pr-<n>`: the waker has no `app` input, the name carries it) and the PR. Undefined when the
 * name is not a preview's: such a wake makes no room, since no other preview could be told to be of the same app.
 */
export function previewOwner(
  name: string,
  specs: readonly FunctionDeployment[],
  repositories: readonly Repository[],
): { repository: Repository; app: string; pr: number } | undefined {
  const m = /^(?:(.*)-)?pr-([1-9][0-9]*)$/.exec(name);
  const repository = repositories.find((r) => specs.every((s) => isManagedBy(s.labels, r.owner, r.repo)));
  if (!m || !repository || specs.length === 0) return undefined;
  const app = m[1] ?? '';
  const pr = prFromName(app, name);
  return pr === undefined ? undefined : { repository, app, pr };
}
