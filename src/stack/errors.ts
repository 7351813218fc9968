/**
 * The one error everything in src/stack throws: which stack file, which function, which field, what was wrong and
 * what would be right, on one line. Values from the file are quoted with `show` (control characters visible,
 * clipped), because the file comes from the pull request.
 */
import { show } from '../rules/errors.js';

export interface Where {
  /** The stack file as the user wrote it (relative to the workspace), or a file it names. */
  file: string;
  /** The key under `functions`, when the problem belongs to one function. */
  fn?: string;
  /** The field's path, like `limits.memory` or `configuration.templates[1].source`. */
  field?: string;
}

export class StackError extends Error {
  constructor(
    readonly where: Where,
    readonly problem: string,
  ) {
    super(`${place(where)}: ${problem}`);
    this.name = 'StackError';
  }
}

export function place(w: Where): string {
  const parts = [`stack file ${w.file}`];
  if (w.fn !== undefined) parts.push(`function ${show(w.fn)}`);
  if (w.field !== undefined) parts.push(`field '${w.field}'`);
  return parts.join(', ');
}
