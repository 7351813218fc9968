/**
 * Files a stack names (the stack itself, handlers, environment files, templates, copy paths): resolved from the
 * stack file's directory and contained in the workspace like the action's inputs (src/rules/paths.ts), read with
 * a size limit, and any problem reported as a StackError at the field that named the file.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../rules/errors.js';
import { containedPath } from '../rules/paths.js';
import { StackError, type Where } from './errors.js';

const MAX_FILE_BYTES = 1024 * 1024;

export interface Base {
  /** Real path of the directory relative paths start from. */
  dir: string;
  /** Real path of the workspace. */
  workspace: string;
}

/** A path from the file, resolved and contained like the action's inputs; the problem is reported at `where`. */
export function contained(value: string, kind: 'file' | 'directory', c: Base, where: Where): string {
  try {
    return containedPath(where.field ?? '', value, { base: c.dir, workspace: c.workspace, kind, mustExist: true });
  } catch (err) {
    if (err instanceof InputError) throw new StackError(where, err.problem);
    throw err;
  }
}

export function readSmall(file: string, where: Where): string {
  const data = readFileSync(file);
  if (data.length > MAX_FILE_BYTES) throw new StackError(where, `is ${data.length} bytes; at most ${MAX_FILE_BYTES}`);
  return data.toString('utf8');
}
