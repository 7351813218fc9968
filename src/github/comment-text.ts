/**
 * What the PR comment says, for each state of a preview. Pure: rendering only, no I/O.
 * Read at a glance: a heading with the state and the link, one row per function (state, link, commit, when), and the
 * details (images, build digests, ready checks, assets, data) folded away. It says only what the run saw: "ready"
 * needs verified readiness (openfaas/readiness.ts); a failure says which step failed, what is true of the previous
 * version, and what to do (decide/advice.ts). Text from outside (error bodies, image names) goes through
 * text/untrusted.ts, so it renders inert and without the run's internal addresses.
 */
import { whatToDo, type ProviderKind, type Trouble } from '../decide/advice.js';
import type { Refusal } from '../decide/quota.js';
import { commentMarker } from '../naming.js';
import type {
  AssetCounts,
  DataFacts,
  DataItems,
  DataUndo,
  FailedStep,
  FunctionFacts,
  ImageSource,
  Preview,
  ReadyCheck,
} from '../preview.js';
import { codeBlock, inlineCode } from '../text/untrusted.js';

/** What every comment of a deployed preview shows: the preview, the run that wrote it, when (ISO 8601), how long. */
type PreviewFacts = Pick<Preview, 'name' | 'url' | 'sha'> & { runUrl: string; time: string; tookMs?: number };

/** What the run knew of the preview before it, which decides what a failure leaves answering. */
export interface Before {
  /** The preview's function existed; undefined when the run failed before it read the gateway. */
  existed?: boolean;
  provider?: ProviderKind;
  /** The function is gone (faasd removed it in a failed update, or something deleted it meanwhile). */
  gone?: boolean;
  /** Static files of this commit (none of them HTML) uploaded before the deploy stopped. */
  earlyUploads?: number;
  /**
   * A failure in the deploy step: how many of the preview's functions the gateway had accepted as updates before it
   * (faasd replaced those); undefined when not known.
   */
  updated?: number;
  /** A failed first deploy's data step: what its undo removed and what it left (commands/preview-data.ts). */
  undone?: DataUndo;
}

export type CommentView =
  | ({ state: 'building'; staticFiles?: boolean; existed?: boolean } & PreviewFacts)
  | ({
      state: 'ready' | 'rolling-out';
      checks: ReadyCheck[];
      functions: FunctionFacts[];
      assets?: AssetCounts;
      data?: DataFacts;
    } & PreviewFacts)
  | ({ state: 'failed'; step: FailedStep; error: string; trouble: Trouble; before: Before } & PreviewFacts)
  | {
      state: 'torn-down';
      name: string;
      runUrl: string;
      time: string;
      reason: string;
      removed: string[];
      kept?: string[];
    }
  | {
      state: 'sleeping';
      name: string;
      url: string;
      runUrl: string;
      time: string;
      idleFor: string;
      wake?: { seconds?: number };
      /** The PR whose new preview it was put to sleep for, on a full Community Edition gateway. */
      madeRoomFor?: number;
    }
  | ({ state: 'refused'; name: string; runUrl: string; time: string } & Omit<Refusal, 'kind'>);

const HEADING = '### Preview';

const STEP: Record<FailedStep, string> = {
  stack: 'cannot deploy the stack file',
  gateway: "could not read the OpenFaaS gateway's functions",
  state: 'could not record the preview in the bucket',
  build: 'failed to build or push the image',
  image: 'cannot run the image on this gateway',
  data: "could not prepare the preview's data (database, secrets, hooks)",
  deploy: 'could not deploy the function',
  readiness: 'deployed the function, but it did not become ready',
  assets: 'deployed the function, but the static assets failed to sync',
};

/** The gateway step says what the gateway did: refusing the credentials is not being out of reach. */
function stepText(step: FailedStep, trouble: Trouble): string {
  if (step !== 'gateway') return STEP[step];
  if (trouble.kind === 'credentials') return 'the OpenFaaS gateway refused the credentials';
  if (trouble.kind === 'unreachable') return 'could not reach the OpenFaaS gateway';
  if (trouble.kind === 'timeout') return 'the OpenFaaS gateway did not answer in time';
  return STEP.gateway;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * "7 Dec 2026, 08:15 UTC": a comment is static, so a time relative to the reader ("2 minutes ago") would turn false;
 * an absolute time in one zone stays true. Anything that is not a date is shown as it is.
 */
export function humanTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

/** "42 s", "3 min 5 s": how long the run took, which stays true. */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}

