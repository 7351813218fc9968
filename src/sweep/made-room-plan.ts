/**
 * What the sweeper does with a note the edge service left when it put a preview to sleep to make room for a wake
 * (state/made-room.ts), pure. The note is about one sleep; the PR's comment must not claim the preview sleeps when
 * it is awake, nor overwrite what a later event said. So the comment is written only while that very sleep lasts:
 * the PR open, no function of the preview on the gateway, and the saved specs from the same instant (`since` =
 * the note's `at`). Any other note is only deleted:
 * - woken again (functions on the gateway): the preview answers; its comment keeps what the last deploy said;
 * - no saved specs: woken and not asleep now, or torn down;
 * - saved at another time: put to sleep again since (by the sweeper or a deploy, which told the PR themselves);
 * - PR closed: the teardown's comment says what happened.
 */
import type { MadeRoomNote } from '../state/made-room.js';

export type NoteFate = { kind: 'tell'; note: MadeRoomNote } | { kind: 'forget'; why: string };

export interface NoteFacts {
  /** The note, or undefined when the object is not one of ours. */
  note?: MadeRoomNote;
  /** The PR of the preview the note names is open. */
  open: boolean;
  /** Any function of the preview is on the gateway now. */
  onGateway: boolean;
  /** `since` of the preview's saved specs (state/sleeping.ts), when it has some. */
  sleepingSince?: string;
}

export function noteFate(f: NoteFacts): NoteFate {
  const n = f.note;
  if (!n) return { kind: 'forget', why: 'not a note of this action' };
  if (!f.open) return { kind: 'forget', why: `PR #${n.pr} is closed` };
  if (f.onGateway) return { kind: 'forget', why: 'woken again since: its functions run, the comment stays' };
  if (f.sleepingSince === undefined) return { kind: 'forget', why: 'no longer asleep: no saved specs' };
  if (Date.parse(f.sleepingSince) !== Date.parse(n.at))
    return { kind: 'forget', why: `put to sleep again since (${f.sleepingSince}), which told the PR itself` };
  return { kind: 'tell', note: n };
}
