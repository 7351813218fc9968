/**
 * Whether a new preview fits. Pure. Two limits apply, checked before anything is built:
 * - `max-previews`: previews of this repository (default: unlimited, or 15 on Community Edition);
 * - Community Edition's hard cap of 15 functions per gateway, which counts EVERY function (other apps, other
 *   repositories' previews, each function of a stack), so a CE gateway refuses earlier than `max-previews` says.
 * The refusal carries the counts each limit counts, so every text about it (log, comment, summary) says the same.
 */
import type { Edition } from '../openfaas/client.js';
import { prFromName } from '../naming.js';

/** Community Edition's hard cap on functions per gateway. */
export const CE_FUNCTION_LIMIT = 15;

/** A preview of this repository on the gateway, holding one slot of `max-previews` and a slot per function. */
export interface Holder {
  name: string;
  pr: number;
  functions: number;
  /** ISO 8601: its last use, when the source of idleness knows it (set when making room was tried). */
  lastUsedAt?: string;
  /** Why it was not put to sleep to make room (set when making room was tried). */
  stays?: string;
}

export interface Refusal {
  kind: 'refuse';
  why: 'max-previews' | 'community-edition';
  limit: number;
  /** What the limit counts, now: every function on the gateway (CE), or this repository's previews (max-previews). */
  used: number;
  /** What this deploy adds to that count: its functions not on the gateway yet (CE), or 1 (max-previews). */
  needed: number;
  /** This repository's previews, in PR order. */
  holders: Holder[];
  /** Functions on the gateway that are not previews of this repository. */
  foreign: number;
}

export type QuotaDecision = { kind: 'allow' } | Refusal;

export function effectiveLimit(maxPreviews: number | undefined, edition: Edition): number {
  return maxPreviews ?? (edition === 'community' ? CE_FUNCTION_LIMIT : 0);
}

export interface QuotaInput {
  name: string;
  app: string;
  /** This repository's previews on the gateway, by name, with how many functions each runs. */
  previews: { name: string; functions: number }[];
  /** Every function on the gateway, managed or not. */
  total: number;
  /** Functions this deploy adds (its functions not on the gateway yet). */
  needed: number;
  maxPreviews: number | undefined;
  edition: Edition;
}

export function quotaDecision(q: QuotaInput): QuotaDecision {
  // Updating an existing preview's functions never needs a new slot.
  if (q.needed === 0) return { kind: 'allow' };
  const holders = q.previews
    .map((p) => ({ name: p.name, pr: prFromName(q.app, p.name) ?? 0, functions: p.functions }))
    .sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name));
  const foreign = q.total - holders.reduce((n, h) => n + h.functions, 0);
  const counts = { holders, foreign };
  if (q.edition === 'community' && q.total + q.needed > CE_FUNCTION_LIMIT)
    return {
      kind: 'refuse',
      why: 'community-edition',
      limit: CE_FUNCTION_LIMIT,
      used: q.total,
      needed: q.needed,
      ...counts,
    };
  if (q.previews.some((p) => p.name === q.name)) return { kind: 'allow' };
  const limit = effectiveLimit(q.maxPreviews, q.edition);
  if (limit > 0 && q.previews.length >= limit)
    return { kind: 'refuse', why: 'max-previews', limit, used: q.previews.length, needed: 1, ...counts };
  return { kind: 'allow' };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The refusal in one line for the log and the job summary: used / limit, what this preview needs, who holds what. */
export function refusalText(r: Refusal): string {
  if (r.why === 'max-previews')
    return `this repository has ${r.used} of the ${plural(r.limit, 'preview')} input 'max-previews' allows, and this preview needs 1 more`;
  const ours = r.used - r.foreign;
  return (
    `the gateway runs ${r.used} of the ${r.limit} functions Community Edition allows (it counts every function), ` +
    `and this preview needs ${plural(r.needed, 'free slot')}; ${ours} of the ${r.used} are previews of this repository` +
    ` (${plural(r.holders.length, 'preview')}), ${r.foreign} are not`
  );
}
