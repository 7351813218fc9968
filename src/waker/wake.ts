/**
 * One wake of a sleeping preview: read its saved specs, check them, re-create the functions that are missing within
 * Community Edition's function limit (making room when the gateway is full: room.ts), wait until each is ready
 * (docs/architecture.md, "What a preview promises", for a new function), then delete the saved specs: the preview is
 * awake. Every step runs within one deadline.
 *
 * A function that exists is never deployed again, not even when it appears between the listing and the create: it
 * may be a newer version a deploy just created. When all of them exist, either another replica's wake created them
 * (it marked its wake in the bucket first: this one waits until that wake is done, and its requests then count as
 * never run, as they would had it created the functions itself), or the preview is awake already and the saved
 * specs are left alone: the sweeper may be between saving them and deleting the functions, and removing them then
 * would leave a preview that can never wake.
 */
import { CE_FUNCTION_LIMIT } from '../decide/quota.js';
import type { GatewayClient } from '../openfaas/client.js';
import { waitUntilReady } from '../openfaas/readiness.js';
import type { FunctionDeployment } from '../openfaas/types.js';
import { LABELS } from '../naming.js';
import { clearWaking, deleteSleeping, markWaking, readSleeping, wakingUntil } from '../state/sleeping.js';
import type { StateStore } from '../state/store.js';
import { makeRoomForWake, type RoomDeps } from './room.js';
import { refusal, type Repository } from './specs.js';

export type WakeOutcome =
  /** No saved specs: never deployed, torn down, or not asleep. */
  | { kind: 'not-asleep' }
  | { kind: 'refused'; reason: string }
  | { kind: 'full'; running: number; needed: number }
  /**
   * `functions`: every function of the preview; `created`: those missing when this wake looked, re-created by it or
   * meanwhile by another waker (a replica) or a deploy, or all of them when another replica's wake was under way
   * and created them. Requests waiting for the wake have not run on them.
   */
  | { kind: 'awake'; functions: string[]; created: string[] }
  | { kind: 'failed'; functions: string[]; reason: string }
  | { kind: 'timeout'; functions: string[]; reason: string };

export interface WakeDeps {
  gateway: GatewayClient;
  store: StateStore;
  repositories: readonly Repository[];
  readyPath: string;
  /** On a full Community Edition gateway, previews nobody used for this long may be put to sleep to make room. */
  idleAfterMs: number;
  timeoutMs: number;
  requestTimeoutMs: number;
  now?: () => number;
  /** How another replica's wake is waited for (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
  /** What went wrong without failing the wake; the caller scrubs secrets. */
  log?: (line: string) => void;
}

/** How often a replica looks whether another replica's wake of the same preview is done. */
const POLL_MS = 200;

/** Outcomes not worth repeating for a while: a failed wake, and specs this waker refuses (each try would read and log them again). */
export function isFailure(o: WakeOutcome): boolean {
  return o.kind === 'full' || o.kind === 'failed' || o.kind === 'timeout' || o.kind === 'refused';
}

