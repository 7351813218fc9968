/**
 * The sweeper's bucket I/O: its state object (`<state-prefix>/sweeper.json`: last seen invocation count and when it
 * last changed, per function) and the list of top-level preview prefixes for garbage collection.
 */
import { readJson, stateKey, writeJson, type StateStore } from './store.js';
import type { Settings } from '../settings.js';
import type { FunctionMemory, Memory } from '../sweep/plan.js';

const STATE_VERSION = 1;

interface StateFile {
  version: number;
  updatedAt: string;
  functions: Memory;
}

export function sweeperKey(statePrefix: string): string {
  return stateKey(statePrefix, 'sweeper.json');
}

/** Where idleness comes from; throws when neither source is configured. */
export function idleSource(settings: Pick<Settings, 'assets' | 'sweep'>): 'prometheus' | 'state' {
  if (settings.sweep.prometheusUrl) return 'prometheus';
  if (settings.assets?.bucket) return 'state';
  throw new Error(
    "command 'sweep' needs to know when previews were last used: set input 'prometheus-url' (the OpenFaaS Prometheus), " +
      "or input 'bucket' (with 's3-endpoint' and credentials as for the assets) so the sweeper can remember invocation counts in " +
      `'${sweeperKey(settings.sweep.statePrefix)}'`,
  );
}

function isMemory(v: unknown): v is FunctionMemory {
  const m = v as FunctionMemory;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.count === 'number' &&
    Number.isFinite(m.count) &&
    typeof m.changedAt === 'string'
  );
}

/**
 * Parses a stored state object. Anything unreadable yields an empty memory and a warning: every function then counts
 * as first seen (active now), which delays sleeping by one `idle-after` but never sleeps a preview in use.
 */
export function parseState(raw: unknown): { memory: Memory; warning?: string } {
  const file = raw as Partial<StateFile> | undefined;
  if (raw === undefined) return { memory: {} };
  if (
    typeof file !== 'object' ||
    file === null ||
    typeof file.functions !== 'object' ||
    file.functions === null ||
    Array.isArray(file.functions)
  ) {
    return { memory: {}, warning: 'the sweeper state is not an object with "functions"; starting afresh' };
  }
  if (file.version !== STATE_VERSION)
    return {
      memory: {},
      warning: `the sweeper state has version ${String(file.version)}, expected ${STATE_VERSION}; starting afresh`,
    };
  const memory: Memory = {};
  let dropped = 0;
  for (const [name, entry] of Object.entries(file.functions)) {
    if (isMemory(entry)) memory[name] = { count: entry.count, changedAt: entry.changedAt };
    else dropped++;
  }
  return { memory, warning: dropped ? `ignored ${dropped} malformed entries in the sweeper state` : undefined };
}

export async function loadState(store: StateStore): Promise<{ memory: Memory; found: boolean; warning?: string }> {
  const { bucket } = store;
  const key = sweeperKey(store.statePrefix);
  let raw: unknown;
  try {
    raw = await readJson<unknown>(store, key);
  } catch (err) {
    // A corrupt object must not stop the sweep forever; an unreachable bucket must stop it.
    if (err instanceof SyntaxError)
      return {
        memory: {},
        found: true,
        warning: `s3://${bucket}/${key} is not JSON (${err.message}); starting afresh`,
      };
    throw err;
  }
  return { ...parseState(raw), found: raw !== undefined };
}

export async function saveState(store: StateStore, memory: Memory, now: Date): Promise<void> {
  const file: StateFile = { version: STATE_VERSION, updatedAt: now.toISOString(), functions: memory };
  await writeJson(store, sweeperKey(store.statePrefix), file);
}

/** Top-level "directories" of the bucket (`<name>/`), every page of a delimited listing. */
export async function listTopPrefixes(store: StateStore): Promise<string[]> {
  return (await store.objects.list('', '/')).prefixes;
}
