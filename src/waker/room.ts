/**
 * A wake that needs slots a full Community Edition gateway lacks makes room as a deploy does (commands/make-room.ts,
 * issue 23): the least recently used idle previews of the woken preview's repository and app are put to sleep
 * (sweep/put-to-sleep.ts), until its missing functions fit (sweep/evict-plan.ts decides, pure). Never evicted: a
 * preview used within `idle-after` (WAKER_IDLE_AFTER), one whose last use is unknown, the woken preview, one another
 * wake is under way for (its mark in the bucket), another repository's preview, a function the action does not
 * manage.
 *
 * Last use is what the action's make-room reads minus Prometheus, which the edge service cannot reach: the sweeper's
 * memory in the bucket (read, never written: the sweeper stays its one writer) and the edge's visit marks. So with
 * the sweeper on Prometheus there is no memory, every last use is unknown and a full gateway stays full.
 *
 * The edge service cannot reach GitHub: for each preview it evicts it leaves a note in the bucket
 * (state/made-room.ts), from which the sweeper's next run tells the PR.
 */
import type { QuotaInput } from '../decide/quota.js';
import { isManagedBy } from '../naming.js';
import type { GatewayClient } from '../openfaas/client.js';
import type { FunctionDeployment, FunctionStatus } from '../openfaas/types.js';
import { saveMadeRoom } from '../state/made-room.js';
import { wakingUntil } from '../state/sleeping.js';
import type { StateStore } from '../state/store.js';
import { loadState } from '../state/sweeper.js';
import { readVisits } from '../state/visits.js';
import { evictionPlan, judgeCandidates, type Candidate } from '../sweep/evict-plan.js';
import { groupPreviews } from '../sweep/groups.js';
import { putToSleep, untilGone } from '../sweep/put-to-sleep.js';
import { previewOwner, type Repository } from './specs.js';

export interface RoomDeps {
  gateway: GatewayClient;
  store: StateStore;
  repositories: readonly Repository[];
  idleAfterMs: number;
  now: () => number;
  /** The wake's deadline, epoch ms: waiting for the freed slots ends there. */
  deadline: number;
  log: (line: string) => void;
}

/** The woken preview: its name and its checked saved specs. */
interface Woken {
  name: string;
  specs: readonly FunctionDeployment[];
}

/**
 * Puts previews to sleep until `needed` more functions fit on the gateway `listed` shows; false, touching nothing,
 * when no eviction can make that room.
 */
export async function makeRoomForWake(
  d: RoomDeps,
  woken: Woken,
  listed: FunctionStatus[],
  needed: number,
): Promise<boolean> {
  const owner = previewOwner(woken.name, woken.specs, d.repositories);
  if (!owner) return false;
  const { owner: o, repo } = owner.repository;
  const groups = groupPreviews(
    owner.app,
    listed.filter((f) => isManagedBy(f.labels, o, repo)),
  );
  const candidates = await withoutWakes(d, await judge(d, owner.app, groups));
  const q: QuotaInput = {
    name: woken.name,
    app: owner.app,
    previews: [...groups.members].map(([name, fns]) => ({ name, functions: fns.length })),
    total: listed.length,
    needed,
    maxPreviews: undefined,
    edition: 'community',
  };
  const plan = evictionPlan(q, candidates, { idleAfterMs: d.idleAfterMs, now: d.now() });
  if (plan.kind === 'refuse') return false;
  for (const v of plan.victims) await evict(d, v, groups.members.get(v.name)!, { name: woken.name, pr: owner.pr });
  // The slots are free once the gateway stops listing the victims (faas-netes: when their pods have terminated).
  const gone = plan.victims.flatMap((v) => groups.members.get(v.name)!.map((f) => f.name));
  await untilGone(d.gateway, new Set(gone), d.deadline);
  return true;
}

/** The previews judged as the sweeper would now; none judged when its memory cannot be read. */
async function judge(d: RoomDeps, app: string, groups: ReturnType<typeof groupPreviews>): Promise<Candidate[]> {
  const loaded = await loadState(d.store).catch((err: Error) => {
    d.log(`cannot tell which previews are idle (${err.message}); none is put to sleep to make room`);
    return undefined;
  });
  if (loaded?.warning) d.log(loaded.warning);
  const visits = await readVisits(
    d.store,
    groups.previews.map((p) => p.name),
    (name, err) => d.log(`the last visit of ${name} could not be read (${err.message}); counted as no visit`),
  );
  return judgeCandidates({
    app,
    groups,
    previous: loaded?.memory,
    readable: loaded !== undefined,
    visits,
    now: d.now(),
    idleAfterMs: d.idleAfterMs,
  });
}

/**
 * The candidates, a preview another wake is under way for counting as in use: its functions may be back already,
 * not yet seen by the sweeper or the visit marks. An unreadable mark counts as a wake under way.
 */
async function withoutWakes(d: RoomDeps, candidates: Candidate[]): Promise<Candidate[]> {
  return Promise.all(
    candidates.map(async (c) => {
      if (c.judged?.decision !== 'sleep') return c;
      const until = await wakingUntil(d.store, c.name).catch(() => Infinity);
      return (until ?? 0) > d.now() ? { ...c, judged: undefined } : c;
    }),
  );
}

/** One victim: put to sleep as the sweeper does, then the note the sweeper turns into its PR's comment. */
async function evict(d: RoomDeps, v: Candidate, fns: FunctionStatus[], woken: { name: string; pr: number }) {
  const at = new Date(d.now());
  const idleFor = v.judged?.idleFor ?? '';
  const slept = await putToSleep({ gateway: d.gateway, store: d.store }, v.name, fns, at);
  const note = { name: v.name, pr: v.pr, forName: woken.name, forPr: woken.pr, at: at.toISOString(), idleFor };
  // Without the note the preview still sleeps and wakes on its next visit; only its PR's comment is not updated.
  const noted = await saveMadeRoom(d.store, note).then(
    () => 'note left for the sweeper',
    (err: Error) => `no note left for the sweeper (${err.message}): its PR comment will not say so`,
  );
  d.log(
    `made room for ${woken.name} (PR #${woken.pr}): ${v.name} (PR #${v.pr}, ${fns.length} function(s), idle for ${idleFor}) put to sleep, ${slept.gone} function(s) deleted; ${noted}`,
  );
}
