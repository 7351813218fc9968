/**
 * `${VAR}` substitution in a stack file, the way faas-cli does it: over the file's raw text, before it is parsed as
 * YAML (stack/stack.go substituteEnvironment runs github.com/drone/envsubst on the whole file), with variables that
 * are not set read as ''. So a value lands in the YAML verbatim, exactly as it would for faas-cli.
 *
 * Followed from drone/envsubst (parse/scan.go, parse/parse.go, funcs.go):
 * - `${NAME}`; `${NAME:-word}`, `${NAME:=word}` and `${NAME=word}` all give `word` when NAME is unset or empty
 *   (envsubst's toDefault; `:=` assigns nothing); `word` may hold `${...}` itself and ends at the first `}`.
 * - `$$` is a literal `$`, and outside `${...}` a backslash before `\` or `/` is dropped (`\\` → `\`, `\/` → `/`).
 * - A lone `$` (`$NAME`, `$5`) is text: envsubst only expands braces.
 * Refused, where envsubst silently does something else: `${NAME-word}` (read by envsubst as a variable named
 * `NAME-word`, so always empty), `${NAME:?word}` and `${NAME:+word}` (treated as `:-`, unlike a shell), and the bash
 * string functions (`${#NAME}`, `${NAME^^}`, `${NAME/a/b}`, `${NAME:1:2}`...). A `${` without its `}` is an error in
 * both.
 */
import { show } from '../rules/errors.js';

export interface Substitution {
  text: string;
  /** The variables the file referred to, in order of first use (for the log: which settings shaped the stack). */
  variables: string[];
}

export class SubstitutionError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'SubstitutionError';
  }
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const DEFAULTS = [':-', ':=', '='];
/** What may follow a name inside `${`: envsubst's operators; anything else means the `}` is missing. */
const OPERATOR = /^[-:=?+/#%^,]$/;
const FORMS = "use ${NAME}, ${NAME:-default} or ${NAME:=default}, and '$$' for a literal '$'";

export function substitute(text: string, env: Readonly<Record<string, string | undefined>>): Substitution {
  const parser = new Parser(text, env);
  return { text: parser.text(), variables: [...parser.used] };
}

class Parser {
  private pos = 0;
  readonly used = new Set<string>();

  constructor(
    private readonly s: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  text(): string {
    let out = '';
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      const next = this.s[this.pos + 1];
      if (c === '$' && next === '{') {
        out += this.expression();
      } else if ((c === '$' && next === '$') || (c === '\\' && (next === '\\' || next === '/'))) {
        out += next;
        this.pos += 2;
      } else {
        out += c;
        this.pos += 1;
      }
    }
    return out;
  }

  /** At `${`: the value of the whole expression, up to and including its `}`. */
  private expression(): string {
    const start = this.pos;
    this.pos += 2;
    NAME.lastIndex = this.pos;
    const name = NAME.exec(this.s)?.[0];
    if (name === undefined) throw this.error(start, 'has no variable name');
    this.pos += name.length;
    this.used.add(name);
    const value = this.env[name] ?? '';
    if (this.s[this.pos] === '}') {
      this.pos += 1;
      return value;
    }
    const op = DEFAULTS.find((d) => this.s.startsWith(d, this.pos));
    if (op !== undefined) {
      this.pos += op.length;
      const fallback = this.word(start);
      return value === '' ? fallback : value;
    }
    if (!OPERATOR.test(this.s[this.pos] ?? '')) throw this.error(start, "has no closing '}' after the variable name");
    if (this.s[this.pos] === '-') {
      throw this.error(
        start,
        `is read by faas-cli as one variable named '${name}-…' (always empty), not as a default; write \${${name}:-…}`,
      );
    }
    throw this.error(start, 'is not a substitution faas-preview supports');
  }

  /** The default of `${NAME:-word}` up to its `}`, with any `${...}` inside it expanded. */
  private word(start: number): string {
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) throw this.error(start, "has no closing '}'");
      const c = this.s[this.pos];
      if (c === '}') {
        this.pos += 1;
        return out;
      }
      if (c === '$' && this.s[this.pos + 1] === '{') {
        out += this.expression();
      } else {
        out += c;
        this.pos += 1;
      }
    }
  }

  private error(start: number, problem: string): SubstitutionError {
    const line = this.s.slice(0, start).split('\n').length;
    const rest = this.s.slice(start).split('\n')[0];
    const close = rest.indexOf('}');
    return new SubstitutionError(
      line,
      `${show(close >= 0 ? rest.slice(0, close + 1) : rest, 60)} ${problem}; ${FORMS}`,
    );
  }
}
