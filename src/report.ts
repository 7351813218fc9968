/**
 * Step outputs and the job summary: what a workflow and a human read after the step. Every value is plain text and
 * is escaped here (the summary is HTML), and everything is scrubbed of secrets, whoever produced it.
 */
import * as core from '@actions/core';
import { secrets } from './text/run-secrets.js';
import { htmlText } from './text/untrusted.js';

type Result = 'deployed' | 'rolling-out' | 'failed' | 'torn-down' | 'skipped' | 'refused' | 'swept';

export interface PreviewOutputs {
  result: Result;
  name?: string;
  url?: string;
  image?: string;
  bucketPrefix?: string;
}

/** A summary cell: plain text, or `{ code }` for a name shown as code. */
export type Cell = string | { code: string };

export function cellHtml(cell: Cell): string {
  return typeof cell === 'string' ? htmlText(cell) : `<code>${htmlText(cell.code)}</code>`;
}

export async function writeOutputs(
  o: PreviewOutputs,
  summaryTitle: string,
  extraRows: [string, Cell][] = [],
): Promise<void> {
  const out = (name: string, value: string | undefined) => core.setOutput(name, secrets.scrub(value ?? ''));
  out('result', o.result);
  out('name', o.name);
  out('url', o.url);
  out('image', o.image);
  out('bucket-prefix', o.bucketPrefix);
  const rows: [string, Cell][] = [['Result', o.result]];
  if (o.name) rows.push(['Name', { code: o.name }]);
  if (o.url) rows.push(['URL', o.url]);
  if (o.image) rows.push(['Image', { code: o.image }]);
  if (o.bucketPrefix) rows.push(['Bucket prefix', { code: o.bucketPrefix }]);
  rows.push(...extraRows);
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary
    .addHeading(htmlText(summaryTitle), 3)
    .addTable([
      [
        { data: 'Field', header: true },
        { data: 'Value', header: true },
      ],
      ...rows.map(([k, v]) => [htmlText(k), cellHtml(v)]),
    ])
    .write();
}