function when(v: { time: string; tookMs?: number }, verb: string): string {
  return `${humanTime(v.time)}${v.tookMs === undefined ? '' : `, ${verb} ${duration(v.tookMs)}`}`;
}

function footer(runUrl: string, time: string): string {
  return `<sub>Updated ${humanTime(time)} by [this run](${runUrl}) of faas-preview.</sub>`;
}

const short = (sha: string) => sha.slice(0, 7);
const link = (url: string, text = url) => `[${text.replace(/[[\]]/g, '')}](${url})`;

/** One row per function: what a reviewer looks for first. */
function rows(view: Extract<CommentView, { state: 'ready' | 'rolling-out' }>): string[] {
  const checkOf = (name: string) => view.checks.find((c) => c.name === name);
  const single = view.functions.length < 2;
  return [
    '| Function | State | Link | Commit | Updated |',
    '|---|---|---|---|---|',
    ...view.functions.map((f) => {
      const check = checkOf(f.name);
      const state = check?.proof === 'unproven' ? '🔄 Rolling out' : '✅ Ready';
      const url = single ? view.url : `${view.url.replace(/\/$/, '')}${f.route}/`;
      const sha = check?.sha ?? view.sha;
      return `| \`${f.name}\` | ${state} | ${link(url, single ? 'Visit preview' : `${f.route}/`)} | \`${short(sha)}\` | ${when(view, 'took')} |`;
    }),
  ];
}

function live(view: Extract<CommentView, { state: 'ready' | 'rolling-out' }>): string[] {
  const head =
    view.state === 'ready'
      ? [`${HEADING} is ready: ${view.url}`]
      : [
          `${HEADING} of \`${short(view.sha)}\` is deployed and rolling out: ${view.url}`,
          '',
          "The gateway answers, but until the rollout ends the previous version may still answer some requests. Send the `X-Faas-Preview-Sha` header (the function's `FAAS_PREVIEW_SHA`) from `ready-path` and the action can confirm the new version.",
        ];
  return [...head, '', ...rows(view), '', ...details(view), '', footer(view.runUrl, view.time)];
}

/** How the image came to be. */
function backendText(b: ImageSource | undefined): string {
  if (!b || b.how === 'prebuilt') return 'prebuilt';
  const digest = b.digest ? ` (build digest \`${b.digest.slice(0, 12)}\`)` : '';
  if (b.how === 'reused') return `unchanged since \`${short(b.since)}\`: not rebuilt${digest}`;
  if (b.how === 'retagged') return `same as \`${short(b.from)}\`: its image retagged, not rebuilt${digest}`;
  return `built${digest}`;
}

const PROOF: Record<ReadyCheck['proof'], string> = {
  header: 'it sent `X-Faas-Preview-Sha`',
  'new-function': 'a new function: no other version exists',
  replaced: 'faasd runs one version of a function: no other can answer',
  unproven: 'no `X-Faas-Preview-Sha` header: during the rollout the previous version may still answer',
};

/** The ready check as public text: the path, the status and the commit, never the gateway's address. */
function checkText(c: ReadyCheck | undefined): string {
  if (!c) return 'not checked';
  return `\`GET ${c.path}\` answered ${c.status} from \`${short(c.sha)}\` (${PROOF[c.proof]})`;
}

/** The details, folded: per function its image, how it was built and what its ready check saw; then the data. */
function details(view: Extract<CommentView, { state: 'ready' | 'rolling-out' }>): string[] {
  const single = view.functions.length < 2;
  const lines = view.functions.flatMap((f) => {
    const c = view.checks.find((x) => x.name === f.name);
    const items = [`Image: ${inlineCode(f.image)}, ${backendText(f.backend)}`, `Ready check: ${checkText(c)}`];
    return single
      ? items.map((i) => `- ${i}`)
      : [`- \`${f.name}\` at \`${f.route}/\``, ...items.map((i) => `  - ${i}`)];
  });
  if (view.assets)
    lines.push(
      `- Static assets: ${view.assets.uploaded} uploaded, ${view.assets.skipped} unchanged, ${view.assets.deleted} removed`,
    );
  lines.push(...dataLines(view.data));
  return ['<details><summary>Details</summary>', '', ...lines, '', '</details>'];
}

