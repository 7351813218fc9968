/**
 * The FunctionDeployment of one function of a preview, pure. Layers, each winning over the one before: what a stack
 * file gives the function, then the action's inputs, then the preview's data (secrets, `<KEY>_FILE`), then the
 * action's own contract (docs/architecture.md, "The naming contract": the `faas-preview/*` labels, `FAAS_PREVIEW_*`, the annotations), which always
 * wins. Two digests go on as labels so the next push can tell whether it changes anything (decide/backend-change.ts).
 */
import { SPEC_DIGEST_LABEL, specDigest } from '../decide/backend-change.js';
import { BUILD_DIGEST_LABEL } from '../naming.js';
import { normalReference } from '../image/reference.js';
import { ANNOTATIONS, FUNCTION_LABEL, LABELS, previewLabels } from '../naming.js';
import type { Edition } from '../openfaas/client.js';
import { runningSpec, type FunctionDeployment, type FunctionStatus } from '../openfaas/types.js';
import type { Settings } from '../settings.js';
import { previewEnv, type PreparedData } from './preview-data.js';
import type { Unit } from './units.js';

export const SCALE_ZERO_LABEL = 'com.openfaas.scale.zero';

export interface SpecInput {
  unit: Pick<Unit, 'fn' | 'name' | 'stackSpec'>;
  image: string;
  /** Secrets and `<KEY>_FILE` variables of the preview's data (preview-data.ts). */
  data?: Pick<PreparedData, 'secrets' | 'env'>;
  /** The image's build digest, carried as a label so the next push can tell whether it changes the backend. */
  buildDigest?: string;
  /** A template's fprocess, when the stack function sets none. */
  envProcess?: string;
  preview: { name: string; url: string; pr: number; sha: string };
  owner: string;
  repo: string;
  edition: Edition;
  now: Date;
}

export function functionSpec(settings: Settings, o: SpecInput): FunctionDeployment {
  const stack = o.unit.stackSpec ?? {};
  const labels: Record<string, string> = {
    ...stack.labels,
    ...settings.fn.labels,
    ...previewLabels(o.owner, o.repo, o.preview.pr, o.preview.sha),
  };
  if (o.unit.fn) labels[FUNCTION_LABEL] = o.unit.fn;
  // Community Edition refuses com.openfaas.scale.zero* with 400; Pro and Edge wake a function at zero on its next request.
  if (o.edition === 'pro') labels[SCALE_ZERO_LABEL] = 'true';
  else delete labels[SCALE_ZERO_LABEL];
  if (o.buildDigest) labels[BUILD_DIGEST_LABEL] = o.buildDigest;
  const envProcess = stack.envProcess ?? o.envProcess;
  const spec: FunctionDeployment = {
    service: o.unit.name,
    image: o.image,
    ...(envProcess ? { envProcess } : {}),
    envVars: { ...stack.envVars, ...settings.fn.envVars, ...o.data?.env, ...previewEnv(o.preview) },
    labels,
    annotations: {
      ...stack.annotations,
      ...settings.fn.annotations,
      [ANNOTATIONS.deployedAt]: o.now.toISOString(),
      [ANNOTATIONS.url]: o.preview.url,
    },
    secrets: [...new Set([...(stack.secrets ?? []), ...settings.fn.secrets, ...(o.data?.secrets ?? [])])],
    // The inputs always have a value (action.yml defaults), so a limit the stack sets for its function wins, and the
    // inputs bound what it leaves out: a stack limiting memory only still runs under cpu-limit.
    limits: { memory: settings.fn.memoryLimit, cpu: settings.fn.cpuLimit, ...stack.limits },
    ...(stack.requests ? { requests: stack.requests } : {}),
    ...(stack.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
  };
  labels[SPEC_DIGEST_LABEL] = specDigest(spec);
  return spec;
}

/**
 * What an untouched function runs, to record: the spec the deploy that made it recorded (`recorded`, from the bucket),
 * while that is still the one running (the gateway lists less than a deploy sends: faasd has no requests, cpu limit
 * or read-only flag, and writes images in normal form), else the listing.
 */
export function untouchedSpec(recorded: unknown, running: FunctionStatus): FunctionDeployment {
  const same = (x: FunctionDeployment | null) =>
    x?.service === running.name &&
    normalReference(x.image) === normalReference(running.image) &&
    [SPEC_DIGEST_LABEL, LABELS.sha].every((l) => x.labels?.[l] !== undefined && x.labels[l] === running.labels?.[l]);
  return (
    (Array.isArray(recorded) ? (recorded as (FunctionDeployment | null)[]).find(same) : undefined) ??
    runningSpec(running)
  );
}
