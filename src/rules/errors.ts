/**
 * The one error every input check throws, and how a value is quoted in it: one line, control characters made
 * visible, long values clipped, URL credentials never shown.
 */

export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super(`input '${input}': ${problem}`);
    this.name = 'InputError';
  }
}

/** An input's value, trimmed ('' when unset). */
export type Read = (name: string) => string;

/** C0 and C1 control characters and DEL: never part of a name, a header or a path. */
// eslint-disable-next-line no-control-regex
export const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
// Bidirectional overrides would reorder the rest of the log line.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** `'value'` for an error message: control characters escaped (`\n`, `\x1b`), at most `max` characters. */
export function show(value: string, max = 100): string {
  const visible = value.replace(INVISIBLE, (c) => ESCAPES[c] ?? `\\u{${c.codePointAt(0)!.toString(16)}}`);
  return `'${visible.length > max ? `${visible.slice(0, max - 1)}…` : visible}'`;
}

/**
 * The userinfo of a URL-like value (`https://user:pw@host`, or `user:pw@host` without a scheme): everything before
 * the last '@' of the authority. Undefined when there is none.
 */
export function userinfoOf(value: string): string | undefined {
  return /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/?#]*)@/i.exec(value)?.[1];
}

/** `show` for URL inputs: the userinfo is replaced by `***` before anything else happens to the value. */
export function showUrl(value: string): string {
  return show(value.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?)[^/?#]*@/i, '$1***@'));
}

/** `'a', 'b', 'c'` */
export function quoted(items: readonly string[]): string {
  return items.map((i) => `'${i}'`).join(', ');
}
