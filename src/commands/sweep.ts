/**
 * sweep: take stock once (one function listing, the open PRs, the sweeper's memory, the bucket's prefixes and preview
 * records, the previews' databases and secrets) → decide (sweep/plan.ts, pure) → act, one gateway write per
 * acted-on function: scale to zero on Pro/Edge, sleep on Community Edition (delete the function, keep the assets and
 * data, say so on the PR), full teardown for closed PRs and expired previews, finish teardowns that died half-way
 * (from the preview records), delete orphan prefixes, databases and secrets, and tell the PRs of previews the edge
 * service put to sleep to make room for a wake (made-room-notes.ts). `dry-run` decides and changes nothing.
 *
 * A scale to zero is read back: a Community Edition gateway that does not call itself `-ce` (releases before 2023/24)
 * answers 200 and clamps the request to one replica, so the sweeper only says "scaled to 0" when it saw 0, and
 * sleeps the preview instead otherwise.
 */
import * as core from '@actions/core';
import { deletePrefix } from '../assets/sync.js';
import { forEachLimited } from '../concurrency.js';
import { CE_FUNCTION_LIMIT, effectiveLimit } from '../decide/quota.js';
import { listOpenPulls } from '../github/pulls.js';
import { log } from '../log.js';
import { isManagedBy, prFromName } from '../naming.js';
import type { Edition } from '../openfaas/client.js';
import type { FunctionStatus } from '../openfaas/types.js';
import { cellHtml, writeOutputs } from '../report.js';
import { CLOSED_KEEP_DAYS, closedBefore, deleteClosed } from '../state/closed.js';
import { listRecords } from '../state/records.js';
import {
  actsOn,
  finalState,
  formatDuration,
  orphanData,
  planSweep,
  removesFunction,
  type FunctionAction,
  type ManagedFunction,
  type Memory,
  type SweepPlan,
} from '../sweep/plan.js';
import { groupPreviews } from '../sweep/groups.js';
import { idleSource, listTopPrefixes, saveState, sweeperKey } from '../state/sweeper.js';
import { htmlText } from '../text/untrusted.js';
import { noteItems, type NoteItem } from './made-room-notes.js';
import { dropPreviewDatabase, withDatabases } from './preview-data.js';
import { readActivity, readVisits, sleepPreview } from './sleep.js';
import type { Services } from './services.js';
import { teardownPreview } from './teardown.js';

/** Acted-on previews handled at once: enough to sweep hundreds quickly, few enough for GitHub's secondary limits. */
const ACT_CONCURRENCY = 4;

/** One line of the plan: what it is, what was decided, and (unless it is to be kept) what doing it means. */
interface Item {
  name: string;
  pr: number;
  lastActivity: string;
  decision: string;
  run?: () => Promise<string>;
  /** A preview whose removal failed stays in the sweeper's memory. */
  removesFunction?: boolean;
  /** How many functions the preview has on the gateway. */
  functions?: number;
}

interface Inventory {
  edition: Edition;
  /** Every function the gateway listed, managed or not: what Community Edition's cap counts. */
  total: number;
  ours: FunctionStatus[];
  /** One per preview (sweep/groups.ts): activity summed over its functions. */
  managed: ManagedFunction[];
  members: Map<string, FunctionStatus[]>;
  openPulls: Set<number>;
  previous?: Memory;
  increases?: Map<string, number>;
  /** The edge's last visit of each preview (state/visits.ts). */
  visits: Map<string, number>;
  prefixes: string[];
  records: string[];
  /** This app's removed previews whose 410 tombstone outlived CLOSED_KEEP_DAYS (state/closed.ts). */
  tombstones: { name: string; pr: number }[];
  databases: { preview: string; pr: number }[];
  secrets: string[];
  /** The edge service's notes of previews it put to sleep to make room for a wake (made-room-notes.ts). */
  notes: NoteItem[];
}

function bucketOf(s: Services) {
  return s.settings.assets && s.bucket && s.state
    ? { s3: s.bucket, state: s.state, name: s.settings.assets.bucket }
    : undefined;
}

