/**
 * What the edge says when it has nothing to serve (pure): the bucket had no such page, or the gateway no such
 * function. The preview's record and its tombstone in the bucket tell a first deploy still running (503 with
 * Retry-After, a page that reloads itself), a first deploy that failed, a removed preview (410, and why), an unknown
 * name and a plain missing page (404) apart. A browser navigation gets a small page; anything else, one line of text
 * with the same status, for scripts.
 */
import type { ClosedPreview } from '../state/closed.js';
import type { PreviewRecord } from '../state/records.js';
import { htmlText } from '../text/untrusted.js';
import { page, type Page } from './pages.js';

/** Where the router sends a request it found nothing for (deploy/edge/nginx.conf, `@faas_preview_missing`). */
export const STATUS_PATH = '/.faas-preview/status';

export type PreviewState =
  | { kind: 'building'; pr?: number }
  | { kind: 'failed'; pr?: number }
  | { kind: 'ready' }
  | { kind: 'closed'; reason: string; closedAt: string }
  | { kind: 'unknown' };

/** Seconds a building preview's page waits before it reloads, and what Retry-After says. */
export const BUILDING_RETRY_S = 10;
/** The same for a sleeping preview that is waking up: a wake takes seconds, a build minutes. */
export const WAKING_RETRY_S = 5;

const prNumber = (n: unknown) => (Number.isSafeInteger(n) && (n as number) > 0 ? (n as number) : undefined);

/**
 * How long a first deploy may be running: GitHub stops a job after 6 hours, so a record older than that without
 * `readyAt` or `failedStep` is a run that was cancelled or killed before it could say so.
 */
export const MAX_DEPLOY_MS = 6 * 3_600_000;

/** The state of a preview from what the bucket holds; the objects are read as hostile (any field may be missing). */
export function previewState(
  record: PreviewRecord | undefined,
  closed: ClosedPreview | undefined,
  now: number,
): PreviewState {
  if (record) {
    if (record.readyAt || record.specs) return { kind: 'ready' };
    const pr = prNumber(record.pr);
    const stale = !(now - Date.parse(record.updatedAt) < MAX_DEPLOY_MS);
    return record.failedStep || stale ? { kind: 'failed', pr } : { kind: 'building', pr };
  }
  if (closed) return { kind: 'closed', reason: closed.reason, closedAt: closed.closedAt };
  return { kind: 'unknown' };
}

export interface StatusAnswer {
  status: number;
  retryAfterS?: number;
  /** For a browser navigation. */
  page: Page;
  /** For anything else. */
  text: string;
}

const ofPr = (pr: number | undefined) => (pr ? ` of PR #${pr}` : '');

/** A day as people read it, in UTC: "7 Dec 2026". Undefined for a value that is not a date. */
function day(iso: string): string | undefined {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export function statusAnswer(state: PreviewState, preview: string): StatusAnswer {
  const name = `<strong>${htmlText(preview)}</strong>`;
  switch (state.kind) {
    case 'building':
      return {
        status: 503,
        retryAfterS: BUILDING_RETRY_S,
        page: page(
          503,
          'This preview is being built',
          `<p role="status">The first deploy${ofPr(state.pr)} began and has not finished, so ${name} has nothing to show yet. ` +
            `This page reloads every ${BUILDING_RETRY_S} seconds.</p>`,
          BUILDING_RETRY_S,
        ),
        text: `preview ${preview} is being built; try again in ${BUILDING_RETRY_S} s\n`,
      };
    case 'failed':
      return {
        status: 503,
        page: page(
          503,
          'This preview is not available',
          `<p>The first deploy${ofPr(state.pr)} did not finish, so ${name} has nothing to show. ` +
            'The comment on the pull request says why, or its run was stopped; the next push deploys it again.</p>',
        ),
        text: `preview ${preview} is not available: its first deploy did not finish\n`,
      };
    case 'closed':
      return closedAnswer(state, preview, name);
    case 'ready':
      return {
        status: 404,
        page: page(404, 'Page not found', `<p>Preview ${name} has no page at this address.</p>`),
        text: 'not found\n',
      };
    case 'unknown':
      return {
        status: 404,
        page: page(
          404,
          'No such preview',
          `<p>There is no preview called ${name}. It may not be deployed yet, or it was removed a long time ago.</p>`,
        ),
        text: `no such preview: ${preview}\n`,
      };
  }
}

function closedAnswer(state: Extract<PreviewState, { kind: 'closed' }>, preview: string, name: string): StatusAnswer {
  const when = day(state.closedAt);
  const reason = htmlText(state.reason, 200).replace(/\.$/, '');
  return {
    status: 410,
    page: page(
      410,
      'This preview was removed',
      `<p>Preview ${name} was removed${when ? ` on ${when}` : ''}: ${reason}. Its pages and its API are gone.</p>`,
    ),
    text: `preview ${preview} was removed\n`,
  };
}

/** A sleeping preview's page while the edge wakes it: API calls wait for the wake, a person sees this instead. */
export function wakingAnswer(preview: string): StatusAnswer {
  return {
    status: 503,
    retryAfterS: WAKING_RETRY_S,
    page: page(
      503,
      'This preview is waking up',
      `<p role="status">Nobody had opened <strong>${htmlText(preview)}</strong> for a while, so it was put to sleep. ` +
        `It is starting again; this page reloads in ${WAKING_RETRY_S} seconds.</p>`,
      WAKING_RETRY_S,
    ),
    text: `preview ${preview} is waking up; try again in ${WAKING_RETRY_S} s\n`,
  };
}
