/**
 * A sleeping Community Edition preview: `<state-prefix>/sleeping/<name>.json` holds the exact FunctionDeployment of
 * each function the sweeper removed (a preview may have several: `<name>` and `<name>-<fn>`), so the waker (src/waker/) can re-create the function on the next visit. The object exists only
 * while the preview sleeps: the sweeper writes it before it deletes the function; a deploy (the preview is awake
 * again, on a newer spec) and a wake delete it; a teardown deletes it, so a closed PR never wakes.
 */
import type { FunctionDeployment } from '../openfaas/types.js';
import { deleteJson, readJson, readTime, stateKey, writeJson, writeTime, type StateStore } from './store.js';

const SLEEPING_VERSION = 1;

export interface SleepingPreview {
  version: number;
  /** ISO 8601: when the sweeper put it to sleep. */
  since: string;
  /** Exactly what was deployed, one FunctionDeployment per function, to POST again. */
  specs: FunctionDeployment[];
}

export function sleepingKey(statePrefix: string, name: string): string {
  return stateKey(statePrefix, `sleeping/${name}.json`);
}

export async function saveSleeping(
  store: StateStore,
  name: string,
  specs: FunctionDeployment[],
  since: Date,
): Promise<void> {
  const body: SleepingPreview = { version: SLEEPING_VERSION, since: since.toISOString(), specs };
  await writeJson(store, sleepingKey(store.statePrefix, name), body);
}

/** A spec of preview `name`: its own function or one of its `<name>-<fn>` functions. */
function belongs(name: string, spec: unknown): boolean {
  const s = spec as { service?: unknown; image?: unknown } | null;
  return (
    typeof s?.service === 'string' &&
    typeof s.image === 'string' &&
    (s.service === name || s.service.startsWith(`${name}-`))
  );
}

/** The saved specs, or undefined when the preview is not asleep (or the object is not one of ours). */
export async function readSleeping(store: StateStore, name: string): Promise<SleepingPreview | undefined> {
  const raw = await readJson<SleepingPreview>(store, sleepingKey(store.statePrefix, name));
  if (
    !raw ||
    raw.version !== SLEEPING_VERSION ||
    !Array.isArray(raw.specs) ||
    raw.specs.length === 0 ||
    !raw.specs.every((x) => belongs(name, x))
  )
    return undefined;
  return raw;
}

export async function deleteSleeping(store: StateStore, name: string): Promise<void> {
  await deleteJson(store, sleepingKey(store.statePrefix, name));
}

/**
 * `<state-prefix>/waking/<name>.json`: a wake of `name` is under way until `until` (ISO 8601, its deadline). Another
 * replica of the waker that finds the functions already there reads it to tell that wake (wait for it) from a
 * sweeper about to put the preview to sleep (the functions were there all along).
 */
const wakingKey = (statePrefix: string, name: string) => stateKey(statePrefix, `waking/${name}.json`);

export async function markWaking(store: StateStore, name: string, until: Date): Promise<void> {
  await writeTime(store, wakingKey(store.statePrefix, name), 'until', until);
}

/** When the wake under way ends at the latest, or undefined when none is. */
export async function wakingUntil(store: StateStore, name: string): Promise<number | undefined> {
  return readTime(store, wakingKey(store.statePrefix, name), 'until');
}

export async function clearWaking(store: StateStore, name: string): Promise<void> {
  await deleteJson(store, wakingKey(store.statePrefix, name));
}
