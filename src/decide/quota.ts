/**
 * Whether a new preview fits. Pure. Two limits apply, checked before anything is built:
 * - `max-previews`: previews of this repository (default: unlimited, or 15 on Community Edition);
 * - Community Edition's hard cap of 15 functions per gateway, which counts EVERY function (other apps, other
 *   repositories' previews), so a CE gateway with foreign functions refuses earlier than `max-previews` says.
 */
import type { Edition } from '../openfaas/client.js';
import { prFromName } from '../naming.js';

/** Community Edition's hard cap on functions per gateway. */
export const CE_FUNCTION_LIMIT = 15;

export type QuotaDecision =
  | { kind: 'allow' }
  | {
      kind: 'refuse';
      why: 'max-previews' | 'community-edition';
      limit: number;
      holders: { name: string; pr: number }[];
      foreign: number;
    };

export function effectiveLimit(maxPreviews: number | undefined, edition: Edition): number {
  return maxPreviews ?? (edition === 'community' ? CE_FUNCTION_LIMIT : 0);
}

export interface QuotaInput {
  name: string;
  app: string;
  /** Names of this repository's previews on the gateway (a preview with several functions counts once). */
  managed: string[];
  /** Every function on the gateway, managed or not. */
  total: number;
  /** Functions of this repository's previews; default one per preview. */
  managedFunctions?: number;
  /** Functions this deploy adds (its functions not on the gateway yet); default 1 for a new preview, else 0. */
  needed?: number;
  maxPreviews: number | undefined;
  edition: Edition;
}

export function quotaDecision(q: QuotaInput): QuotaDecision {
  const exists = q.managed.includes(q.name);
  const needed = q.needed ?? (exists ? 0 : 1);
  // Updating an existing preview's functions never needs a new slot.
  if (needed === 0) return { kind: 'allow' };
  const holders = q.managed
    .map((name) => ({ name, pr: prFromName(q.app, name) ?? 0 }))
    .sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name));
  const foreign = q.total - (q.managedFunctions ?? q.managed.length);
  if (q.edition === 'community' && q.total + needed > CE_FUNCTION_LIMIT)
    return { kind: 'refuse', why: 'community-edition', limit: CE_FUNCTION_LIMIT, holders, foreign };
  if (exists) return { kind: 'allow' };
  const limit = effectiveLimit(q.maxPreviews, q.edition);
  if (limit > 0 && q.managed.length >= limit) return { kind: 'refuse', why: 'max-previews', limit, holders, foreign };
  return { kind: 'allow' };
}
