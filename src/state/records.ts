/**
 * The record of a preview, `<state-prefix>/previews/<name>.json` in the bucket: written by deploy before its first
 * gateway write, removed by the last step of a complete teardown. So a teardown that died half-way (function gone
 * but assets, tags, deployment or comment left) is still known after the fact, and the sweeper finishes it from the
 * record rather than from whatever happens to be left on the gateway.
 */
import type { FunctionDeployment } from '../openfaas/types.js';
import { deleteJson, listJsonNames, readJson, stateKey, writeJson, type StateStore } from './store.js';

const RECORD_VERSION = 1;

export interface PreviewRecord {
  version: number;
  name: string;
  pr: number;
  sha: string;
  image: string;
  url: string;
  /** `owner/repo` the preview was deployed from: the edge's gate asks GitHub who can read it. */
  githubRepository?: string;
  /** ISO 8601 of the deploy that wrote it. */
  updatedAt: string;
  /** What the deploy sent to the gateway, once it was applied: the sweeper saves it when the preview sleeps. */
  specs?: FunctionDeployment[];
  /** How long the function took from its deploy request to ready: what a wake roughly costs. */
  readyMs?: number;
  /**
   * ISO 8601 of the last deploy seen ready, kept by the deploys after it: without it the preview's first deploy is
   * still running, or failed (`failedStep`), and the edge says so instead of "not found".
   */
  readyAt?: string;
  /** The step this deploy failed in (preview.ts FailedStep), when it failed after writing the record. */
  failedStep?: string;
  /**
   * Every repository this PR's deploys pushed to, or were about to: the teardown deletes the PR's tags in each, also
   * of functions that never ran (a failed deploy) or were dropped from the stack since.
   */
  repositories?: string[];
}

function folder(statePrefix: string): string {
  return stateKey(statePrefix, 'previews/');
}

function recordKey(statePrefix: string, name: string): string {
  return `${folder(statePrefix)}${name}.json`;
}

export async function saveRecord(store: StateStore, record: Omit<PreviewRecord, 'version'>): Promise<void> {
  await writeJson(store, recordKey(store.statePrefix, record.name), {
    version: RECORD_VERSION,
    ...record,
  });
}

export async function readRecord(store: StateStore, name: string): Promise<PreviewRecord | undefined> {
  return readJson<PreviewRecord>(store, recordKey(store.statePrefix, name));
}

/** A record's repositories: the strings of its list, whatever else the object in the bucket holds. */
export function recordRepositories(record: PreviewRecord | undefined): string[] {
  const list: unknown = record?.repositories;
  return Array.isArray(list) ? list.filter((r): r is string => typeof r === 'string' && r !== '') : [];
}

export async function deleteRecord(store: StateStore, name: string): Promise<void> {
  await deleteJson(store, recordKey(store.statePrefix, name));
}

/** Names of every recorded preview (the part of each key between the folder and `.json`). */
export async function listRecords(store: StateStore): Promise<string[]> {
  return (await listJsonNames(store, folder(store.statePrefix))).map((o) => o.name);
}
