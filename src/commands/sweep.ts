/**
 * sweep: list managed functions once → decide (sweep/plan.ts, pure) → act, one gateway write per acted-on function:
 * scale to zero on Pro/Edge, sleep on Community Edition (delete the function, keep the assets, say so on the PR),
 * full teardown for closed PRs and expired previews, finish teardowns that died half-way (from the preview records),
 * delete orphan prefixes. `dry-run` decides and changes nothing.
 *
 * A scale to zero is read back: a Community Edition gateway that does not call itself `-ce` (releases before 2023/24)
 * answers 200 and clamps the request to one replica, so the sweeper only says "scaled to 0" when it saw 0, and
 * sleeps the preview instead otherwise.
 */
import * as core from '@actions/core';
import { deletePrefix } from '../assets/sync.js';
import { effectiveLimit } from '../decide/quota.js';
import { renderComment } from '../github/comment-text.js';
import { PreviewComment } from '../github/comment.js';
import { listOpenPulls } from '../github/pulls.js';
import { ANNOTATIONS, LABELS, isManagedBy, prFromName, previewUrl } from '../naming.js';
import type { FunctionStatus } from '../openfaas/types.js';
import { cellHtml, writeOutputs } from '../report.js';
import { listRecords } from '../state/previews.js';
import { htmlText } from '../text/untrusted.js';
import { actsOn, finalState, formatDuration, planSweep, removesFunction, type FunctionAction, type ManagedFunction } from '../sweep/plan.js';
import { queryIncreases } from '../sweep/prometheus.js';
import { idleSource, listTopPrefixes, loadState, saveState, stateKey } from '../sweep/state.js';
import type { Services } from './services.js';
import { teardownPreview } from './teardown.js';
import { log } from '../log.js';

/** Acted-on previews handled at once: enough to sweep hundreds quickly, few enough for GitHub's secondary limits. */
const ACT_CONCURRENCY = 4;

interface Row {
  name: string;
  pr: number | string;
  lastActivity: string;
  decision: string;
  result: string;
}

