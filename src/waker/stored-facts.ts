/**
 * What the bucket says about a preview, for the edge service: its record (state/records.ts) or its tombstone
 * (state/closed.ts), kept for a few seconds, so a burst of requests (a page and its assets, a visitor retrying,
 * replicas of one crawler) costs the bucket a read or two per preview, not per request.
 */
import { readClosed, type ClosedPreview } from '../state/closed.js';
import { readRecord, type PreviewRecord } from '../state/records.js';
import type { StateStore } from '../state/store.js';
import { sanitize } from '../text/untrusted.js';

interface StoredFacts {
  record?: PreviewRecord;
  closed?: ClosedPreview;
}

/** How long an answer is reused: short enough that a building page turns into the preview within one reload. */
export const FACTS_TTL_MS = 10_000;
const CACHE_MAX = 1_000;

export type FactsLookup = (preview: string) => Promise<StoredFacts>;

/**
 * Reads the record of `preview`, and its tombstone only when there is no record (a live preview has none, and a
 * bucket that grants no listing answers a missing key with 403). A failed record read throws and is not kept; a
 * failed tombstone read counts as no tombstone, logged.
 */
export function storedFactsLookup(store: StateStore, now: () => number, log: (line: string) => void): FactsLookup {
  const cache = new Map<string, { facts: StoredFacts; until: number }>();
  return async (preview) => {
    const hit = cache.get(preview);
    if (hit && hit.until > now()) return hit.facts;
    const record = await readRecord(store, preview);
    const closed = record
      ? undefined
      : await readClosed(store, preview).catch((err: Error) => {
          log(`tombstone of ${preview} could not be read: ${sanitize(err.message, { max: 300 })}`);
          return undefined;
        });
    const facts = { record, closed };
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(preview, { facts, until: now() + FACTS_TTL_MS });
    return facts;
  };
}
