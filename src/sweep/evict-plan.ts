/**
 * Making room on Community Edition (issue 23), pure: when a new preview needs slots a full gateway does not have,
 * which of this repository's previews to put to sleep. Only a preview the sweeper itself would put to sleep now
 * (sweep/plan.ts said `sleep`: idle for `idle-after`, by the same source of last use) is a candidate, least recently
 * used first; never the deploying preview, another repository's preview or an unmanaged function (they are not
 * candidates at all). Either enough candidates free what the quota needs, or none is touched and the refusal says,
 * per holder, when it was last used and why it stays.
 */
import { quotaDecision, type Holder, type QuotaInput, type Refusal } from '../decide/quota.js';
import type { PreviewGroups } from './groups.js';
import { formatDuration, planSweep, type FunctionAction, type Memory } from './plan.js';

/** A preview of this repository on the gateway, with the sweeper's judgment of it (none: last use unknown). */
export interface Candidate {
  name: string;
  pr: number;
  functions: number;
  /** Epoch ms of its last deploy, when known. */
  deployedAt?: number;
  judged?: FunctionAction;
}

/** What judging this repository's previews takes: the same sources of last use the sweeper reads. */
export interface Judging {
  app: string;
  /** This repository's previews on the gateway (sweep/groups.ts), with Prometheus increases by preview if any. */
  groups: Pick<PreviewGroups, 'previews' | 'members' | 'increases'>;
  /** The sweeper's memory (state mode); undefined with `groups.increases` (Prometheus mode). */
  previous?: Memory;
  /** False when the sweeper's source could not be read: then no preview is judged, so none is evicted. */
  readable: boolean;
  /** The edge's visit marks, epoch ms by preview. */
  visits: ReadonlyMap<string, number>;
  now: number;
  idleAfterMs: number;
}

/** Each preview with the sweeper's judgment of it now, or none where its last use is unknown. */
export function judgeCandidates(j: Judging): Candidate[] {
  const { previews, members, increases } = j.groups;
  const judged = j.readable
    ? planSweep({
        functions: previews,
        previous: j.previous,
        increases,
        visits: j.visits,
        // Every preview counts as open and none as expired: closing and expiry are the sweeper's to act on.
        openPulls: new Set(previews.map((p) => p.pr)),
        prefixes: [],
        app: j.app,
        edition: 'community',
        now: j.now,
        idleAfterMs: j.idleAfterMs,
      }).actions
    : [];
  // In the sweeper's memory a preview it has not seen yet counts as used now: here, as unknown.
  const known = (name: string) => j.readable && (increases !== undefined || Object.hasOwn(j.previous ?? {}, name));
  return previews.map((p) => ({
    name: p.name,
    pr: p.pr,
    functions: members.get(p.name)?.length ?? 0,
    deployedAt: p.deployedAt,
    judged: known(p.name) ? judged.find((a) => a.name === p.name) : undefined,
  }));
}

export type EvictPlan = { kind: 'evict'; victims: Candidate[] } | { kind: 'refuse'; refusal: Refusal };

/** When a candidate was last used; the deploy time when the source gives none (Prometheus: idle for the window). */
const lastUse = (c: Candidate) => c.judged?.lastActivityAt ?? c.deployedAt ?? 0;

export function evictionPlan(
  q: QuotaInput,
  candidates: readonly Candidate[],
  o: { idleAfterMs: number; now: number },
): EvictPlan {
  const idle = candidates
    .filter((c) => c.name !== q.name && c.judged?.decision === 'sleep')
    .sort((a, b) => lastUse(a) - lastUse(b) || a.pr - b.pr);
  let left = q;
  const victims: Candidate[] = [];
  for (const c of idle) {
    if (quotaDecision(left).kind === 'allow') break;
    victims.push(c);
    left = { ...left, previews: left.previews.filter((p) => p.name !== c.name), total: left.total - c.functions };
  }
  if (quotaDecision(left).kind === 'allow') return { kind: 'evict', victims };
  const refusal = quotaDecision(q) as Refusal;
  const byName = new Map(candidates.map((c) => [c.name, c]));
  const holders = refusal.holders.map((h) => ({ ...h, ...use(h, q.name, byName.get(h.name), o) }));
  return { kind: 'refuse', refusal: { ...refusal, holders } };
}

/** Why a holder stays, for the refusal: its last use when known, and what keeps it. */
function use(
  h: Holder,
  self: string,
  c: Candidate | undefined,
  o: { idleAfterMs: number; now: number },
): Pick<Holder, 'lastUsedAt' | 'stays'> {
  const within = `less than idle-after (${formatDuration(o.idleAfterMs)}) ago`;
  if (h.name === self) return { stays: "this PR's own preview" };
  const a = c?.judged;
  if (!a) return { stays: 'last use unknown, so it is not put to sleep' };
  const at = a.lastActivityAt === undefined ? {} : { lastUsedAt: new Date(a.lastActivityAt).toISOString() };
  if (a.decision === 'sleep')
    return { ...at, stays: `idle for ${a.idleFor}, but the idle previews together free too few slots` };
  // The sweeper's rule 1: a deploy younger than idle-after is never touched, whatever the calls say.
  if (c.deployedAt !== undefined && o.now - c.deployedAt < o.idleAfterMs) return { ...at, stays: `deployed ${within}` };
  return { ...at, stays: a.lastActivityAt === undefined ? a.lastActivity : `used ${within}` };
}
