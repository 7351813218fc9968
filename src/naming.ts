/**
 * The naming contract (docs/architecture.md, "The naming contract"): one preview name, derived from the app and PR number, is the function name,
 * the bucket prefix, the DNS label, the GitHub environment and the comment marker. Everything here is pure.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL = 63;

export function isPreviewName(name: string): boolean {
  return name.length <= MAX_LABEL && DNS_LABEL.test(name);
}

const PORT = /:\d{1,5}$/;

/**
 * The preview name of a Host, by the edge's rule (deploy/edge/nginx.conf): lowercased, port removed, exactly one
 * valid label before `.<domain>`; undefined for any other host.
 */
export function previewFromHost(host: string | undefined, domain: string): string | undefined {
  if (!host) return undefined;
  const bare = host.toLowerCase().replace(PORT, '');
  const suffix = `.${domain}`;
  if (!bare.endsWith(suffix)) return undefined;
  const label = bare.slice(0, -suffix.length);
  return isPreviewName(label) ? label : undefined;
}

/** Lowercases, turns anything outside [a-z0-9-] into '-', folds runs of '-' and trims them from both ends. */
export function sanitizeApp(app: string): string {
  return app
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

export function previewName(app: string, pr: number): string {
  if (!Number.isSafeInteger(pr) || pr < 1) throw new Error(`pull request number must be a positive integer, got ${pr}`);
  const suffix = `pr-${pr}`;
  const room = MAX_LABEL - suffix.length - 1;
  const base = sanitizeApp(app).slice(0, room).replace(/-+$/, '');
  return base ? `${base}-${suffix}` : suffix;
}

/** Inverse of previewName for names this app produced; undefined for anything else. */
export function prFromName(app: string, name: string): number | undefined {
  const m = /^(?:(.*)-)?pr-([1-9][0-9]*)$/.exec(name);
  if (!m) return undefined;
  const pr = Number(m[2]);
  return previewName(app, pr) === name ? pr : undefined;
}

export function bucketPrefix(name: string): string {
  return `${name}/`;
}

/** The per-preview secret the database URL travels in; its key is reserved when a database is configured. */
export const DATABASE_KEY = 'DATABASE_URL';

/** The OpenFaaS secret of a preview's `KEY` (preview-secrets, and DATABASE_URL): `<name>-<key>`, lowercase, `_` → `-`. */
export function secretName(name: string, key: string): string {
  return `${name}-${key.toLowerCase().replace(/_/g, '-')}`;
}

/**
 * The preview of `app` a secret belongs to (a `secretName`: `<name>-<key>`), or undefined. Secrets carry no labels,
 * so the name is all there is: the first `pr-<n>` label that ends a name of this app's previews decides.
 */
export function previewOfSecret(app: string, secret: string): { preview: string; pr: number } | undefined {
  for (const m of secret.matchAll(/(?:^|-)pr-([1-9][0-9]*)(?=-[a-z0-9][-a-z0-9]*$)/g)) {
    const preview = secret.slice(0, m.index + m[0].length);
    const pr = Number(m[1]);
    if (previewName(app, pr) === preview) return { preview, pr };
  }
  return undefined;
}

/** Where OpenFaaS mounts a function's secret: the value of `<KEY>_FILE`. */
export function secretPath(secret: string): string {
  return `/var/openfaas/secrets/${secret}`;
}

export function environmentName(name: string): string {
  return `preview/${name}`;
}

export function commentMarker(name: string): string {
  return `<!-- faas-preview:${name} -->`;
}

export function imageTag(repository: string, pr: number, sha: string): string {
  return `${repository}:pr-${pr}-${sha.slice(0, 7)}`;
}

/** Expands `{name}`, `{pr}` and `{sha}` in a URL template; the template was validated to contain `{name}`. */
export function previewUrl(template: string, name: string, pr: number, sha: string): string {
  return template.replaceAll('{name}', name).replaceAll('{pr}', String(pr)).replaceAll('{sha}', sha);
}

export const LABELS = {
  managed: 'faas-preview/managed',
  repo: 'faas-preview/repo',
  pr: 'faas-preview/pr',
  sha: 'faas-preview/sha',
} as const;

/** The function label and the image label that carry the build digest (image/digest.ts). */
export const BUILD_DIGEST_LABEL = 'faas-preview/build-digest';

/** On each function of a stack: its name in the stack file; the function is `<preview>` or `<preview>-<fn>`. */
export const FUNCTION_LABEL = 'faas-preview/function';

/**
 * The preview a managed function belongs to: its own name for a preview's default function, or the name without
 * `-<fn>` for a stack's other functions (`FUNCTION_LABEL`); undefined when neither is one of this app's previews.
 */
export function previewOfFunction(
  app: string,
  f: { name: string; labels?: Record<string, string> },
): { preview: string; pr: number } | undefined {
  const own = prFromName(app, f.name);
  if (own !== undefined) return { preview: f.name, pr: own };
  const fn = f.labels?.[FUNCTION_LABEL];
  if (!fn || !f.name.endsWith(`-${fn}`)) return undefined;
  const preview = f.name.slice(0, -(fn.length + 1));
  const pr = prFromName(app, preview);
  return pr === undefined ? undefined : { preview, pr };
}

/** Of the listed functions, those of preview `name`: this repository's labels, and a name that makes them its. */
export function functionsOfPreview<F extends { name: string; labels?: Record<string, string> }>(
  listed: readonly F[],
  o: { owner: string; repo: string; app: string },
  name: string,
): F[] {
  return listed.filter((f) => isManagedBy(f.labels, o.owner, o.repo) && previewOfFunction(o.app, f)?.preview === name);
}

export const ANNOTATIONS = {
  deployedAt: 'faas-preview/deployed-at',
  url: 'faas-preview/url',
} as const;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * `<owner>.<repo>` as a Kubernetes label value (at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends).
 * Long names keep a readable head and end in a hash of the full name, so two long repositories never collide.
 */
export function repoLabel(owner: string, repo: string): string {
  const full = `${owner}.${repo}`.replace(/[^A-Za-z0-9_.-]/g, '-');
  if (full.length <= MAX_LABEL && LABEL_VALUE.test(full)) return full;
  const hash = fnv1a(`${owner}/${repo}`);
  const head = full.slice(0, MAX_LABEL - hash.length - 1).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return head ? `${head}-${hash}` : hash;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The labels every managed function carries (docs/architecture.md, "The naming contract"); the sweeper and teardown only touch functions with both of the first two. */
export function previewLabels(owner: string, repo: string, pr: number, sha: string): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.repo]: repoLabel(owner, repo),
    [LABELS.pr]: String(pr),
    [LABELS.sha]: sha,
  };
}

export function isManagedBy(labels: Record<string, string> | undefined, owner: string, repo: string): boolean {
  return labels?.[LABELS.managed] === 'true' && labels?.[LABELS.repo] === repoLabel(owner, repo);
}
