/**
 * What the Kubernetes API server and the container tooling check for the providers: label and annotation syntax,
 * DNS names, environment variable names, resource quantities (k8s.io/apimachinery resource.ParseQuantity) and image
 * references (distribution/reference). Messages follow the API server's wording closely enough to be recognised.
 */

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const QUANTITY = /^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;
const QUANTITY_RULE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function keyErrors(path: string, key: string): string[] {
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const errs: string[] = [];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    errs.push(
      `${path}: Invalid value: "${key}": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
    );
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    errs.push(
      `${path}: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, at most 63 characters`,
    );
  }
  return errs;
}

export function labelErrors(path: string, labels: Record<string, string>): string[] {
  const errs: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...keyErrors(path, k));
    if (v !== '' && (v.length > 63 || !QUALIFIED_NAME.test(v))) {
      errs.push(
        `${path}: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', at most 63 characters`,
      );
    }
  }
  return errs;
}

export function annotationErrors(path: string, annotations: Record<string, string>): string[] {
  const errs = Object.keys(annotations).flatMap((k) => keyErrors(path, k));
  const size = Object.entries(annotations).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > 256 * 1024) errs.push(`${path}: Too long: must have at most 262144 bytes`);
  return errs;
}

export function envErrors(path: string, names: string[]): string[] {
  return names
    .filter((n) => !ENV_VAR_NAME.test(n))
    .map(
      (n) =>
        `${path}: Invalid value: "${n}": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.'`,
    );
}

export function isSubdomain(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/** Service names are DNS-1035 labels: unlike Deployment names they must start with a letter. */
export function serviceNameError(name: string): string | undefined {
  if (name.length <= 63 && DNS1035_LABEL.test(name)) return undefined;
  return `metadata.name: Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;
}

/** resource.ParseQuantity: undefined when valid, the API machinery's message otherwise. */
export function quantityError(q: string): string | undefined {
  return QUANTITY.test(q) ? undefined : QUANTITY_RULE;
}

const SCALE: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Quantity.Value(): the amount in bytes rounded up; 0 for a quantity that does not parse (faasd only logs it). */
export function quantityBytes(q: string): number {
  const m = QUANTITY.exec(q);
  if (!m) return 0;
  const suffix = m[2] ?? '';
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : (SCALE[suffix] ?? 1);
  return Math.ceil(Number(q.slice(0, q.length - suffix.length)) * factor);
}

/** resource.NewQuantity(bytes, BinarySI).String(): the largest power of 1024 that divides the amount exactly. */
export function binarySI(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let i = 0;
  let v = bytes;
  while (v !== 0 && v % 1024 === 0 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v}${units[i]}`;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(?:((?:[a-zA-Z0-9-]+\\.)*[a-zA-Z0-9-]+(?::[0-9]+)?)/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
);

/**
 * distribution/reference ParseNormalizedNamed + TagNameOnly, as containerd pulls: `nginx` is
 * `docker.io/library/nginx:latest`. Undefined when the reference does not parse.
 */
export function normalizeImage(image: string): string | undefined {
  const m = REFERENCE.exec(image);
  if (!m) return undefined;
  const [, first, rest, tag, digest] = m;
  const isDomain = first !== undefined && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (first !== undefined && !isDomain && !new RegExp(`^${COMPONENT}$`).test(first)) return undefined;
  const domain = isDomain ? first : 'docker.io';
  let path = first !== undefined && !isDomain ? `${first}/${rest}` : rest;
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  const suffix = tag ? `:${tag}` : digest ? '' : ':latest';
  return `${domain}/${path}${suffix}${digest ? `@${digest}` : ''}`;
}
