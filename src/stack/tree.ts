/**
 * A stack file's YAML as faas-cli's Go structs read it (gopkg.in/yaml.v3 into stack/schema.go), and typed readers
 * for its fields. Every scalar is kept as its source text, because a Go `string` field receives the text as written:
 * `version: 1.0` is "1.0" and `TIMEOUT: 010` is "010", not the numbers JavaScript would make of them. `~`, `null`
 * and an empty value are null. Anchors, aliases and `<<` merge keys work as in yaml.v3; a repeated key is an error
 * in both.
 */
import { parseDocument, visit } from 'yaml';
import { show } from '../rules/errors.js';
import { StackError, place, type Where } from './errors.js';

export type Node = string | null | Node[] | Map<string, Node>;

/** The first YAML document of `text`; a syntax error is thrown with its line and column, on one line. */
export function parseYaml(text: string, where: Where): Node {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) throw new StackError(where, `is not valid YAML: ${error.message.split('\n')[0]}`);
  visit(doc, {
    Scalar(_key, scalar) {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a parsed scalar's value is never an object
      if (scalar.value !== null) scalar.value = scalar.source ?? String(scalar.value);
    },
  });
  try {
    return doc.toJS({ mapAsMap: true, maxAliasCount: 100 }) as Node;
  } catch (err) {
    // The yaml package's guard against alias expansion bombs ("Excessive alias count...").
    throw new StackError(where, `is not usable YAML: ${(err as Error).message}`);
  }
}

/** `where` moved to a child field: `at(w, 'limits')`, then `at(…, 'memory')` is `limits.memory`. */
export function at(where: Where, field: string): Where {
  return { ...where, field: where.field ? `${where.field}.${field}` : field };
}

function kind(node: Node): string {
  if (node === null) return 'empty';
  if (typeof node === 'string') return `the text ${show(node)}`;
  return Array.isArray(node) ? 'a list' : 'a mapping';
}

/** A mapping (`key: value` lines); absent or empty is an empty one. */
export function mapping(node: Node | undefined, where: Where): Map<string, Node> {
  if (node === undefined || node === null) return new Map();
  if (!(node instanceof Map))
    throw new StackError(where, `is ${kind(node)}; it must be a mapping of 'key: value' lines`);
  for (const key of node.keys()) {
    if (typeof key !== 'string') throw new StackError(where, 'has a key that is not text; keys are plain names');
  }
  return node;
}

export function text(node: Node | undefined, where: Where): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node !== 'string') throw new StackError(where, `is ${kind(node)}; it must be text`);
  return node;
}

export function requiredText(node: Node | undefined, where: Where, hint: string): string {
  const value = text(node, where);
  if (!value) throw new StackError(where, `is missing; ${hint}`);
  return value;
}

/** A list of texts (`- item` lines, or `[a, b]`); absent or empty is an empty list. */
export function texts(node: Node | undefined, where: Where): string[] {
  if (node === undefined || node === null) return [];
  if (!Array.isArray(node)) throw new StackError(where, `is ${kind(node)}; it must be a list ('- item' lines)`);
  return node.map((item, i) => requiredText(item, at(where, String(i)), 'a list item must be text'));
}

/** A mapping of texts; an empty value is '' (as in Go). Built as entries so that a key like `__proto__` stays a key. */
export function textMap(node: Node | undefined, where: Where): [string, string][] {
  return [...mapping(node, where)].map(([key, value]) => {
    if (value !== null && typeof value !== 'string')
      throw new StackError(where, `the value of ${show(key)} is ${kind(value)}; it must be text`);
    return [key, value ?? ''];
  });
}

const TRUE = ['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'y', 'Y', 'on', 'On', 'ON'];
const FALSE = ['false', 'False', 'FALSE', 'no', 'No', 'NO', 'n', 'N', 'off', 'Off', 'OFF'];

/** yaml.v3 decodes the YAML 1.1 words (yes, on, y...) into a Go bool too. */
export function bool(node: Node | undefined, where: Where): boolean {
  const value = text(node, where);
  if (value === undefined) return false;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new StackError(where, `is ${show(value)}; it must be true or false`);
}

/** Keys of `map` not in `known`, as log lines: faas-cli ignores unknown fields, so the action does too, visibly. */
export function unknownKeys(map: Map<string, Node>, known: readonly string[], where: Where): string[] {
  return [...map.keys()]
    .filter((k) => !known.includes(k))
    .map((k) => `${place(where)}: unknown field ${show(k)} ignored (faas-cli ignores it too)`);
}
