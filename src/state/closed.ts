/**
 * What is left of a removed preview, `<state-prefix>/closed/<name>.json`: written by a complete teardown just before
 * it removes the preview's record, so the edge can answer a visit with 410 and why ("removed when PR #5 was
 * closed") instead of a 404 that looks like a broken link. A deploy of the same name (a reopened PR) deletes it; the
 * sweeper deletes those older than CLOSED_KEEP_DAYS, so the folder does not grow for ever.
 */
import { deleteJson, listJsonNames, readJson, stateKey, writeJson, type StateStore } from './store.js';

const CLOSED_VERSION = 1;

/** How long a removed preview's address keeps answering 410 rather than 404. */
export const CLOSED_KEEP_DAYS = 30;

export interface ClosedPreview {
  version: number;
  name: string;
  pr: number;
  /** `owner/repo`: the edge's gate still knows whom to ask about a removed preview. */
  githubRepository: string;
  /** The teardown's reason, as the PR comment says it ("PR #5 was merged"). */
  reason: string;
  /** ISO 8601. */
  closedAt: string;
}

function folder(statePrefix: string): string {
  return stateKey(statePrefix, 'closed/');
}

const closedKey = (statePrefix: string, name: string) => `${folder(statePrefix)}${name}.json`;

export async function saveClosed(store: StateStore, closed: Omit<ClosedPreview, 'version'>): Promise<void> {
  await writeJson(store, closedKey(store.statePrefix, closed.name), {
    version: CLOSED_VERSION,
    ...closed,
  });
}

/** The tombstone of `name`, or undefined when there is none or the object is not one of ours. */
export async function readClosed(store: StateStore, name: string): Promise<ClosedPreview | undefined> {
  const raw = await readJson<ClosedPreview>(store, closedKey(store.statePrefix, name));
  const ok =
    raw?.version === CLOSED_VERSION &&
    raw.name === name &&
    Number.isSafeInteger(raw.pr) &&
    typeof raw.githubRepository === 'string' &&
    typeof raw.reason === 'string' &&
    typeof raw.closedAt === 'string';
  return ok ? raw : undefined;
}

export async function deleteClosed(store: StateStore, name: string): Promise<void> {
  await deleteJson(store, closedKey(store.statePrefix, name));
}

/** Names of the tombstones last written before `before` (the bucket's LastModified, not the object's own word). */
export async function closedBefore(store: StateStore, before: Date): Promise<string[]> {
  const found = await listJsonNames(store, folder(store.statePrefix));
  return found.filter((o) => o.lastModified && o.lastModified < before).map((o) => o.name);
}
