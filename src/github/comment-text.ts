/**
 * What the PR comment says, for each state of a preview. Pure: rendering only, no I/O.
 * It says only what the run saw: "ready" needs verified readiness (openfaas/readiness.ts); a failure says which
 * step failed and what is true of the previous version. Text from outside (error bodies) goes through
 * text/untrusted.ts, so it renders inert.
 */
import { commentMarker } from '../naming.js';
import type { AssetCounts, DataFacts, FunctionFacts, ImageSource, Preview } from '../preview.js';
import { codeBlock, inlineCode } from '../text/untrusted.js';

/** What every comment of a deployed preview shows: the preview, the run that wrote it and when (ISO 8601). */
type PreviewFacts = Pick<Preview, 'name' | 'url' | 'sha' | 'image'> & { runUrl: string; time: string };

/** The step a deploy failed in, which decides what is still true of the previous preview. */
export type FailedStep = 'stack' | 'gateway' | 'state' | 'build' | 'image' | 'data' | 'deploy' | 'readiness' | 'assets';

export type CommentView =
  | ({ state: 'building'; staticFiles?: boolean } & PreviewFacts)
  | ({
      state: 'ready' | 'rolling-out';
      evidence: string;
      assets?: AssetCounts;
      data?: DataFacts;
      backend?: ImageSource;
      functions?: FunctionFacts[];
    } & PreviewFacts)
  | ({ state: 'failed'; step: FailedStep; error: string; previous: string } & PreviewFacts)
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
    }
  | {
      state: 'refused';
      name: string;
      runUrl: string;
      time: string;
      limit: number;
      holders: { name: string; pr: number }[];
      foreign: number;
      why: 'max-previews' | 'community-edition';
    };

const HEADING = '### Preview';

const STEP: Record<FailedStep, string> = {
  stack: 'cannot deploy the stack file',
  gateway: 'could not reach the OpenFaaS gateway',
  state: 'could not record the preview in the bucket',
  build: 'failed to build or push the image',
  image: 'cannot run the image on this gateway',
  data: "could not prepare the preview's data (database, secrets, hooks)",
  deploy: 'could not deploy the function',
  readiness: 'deployed the function, but it did not become ready',
  assets: 'deployed the function, but the static assets failed to sync',
};

function footer(runUrl: string, time: string): string {
  return `<sub>Updated ${time} by [this run](${runUrl}) of faas-preview.</sub>`;
}

const short = (sha: string) => sha.slice(0, 7);

function live(view: Extract<CommentView, { state: 'ready' | 'rolling-out' }>): string[] {
  const lines =
    view.state === 'ready'
      ? [`${HEADING} is ready: **${view.url}**`]
      : [
          `${HEADING} of \`${short(view.sha)}\` is deployed and rolling out: **${view.url}**`,
          '',
          `The gateway answers, but until the rollout ends the previous version may still answer some requests. Send the \`X-Faas-Preview-Sha\` header (the function's \`FAAS_PREVIEW_SHA\`) from \`ready-path\` and the action can confirm the new version.`,
        ];
  lines.push(
    '',
    '| | |',
    '|---|---|',
    `| URL | ${view.url} |`,
    `| Commit | \`${short(view.sha)}\` |`,
    `| Image | ${inlineCode(view.image)} |`,
    ...backendRow(view.backend),
    `| Function | \`${view.name}\` |`,
    `| Checked | ${inlineCode(view.evidence, 300)} |`,
  );
  if (view.assets)
    lines.push(
      `| Static assets | ${view.assets.uploaded} uploaded, ${view.assets.skipped} unchanged, ${view.assets.deleted} removed |`,
    );
  lines.push(...dataRows(view.data));
  lines.push(`| Deployed | ${view.time} |`, ...functionsTable(view.functions), '', footer(view.runUrl, view.time));
  return lines;
}

/** A preview with several functions: each with its route, image and how it was built. */
function functionsTable(functions: FunctionFacts[] | undefined): string[] {
  if (!functions || functions.length < 2) return [];
  return [
    '',
    '| Function | Route | Image | Backend |',
    '|---|---|---|---|',
    ...functions.map(
      (f) =>
        `| \`${f.name}\` | \`${f.route}/\` | ${inlineCode(f.image)} | ${f.backend ? backendText(f.backend) : ''} |`,
    ),
  ];
}

/** How the image came to be, as the comment says it. */
function backendText(b: ImageSource): string {
  if (b.how === 'prebuilt') return 'prebuilt';
  const digest = b.digest ? ` (build digest \`${b.digest.slice(0, 12)}\`)` : '';
  if (b.how === 'reused') return `unchanged since \`${short(b.since)}\`: not rebuilt${digest}`;
  if (b.how === 'retagged') return `same as \`${short(b.from)}\`: its image retagged, not rebuilt${digest}`;
  return `built${digest}`;
}

function backendRow(b: ImageSource | undefined): string[] {
  return b && b.how !== 'prebuilt' ? [`| Backend | ${backendText(b)} |`] : [];
}

function dataRows(data: DataFacts | undefined): string[] {
  const rows: string[] = [];
  const db = data?.database;
  if (db) {
    const done = [db.created ? 'created' : '', db.migrated ? 'migrated' : '', db.seeded ? 'seeded' : ''].filter(
      Boolean,
    );
    rows.push(
      `| Database | \`${db.name}\`${done.length ? `, ${done.join(', ').replace(/, ([^,]*)$/, ' and $1')} by this run` : ''} |`,
    );
  }
  if (data?.secrets.length) rows.push(`| Secrets | ${data.secrets.map((n) => `\`${n}\``).join(', ')} |`);
  return rows;
}

export function renderComment(view: CommentView): string {
  const lines = [commentMarker(view.name)];
  switch (view.state) {
    case 'building':
      lines.push(
        `${HEADING} of \`${short(view.sha)}\` is being built and deployed by [this run](${view.runUrl}).`,
        '',
        `The previous preview of this PR, if any, answers at ${view.url} until the new function is deployed${view.staticFiles ? "; this commit's static files other than HTML upload while the image builds, its pages once the new function is ready" : ''}. This comment says when the new one is ready.`,
        '',
        footer(view.runUrl, view.time),
      );
      break;
    case 'ready':
    case 'rolling-out':
      lines.push(...live(view));
      break;
    case 'failed':
      lines.push(
        `${HEADING} ${STEP[view.step]} for commit \`${short(view.sha)}\`.`,
        '',
        codeBlock(view.error),
        '',
        view.previous,
        '',
        `See [the run](${view.runUrl}) for the full log.`,
        '',
        footer(view.runUrl, view.time),
      );
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
        `${HEADING} \`${view.name}\` is asleep: nobody called it for ${view.idleFor}, so its function was removed to free capacity. The static assets and data are kept.`,
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

function refused(view: Extract<CommentView, { state: 'refused' }>): string[] {
  const head =
    view.why === 'community-edition'
      ? `${HEADING} was not created: this OpenFaaS Community Edition gateway already runs ${view.holders.length + view.foreign} functions, its limit is ${view.limit}, and ${view.foreign} of them are not previews of this repository.`
      : `${HEADING} was not created: this gateway already runs ${view.holders.length} previews and the limit is ${view.limit} (input \`max-previews\`).`;
  return [
    head,
    '',
    ...(view.holders.length
      ? ['Previews of this repository holding slots:', ...view.holders.map((h) => `- #${h.pr} (\`${h.name}\`)`), '']
      : []),
    'Close one of those PRs (or wait for the idle sweeper to put idle previews to sleep), then push or re-run the workflow.',
  ];
}
