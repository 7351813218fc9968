/** Whether a new preview fits under `max-previews`. Pure. */
import type { Edition } from '../openfaas/client.js';
import { prFromName } from '../naming.js';

/** Community Edition's hard cap on functions per gateway. */
export const CE_FUNCTION_LIMIT = 15;

export type QuotaDecision = { kind: 'allow' } | { kind: 'refuse'; limit: number; holders: { name: string; pr: number }[] };

export function effectiveLimit(maxPreviews: number | undefined, edition: Edition): number {
  return maxPreviews ?? (edition === 'community' ? CE_FUNCTION_LIMIT : 0);
}

export function quotaDecision(q: { name: string; app: string; managed: string[]; maxPreviews: number | undefined; edition: Edition }): QuotaDecision {
  const limit = effectiveLimit(q.maxPreviews, q.edition);
  // Updating an existing preview never needs a new slot.
  if (limit === 0 || q.managed.includes(q.name) || q.managed.length < limit) return { kind: 'allow' };
  const holders = q.managed
    .map((name) => ({ name, pr: prFromName(q.app, name) ?? 0 }))
    .sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name));
  return { kind: 'refuse', limit, holders };
}
