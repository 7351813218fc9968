/**
 * The edge service's record of visits: every request it lets through marks its preview as used; the mark reaches
 * the bucket (state/visits.ts) at most once per preview every VISIT_WRITE_MS from each replica, in the background, so
 * a busy preview costs the bucket a few writes an hour and no request waits for one.
 */
import { saveVisit } from '../state/visits.js';
import type { StateStore } from '../state/store.js';
import { sanitize } from '../text/untrusted.js';

/** Far below any useful `idle-after` (at least a minute, usually hours), far above a page's burst of requests. */
export const VISIT_WRITE_MS = 5 * 60_000;
const MAX_TRACKED = 10_000;

export type VisitRecorder = (preview: string) => void;

export function visitRecorder(store: StateStore, now: () => number, log: (line: string) => void): VisitRecorder {
  const written = new Map<string, number>();
  return (preview) => {
    const at = now();
    if (at - (written.get(preview) ?? -Infinity) < VISIT_WRITE_MS) return;
    if (written.size >= MAX_TRACKED) written.clear();
    written.set(preview, at);
    saveVisit(store, preview, new Date(at)).catch((err: Error) => {
      written.delete(preview); // the next request tries again
      log(`visit of ${preview} not recorded: ${sanitize(err.message, { max: 300 })}`);
    });
  };
}
