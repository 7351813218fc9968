/**
 * What Kubernetes (k8s.io/apimachinery pkg/util/validation, which faas-netes applies to labels and env names) and
 * the container runtimes accept in names, labels, annotations, env vars and resource limits. faasd validates none
 * of it and fails later, or worse, deploys something a move to faas-netes would refuse.
 */
import { InputError, show, type Read } from './errors.js';
import { keyValues, list } from './scalars.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Our labels and annotations (naming.ts LABELS, ANNOTATIONS) live here; a user's key there could forge ownership. */
export const RESERVED_KEY_PREFIX = 'faas-preview/';
/** FAAS_PREVIEW_NAME, _URL, _PR, _SHA are set by the action on every preview (docs/architecture.md, "The naming contract"). */
const RESERVED_ENV_PREFIX = 'FAAS_PREVIEW_';
/** Kubernetes' TotalAnnotationSizeLimitB (keys + values, in bytes), less room for the action's own annotations. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024 - 4 * 1024;

const LABEL_RULE = "lowercase letters, digits and '-', starting and ending with a letter or digit";
const NAME_RULE = "letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
const KEY_RULE = `a key is [prefix/]name: name at most 63 ${NAME_RULE}; prefix a DNS subdomain, like 'example.com/team'`;

export function dnsLabelProblem(value: string): string | undefined {
  if (value.length > 63) return `is ${value.length} characters; a DNS-1123 label has at most 63`;
  if (!DNS_LABEL.test(value)) return `is not a DNS-1123 label: ${LABEL_RULE}`;
  return undefined;
}

export function dnsSubdomainProblem(value: string): string | undefined {
  if (value.length > 253) return `is ${value.length} characters; a DNS-1123 subdomain has at most 253`;
  if (!DNS_SUBDOMAIN.test(value)) return `is not a DNS-1123 subdomain: '.'-separated labels of ${LABEL_RULE}`;
  return undefined;
}

/** IsQualifiedName: `[prefix/]name`. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return "has more than one '/'";
  const name = parts.at(-1)!;
  if (parts.length === 2) {
    if (!parts[0]) return "has an empty prefix before '/'";
    const prefix = dnsSubdomainProblem(parts[0]);
    if (prefix) return `has a prefix that ${prefix}`;
  }
  if (!name) return 'has an empty name';
  if (name.length > 63) return `has a name of ${name.length} characters`;
  if (!QUALIFIED_NAME.test(name)) return `has a name that is not ${NAME_RULE}`;
  return undefined;
}

/** Why `value` cannot be the value of label `key` (input or stack file), or undefined. */
export function labelValueProblem(key: string, value: string): string | undefined {
  if (value.length > 63) return `the value of ${show(key)} is ${value.length} characters; a label value has at most 63`;
  if (!LABEL_VALUE.test(value))
    return `the value ${show(value)} of ${show(key)} is not a label value: at most 63 ${NAME_RULE}, or empty`;
  return undefined;
}

export function labels(read: Read): Record<string, string> {
  const pairs = keyValues(read, 'labels');
  for (const [key, value] of pairs) {
    checkKey('labels', key, key);
    const problem = labelValueProblem(key, value);
    if (problem) throw new InputError('labels', problem);
  }
  return Object.fromEntries(pairs);
}

export function annotations(read: Read): Record<string, string> {
  const pairs = keyValues(read, 'annotations');
  let bytes = 0;
  for (const [key, value] of pairs) {
    // Kubernetes validates annotation keys lowercased (ValidateAnnotations), so 'Example.com/x' is a valid key.
    checkKey('annotations', key, key.toLowerCase());
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) {
    throw new InputError(
      'annotations',
      `keys and values add up to ${bytes} bytes; at most ${ANNOTATIONS_MAX_BYTES} (Kubernetes' 256 KiB less 4 KiB for the action's own annotations)`,
    );
  }
  return Object.fromEntries(pairs);
}

