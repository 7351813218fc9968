import { describe, expect, test } from '@jest/globals';
import type { MadeRoomNote } from '../../src/state/made-room.js';
import { noteFate, type NoteFacts } from '../../src/sweep/made-room-plan.js';

const AT = '2026-03-01T12:00:00.000Z';
const note: MadeRoomNote = {
  version: 1,
  name: 'shop-pr-3',
  pr: 3,
  forName: 'shop-pr-9',
  forPr: 9,
  at: AT,
  idleFor: '2h',
};
/** The note's own sleep, still going on: the PR open, nothing on the gateway, the specs saved at the note's time. */
const asleep: NoteFacts = { note, open: true, onGateway: false, sleepingSince: AT };

describe('noteFate: the PR is told only while the sleep the note is about lasts', () => {
  test('that sleep lasts: tell the PR', () => {
    expect(noteFate(asleep)).toEqual({ kind: 'tell', note });
    // The same instant written another way is the same sleep.
    expect(noteFate({ ...asleep, sleepingSince: '2026-03-01T12:00:00Z' })).toEqual({ kind: 'tell', note });
  });

  test.each<[string, Partial<NoteFacts>, RegExp]>([
    ['woken again: its functions run', { onGateway: true }, /^woken again since/],
    ['woken again and its specs deleted', { sleepingSince: undefined }, /^no longer asleep/],
    ['put to sleep again since (sweeper, deploy)', { sleepingSince: '2026-03-01T14:00:00.000Z' }, /again since/],
    ['the PR closed', { open: false }, /^PR #3 is closed/],
    ['not a note of ours', { note: undefined }, /^not a note of this action/],
  ])('%s: only forget the note', (_what, change, why) => {
    const fate = noteFate({ ...asleep, ...change });
    expect(fate.kind).toBe('forget');
    expect(fate.kind === 'forget' && fate.why).toMatch(why);
  });

  test('awake wins over closed-or-not: a running preview is never said to sleep', () => {
    expect(noteFate({ ...asleep, onGateway: true, sleepingSince: AT }).kind).toBe('forget');
  });
});
