/**
 * Putting a Community Edition preview to sleep, for the sweeper (idle for `idle-after`) and for a deploy that makes
 * room for a new preview (issue 23): the specs of all the preview's functions are saved for the waker
 * (state/sleeping.ts), then the functions are deleted; the assets, secrets and data stay, and the PR is told why and
 * how it wakes. Also where both read last use from: the sweeper's source (Prometheus, or its memory in the bucket)
 * and the edge's visit marks.
 */
import { renderComment } from '../github/comment-text.js';
import { PreviewComment } from '../github/comment.js';
import { log } from '../log.js';
import { ANNOTATIONS, LABELS, previewUrl } from '../naming.js';
import type { FunctionStatus } from '../openfaas/types.js';
import { readRecord } from '../state/records.js';
import { saveSleeping } from '../state/sleeping.js';
import { readVisit } from '../state/visits.js';
import { forEachLimited } from '../concurrency.js';
import { idleSource, loadState } from '../state/sweeper.js';
import type { Memory } from '../sweep/plan.js';
import { queryIncreases } from '../sweep/prometheus.js';
import { runningSpec } from './function-spec.js';
import { stateStore, type Services } from './services.js';

/** Last use as the sweeper sees it: Prometheus increases over `idle-after` by function, or the sweeper's memory. */
export async function readActivity(s: Services): Promise<{ increases?: Map<string, number>; previous?: Memory }> {
  const { settings } = s;
  const sw = settings.sweep;
  if (idleSource(settings) === 'prometheus') {
    const increases = await queryIncreases(
      { url: sw.prometheusUrl!, auth: sw.prometheusAuth, timeoutMs: settings.requestTimeoutMs, log: log.info },
      sw.idleAfterMs,
      settings.gateway.namespace,
    );
    return { increases };
  }
  const loaded = await loadState(stateStore(s)!);
  if (loaded.warning) log.warning(loaded.warning);
  return { previous: loaded.memory };
}

/** Visit marks read at once: a sweep of many previews does not wait on them one by one. */
const VISIT_READS = 8;

/**
 * The edge's last visit of each preview (state/visits.ts), epoch ms by name; none without a bucket. A mark that
 * cannot be read counts as no visit, with a warning: the invocations still count.
 */
export async function readVisits(s: Services, names: readonly string[]): Promise<Map<string, number>> {
  const store = stateStore(s);
  const visits = new Map<string, number>();
  if (!store) return visits;
  await forEachLimited(names, VISIT_READS, async (name) => {
    const at = await readVisit(store, name).catch((err: Error) => {
      log.warning(
        `the edge's last visit of ${name} could not be read (${err.message}); on radosgw the bucket policy must let the action read <state-prefix>/visited/ (docs/private-previews.md)`,
      );
      return undefined;
    });
    if (at !== undefined) visits.set(name, at);
  });
  return visits;
}

export interface Sleeper {
  name: string;
  pr: number;
  /** How long nobody called it, for the comment. */
  idleFor: string;
  /** The PR whose new preview it makes room for; absent when the sweeper found it idle. */
  madeRoomFor?: number;
}

export async function sleepPreview(s: Services, p: Sleeper, fns: FunctionStatus[]): Promise<string> {
  const store = stateStore(s);
  const record = store ? await readRecord(store, p.name) : undefined;
  if (store) await saveSleeping(store, p.name, record?.specs ?? fns.map(runningSpec), s.now());
  let gone = 0;
  for (const f of fns) gone += (await s.gateway.remove(f.name)) ? 1 : 0;
  const main = fns.find((f) => f.name === p.name) ?? fns[0];
  const comment = s.settings.github.comment ? await tellPr(s, p, main, record?.readyMs, Boolean(store)) : '';
  const deleted =
    fns.length === 1
      ? gone
        ? 'function deleted'
        : 'function was already gone'
      : `${gone} of ${fns.length} functions deleted`;
  return `${deleted}, assets kept${comment}`;
}

/** The PR's comment says it sleeps, why, and how it wakes; a comment that could not be edited is only a warning. */
async function tellPr(
  s: Services,
  p: Sleeper,
  main: FunctionStatus,
  readyMs: number | undefined,
  saved: boolean,
): Promise<string> {
  const { settings, ctx } = s;
  const url =
    main.annotations?.[ANNOTATIONS.url] ||
    previewUrl(settings.urlTemplate, p.name, p.pr, main.labels?.[LABELS.sha] ?? '');
  // Without a saved spec there is nothing to wake from, waker or not.
  const wake =
    settings.sweep.waker && saved
      ? { seconds: readyMs === undefined ? undefined : Math.max(1, Math.round(readyMs / 1000)) }
      : undefined;
  const body = renderComment({
    state: 'sleeping',
    name: p.name,
    url,
    runUrl: ctx.runUrl,
    time: s.now().toISOString(),
    idleFor: p.idleFor,
    wake,
    ...(p.madeRoomFor === undefined ? {} : { madeRoomFor: p.madeRoomFor }),
  });
  return new PreviewComment(s.octokit, ctx.repo, p.pr, p.name, log.info).write(body).then(
    () => ', PR comment says it sleeps',
    (err: Error) => {
      log.warning(`${p.name}: could not update the PR comment: ${err.message}`);
      return `, PR comment not updated (${err.message})`;
    },
  );
}
