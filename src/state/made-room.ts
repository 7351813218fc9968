/**
 * A note the edge service leaves for the action, `<state-prefix>/made-room/<name>.json`: it put preview `name` to
 * sleep to make room for a wake of another preview. The edge service cannot reach GitHub, so the sweeper's next run
 * tells the evicted PR (its comment: "put to sleep to make room for #n") and deletes the note
 * (commands/made-room-notes.ts); a teardown deletes the note of the preview it removes.
 */
import { deleteJson, listJsonNames, readJson, stateKey, writeJson, type StateStore } from './store.js';

const NOTE_VERSION = 1;

export interface MadeRoomNote {
  version: number;
  /** The preview put to sleep, and its PR. */
  name: string;
  pr: number;
  /** The preview woken in its place, and its PR. */
  forName: string;
  forPr: number;
  /**
   * ISO 8601: when it was put to sleep, the same instant as the `since` of the specs it saved
   * (state/sleeping.ts), so that the sweeper can tell this sleep from a later one.
   */
  at: string;
  /** How long nobody had used it then, for the comment. */
  idleFor: string;
}

const folder = (statePrefix: string) => stateKey(statePrefix, 'made-room/');
const noteKey = (statePrefix: string, name: string) => `${folder(statePrefix)}${name}.json`;

export async function saveMadeRoom(store: StateStore, note: Omit<MadeRoomNote, 'version'>): Promise<void> {
  await writeJson(store, noteKey(store.statePrefix, note.name), {
    version: NOTE_VERSION,
    ...note,
  });
}

/** The note of `name`, or undefined when there is none or the object is not one of ours. */
export async function readMadeRoom(store: StateStore, name: string): Promise<MadeRoomNote | undefined> {
  const raw = await readJson<MadeRoomNote>(store, noteKey(store.statePrefix, name));
  const ok =
    raw?.version === NOTE_VERSION &&
    raw.name === name &&
    Number.isSafeInteger(raw.pr) &&
    typeof raw.forName === 'string' &&
    Number.isSafeInteger(raw.forPr) &&
    typeof raw.at === 'string' &&
    typeof raw.idleFor === 'string';
  return ok ? raw : undefined;
}

export async function deleteMadeRoom(store: StateStore, name: string): Promise<void> {
  await deleteJson(store, noteKey(store.statePrefix, name));
}

/** Names of the previews with a note. */
export async function listMadeRoom(store: StateStore): Promise<string[]> {
  return (await listJsonNames(store, folder(store.statePrefix))).map((o) => o.name);
}
