/**
 * The sweeper's decision, pure: managed functions + what the last sweep remembered (or Prometheus increases) +
 * which PRs are open + which bucket prefixes and preview records exist + the clock → one decision per function,
 * the unfinished teardowns (a recorded preview of a closed PR without a function: its teardown died half-way), the
 * orphan prefixes
 * to delete and the state to remember. No I/O; commands/sweep.ts acts on the result.
 *
 * Rules, in order, per function:
 * 1. Deployed less than `idle-after` ago (or deploy time in the future): never touched, whatever else holds.
 * 2. Its PR is not open → full teardown.
 * 3. Last deploy older than `max-age` → full teardown (expiry).
 * 4. Pro/Edge and already at zero replicas (a missing `replicas` key is 0) → already asleep, nothing to do.
 * 5. No activity for at least `idle-after` → scale to zero (Pro/Edge) or sleep (Community Edition: delete the
 *    function, keep the assets).
 * 6. Otherwise keep.
 * Activity (state mode): the lifetime `invocationCount` went up, or went DOWN (the gateway restarted and the counter
 * reset: treat as activity), or the function was not in the state yet (first seen counts as active now). A deploy is
 * activity too. Prometheus mode: an increase > 0 within the `idle-after` window is activity; no state is kept.
 */
import type { Edition } from '../openfaas/client.js';
import { prFromName, previewOfSecret } from '../naming.js';

export type Decision = 'keep' | 'scale-to-zero' | 'sleep' | 'teardown' | 'already-asleep';

export interface ManagedFunction {
  name: string;
  pr: number;
  /** As listed; a missing key means 0. */
  replicas?: number;
  /** Lifetime counter from the list endpoint; a missing key means 0. */
  invocationCount?: number;
  /** Epoch ms of the last deploy; undefined when unknown. */
  deployedAt?: number;
}

/** What the sweeper remembers per function between runs. */
export interface FunctionMemory {
  count: number;
  /** ISO 8601: when `count` was last seen to change (or the function was first seen). */
  changedAt: string;
}

export type Memory = Record<string, FunctionMemory>;

export interface PlanInput {
  functions: readonly ManagedFunction[];
  /** The previous state (state mode); ignored in Prometheus mode. */
  previous?: Memory;
  /** Prometheus mode when present: invocation increase over the `idle-after` window, by function name. */
  increases?: ReadonlyMap<string, number>;
  /**
   * When the edge last let a request of each preview through (state/visits.ts), by preview name, epoch ms: pages
   * from the bucket never reach the gateway's counters, so a visit is activity in both modes.
   */
  visits?: ReadonlyMap<string, number>;
  openPulls: ReadonlySet<number>;
  /** Top-level bucket prefixes that exist (`<name>/` or `<name>`). */
  prefixes: readonly string[];
  /** Names of the previews recorded in the bucket (state/records.ts); empty without a bucket. */
  records?: readonly string[];
  app: string;
  edition: Edition;
  now: number;
  idleAfterMs: number;
  maxAgeMs?: number;
}

export interface FunctionAction {
  name: string;
  pr: number;
  decision: Decision;
  reason: string;
  /** Human-readable last activity for the log and the summary. */
  lastActivity: string;
  /** Epoch ms of the last activity when known (state mode). */
  lastActivityAt?: number;
  /** For the sleeping comment: how long nobody called it. */
  idleFor?: string;
  /** The state entry this function carries (state mode); dropped from the next state when the function goes away. */
  observed?: FunctionMemory;
}

interface OrphanPrefix {
  name: string;
  pr: number;
  prefix: string;
}

export interface SweepPlan {
  mode: 'state' | 'prometheus';
  actions: FunctionAction[];
  orphans: OrphanPrefix[];
  /** Recorded previews of closed PRs that have no function: their teardown is finished from the record. */
  unfinished: { name: string; pr: number }[];
  /** The state to remember; undefined in Prometheus mode. */
  next?: Memory;
  /** True when `next` differs from the previous state (only then is it written). */
  changed: boolean;
}

/** Decisions that remove the function from the gateway. */
export function removesFunction(d: Decision): boolean {
  return d === 'sleep' || d === 'teardown';
}

