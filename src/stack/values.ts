/**
 * What a stack function's values must look like to deploy: the rules the action's own inputs follow
 * (src/rules/kubernetes.ts, image.ts), applied to a stack's labels, annotations, env, secrets, resources and
 * images, so a stack is refused on the same grounds as the equivalent inputs, before anything is built.
 */
import { parseRepository } from '../image/reference.js';
import { show } from '../rules/errors.js';
import { buildArgNameProblem, referenceProblem } from '../rules/image.js';
import {
  CPU,
  MEMORY,
  RESERVED_KEY_PREFIX,
  dnsSubdomainProblem,
  envNameProblem,
  labelValueProblem,
  qualifiedNameProblem,
} from '../rules/kubernetes.js';
import { StackError, type Where } from './errors.js';
import { at, mapping, text, textMap, unknownKeys, type Node } from './tree.js';

const KEY_RULE =
  "keys are [prefix/]name: a name of at most 63 letters, digits, '-', '_' and '.', and a DNS subdomain prefix";

/** The action's own keys (the preview contract) are refused in a stack as in the inputs: a file must not forge them. */
function reservedKey(key: string, what: string, where: Where): void {
  if (key.toLowerCase().startsWith(RESERVED_KEY_PREFIX)) {
    throw new StackError(
      where,
      `key ${show(key)} is under '${RESERVED_KEY_PREFIX}', which the action reserves for its own ${what}; use another prefix`,
    );
  }
}

export function labels(node: Node | undefined, where: Where): Record<string, string> {
  const pairs = textMap(node, where);
  for (const [key, value] of pairs) {
    reservedKey(key, 'labels', where);
    const problem = qualifiedNameProblem(key);
    if (problem) throw new StackError(where, `key ${show(key)} ${problem}; ${KEY_RULE}`);
    const valueProblem = labelValueProblem(key, value);
    if (valueProblem) throw new StackError(where, valueProblem);
  }
  return Object.fromEntries(pairs);
}

export function annotations(node: Node | undefined, where: Where): Record<string, string> {
  const pairs = textMap(node, where);
  for (const [key] of pairs) {
    reservedKey(key, 'annotations', where);
    // Kubernetes checks annotation keys lowercased (ValidateAnnotations).
    const problem = qualifiedNameProblem(key.toLowerCase());
    if (problem) throw new StackError(where, `key ${show(key)} ${problem}; ${KEY_RULE}`);
  }
  return Object.fromEntries(pairs);
}

export function envPairs(node: Node | undefined, where: Where): [string, string][] {
  const pairs = textMap(node, where);
  const problem = pairs.map(([name]) => envNameProblem(name)).find(Boolean);
  if (problem) throw new StackError(where, problem);
  return pairs;
}

export function buildArgs(node: Node | undefined, where: Where): Record<string, string> {
  const pairs = textMap(node, where);
  const problem = pairs.map(([name]) => buildArgNameProblem(name)).find(Boolean);
  if (problem) throw new StackError(where, problem);
  return Object.fromEntries(pairs);
}

export function secretNames(names: string[], where: Where): string[] {
  for (const name of names) {
    const problem = dnsSubdomainProblem(name);
    if (problem)
      throw new StackError(where, `${show(name)} ${problem}; OpenFaaS secret names are Kubernetes object names`);
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new StackError(where, `lists ${show(twice)} twice; list each secret once`);
  return names;
}

export interface Resources {
  memory?: string;
  cpu?: string;
}

type Rule = typeof MEMORY;

function quantity(value: string | undefined, rule: Rule, where: Where): string | undefined {
  if (value === undefined) return undefined;
  const amount = rule.amount(value);
  const hint = `use ${rule.units} from ${rule.min} to ${rule.max}, like ${rule.examples}`;
  if (amount === undefined) throw new StackError(where, `${show(value)} is not ${rule.kind}; ${hint}`);
  if (amount < rule.amount(rule.min)! || amount > rule.amount(rule.max)!)
    throw new StackError(where, `${show(value)} is out of range; ${hint}`);
  return value;
}

/** `limits` / `requests`: memory and cpu (faas-cli's FunctionResources); other keys are ignored with a warning. */
export function resources(node: Node | undefined, where: Where, warnings: string[]): Resources {
  const map = mapping(node, where);
  warnings.push(...unknownKeys(map, ['memory', 'cpu'], where));
  const out: Resources = {};
  const memory = quantity(text(map.get('memory'), at(where, 'memory')), MEMORY, at(where, 'memory'));
  const cpu = quantity(text(map.get('cpu'), at(where, 'cpu')), CPU, at(where, 'cpu'));
  if (memory !== undefined) out.memory = memory;
  if (cpu !== undefined) out.cpu = cpu;
  return out;
}

export interface Image {
  /** The repository, with the registry host Docker would use (`acme/api` is `docker.io/acme/api`). */
  repository: string;
  /** The reference as written, tag or digest included. */
  reference: string;
}

export function image(reference: string, where: Where): Image {
  const problem = referenceProblem(reference);
  if (problem)
    throw new StackError(
      where,
      `${show(reference)} ${problem}; use a reference like 'ghcr.io/acme/api' or 'ghcr.io/acme/api:latest'`,
    );
  const name = reference.split('@')[0];
  const colon = name.lastIndexOf(':');
  const repository = colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
  const r = parseRepository(repository); // Docker's rule for the registry host, as everywhere else
  return { repository: `${r.host}/${r.path}`, reference };
}
