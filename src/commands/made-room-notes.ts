/**
 * The sweeper's part of a wake that made room (issue 23): the edge service put a preview to sleep for another one's
 * wake and, unable to reach GitHub, left a note in the bucket (state/made-room.ts). Each sweep turns the notes of
 * this app's previews into their PRs' comments ("put to sleep to make room for #n; wakes on its next visit") and
 * deletes them; a note whose sleep is over (sweep/made-room-plan.ts) is only deleted. A comment that cannot be
 * written keeps its note for the next sweep.
 */
import { log } from '../log.js';
import { prFromName } from '../naming.js';
import { deleteMadeRoom, listMadeRoom, readMadeRoom, type MadeRoomNote } from '../state/made-room.js';
import { readRecord } from '../state/records.js';
import { readSleeping } from '../state/sleeping.js';
import type { StateStore } from '../state/store.js';
import { noteFate, type NoteFate } from '../sweep/made-room-plan.js';
import { addressOf, writeSleepComment } from './sleep.js';
import type { Services } from './services.js';

/** A line of the sweep's plan (commands/sweep.ts Item). */
export interface NoteItem {
  name: string;
  pr: number;
  lastActivity: string;
  decision: string;
  run: () => Promise<string>;
}

/**
 * One item per note of this app's previews. `running`: the previews with a function on the gateway; `openPulls`:
 * the open PRs, both from the sweep's one look at each.
 */
export async function noteItems(
  s: Services,
  running: ReadonlySet<string>,
  openPulls: ReadonlySet<number>,
): Promise<NoteItem[]> {
  const store = s.state;
  if (!store) return [];
  const names = (await listMadeRoom(store)).filter((n) => prFromName(s.settings.app, n) !== undefined);
  const items: NoteItem[] = [];
  for (const name of names) {
    const pr = prFromName(s.settings.app, name)!;
    const [note, sleeping] = await Promise.all([readMadeRoom(store, name), readSleeping(store, name)]);
    const fate = noteFate({
      note,
      open: openPulls.has(pr),
      onGateway: running.has(name),
      sleepingSince: sleeping?.since,
    });
    items.push(item(s, store, name, pr, fate, note));
  }
  return items;
}

function item(
  s: Services,
  store: StateStore,
  name: string,
  pr: number,
  fate: NoteFate,
  note: MadeRoomNote | undefined,
): NoteItem {
  const lastActivity = note ? `idle for ${note.idleFor} when put to sleep at ${note.at}` : '(no note)';
  if (fate.kind === 'forget')
    return {
      name,
      pr,
      lastActivity,
      decision: `forget the edge's note that it made room with this preview: ${fate.why}`,
      run: async () => (await deleteMadeRoom(store, name), 'note deleted, comment untouched'),
    };
  return {
    name,
    pr,
    lastActivity,
    decision: `tell PR #${pr} its preview was put to sleep by the edge service to make room for #${fate.note.forPr}`,
    run: () => tell(s, store, fate.note),
  };
}

/** The comment, then the note goes; with comments off, only the note goes. */
async function tell(s: Services, store: StateStore, note: MadeRoomNote): Promise<string> {
  if (s.settings.github.comment) {
    const [sleeping, record] = await Promise.all([readSleeping(store, note.name), readRecord(store, note.name)]);
    const main = sleeping?.specs.find((x) => x.service === note.name) ?? sleeping?.specs[0];
    const p = { name: note.name, pr: note.pr, idleFor: note.idleFor, madeRoomFor: note.forPr };
    const failed = await writeSleepComment(s, p, {
      url: addressOf(s, p, main),
      readyMs: record?.readyMs,
      saved: true,
    }).then(
      () => undefined,
      (err: Error) => err,
    );
    if (failed) {
      log.warning(
        `${note.name}: could not update the PR comment (${failed.message}); the note stays for the next sweep`,
      );
      return `PR comment not updated (${failed.message}); note kept`;
    }
  }
  await deleteMadeRoom(store, note.name);
  return s.settings.github.comment ? 'PR comment says it sleeps; note deleted' : 'note deleted (comments are off)';
}