function dataLines(data: DataFacts | undefined): string[] {
  const lines: string[] = [];
  const db = data?.database;
  if (db) {
    const done = [db.created ? 'created' : '', db.migrated ? 'migrated' : '', db.seeded ? 'seeded' : ''].filter(
      Boolean,
    );
    lines.push(
      `- Database: \`${db.name}\`${done.length ? `, ${done.join(', ').replace(/, ([^,]*)$/, ' and $1')} by this run` : ''}`,
    );
  }
  if (data?.secrets.length) lines.push(`- Secrets: ${data.secrets.map((n) => `\`${n}\``).join(', ')}`);
  return lines;
}

export function renderComment(view: CommentView): string {
  const lines = [commentMarker(view.name)];
  switch (view.state) {
    case 'building':
      lines.push(...building(view));
      break;
    case 'ready':
    case 'rolling-out':
      lines.push(...live(view));
      break;
    case 'failed':
      lines.push(...failed(view));
      break;
    case 'torn-down':
      lines.push(
        `${HEADING} \`${view.name}\` was torn down: ${view.reason}.`,
        '',
        ...(view.removed.length
          ? ['Removed:', ...view.removed.map((r) => `- ${r}`)]
          : ['Nothing of it was left to remove.']),
        ...(view.kept?.length ? ['', 'Kept:', ...view.kept.map((k) => `- ${k}`)] : []),
        '',
        footer(view.runUrl, view.time),
      );
      break;
    case 'sleeping':
      lines.push(
        view.madeRoomFor === undefined
          ? `${HEADING} \`${view.name}\` is asleep: nobody called it for ${view.idleFor}, so its function was removed to free capacity. The static assets and data are kept.`
          : `${HEADING} \`${view.name}\` is asleep: it was put to sleep to make room for #${view.madeRoomFor} on this full OpenFaaS Community Edition gateway, as nobody had called it for ${view.idleFor}. Its functions were removed; the static assets and data are kept.`,
        '',
        view.wake
          ? `It wakes on the next visit to ${view.url}: the first call to its API re-creates the function and waits until it is ready${view.wake.seconds ? ` (its last deploy took about ${view.wake.seconds}s)` : ''}; pages load at once.`
          : `To wake it, push a commit or re-run the preview workflow for this PR; it will answer again at ${view.url}.`,
        '',
        footer(view.runUrl, view.time),
      );
      break;
    case 'refused':
      lines.push(...refused(view), '', footer(view.runUrl, view.time));
      break;
  }
  return lines.join('\n');
}

function building(view: Extract<CommentView, { state: 'building' }>): string[] {
  const now =
    view.existed === false
      ? `This PR's first preview will answer at ${view.url} once its function is ready`
      : `The previous preview of this PR${view.existed ? '' : ', if any,'} answers at ${view.url} until the new function is deployed`;
  const files = view.staticFiles
    ? "; this commit's static files other than HTML upload while the image builds, its pages once the new function is ready"
    : '';
  return [
    `${HEADING} of \`${short(view.sha)}\` is being built and deployed by [this run](${view.runUrl}).`,
    '',
    `${now}${files}. This comment says when the new one is ready.`,
    '',
    footer(view.runUrl, view.time),
  ];
}

/** What answers at the preview's URL after a failure: the previous version, this commit's function, or nothing. */
type Answering = 'previous' | 'this' | 'nothing' | 'unknown';

/**
 * What became of the deploy request that failed, when the trouble says: the gateway refused its credentials or was
 * not reached (it changed nothing), or did not answer in time (it may or may not have applied it).
 */
type RequestFate = 'refused' | 'unreached' | 'unanswered';

function fateOf(t: Trouble): RequestFate | undefined {
  if (t.kind === 'credentials') return 'refused';
  if (t.kind === 'unreachable') return 'unreached';
  if (t.kind === 'timeout') return 'unanswered';
  return undefined;
}

