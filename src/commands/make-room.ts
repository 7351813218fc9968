/**
 * A new preview on a full Community Edition gateway makes room instead of being refused (issue 23): this
 * repository's previews that the sweeper would put to sleep now are put to sleep exactly as it does (sleep.ts), least
 * recently used first, until the new preview's functions fit (sweep/evict-plan.ts decides, pure). Last use comes from
 * the sweeper's own source (Prometheus, or its memory in the bucket), read, never written: the sweeper stays the one
 * writer of its memory. A preview whose last use is unknown (not in that memory yet, or no source) is never evicted.
 *
 * Two steps, because a deploy can still fail between them: `roomPossible` (reads only) before the build, so a deploy
 * no eviction can help is refused without a wasted build; `makeRoom` just before the create, once the build and the
 * data succeeded, so a failed build never puts a preview to sleep for nothing.
 */
import type { QuotaDecision, QuotaInput } from '../decide/quota.js';
import { log } from '../log.js';
import { isManagedBy } from '../naming.js';
import type { FunctionStatus } from '../openfaas/types.js';
import { evictionPlan, judgeCandidates, type Candidate } from '../sweep/evict-plan.js';
import { groupPreviews } from '../sweep/groups.js';
import { untilGone } from '../sweep/put-to-sleep.js';
import type { Services } from './services.js';
import { readActivity, readVisits, sleepPreview } from './sleep.js';

/** Whether idle previews could make room now: the refusal, each holder saying why it stays, or allow. Nothing is touched. */
export async function roomPossible(s: Services, q: QuotaInput, listed: FunctionStatus[]): Promise<QuotaDecision> {
  const { plan } = await evictionFor(s, q, listed);
  return plan.kind === 'refuse' ? plan.refusal : { kind: 'allow' };
}

/**
 * The refusal, each holder saying why it stays, when no eviction can make room; else the victims sleep and, once
 * the gateway no longer lists them, the slots are free.
 */
export async function makeRoom(
  s: Services,
  q: QuotaInput,
  listed: FunctionStatus[],
  pr: number,
): Promise<QuotaDecision> {
  const { plan, members } = await evictionFor(s, q, listed);
  if (plan.kind === 'refuse') return plan.refusal;
  for (const v of plan.victims) {
    const idleFor = v.judged!.idleFor!;
    const result = await sleepPreview(s, { name: v.name, pr: v.pr, idleFor, madeRoomFor: pr }, members.get(v.name)!);
    log.notice(
      `Made room for #${pr}: ${v.name} (PR #${v.pr}, ${v.functions} function${v.functions === 1 ? '' : 's'}, idle for ${idleFor}) was put to sleep: ${result}`,
    );
  }
  // The slots are free once the gateway stops listing the victims: faas-netes deletes in the foreground, and a
  // Deployment counts against the cap until its pods have terminated (seconds); faasd before it answers.
  const timeoutMs = s.settings.fn.readyTimeoutMs;
  const victims = new Set(plan.victims.flatMap((v) => members.get(v.name)!.map((f) => f.name)));
  await untilGone(s.gateway, victims, Date.now() + timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message} (waited ${Math.round(timeoutMs / 1000)}s, input 'ready-timeout')`, { cause: err });
  });
  return { kind: 'allow' };
}

async function evictionFor(s: Services, q: QuotaInput, listed: FunctionStatus[]) {
  const { candidates, members } = await judge(s, listed);
  const plan = evictionPlan(q, candidates, { idleAfterMs: s.settings.sweep.idleAfterMs, now: s.now().getTime() });
  return { plan, members };
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
