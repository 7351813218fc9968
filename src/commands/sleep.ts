/**
 * Putting a Community Edition preview to sleep, for the sweeper (idle for `idle-after`) and for a deploy that makes
 * room for a new preview (issue 23): sweep/put-to-sleep.ts saves the specs of all the preview's functions for the
 * waker and deletes the functions (assets, secrets and data stay), then the PR is told why and how it wakes. Also
 * where both read last use from: the sweeper's source (Prometheus, or its memory in the bucket) and the edge's visit
 * marks.
 */
import { renderComment } from '../github/comment-text.js';
import { PreviewComment } from '../github/comment.js';
import { log } from '../log.js';
import { ANNOTATIONS, LABELS, previewUrl } from '../naming.js';
import type { FunctionStatus } from '../openfaas/types.js';
import { readVisits as readStoredVisits } from '../state/visits.js';
import { idleSource, loadState } from '../state/sweeper.js';
import type { Memory } from '../sweep/plan.js';
import { queryIncreases } from '../sweep/prometheus.js';
import { putToSleep } from '../sweep/put-to-sleep.js';
import type { Services } from './services.js';

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
  const loaded = await loadState(s.state!);
  if (loaded.warning) log.warning(loaded.warning);
  return { previous: loaded.memory };
}

/**
 * The edge's last visit of each preview (state/visits.ts), epoch ms by name; none without a bucket. A mark that
 * cannot be read counts as no visit, with a warning: the invocations still count.
 */
export async function readVisits(s: Services, names: readonly string[]): Promise<Map<string, number>> {
  const store = s.state;
  if (!store) return new Map();
  return readStoredVisits(store, names, (name, err) =>
    log.warning(
      `the edge's last visit of ${name} could not be read (${err.message}); on radosgw the bucket policy must let the action read <state-prefix>/visited/ (docs/private-previews.md)`,
    ),
  );
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
  const slept = await putToSleep({ gateway: s.gateway, store: s.state }, p.name, fns, s.now());
  const main = fns.find((f) => f.name === p.name) ?? fns[0];
  const comment = s.settings.github.comment
    ? await tellPr(s, p, { url: addressOf(s, p, main), readyMs: slept.readyMs, saved: slept.saved })
    : '';
  const deleted =
    fns.length === 1
      ? slept.gone
        ? 'function deleted'
        : 'function was already gone'
      : `${slept.gone} of ${fns.length} functions deleted`;
  return `${deleted}, assets kept${comment}`;
}

/** The preview's address as its deploy gave it (annotation), else from the template; from a listing or a saved spec. */
export function addressOf(
  s: Services,
  p: Pick<Sleeper, 'name' | 'pr'>,
  main: { annotations?: Record<string, string>; labels?: Record<string, string> } | undefined,
): string {
  return (
    main?.annotations?.[ANNOTATIONS.url] ||
    previewUrl(s.settings.urlTemplate, p.name, p.pr, main?.labels?.[LABELS.sha] ?? '')
  );
}

/** The PR's comment says it sleeps, why, and how it wakes; a comment that could not be edited is only a warning. */
async function tellPr(s: Services, p: Sleeper, o: SleepComment): Promise<string> {
  return writeSleepComment(s, p, o).then(
    () => ', PR comment says it sleeps',
    (err: Error) => {
      log.warning(`${p.name}: could not update the PR comment: ${err.message}`);
      return `, PR comment not updated (${err.message})`;
    },
  );
}

export interface SleepComment {
  url: string;
  /** How long its last deploy took to become ready: roughly what a wake costs. */
  readyMs?: number;
  /** Whether its specs are saved: only then can it wake. */
  saved: boolean;
}

/**
 * The sleeping comment. Also for a preview the edge service put to sleep to make room for a wake (it cannot reach
 * GitHub): the sweeper writes it from the edge's note (made-room-notes.ts).
 */
export async function writeSleepComment(s: Services, p: Sleeper, o: SleepComment): Promise<void> {
  const { settings, ctx } = s;
  // Without a saved spec there is nothing to wake from, waker or not.
  const wake =
    settings.sweep.waker && o.saved
      ? { seconds: o.readyMs === undefined ? undefined : Math.max(1, Math.round(o.readyMs / 1000)) }
      : undefined;
  const body = renderComment({
    state: 'sleeping',
    name: p.name,
    url: o.url,
    runUrl: ctx.runUrl,
    time: s.now().toISOString(),
    idleFor: p.idleFor,
    wake,
    ...(p.madeRoomFor === undefined ? {} : { madeRoomFor: p.madeRoomFor }),
  });
  await new PreviewComment(s.octokit, ctx.repo, p.pr, p.name, log.info).write(body);
}