/** Everything the decision needs, each source read once. */
async function inventory(s: Services): Promise<Inventory> {
  const { settings, ctx, gateway } = s;
  const bucket = bucketOf(s);
  // Before anything is asked: a sweep without a source of idleness stops here, naming the inputs.
  idleSource(settings);
  // The only function listing of the run: everything below works from it.
  const listed = await gateway.list();
  const { edition } = await gateway.provider();
  const ours = listed.filter((f) => isManagedBy(f.labels, ctx.repo.owner, ctx.repo.repo));
  const { increases, previous } = await readActivity(s);
  const groups = groupPreviews(settings.app, ours, increases);
  const visits = await readVisits(
    s,
    groups.previews.map((p) => p.name),
  );
  for (const f of groups.strays)
    log.info(`${f}: managed by this repository but no preview named ${settings.app}-pr-<n> (input 'app'); left alone`);
  const inv: Inventory = {
    edition,
    total: listed.length,
    ours,
    managed: groups.previews,
    members: groups.members,
    increases: groups.increases,
    previous,
    visits,
    openPulls: await listOpenPulls(s.octokit, ctx.repo),
    prefixes: [],
    records: [],
    tombstones: [],
    databases: [],
    secrets: [],
    notes: [],
  };
  if (bucket) {
    inv.prefixes = await listTopPrefixes(bucket.state);
    inv.records = await listRecords(s.state!);
    inv.tombstones = await oldTombstones(s, s.now());
    inv.notes = await noteItems(s, new Set(groups.members.keys()), inv.openPulls);
  }
  inv.secrets = await gateway.secretNames();
  inv.databases = await listDatabases(s);
  return inv;
}

async function oldTombstones(s: Services, now: Date): Promise<{ name: string; pr: number }[]> {
  const before = new Date(now.getTime() - CLOSED_KEEP_DAYS * 86_400_000);
  const names = await closedBefore(s.state!, before);
  return names.flatMap((name) => {
    const pr = prFromName(s.settings.app, name);
    return pr === undefined ? [] : [{ name, pr }];
  });
}

async function listDatabases(s: Services): Promise<{ preview: string; pr: number }[]> {
  return (await withDatabases(s, (dbs) => dbs.list(s.settings.app))) ?? [];
}

export async function sweep(s: Services): Promise<void> {
  const sw = s.settings.sweep;
  const inv = await inventory(s);
  const now = s.now();
  const plan = planSweep({
    ...inv,
    functions: inv.managed,
    app: s.settings.app,
    now: now.getTime(),
    idleAfterMs: sw.idleAfterMs,
    maxAgeMs: sw.maxAgeMs,
  });
  const items = workItems(s, plan, inv);
  const dry = sw.dryRun ? '[dry-run] ' : '';
  const where = inv.increases ? 'Prometheus' : `s3://${bucketOf(s)!.name}/${sweeperKey(sw.statePrefix)}`;
  log.info(
    `${dry}Sweeping ${inv.managed.length} previews on a ${inv.edition === 'pro' ? 'Pro/Edge' : 'Community Edition'} gateway, ${inv.openPulls.size} open PRs, idleness from ${where}, idle-after ${formatDuration(sw.idleAfterMs)}`,
  );
  for (const i of items) log.info(`${dry}${i.name} (PR #${i.pr}): ${i.decision}; last activity ${i.lastActivity}`);

  const results = new Map<Item, string>();
  const errors: string[] = [];
  if (!sw.dryRun) {
    await forEachLimited(
      items.filter((i) => i.run),
      ACT_CONCURRENCY,
      async (i) => {
        try {
          results.set(i, await i.run!());
          log.info(`${i.name}: ${results.get(i)}`);
        } catch (err) {
          errors.push(`${i.name}: ${(err as Error).message}`);
          log.error(`${i.name} (${i.decision}): ${(err as Error).message}`);
          results.set(i, `failed: ${(err as Error).message}`);
        }
      },
    );
    const failedRemovals = new Set(
      items.filter((i) => i.removesFunction && results.get(i)?.startsWith('failed:')).map((i) => i.name),
    );
    await remember(s, plan, inv.previous, failedRemovals, now);
  }
  await report(s, inv, items, results, errors.length, where);
  if (errors.length)
    throw new Error(
      `${errors.length} of ${items.filter((i) => i.run).length} sweep actions failed; first: ${errors[0]}`,
    );
}

