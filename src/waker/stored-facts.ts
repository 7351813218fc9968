/**
 * What the bucket says about a preview, for the edge service: its record (state/records.ts) and its tombstone
 * (state/closed.ts), read together and kept for a few seconds, so a burst of requests (a page and its assets, a
 * visitor retrying, replicas of one crawler) costs the bucket two reads per preview, not two per request.
 */
import { readClosed, type ClosedPreview } from '../state/closed.js';
import { readRecord, type PreviewRecord } from '../state/records.js';
import type { StateStore } from '../state/store.js';

export interface StoredFacts {
  record?: PreviewRecord;
  closed?: ClosedPreview;
}

/** How long an answer is reused: short enough that a building page turns into the preview within one reload. */
export const FACTS_TTL_MS = 10_000;
const CACHE_MAX = 1_000;

export type FactsLookup = (preview: string) => Promise<StoredFacts>;

/** Reads both objects of `preview`; a failed read throws and is not kept. */
export function storedFactsLookup(store: StateStore, now: () => number): FactsLookup {
  const cache = new Map<string, { facts: StoredFacts; until: number }>();
  return async (preview) => {
    const hit = cache.get(preview);
    if (hit && hit.until > now()) return hit.facts;
    const [record, closed] = await Promise.all([readRecord(store, preview), readClosed(store, preview)]);
    const facts = { record, closed };
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(preview, { facts, until: now() + FACTS_TTL_MS });
    return facts;
  };
}
