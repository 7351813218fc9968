/**
 * Text from outside (gateway and registry error bodies, S3 messages, names from PR data) on its way into the PR
 * comment, the job summary and the outputs. One rule everywhere: scrub secrets, drop control characters, clip, then
 * put it where nothing renders:
 * - Markdown: a fenced code block or a code span. GitHub renders neither mentions, links, images, HTML nor tables
 *   inside code, so `@team`, `<img>` and `[x](y)` stay inert text. The fence is longer than any backtick run in the
 *   text, so the text cannot close it.
 * - HTML (the job summary's table cells): entity-escaped.
 * Public text also loses the run's internal addresses (addresses.ts): what the gateway says quotes its own URL.
 */
import { internal } from './addresses.js';
import { secrets } from './run-secrets.js';

const MAX_UNTRUSTED = 1000;

/** Scrubbed of secrets, without control characters (tabs and newlines kept when `multiline`), at most `max` characters. */
// Control characters and bidirectional overrides, which could hide or reorder text: what sanitize() removes.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE_BUT_NEWLINES = /[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]+/g;

/** Secrets scrubbed and internal addresses hidden: what every public text (comment, summary, deployment) goes through. */
export function publicText(text: string): string {
  return internal.redact(secrets.scrub(text));
}

export function sanitize(text: string, o: { max?: number; multiline?: boolean } = {}): string {
  const max = o.max ?? MAX_UNTRUSTED;
  let out = publicText(String(text));
  out = o.multiline ? out.replace(/\r\n?/g, '\n').replace(INVISIBLE_BUT_NEWLINES, '') : out.replace(INVISIBLE, ' ');
  out = out.trim();
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

/** A fenced code block holding `text` verbatim (after sanitize), on lines of its own. */
export function codeBlock(text: string, max = MAX_UNTRUSTED): string {
  const body = sanitize(text, { max, multiline: true });
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}text\n${body}\n${fence}`;
}

/**
 * An inline code span holding `text` (after sanitize, on one line), safe inside a table cell: `|` is escaped the way
 * GFM tables require even within code.
 */
export function inlineCode(text: string, max = 200): string {
  const body = sanitize(text, { max }).replace(/\|/g, '\\|');
  const ticks = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** Entity-escaped for HTML text and attribute values (the job summary is HTML). */
export function htmlText(text: string, max = MAX_UNTRUSTED): string {
  return sanitize(text, { max }).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
