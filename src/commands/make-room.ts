/**
 * A new preview on a full Community Edition gateway makes room instead of being refused (issue 23): this
 * repository's previews that the sweeper would put to sleep now are put to sleep exactly as it does (sleep.ts), least
 * recently used first, until the new preview's functions fit (sweep/evict-plan.ts decides, pure). Last use comes from
 * the sweeper's own source (Prometheus, or its memory in the bucket), read, never written: the sweeper stays the one
 * writer of its memory. A preview whose last use is unknown (not in that memory yet, or no source) is never evicted.
 */
import type { QuotaDecision, QuotaInput } from '../decide/quota.js';
import { log } from '../log.js';
import { isManagedBy } from '../naming.js';
import type { FunctionStatus } from '../openfaas/types.js';
import { evictionPlan, judgeCandidates, type Candidate } from '../sweep/evict-plan.js';
import { groupPreviews } from '../sweep/groups.js';
import type { Services } from './services.js';
import { readActivity, readVisits, sleepPreview } from './sleep.js';

/** The refusal, each holder saying why it stays, when no eviction can make room; else the victims sleep. */
export async function makeRoom(
  s: Services,
  q: QuotaInput,
  listed: FunctionStatus[],
  pr: number,
): Promise<QuotaDecision> {
  const { candidates, members } = await judge(s, listed);
  const plan = evictionPlan(q, candidates, { idleAfterMs: s.settings.sweep.idleAfterMs, now: s.now().getTime() });
  if (plan.kind === 'refuse') return plan.refusal;
  for (const v of plan.victims) {
    const idleFor = v.judged!.idleFor!;
    const result = await sleepPreview(s, { name: v.name, pr: v.pr, idleFor, madeRoomFor: pr }, members.get(v.name)!);
    log.notice(
      `Made room for #${pr}: ${v.name} (PR #${v.pr}, ${v.functions} function${v.functions === 1 ? '' : 's'}, idle for ${idleFor}) was put to sleep: ${result}`,
    );
  }
  return { kind: 'allow' };
}

const ours = (s: Services) => (f: FunctionStatus) => isManagedBy(f.labels, s.ctx.repo.owner, s.ctx.repo.repo);

/**
 * This repository's previews with the sweeper's judgment of each (none where last use is unknown), and each
 * preview's functions.
 */
async function judge(
  s: Services,
  listed: FunctionStatus[],
): Promise<{ candidates: Candidate[]; members: Map<string, FunctionStatus[]> }> {
  const { settings } = s;
  const activity = await readActivity(s).catch((err: Error) => {
    log.warning(`cannot tell which previews are idle (${err.message}); none is put to sleep to make room`);
    return undefined;
  });
  const groups = groupPreviews(settings.app, listed.filter(ours(s)), activity?.increases);
  // Pages read from the bucket count as use too: a preview someone is reading is not put to sleep.
  const visits = await readVisits(
    s,
    groups.previews.map((p) => p.name),
  );
  const candidates = judgeCandidates({
    app: settings.app,
    groups,
    previous: activity?.previous,
    readable: activity !== undefined,
    visits,
    now: s.now().getTime(),
    idleAfterMs: settings.sweep.idleAfterMs,
  });
  return { candidates, members: groups.members };
}
