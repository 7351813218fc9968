/**
 * teardown: function → data (on-teardown hook, secrets, database) → assets → image tags → deployments → comment →
 * the preview's record. Every step tolerates
 * "already gone", so it succeeds when nothing was deployed and when it runs twice. A step that fails does not stop
 * the others (a registry that refuses deletes must not keep a deployment active); the run then fails naming every
 * failed step, and the record stays, so the sweeper finishes the job later (sweep.ts).
 * The comment ends as a receipt of what this teardown removed, and of what it kept and why.
 */
import { deletePrefix } from '../assets/sync.js';
import { renderComment } from '../github/comment-text.js';
import { PreviewComment } from '../github/comment.js';
import { markInactive } from '../github/deployments.js';
import { deletePrTags } from '../image/registry.js';
import { bucketPrefix, environmentName, previewName, previewUrl } from '../naming.js';
import { writeOutputs } from '../report.js';
import { deleteRecord } from '../state/previews.js';
import { deleteSleeping } from '../state/sleeping.js';
import { inlineCode } from '../text/untrusted.js';
import { removeData } from './preview-data.js';
import type { Services } from './services.js';
import { log } from '../log.js';

export interface TeardownReport {
  name: string;
  functionDeleted: boolean;
  objectsDeleted: number;
  tagsDeleted: string[];
  deploymentsInactivated: number;
  commented: boolean;
  /** The receipt: one line per thing removed (Markdown). */
  removed: string[];
  /** What was left on purpose, with why (Markdown). */
  kept: string[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function teardownPreview(s: Services, pr: number, reason: string): Promise<TeardownReport> {
  const { settings, ctx, gateway, octokit } = s;
  const name = previewName(settings.app, pr);
  const r: TeardownReport = { name, functionDeleted: false, objectsDeleted: 0, tagsDeleted: [], deploymentsInactivated: 0, commented: false, removed: [], kept: [] };
  const failures: string[] = [];
  const step = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      failures.push(`${what}: ${(err as Error).message}`);
      log.error(`teardown of ${name}: ${what} failed: ${(err as Error).message}`);
    }
  };

  // First, so that a waker can no longer bring a closed PR's preview back while the rest goes.
  if (settings.assets && s.s3) await step('forgetting the sleeping preview', () => deleteSleeping({ client: s.s3!, bucket: settings.assets!.bucket, statePrefix: settings.sweep.statePrefix }, name));
  await step('deleting the function', async () => {
    r.functionDeleted = await gateway.remove(name);
    log.info(r.functionDeleted ? `Function ${name} deleted` : `Function ${name} was not on the gateway`);
    if (r.functionDeleted) r.removed.push(`the function \`${name}\``);
  });
  await step('removing the preview data', async () => {
    const sha = s.ctx.pr?.number === pr ? s.ctx.pr.headSha : '';
    r.removed.push(...(await removeData(s, { name, pr, sha, url: previewUrl(settings.urlTemplate, name, pr, sha) })));
  });
  if (settings.assets && s.s3) {
    const { bucket } = settings.assets;
    await step('deleting the static assets', async () => {
      r.objectsDeleted = (await deletePrefix(s.s3!, bucket, bucketPrefix(name))).deleted;
      log.info(`Deleted ${r.objectsDeleted} objects under s3://${bucket}/${bucketPrefix(name)}`);
      if (r.objectsDeleted) r.removed.push(`${plural(r.objectsDeleted, 'static asset')} under \`${bucketPrefix(name)}\``);
    });
  }
  if (settings.build.deleteImage && settings.build.builder !== 'none') await step('deleting the image tags', () => deleteTags(s, pr, r));
  if (settings.github.deployment) {
    await step('marking the deployment inactive', async () => {
      r.deploymentsInactivated = await markInactive(octokit, ctx.repo, environmentName(name), ctx.runUrl);
      if (r.deploymentsInactivated) r.removed.push(`the deployment \`${environmentName(name)}\` (marked inactive)`);
    });
  }
  if (settings.github.comment) {
    await step('updating the PR comment', async () => {
      // Only edit an existing comment: a PR that never had a preview gets no comment on close.
      const body = renderComment({ state: 'torn-down', name, runUrl: ctx.runUrl, time: s.now().toISOString(), reason, removed: r.removed, kept: r.kept });
      r.commented = (await new PreviewComment(octokit, ctx.repo, pr, name, (line) => log.info(line)).write(body, { updateOnly: true })) !== undefined;
    });
  }
  if (failures.length) throw new Error(`teardown of ${name} is incomplete (the sweeper finishes it from its record): ${failures.join('; ')}`);
  if (settings.assets && s.s3) await deleteRecord({ client: s.s3, bucket: settings.assets.bucket, statePrefix: settings.sweep.statePrefix }, name);
  return r;
}

async function deleteTags(s: Services, pr: number, r: TeardownReport): Promise<void> {
  const cleanup = await deletePrTags(s.settings.build, pr, { octokit: s.octokit, timeoutMs: s.settings.requestTimeoutMs, log: (line) => log.info(line) });
  r.tagsDeleted = cleanup.deleted;
  if (cleanup.unsupported) {
    log.warning(cleanup.unsupported);
    r.kept.push(`image tags: ${inlineCode(cleanup.unsupported, 400)}`);
  }
  for (const k of cleanup.kept) r.kept.push(`image tag \`${k.tag}\`: ${inlineCode(k.reason, 300)}`);
  log.info(`Deleted image tags: ${r.tagsDeleted.join(', ') || 'none'}`);
  if (r.tagsDeleted.length) r.removed.push(`${plural(r.tagsDeleted.length, 'image tag')} ${r.tagsDeleted.map((t) => `\`${t}\``).join(', ')}`);
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
