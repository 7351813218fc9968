/**
 * Shared by the rules-*.test.ts suites and inputs-data.test.ts: inputs as a reader, and the message of the InputError
 * a check throws.
 */
import { InputError, type Read } from '../../src/rules/errors.js';

/** Trims like the action's reader does (core.getInput). */
export const reader =
  (inputs: Record<string, string>): Read =>
  (name) =>
    (inputs[name] ?? '').trim();

export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  throw new Error('expected an InputError');
}
