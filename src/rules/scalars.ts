/** Choices, booleans, whole numbers, durations, lists and KEY=VALUE lines: the shapes most inputs share. */
import { InputError, quoted, show, type Read } from './errors.js';

export function choice<T extends string>(read: Read, name: string, allowed: readonly T[]): T | undefined {
  const value = read(name);
  if (!value) return undefined;
  if (!allowed.includes(value as T)) throw new InputError(name, `${show(value)} is not one of ${quoted(allowed)}`);
  return value as T;
}

/** The YAML 1.2 core booleans the toolkit's getBooleanInput accepts, and nothing else ('yes', '1' and 'on' are typos here). */
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

export function bool(read: Read, name: string, fallback: boolean): boolean {
  const value = read(name);
  if (!value) return fallback;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new InputError(name, `${show(value)} is not a boolean; use 'true' or 'false'`);
}

export function integer(read: Read, name: string, fallback: number, min: number, max: number): number {
  const value = read(name);
  if (!value) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(name, `${show(value)} is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses '90s', '30m', '2h', '1d', '500ms' or a bare number of seconds. */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']);
}

/** Inclusive bounds, written as durations so the error can quote them. */
export interface DurationBounds {
  min: string;
  max: string;
}

/**
 * `idle-after`: the action's input and the edge service's WAKER_IDLE_AFTER (a wake making room) read it alike, so
 * that one value means the same on both sides.
 */
export const IDLE_AFTER: { fallback: string; bounds: DurationBounds } = {
  fallback: '30m',
  bounds: { min: '1m', max: '30d' },
};

export function duration(read: Read, name: string, fallback: string, bounds: DurationBounds): number | undefined {
  const value = read(name) || fallback;
  if (!value) return undefined;
  const ms = parseDuration(value);
  const hint = `use a number with a unit from ${bounds.min} to ${bounds.max}, like '90s', '30m', '2h' or '7d'`;
  if (ms === undefined) throw new InputError(name, `${show(value)} is not a duration; ${hint}`);
  if (ms === 0) throw new InputError(name, `${show(value)} is zero; ${hint}`);
  if (ms < parseDuration(bounds.min)!)
    throw new InputError(
      name,
      `${show(value)} is below the minimum ${bounds.min} (a number without a unit is seconds); ${hint}`,
    );
  if (ms > parseDuration(bounds.max)!)
    throw new InputError(name, `${show(value)} is above the maximum ${bounds.max}; ${hint}`);
  return ms;
}

/** Items separated by commas or newlines; an item listed twice is refused. */
export function list(read: Read, name: string): string[] {
  const items = read(name)
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const twice = items.find((item, i) => items.indexOf(item) !== i);
  if (twice !== undefined) throw new InputError(name, `${show(twice)} is listed twice; list each once`);
  return items;
}

/**
 * Multiline `KEY=VALUE` pairs in input order; blank lines and lines starting with '#' are ignored, keys and values
 * are trimmed, and a key given twice is refused (which of the two was meant is anybody's guess).
 */
export function keyValues(read: Read, name: string): [string, string][] {
  const seen = new Map<string, number>();
  const pairs: [string, string][] = [];
  read(name)
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const eq = line.indexOf('=');
      const key = line.slice(0, eq).trim();
      if (eq < 0 || !key) throw new InputError(name, `line ${i + 1} ${show(line)} is not KEY=VALUE`);
      const first = seen.get(key);
      if (first !== undefined)
        throw new InputError(name, `key ${show(key)} is set twice (lines ${first} and ${i + 1}); keep one`);
      seen.set(key, i + 1);
      pairs.push([key, line.slice(eq + 1).trim()]);
    });
  return pairs;
}