function answering(step: FailedStep, b: Before, t: Trouble): Answering {
  if (b.existed === undefined) return 'unknown';
  if (step === 'assets') return 'this';
  if (!b.existed || b.gone) return 'nothing';
  if (step === 'deploy' && b.provider !== 'faas-netes') {
    const fate = fateOf(t);
    if (!fate) return 'nothing';
    return fate === 'unanswered' || b.updated !== 0 ? 'unknown' : 'previous';
  }
  if (step === 'readiness' && b.provider !== 'faas-netes') return 'nothing';
  return 'previous';
}

const BEFORE_WRITE = new Set<FailedStep>(['stack', 'gateway', 'state', 'build', 'image']);

/** What is still true of the preview that ran before, said only from what the run knew. */
function previousText(step: FailedStep, b: Before, t: Trouble): string {
  if (BEFORE_WRITE.has(step)) {
    if (b.existed === false)
      return 'The function was not touched; this PR had no preview before, so nothing answers at its URL yet.';
    return `The function was not touched: the previous preview of this PR${b.existed ? '' : ', if any,'} runs as it did.`;
  }
  if (step === 'data')
    return b.existed
      ? 'The function was not touched: the previous version keeps running, with the database as the failed step left it.'
      : undoneText(b.undone);
  if (step === 'assets')
    return b.existed
      ? "The function of this commit runs, but the pages may still be the previous commit's, or incomplete."
      : 'This PR had no preview before: the function of this commit runs, but its pages may be missing or incomplete.';
  if (!b.existed) return 'This PR had no preview before, so nothing else answers at its URL.';
  if (b.provider !== 'faas-netes') {
    const fate = step === 'deploy' ? fateOf(t) : undefined;
    if (fate) return faasdUnsentText(fate, b.updated);
    return 'faasd replaces a function on update, so the previous version of this preview no longer runs.';
  }
  if (b.gone) return 'The function was deleted while this run waited for it, so nothing answers at its URL.';
  return 'faas-netes rolls updates out: the previous version of this preview keeps answering until a new one is ready.';
}

/**
 * faasd replaces a function only when the gateway accepts its update: a request refused or never received changed
 * nothing, one left unanswered may or may not have been applied. Functions accepted before it were replaced.
 */
function faasdUnsentText(fate: RequestFate, updated: number | undefined): string {
  if (updated === 0)
    return {
      refused:
        'The gateway refused the credentials, so it changed nothing: faasd replaces a function only when the gateway accepts its update, and the previous version of this preview still runs.',
      unreached:
        'The request did not reach the gateway, so it changed nothing: faasd replaces a function only when the gateway accepts its update, and the previous version of this preview still runs.',
      unanswered:
        'The gateway did not answer in time, so whether faasd applied the update is not known: the previous version of this preview may still run, or may have been replaced.',
    }[fate];
  const n = updated === undefined ? 'the functions' : updated === 1 ? '1 function' : `${updated} functions`;
  const next = {
    refused: 'it refused the credentials for the next',
    unreached: 'the next request could not reach it',
    unanswered: 'it did not answer the next request in time',
  }[fate];
  const rest =
    fate === 'unanswered'
      ? 'whether faasd applied that next update is not known, and the functions after it still run their previous versions'
      : 'the others still run their previous versions';
  const gone = updated === 1 ? 'its previous version no longer runs' : 'their previous versions no longer run';
  return `faasd replaced ${n} of this preview that the gateway accepted before ${next}: ${gone}; ${rest}.`;
}

/** "the database `x` and the secrets `a`, `b`", and how many they are. */
function itemsText(i: DataItems): { text: string; count: number } {
  const parts: string[] = [];
  if (i.database) parts.push(`the database \`${i.database}\``);
  if (i.secrets.length)
    parts.push(`the secret${i.secrets.length === 1 ? '' : 's'} ${i.secrets.map((n) => `\`${n}\``).join(', ')}`);
  return { text: parts.join(' and '), count: i.secrets.length + (i.database ? 1 : 0) };
}

/** A first deploy's data step failed: "removed" only of what was, and what is left, and what removes it. */
function undoneText(u: DataUndo | undefined): string {
  const first = "This was the preview's first deploy";
  if (!u)
    return `${first}; whether the database and secrets it had created are gone is in the run's log: what is left goes with the teardown when the PR is closed, or the sweeper if no teardown does.`;
  const removed = itemsText(u.removed);
  const left = itemsText(u.left);
  const parts: string[] = [];
  if (removed.count) parts.push(`${removed.text} ${removed.count === 1 ? 'was' : 'were'} removed`);
  if (left.count) {
    const one = left.count === 1;
    parts.push(
      `${left.text} could not be removed (the run's log says why) and ${one ? 'is' : 'are'} left until the PR is closed: the teardown removes ${one ? 'it' : 'them'} then, or the sweeper if no teardown does`,
    );
  }
  if (!removed.count && !left.count) parts.push('it had created no database or secret yet');
  let text = `${first}: ${parts.join('; ')}`;
  if (u.kept)
    text += `. The database \`${u.kept}\` was there before this run and is kept: the next push uses it and does not seed it again`;
  else if (!left.count) text += ', so the next push starts clean';
  return `${text}.`;
}

