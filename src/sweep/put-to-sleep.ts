/**
 * Putting a Community Edition preview to sleep, the gateway and bucket part: the specs of all its functions are saved
 * for the waker (state/sleeping.ts), then the functions are deleted; assets, secrets and data stay. Shared by the
 * action (sweeper, a deploy making room: commands/sleep.ts, which also tells the PR) and the edge service (a wake
 * making room: waker/room.ts, which cannot reach GitHub and leaves a note instead), so both sleep a preview alike.
 */
import type { GatewayClient } from '../openfaas/client.js';
import { runningSpec, type FunctionStatus } from '../openfaas/types.js';
import { readRecord } from '../state/records.js';
import { saveSleeping } from '../state/sleeping.js';
import type { StateStore } from '../state/store.js';

export interface Slept {
  /** How many of the functions this call deleted (the others were gone already). */
  gone: number;
  /** Whether the specs were saved (no bucket: nothing to wake from). */
  saved: boolean;
  /** How long the preview's last deploy took to become ready, for "wakes in about …". */
  readyMs?: number;
}

export async function putToSleep(
  io: { gateway: Pick<GatewayClient, 'remove'>; store?: StateStore },
  name: string,
  fns: readonly FunctionStatus[],
  since: Date,
): Promise<Slept> {
  const { store } = io;
  // The record holds what the deploy sent; the gateway lists less (faasd: no requests, cpu limit, read-only flag).
  const record = store ? await readRecord(store, name) : undefined;
  // Saved before anything is deleted: a preview whose functions are gone but specs are not saved could never wake.
  if (store) await saveSleeping(store, name, record?.specs ?? fns.map(runningSpec), since);
  let gone = 0;
  for (const f of fns) gone += (await io.gateway.remove(f.name)) ? 1 : 0;
  return { gone, saved: Boolean(store), ...(record?.readyMs === undefined ? {} : { readyMs: record.readyMs }) };
}

/** Between listings of the gateway while deleted functions go: a Deployment's pods take seconds. */
const GONE_POLL_MS = 500;

/**
 * Waits until the gateway no longer lists `names`, until `deadline` (epoch ms; then it throws). faas-netes deletes a
 * function's Deployment in the foreground: it stays listed, and counted by the CE cap, until its pods have
 * terminated, and a create sent before then is refused as if no slot had been freed. faasd: one listing.
 */
export async function untilGone(
  gateway: Pick<GatewayClient, 'list'>,
  names: ReadonlySet<string>,
  deadline: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  for (;;) {
    const left = (await gateway.list()).filter((f) => names.has(f.name)).map((f) => f.name);
    if (left.length === 0) return;
    if (Date.now() >= deadline)
      throw new Error(`the functions put to sleep to make room are still on the gateway: ${left.join(', ')}`);
    await sleep(Math.min(GONE_POLL_MS, Math.max(1, deadline - Date.now())));
  }
}