function checkKey(input: string, key: string, checked: string): void {
  if (checked.startsWith(RESERVED_KEY_PREFIX)) {
    throw new InputError(
      input,
      `key ${show(key)} is under '${RESERVED_KEY_PREFIX}', which the action reserves for its own ${input}; use another prefix`,
    );
  }
  const problem = qualifiedNameProblem(checked);
  if (problem) throw new InputError(input, `key ${show(key)} ${problem}; ${KEY_RULE}`);
}

/** Why `name` cannot be an environment variable of a preview's function (input or stack file), or undefined. */
export function envNameProblem(name: string): string | undefined {
  if (name.startsWith(RESERVED_ENV_PREFIX))
    return `${show(name)} starts with '${RESERVED_ENV_PREFIX}', which the action reserves for the variables it sets on every preview; use another name`;
  if (!ENV_NAME.test(name) || name === '.' || name.startsWith('..')) {
    return `${show(name)} is not an environment variable name Kubernetes accepts: letters, digits, '_', '-' and '.', not starting with a digit or '..'`;
  }
  return undefined;
}

export function envVars(read: Read): Record<string, string> {
  const pairs = keyValues(read, 'env');
  for (const [name] of pairs) {
    const problem = envNameProblem(name);
    if (problem) throw new InputError('env', problem);
  }
  return Object.fromEntries(pairs);
}

export function secretNames(read: Read): string[] {
  const names = list(read, 'secrets');
  for (const name of names) {
    const problem = dnsSubdomainProblem(name);
    if (problem)
      throw new InputError('secrets', `${show(name)} ${problem}; OpenFaaS secret names are Kubernetes object names`);
  }
  return names;
}

const BYTES: Record<string, number> = {
  '': 1,
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

interface QuantityRule {
  fallback: string;
  min: string;
  max: string;
  /** The value in the unit the bounds compare in; undefined when it is not this kind of quantity. */
  amount: (value: string) => number | undefined;
  kind: string;
  /** How to write one, for the hint: "use <units> from <min> to <max>, like <examples>". */
  units: string;
  examples: string;
}

/**
 * 6Mi: Docker refuses a smaller memory limit and runc-based runtimes OOM-kill the process before it serves.
 * 64Gi: more than any one preview replica needs; a bigger value is a unit typo ('128Gi' for '128Mi').
 */
export const MEMORY: QuantityRule = {
  fallback: '128Mi',
  min: '6Mi',
  max: '64Gi',
  amount: (value) => {
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(value);
    return m ? Number(m[1]) * BYTES[m[2] ?? ''] : undefined;
  },
  kind: 'a memory quantity',
  units: 'a Kubernetes quantity',
  examples: "'128Mi' or '1Gi'",
};

/** 1m is Kubernetes' CPU resolution; 64 cores is far beyond a preview, and '200' meant as '200m' lands above it. */
export const CPU: QuantityRule = {
  fallback: '200m',
  min: '1m',
  max: '64',
  // Whole millicores ('250m') or cores with at most three decimals ('0.25'): finer than 1m does not exist.
  amount: (value) => {
    const milli = /^(\d+)m$/.exec(value);
    if (milli) return Number(milli[1]);
    return /^\d+(\.\d{1,3})?$/.test(value) ? Math.round(Number(value) * 1000) : undefined;
  },
  kind: 'a CPU quantity',
  units: 'millicores or cores',
  examples: "'200m' or '0.5'",
};

export function quantity(read: Read, name: string, rule: QuantityRule): string {
  const value = read(name) || rule.fallback;
  const amount = rule.amount(value);
  const hint = `use ${rule.units} from ${rule.min} to ${rule.max}, like ${rule.examples}`;
  if (amount === undefined) throw new InputError(name, `${show(value)} is not ${rule.kind}; ${hint}`);
  if (amount < rule.amount(rule.min)!)
    throw new InputError(name, `${show(value)} is below the minimum ${rule.min}; ${hint}`);
  if (amount > rule.amount(rule.max)!)
    throw new InputError(name, `${show(value)} is above the maximum ${rule.max}; ${hint}`);
  return value;
}
