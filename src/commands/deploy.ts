/** deploy: guards → image → function → readiness → assets → comment and deployment → outputs. Orchestration only. */
import * as core from '@actions/core';
import { syncAssets } from '../assets/sync.js';
import { deployGuard } from '../decide/event.js';
import { quotaDecision } from '../decide/quota.js';
import { renderComment, type PreviewFacts } from '../github/comment-text.js';
import { upsertComment } from '../github/comment.js';
import { markDeployed } from '../github/deployments.js';
import { getPull } from '../github/pulls.js';
import { buildAndPush } from '../image/build.js';
import { ANNOTATIONS, bucketPrefix, environmentName, imageTag, isManagedBy, previewLabels, previewName, previewUrl } from '../naming.js';
import { waitUntilReady, type Edition } from '../openfaas/client.js';
import type { FunctionDeployment } from '../openfaas/types.js';
import { writeOutputs } from '../report.js';
import type { Settings } from '../settings.js';
import type { Services } from './services.js';

export const SCALE_ZERO_LABEL = 'com.openfaas.scale.zero';

/** The FunctionDeployment body for a preview: user labels first, so ours (the contract) always win. */
export function functionSpec(settings: Settings, o: { name: string; image: string; owner: string; repo: string; pr: number; sha: string; url: string; edition: Edition; now: Date }): FunctionDeployment {
  const labels: Record<string, string> = { ...settings.fn.labels, ...previewLabels(o.owner, o.repo, o.pr, o.sha) };
  // Community Edition refuses com.openfaas.scale.zero* with 400; Pro and Edge wake a function at zero on its next request.
  if (o.edition === 'pro') labels[SCALE_ZERO_LABEL] = 'true';
  else delete labels[SCALE_ZERO_LABEL];
  return {
    service: o.name,
    image: o.image,
    envVars: settings.fn.envVars,
    labels,
    annotations: { ...settings.fn.annotations, [ANNOTATIONS.deployedAt]: o.now.toISOString(), [ANNOTATIONS.url]: o.url },
    secrets: settings.fn.secrets,
    limits: { memory: settings.fn.memoryLimit, cpu: settings.fn.cpuLimit },
  };
}

export async function deploy(s: Services): Promise<void> {
  const { settings, ctx, gateway, octokit } = s;
  const pr = ctx.pr;
  if (!pr) throw new Error(`command 'deploy' needs a pull_request or pull_request_target event, got '${ctx.eventName}'`);

  const guard = deployGuard({
    eventName: ctx.eventName,
    baseRepo: `${ctx.repo.owner}/${ctx.repo.repo}`,
    headRepo: pr.headRepo,
    labels: pr.labels,
    gateLabel: settings.label,
    allowForkBuilds: settings.allowForkBuilds,
  });
  if (guard.kind === 'skip') return skip(guard.reason, guard.level);

  // The event may be minutes old (queued runs, re-runs): deploy only what the PR's head still is.
  const live = await getPull(octokit, ctx.repo, pr.number);
  if (live.state !== 'open') return skip(`PR #${pr.number} is ${live.state}; a closed PR gets no preview`, 'notice');
  if (live.headSha !== pr.headSha) {
    return skip(`superseded: PR #${pr.number} head is now ${live.headSha.slice(0, 7)}, this run is for ${pr.headSha.slice(0, 7)}; the newer push deploys`, 'notice');
  }

  const name = previewName(settings.app, pr.number);
  const url = previewUrl(settings.urlTemplate, name, pr.number, pr.headSha);
  const edition = await gateway.edition();
  const functions = await gateway.list();
  const quota = quotaDecision({
    name,
    app: settings.app,
    managed: functions.filter((f) => isManagedBy(f.labels, ctx.repo.owner, ctx.repo.repo)).map((f) => f.name),
    maxPreviews: settings.sweep.maxPreviews,
    edition,
  });
  const time = () => s.now().toISOString();
  if (quota.kind === 'refuse') {
    core.warning(`preview ${name} refused: ${quota.holders.length} previews already hold the ${quota.limit} slots (input 'max-previews')`);
    if (settings.github.comment) {
      await upsertComment(octokit, ctx.repo, pr.number, name, renderComment({ state: 'refused', name, runUrl: ctx.runUrl, time: time(), limit: quota.limit, holders: quota.holders }));
    }
    await writeOutputs({ result: 'refused', name }, 'Preview refused');
    return;
  }

  const image = settings.build.builder === 'none' ? settings.build.prebuiltImage : imageTag(settings.build.repository, pr.number, pr.headSha);
  const facts: PreviewFacts = { name, url, sha: pr.headSha, image, runUrl: ctx.runUrl, time: time() };
  try {
    if (settings.build.builder !== 'none') {
      core.info(`Building ${image} with ${settings.build.builder}`);
      await buildAndPush(settings.build, image);
    }

    const spec = functionSpec(settings, { name, image, owner: ctx.repo.owner, repo: ctx.repo.repo, pr: pr.number, sha: pr.headSha, url, edition, now: s.now() });
    const how = await gateway.deploy(spec);
    core.info(`Function ${name} ${how} on the gateway (${edition} edition); waiting for a ready replica`);
    await waitUntilReady(gateway, name, { timeoutMs: settings.fn.readyTimeoutMs });

    let assets: { uploaded: number; skipped: number; deleted: number } | undefined;
    if (settings.assets?.staticDir && s.s3) {
      const a = settings.assets;
      const result = await syncAssets(s.s3, {
        bucket: a.bucket,
        prefix: bucketPrefix(name),
        dir: a.staticDir!,
        includeDotfiles: a.includeDotfiles,
        cacheControl: a.cacheControl,
        cacheControlFingerprinted: a.cacheControlFingerprinted,
        concurrency: a.concurrency,
        log: (line) => core.info(line),
      });
      assets = { uploaded: result.uploaded, skipped: result.skipped, deleted: result.deleted };
    }

    if (settings.github.comment) {
      await upsertComment(octokit, ctx.repo, pr.number, name, renderComment({ state: 'deployed', ...facts, assets }));
    }
    if (settings.github.deployment) {
      await markDeployed(octokit, ctx.repo, {
        environment: environmentName(name),
        sha: pr.headSha,
        url,
        logUrl: ctx.runUrl,
        description: `Preview of #${pr.number} at ${pr.headSha.slice(0, 7)}`,
      });
    }
    core.info(`Preview ready: ${url}`);
    await writeOutputs({ result: 'deployed', name, url, image, bucketPrefix: settings.assets ? bucketPrefix(name) : undefined }, 'Preview deployed', [['Commit', `<code>${pr.headSha.slice(0, 7)}</code>`]]);
  } catch (err) {
    if (settings.github.comment) {
      await upsertComment(octokit, ctx.repo, pr.number, name, renderComment({ state: 'failed', ...facts, error: (err as Error).message })).catch((e: Error) =>
        core.warning(`could not update the PR comment after the failure: ${e.message}`),
      );
    }
    throw err;
  }
}

async function skip(reason: string, level: 'notice' | 'warning'): Promise<void> {
  if (level === 'warning') core.warning(reason);
  else core.notice(reason);
  await writeOutputs({ result: 'skipped' }, 'Preview skipped', [['Reason', reason]]);
}