/** Decisions that make a write call to the gateway. */
export function actsOn(d: Decision): boolean {
  return d === 'scale-to-zero' || removesFunction(d);
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** 2700000 → '45m', 93784000 → '1d 2h': the largest unit and the next one when not zero, rounded down; below a second → '0s'. */
export function formatDuration(ms: number): string {
  const first = UNITS.findIndex(([, size]) => ms >= size);
  if (first < 0) return '0s';
  const [unit, size] = UNITS[first];
  const n = Math.floor(ms / size);
  const out = `${n}${unit}`;
  const next = UNITS[first + 1];
  if (!next) return out;
  const m = Math.floor((ms - n * size) / next[1]);
  return m > 0 ? `${out} ${m}${next[0]}` : out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function parseTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

function validMemory(m: unknown): m is FunctionMemory {
  const e = m as FunctionMemory;
  return (
    typeof e === 'object' &&
    e !== null &&
    Number.isFinite(e.count) &&
    e.count >= 0 &&
    parseTime(e.changedAt) !== undefined
  );
}

interface Activity {
  text: string;
  at?: number;
  idle: boolean;
  idleFor?: string;
  observed?: FunctionMemory;
}

function stateActivity(f: ManagedFunction, previous: Memory, i: PlanInput): Activity {
  const count = f.invocationCount ?? 0;
  const prev = Object.hasOwn(previous, f.name) ? previous[f.name] : undefined;
  let observed: FunctionMemory;
  let note: string;
  if (!validMemory(prev)) {
    observed = { count, changedAt: iso(i.now) };
    note = 'first seen by the sweeper';
  } else if (count > prev.count) {
    observed = { count, changedAt: iso(i.now) };
    note = `invocations ${prev.count} → ${count}`;
  } else if (count < prev.count) {
    observed = { count, changedAt: iso(i.now) };
    note = `counter reset ${prev.count} → ${count}`;
  } else {
    observed = { count: prev.count, changedAt: prev.changedAt };
    note = `${count} invocations, unchanged`;
  }
  let at = parseTime(observed.changedAt)!;
  if (f.deployedAt !== undefined && f.deployedAt > at) {
    at = f.deployedAt;
    note = 'deployed';
  }
  const ago = i.now - at;
  const when = ago <= 0 ? 'now' : `${iso(at)} (${formatDuration(ago)} ago)`;
  return {
    text: `${when}; ${note}`,
    at,
    idle: ago >= i.idleAfterMs,
    idleFor: formatDuration(Math.max(0, ago)),
    observed,
  };
}

function prometheusActivity(f: ManagedFunction, increases: ReadonlyMap<string, number>, i: PlanInput): Activity {
  const window = formatDuration(i.idleAfterMs);
  const increase = increases.get(f.name) ?? 0;
  if (increase > 0) {
    const n = Number.isInteger(increase) ? String(increase) : increase.toFixed(1);
    return { text: `~${n} invocations in the last ${window} (Prometheus)`, idle: false };
  }
  return { text: `no invocations in the last ${window} (Prometheus)`, idle: true, idleFor: `at least ${window}` };
}

/** The activity, or the edge's last visit when that is later (a visit in the future counts as now). */
function withVisit(a: Activity, visit: number | undefined, i: PlanInput): Activity {
  if (visit === undefined || (a.at !== undefined && a.at >= visit) || (a.at === undefined && !a.idle)) return a;
  const at = Math.min(visit, i.now);
  const ago = i.now - at;
  return {
    ...a,
    text: `${ago <= 0 ? 'now' : `${iso(at)} (${formatDuration(ago)} ago)`}; visited through the edge`,
    at,
    idle: ago >= i.idleAfterMs,
    idleFor: formatDuration(Math.max(0, ago)),
  };
}

export function planSweep(i: PlanInput): SweepPlan {
  const mode = i.increases ? 'prometheus' : 'state';
  const previous = i.previous ?? {};
  const idleAfter = formatDuration(i.idleAfterMs);
  const actions: FunctionAction[] = [];

  for (const f of [...i.functions].sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name))) {
    const counted = i.increases ? prometheusActivity(f, i.increases, i) : stateActivity(f, previous, i);
    const activity = withVisit(counted, i.visits?.get(f.name), i);
    const base = {
      name: f.name,
      pr: f.pr,
      lastActivity: activity.text,
      lastActivityAt: activity.at,
      observed: activity.observed,
    };
    const act = (decision: Decision, reason: string, idleFor?: string): FunctionAction => ({
      ...base,
      decision,
      reason,
      ...(idleFor ? { idleFor } : {}),
    });
    const deployAge = f.deployedAt === undefined ? undefined : i.now - f.deployedAt;

    if (deployAge !== undefined && deployAge < i.idleAfterMs) {
      const age = deployAge <= 0 ? 'just now' : `${formatDuration(deployAge)} ago`;
      actions.push(act('keep', `deployed ${age}, less than idle-after (${idleAfter}): never touched`));
    } else if (!i.openPulls.has(f.pr)) {
      actions.push(act('teardown', `PR #${f.pr} is closed`));
    } else if (i.maxAgeMs !== undefined && deployAge !== undefined && deployAge >= i.maxAgeMs) {
      actions.push(
        act(
          'teardown',
          `last deployed ${formatDuration(deployAge)} ago, more than max-age (${formatDuration(i.maxAgeMs)})`,
        ),
      );
    } else if (i.edition === 'pro' && (f.replicas ?? 0) === 0) {
      actions.push(act('already-asleep', 'at zero replicas; the gateway wakes it on the next request'));
    } else if (activity.idle) {
      const idle = `idle for ${activity.idleFor}, idle-after is ${idleAfter}`;
      if (i.edition === 'pro') actions.push(act('scale-to-zero', `${idle}: scale to zero replicas`, activity.idleFor));
      else
        actions.push(
          act(
            'sleep',
            `${idle}: Community Edition cannot scale to zero, so the function is removed and the assets kept`,
            activity.idleFor,
          ),
        );
    } else {
      actions.push(act('keep', 'active'));
    }
  }

  const functionNames = new Set(i.functions.map((f) => f.name));
  const seen = new Set<string>();
  const unfinished: { name: string; pr: number }[] = [];
  for (const name of new Set(i.records ?? [])) {
    const pr = prFromName(i.app, name);
    if (pr !== undefined && !i.openPulls.has(pr) && !functionNames.has(name)) unfinished.push({ name, pr });
  }
  unfinished.sort((a, b) => a.pr - b.pr);
  const recorded = new Set(i.records ?? []);
  const orphans: OrphanPrefix[] = [];
  for (const raw of i.prefixes) {
    const name = raw.replace(/\/+$/, '');
    if (!name || name.includes('/') || seen.has(name)) continue;
    seen.add(name);
    const pr = prFromName(i.app, name);
    // Open PR without a function: a sleeping Community Edition preview, whose assets are kept on purpose.
    // A recorded one is finished by the full teardown above, assets included.
    if (pr === undefined || i.openPulls.has(pr) || functionNames.has(name) || recorded.has(name)) continue;
    orphans.push({ name, pr, prefix: `${name}/` });
  }
  orphans.sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name));

  if (mode === 'prometheus') return { mode, actions, orphans, unfinished, changed: false };
  const { next, changed } = finalState(actions, i.previous);
  return { mode, actions, orphans, unfinished, next, changed };
}

