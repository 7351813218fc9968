/** Step outputs and the job summary: what a workflow and a human read after the step. */
import * as core from '@actions/core';

export interface PreviewOutputs {
  result: 'deployed' | 'torn-down' | 'skipped' | 'refused' | 'swept';
  name?: string;
  url?: string;
  image?: string;
  bucketPrefix?: string;
}

export async function writeOutputs(o: PreviewOutputs, summaryTitle: string, extraRows: [string, string][] = []): Promise<void> {
  core.setOutput('result', o.result);
  core.setOutput('name', o.name ?? '');
  core.setOutput('url', o.url ?? '');
  core.setOutput('image', o.image ?? '');
  core.setOutput('bucket-prefix', o.bucketPrefix ?? '');
  const rows: [string, string][] = [
    ['Result', o.result],
    ...(o.name ? [['Name', `<code>${o.name}</code>`] as [string, string]] : []),
    ...(o.url ? [['URL', `<a href="${o.url}">${o.url}</a>`] as [string, string]] : []),
    ...(o.image ? [['Image', `<code>${o.image}</code>`] as [string, string]] : []),
    ...(o.bucketPrefix ? [['Bucket prefix', `<code>${o.bucketPrefix}</code>`] as [string, string]] : []),
    ...extraRows,
  ];
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary
    .addHeading(summaryTitle, 3)
    .addTable([[{ data: 'Field', header: true }, { data: 'Value', header: true }], ...rows])
    .write();
}
