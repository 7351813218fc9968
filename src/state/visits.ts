/**
 * When the edge last let a request of a preview through, `<state-prefix>/visited/<name>.json`: pages served from the
 * bucket never reach the gateway, so invocation counts alone take a preview someone is reading for an idle one.
 * The edge service writes it (at most once per preview every few minutes, src/waker/visits.ts); the sweeper reads it.
 */
import { forEachLimited } from '../concurrency.js';
import { deleteJson, readTime, stateKey, writeTime, type StateStore } from './store.js';

const visitKey = (statePrefix: string, name: string) => stateKey(statePrefix, `visited/${name}.json`);

export async function saveVisit(store: StateStore, name: string, at: Date): Promise<void> {
  await writeTime(store, visitKey(store.statePrefix, name), 'at', at);
}

/** Epoch ms of the last visit the edge recorded, or undefined when none (or the object is not one of ours). */
export async function readVisit(store: StateStore, name: string): Promise<number | undefined> {
  return readTime(store, visitKey(store.statePrefix, name), 'at');
}

export async function deleteVisit(store: StateStore, name: string): Promise<void> {
  await deleteJson(store, visitKey(store.statePrefix, name));
}

/** Visit marks read at once: a sweep of many previews does not wait on them one by one. */
const VISIT_READS = 8;

/**
 * The last visit of each of `names`, epoch ms by name, for the sweeper and for making room (action and edge
 * service). A mark that cannot be read counts as no visit and is passed to `unreadable`: the other signs of use
 * still count.
 */
export async function readVisits(
  store: StateStore,
  names: readonly string[],
  unreadable: (name: string, err: Error) => void,
): Promise<Map<string, number>> {
  const visits = new Map<string, number>();
  await forEachLimited(names, VISIT_READS, async (name) => {
    const at = await readVisit(store, name).catch((err: Error) => void unreadable(name, err));
    if (at !== undefined) visits.set(name, at);
  });
  return visits;
}