/**
 * The state to remember after acting (state mode): every function that stays on the gateway keeps its entry; one
 * whose removal failed (`failed`) stays too, so the next sweep does not take it for first seen.
 */
export function finalState(
  actions: readonly FunctionAction[],
  previous: Memory | undefined,
  failed: ReadonlySet<string> = new Set(),
): { next: Memory; changed: boolean } {
  const next: Memory = {};
  for (const a of [...actions].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
    if (!a.observed) continue;
    if (removesFunction(a.decision) && !failed.has(a.name)) continue;
    next[a.name] = { count: a.observed.count, changedAt: a.observed.changedAt };
  }
  return { next, changed: !sameMemory(previous ?? {}, next) };
}

function sameMemory(a: Memory, b: Memory): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => {
    const x = a[k];
    const y = b[k];
    return x !== undefined && y !== undefined && x.count === y.count && x.changedAt === y.changedAt;
  });
}

/** Data of previews whose PR is closed and that nothing else (function, record) will tear down. */
export interface OrphanData {
  /** Databases (with their roles) by preview. */
  databases: { preview: string; pr: number }[];
  /** OpenFaaS secrets named `<preview>-<key>`. */
  secrets: { name: string; preview: string; pr: number }[];
}

/**
 * Pure: which databases and secrets of this app's previews belong to closed PRs and are not covered by a teardown
 * of this sweep (a function or a record of the same preview is torn down whole, data included). Sleeping previews
 * of open PRs keep theirs.
 */
export function orphanData(i: {
  app: string;
  openPulls: ReadonlySet<number>;
  covered: ReadonlySet<string>;
  databases: readonly { preview: string; pr: number }[];
  secrets: readonly string[];
}): OrphanData {
  const loose = (preview: string, pr: number) => !i.openPulls.has(pr) && !i.covered.has(preview);
  const databases = i.databases.filter((d) => loose(d.preview, d.pr)).map((d) => ({ preview: d.preview, pr: d.pr }));
  const secrets: OrphanData['secrets'] = [];
  for (const name of i.secrets) {
    const of = previewOfSecret(i.app, name);
    if (of && loose(of.preview, of.pr)) secrets.push({ name, ...of });
  }
  return { databases, secrets: secrets.sort((a, b) => a.pr - b.pr || a.name.localeCompare(b.name)) };
}
