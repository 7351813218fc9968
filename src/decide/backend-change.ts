/**
 * Whether a push changes the backend at all (issue 15). Pure.
 *
 * Two digests decide it. The build digest (image/digest.ts) says whether the image would come out the same; the spec
 * digest here says whether the function's spec would, leaving out what differs for every commit by design (the
 * image tag, the commit's sha in labels and env, the deploy time and URL annotations). A push that changes neither
 * needs no build, no push and no function update: only its static assets.
 */
import { createHash } from 'node:crypto';
import { normalReference } from '../image/reference.js';
import { ANNOTATIONS, BUILD_DIGEST_LABEL, LABELS } from '../naming.js';
import type { FunctionDeployment, FunctionStatus } from '../openfaas/types.js';

export const SPEC_DIGEST_LABEL = 'faas-preview/spec-digest';

/** Labels, env and annotations that carry the commit, not the spec. */
const PER_COMMIT_LABELS = new Set<string>([LABELS.sha, BUILD_DIGEST_LABEL, SPEC_DIGEST_LABEL]);
const PER_COMMIT_ENV = new Set(['FAAS_PREVIEW_SHA', 'FAAS_PREVIEW_URL']);
const PER_COMMIT_ANNOTATIONS = new Set<string>([ANNOTATIONS.deployedAt, ANNOTATIONS.url]);

function without(map: Record<string, string> | undefined, keys: Set<string>): [string, string][] {
  return Object.entries(map ?? {})
    .filter(([k]) => !keys.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** 40 hex characters (a valid label value) over the spec minus its per-commit parts. */
export function specDigest(spec: FunctionDeployment): string {
  const stable = {
    env: without(spec.envVars, PER_COMMIT_ENV),
    labels: without(spec.labels, PER_COMMIT_LABELS),
    annotations: without(spec.annotations, PER_COMMIT_ANNOTATIONS),
    secrets: [...(spec.secrets ?? [])].sort(),
    limits: spec.limits ?? {},
    requests: spec.requests ?? {},
    envProcess: spec.envProcess ?? '',
    // only when set, so the digests of functions that never had it stay what the gateway's labels say
    ...(spec.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
  };
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex').slice(0, 40);
}

/** The running function's image, when it was built from the same digest (so this push need not build). */
export function reusableImage(
  running: FunctionStatus | undefined,
  buildDigest: string,
): { image: string; since: string } | undefined {
  if (!running || running.labels?.[BUILD_DIGEST_LABEL] !== buildDigest) return undefined;
  return { image: running.image, since: running.labels?.[LABELS.sha] ?? '' };
}

/** True when the function already runs exactly this spec (image included): no update is needed. */
export function unchangedFunction(running: FunctionStatus | undefined, spec: FunctionDeployment): boolean {
  return (
    running !== undefined &&
    normalReference(running.image) === normalReference(spec.image) &&
    running.labels?.[SPEC_DIGEST_LABEL] === specDigest(spec)
  );
}
