/**
 * teardown: function → assets → image tags → deployments → comment → the preview's record. Every step tolerates
 * "already gone", so it succeeds when nothing was deployed and when it runs twice. The record goes last: a teardown
 * that dies half-way leaves it behind, and the sweeper finishes the job from it (sweep.ts).
 * The comment ends as a receipt of what this teardown removed.
 */
import * as core from '@actions/core';
import { deletePrefix } from '../assets/sync.js';
import { renderComment } from '../github/comment-text.js';
import { PreviewComment } from '../github/comment.js';
import { markInactive } from '../github/deployments.js';
import { deletePrTags } from '../image/registry.js';
import { bucketPrefix, environmentName, previewName } from '../naming.js';
import { writeOutputs } from '../report.js';
import { deleteRecord } from '../state/previews.js';
import type { Services } from './services.js';

export interface TeardownReport {
  name: string;
  functionDeleted: boolean;
  objectsDeleted: number;
  tagsDeleted: string[];
  deploymentsInactivated: number;
  commented: boolean;
  /** The receipt: one line per thing removed. */
  removed: string[];
}

export async function teardownPreview(s: Services, pr: number, reason: string): Promise<TeardownReport> {
  const { settings, ctx, gateway, octokit } = s;
  const name = previewName(settings.app, pr);
  const removed: string[] = [];
  const functionDeleted = await gateway.remove(name);
  core.info(functionDeleted ? `Function ${name} deleted` : `Function ${name} was not on the gateway`);
  if (functionDeleted) removed.push(`the function \`${name}\``);

  let objectsDeleted = 0;
  if (settings.assets && s.s3) {
    objectsDeleted = (await deletePrefix(s.s3, settings.assets.bucket, bucketPrefix(name))).deleted;
    core.info(`Deleted ${objectsDeleted} objects under s3://${settings.assets.bucket}/${bucketPrefix(name)}`);
    if (objectsDeleted) removed.push(`${objectsDeleted} static asset${objectsDeleted === 1 ? '' : 's'} under \`${bucketPrefix(name)}\``);
  }

  let tagsDeleted: string[] = [];
  if (settings.build.deleteImage && settings.build.builder !== 'none') {
    const cleanup = await deletePrTags(settings.build, pr, { octokit, timeoutMs: settings.requestTimeoutMs, log: core.info });
    tagsDeleted = cleanup.deleted;
    if (cleanup.unsupported) core.warning(cleanup.unsupported);
    core.info(`Deleted image tags: ${tagsDeleted.join(', ') || 'none'}`);
    if (tagsDeleted.length) removed.push(`image tag${tagsDeleted.length === 1 ? '' : 's'} ${tagsDeleted.map((t) => `\`${t}\``).join(', ')}`);
  }

  let deploymentsInactivated = 0;
  if (settings.github.deployment) deploymentsInactivated = await markInactive(octokit, ctx.repo, environmentName(name), ctx.runUrl);
  if (deploymentsInactivated) removed.push(`the deployment \`${environmentName(name)}\` (marked inactive)`);

  let commented = false;
  if (settings.github.comment) {
    // Only edit an existing comment: a PR that never had a preview gets no comment on close.
    const body = renderComment({ state: 'torn-down', name, runUrl: ctx.runUrl, time: s.now().toISOString(), reason, removed });
    commented = (await new PreviewComment(octokit, ctx.repo, pr, name, (line) => core.info(line)).write(body, { updateOnly: true })) !== undefined;
  }
  if (settings.assets && s.s3) await deleteRecord({ client: s.s3, bucket: settings.assets.bucket, statePrefix: settings.sweep.statePrefix }, name);
  return { name, functionDeleted, objectsDeleted, tagsDeleted, deploymentsInactivated, commented, removed };
}

export async function teardown(s: Services): Promise<void> {
  const pr = s.ctx.pr;
  if (!pr) throw new Error(`command 'teardown' needs a pull_request or pull_request_target event, got '${s.ctx.eventName}'`);
  const report = await teardownPreview(s, pr.number, pr.merged ? `PR #${pr.number} was merged` : `PR #${pr.number} was closed`);
  await writeOutputs({ result: 'torn-down', name: report.name, bucketPrefix: s.settings.assets ? bucketPrefix(report.name) : undefined }, 'Preview torn down', [
    ['Function', report.functionDeleted ? 'deleted' : 'was already gone'],
    ['Objects deleted', String(report.objectsDeleted)],
    ['Image tags deleted', report.tagsDeleted.join(', ') || 'none'],
    ['Deployments marked inactive', String(report.deploymentsInactivated)],
  ]);
}