function deployedAt(f: FunctionStatus): number | undefined {
  for (const text of [f.annotations?.[ANNOTATIONS.deployedAt], f.createdAt]) {
    const ms = text ? Date.parse(text) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function sweep(s: Services): Promise<void> {
  const { settings, ctx, gateway, octokit } = s;
  const sw = settings.sweep;
  const source = idleSource(settings);
  const bucket = settings.assets && s.s3 ? { client: s.s3, name: settings.assets.bucket } : undefined;
  const key = stateKey(sw.statePrefix);

  // The only function listing of the run: everything below works from it.
  const listed = await gateway.list();
  const { edition } = await gateway.provider();
  const ours = listed.filter((f) => isManagedBy(f.labels, ctx.repo.owner, ctx.repo.repo));
  const byName = new Map<string, FunctionStatus>();
  const managed: ManagedFunction[] = [];
  for (const f of ours) {
    const pr = prFromName(settings.app, f.name);
    if (pr === undefined) {
      log.info(`${f.name}: managed by this repository but not named ${settings.app}-pr-<n> (input 'app'); left alone`);
      continue;
    }
    byName.set(f.name, f);
    managed.push({ name: f.name, pr, replicas: f.replicas, invocationCount: f.invocationCount, deployedAt: deployedAt(f) });
  }
  const openPulls = await listOpenPulls(octokit, ctx.repo);

  let previous: Record<string, { count: number; changedAt: string }> | undefined;
  let increases: Map<string, number> | undefined;
  if (source === 'prometheus') {
    increases = await queryIncreases({ url: sw.prometheusUrl!, auth: sw.prometheusAuth, timeoutMs: settings.requestTimeoutMs, log: (line) => log.info(line) }, sw.idleAfterMs, settings.gateway.namespace);
  } else {
    const loaded = await loadState(bucket!.client, bucket!.name, key);
    if (loaded.warning) log.warning(loaded.warning);
    previous = loaded.memory;
  }
  const prefixes = bucket ? await listTopPrefixes(bucket.client, bucket.name) : [];
  const records = bucket ? await listRecords({ client: bucket.client, bucket: bucket.name, statePrefix: sw.statePrefix }) : [];

  const now = s.now();
  const plan = planSweep({
    functions: managed,
    previous,
    increases,
    openPulls,
    prefixes,
    records,
    app: settings.app,
    edition,
    now: now.getTime(),
    idleAfterMs: sw.idleAfterMs,
    maxAgeMs: sw.maxAgeMs,
  });

  const dry = sw.dryRun ? '[dry-run] ' : '';
  log.info(
    `${dry}Sweeping ${managed.length} previews on a ${edition === 'pro' ? 'Pro/Edge' : 'Community Edition'} gateway, ${openPulls.size} open PRs, ` +
      `idleness from ${source === 'prometheus' ? 'Prometheus' : `s3://${bucket!.name}/${key}`}, idle-after ${formatDuration(sw.idleAfterMs)}`,
  );
  for (const a of plan.actions) log.info(`${dry}${a.name} (PR #${a.pr}): ${a.decision}: ${a.reason}; last activity ${a.lastActivity}`);
  for (const u of plan.unfinished) log.info(`${dry}${u.name} (PR #${u.pr}): finish the teardown (PR is closed, the function is gone, its record is left)`);
  for (const o of plan.orphans) log.info(`${dry}${o.prefix}: delete orphan prefix (PR #${o.pr} is closed and has no function)`);

  const results = new Map<string, string>();
  const failed = new Set<string>();
  const errors: string[] = [];
  const fail = (what: string, err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    errors.push(`${what}: ${message}`);
    log.error(`${what}: ${message}`);
    return `failed: ${message}`;
  };

  if (!sw.dryRun) {
    await eachLimited(
      plan.actions.filter((a) => actsOn(a.decision)),
      ACT_CONCURRENCY,
      async (a) => {
        try {
          results.set(a.name, await act(s, a, byName.get(a.name)!));
          log.info(`${a.name}: ${results.get(a.name)}`);
        } catch (err) {
          failed.add(a.name);
          results.set(a.name, fail(`${a.name} (${a.decision})`, err));
        }
      },
    );
    await eachLimited(plan.unfinished, ACT_CONCURRENCY, async (u) => {
      try {
        const r = await teardownPreview(s, u.pr, `PR #${u.pr} is closed (an earlier teardown did not finish)`);
        results.set(u.name, `teardown finished: ${r.removed.length ? r.removed.join(', ') : 'nothing was left'}`);
        log.info(`${u.name}: ${results.get(u.name)}`);
      } catch (err) {
        results.set(u.name, fail(`${u.name} (finish teardown)`, err));
      }
    });
    await eachLimited(plan.orphans, ACT_CONCURRENCY, async (o) => {
      try {
        const { deleted } = await deletePrefix(bucket!.client, bucket!.name, o.prefix);
        results.set(o.prefix, `${deleted} objects deleted`);
        log.info(`${o.prefix}: ${deleted} objects deleted`);
      } catch (err) {
        results.set(o.prefix, fail(`orphan prefix ${o.prefix}`, err));
      }
    });

    if (plan.mode === 'state') {
      const state = finalState(plan.actions, previous, failed);
      if (state.changed) {
        await saveState(bucket!.client, bucket!.name, key, state.next, now);
        log.info(`State written to s3://${bucket!.name}/${key} (${Object.keys(state.next).length} functions)`);
      } else {
        log.info(`State unchanged; s3://${bucket!.name}/${key} not rewritten`);
      }
    }
  }

  const removed = plan.actions.filter((a) => removesFunction(a.decision) && !sw.dryRun && !failed.has(a.name)).length;
  const remaining = ours.length - removed;
  const limit = effectiveLimit(sw.maxPreviews, edition);
  const count = limit > 0 ? `${remaining} of ${limit} (max-previews)` : `${remaining} (no limit)`;
  log.info(`Previews on the gateway: ${count}`);

  const rows: Row[] = [
    ...plan.actions.map((a) => ({
      name: a.name,
      pr: a.pr,
      lastActivity: a.lastActivity,
      decision: `${a.decision}: ${a.reason}`,
      result: actsOn(a.decision) ? (sw.dryRun ? 'dry run: not applied' : results.get(a.name) ?? '') : 'nothing to do',
    })),
    ...plan.unfinished.map((u) => ({
      name: u.name,
      pr: u.pr,
      lastActivity: '(no function)',
      decision: `finish teardown: PR #${u.pr} is closed`,
      result: sw.dryRun ? 'dry run: not applied' : results.get(u.name) ?? '',
    })),
    ...plan.orphans.map((o) => ({
      name: o.prefix,
      pr: o.pr,
      lastActivity: '(no function)',
      decision: `delete orphan prefix: PR #${o.pr} is closed`,
      result: sw.dryRun ? 'dry run: not applied' : results.get(o.prefix) ?? '',
    })),
  ];
  const acted = plan.actions.filter((a) => actsOn(a.decision)).length + plan.unfinished.length + plan.orphans.length;
  await writeOutputs({ result: 'swept' }, sw.dryRun ? 'Preview sweep (dry run: nothing changed)' : 'Preview sweep', [
    ['Edition', edition === 'pro' ? 'Pro / Edge (scale to zero)' : 'Community Edition (sleep = delete function, keep assets)'],
    ['Idleness from', source === 'prometheus' ? 'Prometheus' : { code: `s3://${bucket!.name}/${key}` }],
    ['Previews', count],
    ['Acted on', `${acted}${errors.length ? ` (${errors.length} failed)` : ''}`],
  ]);
  await writeDecisionTable(rows);

  if (errors.length) throw new Error(`${errors.length} of ${acted} sweep actions failed; first: ${errors[0]}`);
}

/** One acted-on function: one gateway write (scale or delete; a scale that did not reach zero adds the delete). */
async function act(s: Services, a: FunctionAction, f: FunctionStatus): Promise<string> {
  switch (a.decision) {
    case 'scale-to-zero': {
      await s.gateway.scale(a.name, 0);
      const after = await s.gateway.get(a.name);
      if ((after?.replicas ?? 0) === 0) return 'scaled to 0 replicas; the next request wakes it';
      const seen = `the gateway answered the scale to 0 but reports replicas=${after?.replicas}`;
      log.warning(`${a.name}: ${seen}, which a Community Edition gateway does (it clamps to 1); putting it to sleep instead`);
      return `${seen}; ${await sleep(s, a, f)}`;
    }
    case 'sleep':
      return sleep(s, a, f);
    case 'teardown': {
      const r = await teardownPreview(s, a.pr, a.reason);
      return `torn down: ${r.removed.length ? r.removed.join(', ') : 'nothing was left'}`;
    }
    default:
      return 'nothing to do';
  }
}

/** Community Edition's idle state: the function is deleted, the assets stay, the PR is told. */
async function sleep(s: Services, a: FunctionAction, f: FunctionStatus): Promise<string> {
  const { settings, ctx } = s;
  const gone = await s.gateway.remove(a.name);
  let comment = '';
  if (settings.github.comment) {
    const url = f.annotations?.[ANNOTATIONS.url] || previewUrl(settings.urlTemplate, a.name, a.pr, f.labels?.[LABELS.sha] ?? '');
    const body = renderComment({ state: 'sleeping', name: a.name, url, runUrl: ctx.runUrl, time: s.now().toISOString(), idleFor: a.idleFor ?? formatDuration(settings.sweep.idleAfterMs) });
    // The preview is asleep either way; a comment that could not be edited is worth a warning, not a failed sweep.
    comment = await new PreviewComment(s.octokit, ctx.repo, a.pr, a.name, (line) => log.info(line)).write(body).then(
      () => ', PR comment says it sleeps',
      (err: Error) => {
        log.warning(`${a.name}: could not update the PR comment: ${err.message}`);
        return `, PR comment not updated (${err.message})`;
      },
    );
  }
  return `${gone ? 'function deleted' : 'function was already gone'}, assets kept${comment}`;
}

async function writeDecisionTable(rows: Row[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const header = ['Function', 'PR', 'Last activity', 'Decision', 'Result'].map((data) => ({ data, header: true }));
  const body = rows.map((r) => [cellHtml({ code: r.name }), htmlText(`#${r.pr}`), htmlText(r.lastActivity), htmlText(r.decision), htmlText(r.result)]);
  await core.summary
    .addHeading('Decisions', 4)
    .addTable([header, ...(body.length ? body : [['(no managed previews)', '', '', '', '']])])
    .write();
}
