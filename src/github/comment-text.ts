/** What the PR comment says, for each state of a preview. Pure: rendering only, no I/O. */
import { commentMarker } from '../naming.js';

export interface PreviewFacts {
  name: string;
  url: string;
  sha: string;
  image: string;
  runUrl: string;
  /** ISO 8601. */
  time: string;
}

export type CommentView =
  | ({ state: 'deployed'; assets?: { uploaded: number; skipped: number; deleted: number } } & PreviewFacts)
  | ({ state: 'failed'; error: string } & PreviewFacts)
  | { state: 'torn-down'; name: string; runUrl: string; time: string; reason: string }
  | { state: 'sleeping'; name: string; url: string; runUrl: string; time: string; idleFor: string }
  | { state: 'refused'; name: string; runUrl: string; time: string; limit: number; holders: { name: string; pr: number }[] };

const HEADING = '### Preview';

function footer(runUrl: string, time: string): string {
  return `<sub>Updated ${time} by [this run](${runUrl}) of faas-preview.</sub>`;
}

/** Keeps user-controlled text from breaking out of a table cell or a code span. */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').replace(/`/g, "'");
}

export function renderComment(view: CommentView): string {
  const lines = [commentMarker(view.name)];
  switch (view.state) {
    case 'deployed':
      lines.push(
        `${HEADING} is ready: **${view.url}**`,
        '',
        '| | |',
        '|---|---|',
        `| URL | ${view.url} |`,
        `| Commit | \`${view.sha.slice(0, 7)}\` |`,
        `| Image | \`${cell(view.image)}\` |`,
        `| Function | \`${view.name}\` |`,
      );
      if (view.assets) {
        const a = view.assets;
        lines.push(`| Static assets | ${a.uploaded} uploaded, ${a.skipped} unchanged, ${a.deleted} removed |`);
      }
      lines.push(`| Deployed | ${view.time} |`, '', footer(view.runUrl, view.time));
      break;
    case 'failed':
      lines.push(
        `${HEADING} failed to deploy commit \`${view.sha.slice(0, 7)}\`.`,
        '',
        `> ${cell(view.error)}`,
        '',
        `See [the run](${view.runUrl}) for the full log. The previous preview, if any, may still answer at ${view.url}.`,
        '',
        footer(view.runUrl, view.time),
      );
      break;
    case 'torn-down':
      lines.push(`${HEADING} \`${view.name}\` was torn down: ${view.reason}. Its function, static assets and deployment are gone.`, '', footer(view.runUrl, view.time));
      break;
    case 'sleeping':
      lines.push(
        `${HEADING} \`${view.name}\` is asleep: nobody called it for ${view.idleFor}, so its function was removed to free capacity. The static assets are kept.`,
        '',
        `To wake it, push a commit or re-run the preview workflow for this PR; it will answer again at ${view.url}.`,
        '',
        footer(view.runUrl, view.time),
      );
      break;
    case 'refused':
      lines.push(
        `${HEADING} was not created: this gateway already runs ${view.holders.length} previews and the limit is ${view.limit} (input \`max-previews\`).`,
        '',
        'The slots are held by:',
        ...view.holders.map((h) => `- #${h.pr} (\`${h.name}\`)`),
        '',
        'Close one of those PRs (or wait for the idle sweeper to clean up), then push or re-run the workflow.',
        '',
        footer(view.runUrl, view.time),
      );
      break;
  }
  return lines.join('\n');
}
