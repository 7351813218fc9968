/**
 * When the edge last let a request of a preview through, `<state-prefix>/visited/<name>.json`: pages served from the
 * bucket never reach the gateway, so invocation counts alone take a preview someone is reading for an idle one.
 * The edge service writes it (at most once per preview every few minutes, src/waker/visits.ts); the sweeper reads it.
 */
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
  await deleteJson(store.client, store.bucket, visitKey(store.statePrefix, name));
}