/** Files of this commit that went up before the deploy stopped: on pages only when there were pages before. */
function earlyUploadText(b: Before): string {
  const n = b.earlyUploads ?? 0;
  if (n === 0) return '';
  const files = `${n === 1 ? '1 static file' : `${n} static files`} of this commit (none of them HTML) had already been uploaded while the image built`;
  return b.existed === false
    ? ` ${files}; no page of this preview loads them yet.`
    : ` ${files}; the pages are still the previous commit's${b.existed ? '' : ', if any,'} and may load them.`;
}

const ANSWERING_STATE: Record<Answering, string> = {
  previous: '❌ Failed; the previous version answers',
  this: "❌ Failed; this commit's function answers",
  nothing: '❌ Failed; nothing answers',
  unknown: '❌ Failed',
};

function failed(view: Extract<CommentView, { state: 'failed' }>): string[] {
  const answers = answering(view.step, view.before, view.trouble);
  const where = answers === 'nothing' ? '—' : link(view.url, 'Visit preview');
  return [
    `${HEADING} of \`${short(view.sha)}\` failed: ${stepText(view.step, view.trouble)}.`,
    '',
    '| Function | State | Link | Commit | Updated |',
    '|---|---|---|---|---|',
    `| \`${view.name}\` | ${ANSWERING_STATE[answers]} | ${where} | \`${short(view.sha)}\` | ${when(view, 'after')} |`,
    '',
    `**What to do:** ${whatToDo(view.trouble)}.`,
    '',
    codeBlock(view.error),
    '',
    previousText(view.step, view.before, view.trouble) + earlyUploadText(view.before),
    '',
    `See [the run](${view.runUrl}) for the full log.`,
    '',
    footer(view.runUrl, view.time),
  ];
}

function refused(view: Extract<CommentView, { state: 'refused' }>): string[] {
  const many = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  const head =
    view.why === 'community-edition'
      ? `${HEADING} was not created: this OpenFaaS Community Edition gateway runs ${view.used} of the ${view.limit} functions it allows, and this preview needs ${many(view.needed, 'free slot')} (one per function). Every function counts: ${view.used - view.foreign} of the ${view.used} are previews of this repository, ${view.foreign} are not.`
      : `${HEADING} was not created: this repository already has ${many(view.used, 'preview')} on this gateway and the limit is ${view.limit} (input \`max-previews\`).`;
  const holder = (h: Refusal['holders'][number]) => {
    const used = h.lastUsedAt ? `last used ${humanTime(h.lastUsedAt)}; ` : '';
    const stays = h.stays === undefined ? '' : `: ${used}${h.stays}`;
    return `- #${h.pr} (\`${h.name}\`${h.functions === 1 ? '' : `, ${h.functions} functions`})${stays}`;
  };
  // Making room was tried: each holder says why it stays, and what would change that.
  const tried = view.holders.some((h) => h.stays !== undefined);
  return [
    head,
    '',
    ...(view.holders.length ? ['Previews of this repository holding slots:', ...view.holders.map(holder), ''] : []),
    tried
      ? 'A preview unused for `idle-after` is put to sleep to make room for a new one, least recently used first; these cannot free enough now. Close one of those PRs, or push or re-run the workflow once enough are idle.'
      : 'Close one of those PRs (or wait for the idle sweeper to put idle previews to sleep), then push or re-run the workflow.',
  ];
}