/** The plan as a list of things to do, each with its action. */
function workItems(s: Services, plan: SweepPlan, inv: Inventory): Item[] {
  const covered = new Set([...inv.managed.map((f) => f.name), ...plan.unfinished.map((u) => u.name)]);
  const data = orphanData({
    app: s.settings.app,
    openPulls: inv.openPulls,
    covered,
    databases: inv.databases,
    secrets: inv.secrets,
  });
  const bucket = bucketOf(s);
  const none = '(no function)';
  return [
    ...plan.actions.map((a) => ({
      name: a.name,
      pr: a.pr,
      lastActivity: a.lastActivity,
      decision: `${a.decision}: ${a.reason}`,
      run: actsOn(a.decision) ? () => act(s, a, inv.members.get(a.name)!, inv.ours) : undefined,
      removesFunction: removesFunction(a.decision),
      functions: inv.members.get(a.name)!.length,
    })),
    ...plan.unfinished.map((u) => ({
      name: u.name,
      pr: u.pr,
      lastActivity: none,
      decision: `finish teardown: PR #${u.pr} is closed, its record is left`,
      run: async () =>
        `teardown finished: ${receipt((await teardownPreview(s, u.pr, `PR #${u.pr} is closed (an earlier teardown did not finish)`, inv.ours)).removed)}`,
    })),
    ...plan.orphans.map((o) => ({
      name: o.prefix,
      pr: o.pr,
      lastActivity: none,
      decision: `delete orphan prefix: PR #${o.pr} is closed`,
      run: async () => `${(await deletePrefix(bucket!.s3, bucket!.name, o.prefix)).deleted} objects deleted`,
    })),
    ...inv.tombstones.map((t) => ({
      name: t.name,
      pr: t.pr,
      lastActivity: none,
      decision: `forget the removed preview: its address has answered 410 for over ${CLOSED_KEEP_DAYS} days`,
      run: async () => (await deleteClosed(s.state!, t.name), 'tombstone deleted'),
    })),
    ...data.databases.map((d) => ({
      name: d.preview,
      pr: d.pr,
      lastActivity: none,
      decision: `drop orphan database: PR #${d.pr} is closed`,
      run: () => dropDatabase(s, d.preview),
    })),
    ...data.secrets.map((x) => ({
      name: x.name,
      pr: x.pr,
      lastActivity: none,
      decision: `delete orphan secret: PR #${x.pr} is closed`,
      run: async () => (await s.gateway.deleteSecret(x.name), 'deleted'),
    })),
    ...inv.notes,
  ];
}

const receipt = (removed: string[]) => (removed.length ? removed.join(', ') : 'nothing was left');

async function dropDatabase(s: Services, preview: string): Promise<string> {
  const dropped = await withDatabases(s, (dbs) => dropPreviewDatabase(dbs, preview));
  return dropped ? `dropped database ${dropped.name}${dropped.role ? ' and its role' : ''}` : 'nothing was left';
}

/** The sweeper's memory, written only when it changed (state mode). */
async function remember(
  s: Services,
  plan: SweepPlan,
  previous: Memory | undefined,
  failedRemovals: Set<string>,
  now: Date,
): Promise<void> {
  if (plan.mode !== 'state') return;
  const store = s.state!;
  const key = sweeperKey(store.statePrefix);
  const state = finalState(plan.actions, previous, failedRemovals);
  if (!state.changed) {
    log.info(`State unchanged; s3://${store.bucket}/${key} not rewritten`);
    return;
  }
  await saveState(store, state.next, now);
  log.info(`State written to s3://${store.bucket}/${key} (${Object.keys(state.next).length} functions)`);
}

const sleeper = (s: Services, a: FunctionAction) => ({
  name: a.name,
  pr: a.pr,
  idleFor: a.idleFor ?? formatDuration(s.settings.sweep.idleAfterMs),
});