export async function wake(d: WakeDeps, name: string): Promise<WakeOutcome> {
  const now = d.now ?? Date.now;
  const deadline = now() + d.timeoutMs;
  const remaining = () => Math.max(1, deadline - now());
  let functions: string[] = [];
  let marked = false;
  try {
    const saved = await readSleeping(d.store, name);
    if (!saved) return { kind: 'not-asleep' };
    const why = refusal(saved.specs, { repositories: d.repositories, namespace: d.gateway.namespace });
    if (why) return { kind: 'refused', reason: why };
    functions = saved.specs.map((s) => s.service);
    const [provider, listed] = await Promise.all([d.gateway.provider(), d.gateway.list()]);
    const existing = new Set(listed.map((f) => f.name));
    const missing = saved.specs.filter((s) => !existing.has(s.service));
    if (missing.length === 0) return await wokenElsewhere(d, name, functions, deadline);
    // Marked before room is made: another replica making room for another wake leaves this preview alone.
    marked = await mark(d, name, deadline);
    const full = provider.edition === 'community' && listed.length + missing.length > CE_FUNCTION_LIMIT;
    if (full && !(await makeRoomForWake(roomDeps(d, deadline), { name, specs: saved.specs }, listed, missing.length))) {
      if (marked) await clearWaking(d.store, name).catch(() => undefined);
      return { kind: 'full', running: listed.length, needed: missing.length };
    }
    // Create only, never twice: when the gateway says the function exists now (faasd 400 "already exists"), another
    // replica of the waker is waking the same preview at the same moment, or a deploy created a newer version. Its
    // create is not repeated and the function is not overwritten; it is waited for like ours, as it is (its own image
    // and sha), so no request is let through before it is ready. It was missing when this wake looked, so the
    // requests waiting here have not run anywhere: it counts as created.
    const created = await Promise.all(
      missing.map(async (spec) =>
        (await d.gateway.create(spec, remaining())) ? spec : await asItIs(d.gateway, spec, deadline),
      ),
    );
    await Promise.all(
      created.map((spec) =>
        waitUntilReady(d.gateway, provider, readiness(spec, d.readyPath), {
          timeoutMs: remaining(),
          requestTimeoutMs: d.requestTimeoutMs,
        }),
      ),
    );
    await deleteSleeping(d.store, name);
    // The preview is awake; a mark left behind expires at the deadline, and the teardown removes it.
    if (marked) await clearWaking(d.store, name).catch(() => undefined);
    return { kind: 'awake', functions, created: created.map((s) => s.service) };
  } catch (err) {
    // Another replica waiting for this wake stops waiting; the mark is harmless when it cannot be removed.
    if (marked) await clearWaking(d.store, name).catch(() => undefined);
    const reason = err instanceof Error ? err.message : String(err);
    return now() >= deadline ? { kind: 'timeout', functions, reason } : { kind: 'failed', functions, reason };
  }
}

/**
 * Marks the wake in the bucket. Without the mark it still works; only a replica finding the functions early does not
 * wait for it, and a replica making room for another wake may take this preview's new functions for idle ones.
 */
async function mark(d: WakeDeps, name: string, deadline: number): Promise<boolean> {
  return markWaking(d.store, name, new Date(deadline)).then(
    () => true,
    (err: Error) => (d.log?.(`wake of ${name} not marked in the bucket: ${err.message}`), false),
  );
}

function roomDeps(d: WakeDeps, deadline: number): RoomDeps {
  const { gateway, store, repositories, idleAfterMs } = d;
  const log = d.log ?? (() => undefined);
  return { gateway, store, repositories, idleAfterMs, now: d.now ?? Date.now, deadline, log };
}

/**
 * Every function exists. With another replica's wake under way, it created them after this replica's requests were
 * answered 404: wait until it has seen them ready (it deletes the saved specs), and they count as created here.
 * Without one, the preview was awake already (created: none).
 */
async function wokenElsewhere(d: WakeDeps, name: string, functions: string[], deadline: number): Promise<WakeOutcome> {
  const now = d.now ?? Date.now;
  const sleep = d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  if (((await wakingUntil(d.store, name)) ?? 0) <= now()) return { kind: 'awake', functions, created: [] };
  for (;;) {
    // The mark before the specs: that wake deletes the specs first, so a mark gone while the specs are still there
    // means it failed, never that it finished between the two reads.
    const markedUntil = (await wakingUntil(d.store, name)) ?? 0;
    if (!(await readSleeping(d.store, name))) return { kind: 'awake', functions, created: functions };
    if (markedUntil <= now())
      return { kind: 'failed', functions, reason: 'the wake another replica began did not finish' };
    if (now() >= deadline)
      return { kind: 'timeout', functions, reason: "another replica's wake was not done within the deadline" };
    await sleep(Math.min(POLL_MS, deadline - now()));
  }
}

/** The function another waker or a deploy created meanwhile, with the image and labels the gateway holds. */
async function asItIs(gateway: GatewayClient, spec: FunctionDeployment, deadline: number): Promise<FunctionDeployment> {
  const status = await gateway.get(spec.service, deadline);
  if (!status) throw new Error(`function ${spec.service} neither could be created nor exists`);
  return { ...spec, image: status.image, labels: status.labels };
}

function readiness(spec: FunctionDeployment, readyPath: string) {
  return { name: spec.service, image: spec.image, sha: spec.labels?.[LABELS.sha] ?? '', readyPath, created: true };
}