/** One acted-on preview: one gateway write per function (scale or delete; a scale that did not reach zero adds the delete). */
async function act(s: Services, a: FunctionAction, fns: FunctionStatus[], listed: FunctionStatus[]): Promise<string> {
  switch (a.decision) {
    case 'scale-to-zero': {
      for (const f of fns) await s.gateway.scale(f.name, 0);
      const after = await Promise.all(
        fns.map(async (f) => ({ name: f.name, replicas: (await s.gateway.get(f.name))?.replicas ?? 0 })),
      );
      const awake = after.filter((x) => x.replicas > 0);
      if (!awake.length)
        return `scaled to 0 replicas${fns.length > 1 ? ` (${fns.length} functions)` : ''}; the next request wakes it`;
      const seen = `the gateway answered the scale to 0 but reports ${awake.map((x) => `${fns.length > 1 ? `${x.name} ` : ''}replicas=${x.replicas}`).join(', ')}`;
      log.warning(
        `${a.name}: ${seen}, which a Community Edition gateway does (it clamps to 1); putting it to sleep instead`,
      );
      return `${seen}; ${await sleepPreview(s, sleeper(s, a), fns)}`;
    }
    case 'sleep':
      return sleepPreview(s, sleeper(s, a), fns);
    case 'teardown':
      return `torn down: ${receipt((await teardownPreview(s, a.pr, a.reason, listed)).removed)}`;
    default:
      return 'nothing to do';
  }
}

/** The count against the limit, the outputs, and the summary's decision table. */
async function report(
  s: Services,
  inv: Inventory,
  items: Item[],
  results: Map<Item, string>,
  failures: number,
  where: string,
): Promise<void> {
  const sw = s.settings.sweep;
  const removed = sw.dryRun
    ? []
    : items.filter((i) => i.removesFunction && results.has(i) && !results.get(i)!.startsWith('failed:'));
  const removedFunctions = removed.reduce((n, i) => n + (i.functions ?? 1), 0);
  const functions = inv.ours.length - removedFunctions;
  const previews = inv.managed.length - removed.length;
  const remaining = previews === functions ? String(previews) : `${previews} (${functions} functions)`;
  const limit = effectiveLimit(sw.maxPreviews, inv.edition);
  const count = limit > 0 ? `${remaining} of ${limit} (max-previews)` : `${remaining} (no limit)`;
  log.info(`Previews of this repository on the gateway: ${count}`);
  // What decides whether the next preview fits on Community Edition: every function, whoever deployed it.
  const cap =
    inv.edition === 'community'
      ? `${inv.total - removedFunctions} of ${CE_FUNCTION_LIMIT} (Community Edition counts every function; ${functions} are previews of this repository)`
      : undefined;
  if (cap) log.info(`Functions on the gateway: ${cap}`);
  const acted = items.filter((i) => i.run).length;
  await writeOutputs({ result: 'swept' }, sw.dryRun ? 'Preview sweep (dry run: nothing changed)' : 'Preview sweep', [
    [
      'Edition',
      inv.edition === 'pro' ? 'Pro / Edge (scale to zero)' : 'Community Edition (sleep = delete function, keep assets)',
    ],
    ['Idleness from', inv.increases ? where : { code: where }],
    ['Previews of this repository', count],
    ...(cap ? [['Functions on the gateway', cap] as [string, string]] : []),
    ['Acted on', `${acted}${failures ? ` (${failures} failed)` : ''}`],
  ]);
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const result = (i: Item) => (!i.run ? 'nothing to do' : sw.dryRun ? 'dry run: not applied' : (results.get(i) ?? ''));
  const header = ['Function', 'PR', 'Last activity', 'Decision', 'Result'].map((data) => ({ data, header: true }));
  const body = items.map((i) => [
    cellHtml({ code: i.name }),
    htmlText(`#${i.pr}`),
    htmlText(i.lastActivity),
    htmlText(i.decision),
    htmlText(result(i)),
  ]);
  await core.summary
    .addHeading('Decisions', 4)
    .addTable([header, ...(body.length ? body : [['(no managed previews)', '', '', '', '']])])
    .write();
}
