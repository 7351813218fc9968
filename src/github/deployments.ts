/**
 * GitHub deployments so the PR shows "View deployment"; one transient, non-production environment per preview.
 * Each run marks its own deployment and retires only OLDER ones (lower ids): two runs of one PR racing each other
 * then leave exactly one active deployment, the newest, instead of retiring each other's.
 */
import type { Octokit, Repo } from './client.js';

export interface DeploymentMark {
  environment: string;
  sha: string;
  url: string;
  logUrl: string;
  description: string;
}

/** GitHub refuses longer status descriptions with 422. */
const MAX_DESCRIPTION = 140;

function clip(text: string): string {
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

async function createDeployment(octokit: Octokit, repo: Repo, mark: DeploymentMark): Promise<number> {
  // auto_merge false and an empty required_contexts: a preview must deploy the PR's commit as it is, even when the
  // branch is behind the default branch or its checks are still running.
  const created = await octokit.rest.repos.createDeployment({
    ...repo,
    ref: mark.sha,
    environment: mark.environment,
    transient_environment: true,
    production_environment: false,
    required_contexts: [],
    auto_merge: false,
    description: clip(mark.description),
  });
  if (created.status !== 201 || !('id' in created.data)) {
    throw new Error(
      `GitHub did not create the deployment for ${mark.environment}: ${JSON.stringify(created.data).slice(0, 200)}`,
    );
  }
  return created.data.id;
}

export type FinalState = 'success' | 'failure' | 'error' | 'inactive';

/** A new deployment for this commit, `in_progress` while the run builds and deploys it; returns its id. */
export async function startDeployment(octokit: Octokit, repo: Repo, mark: DeploymentMark): Promise<number> {
  const id = await createDeployment(octokit, repo, mark);
  await octokit.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: id,
    state: 'in_progress',
    log_url: mark.logUrl,
    description: clip(mark.description),
    auto_inactive: false,
  });
  return id;
}

/** The deployment's final state; `success` also retires the older ones. */
export async function finishDeployment(
  octokit: Octokit,
  repo: Repo,
  id: number,
  mark: DeploymentMark,
  state: FinalState,
): Promise<void> {
  await octokit.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: id,
    state,
    ...(state === 'success' ? { environment_url: mark.url } : {}),
    log_url: mark.logUrl,
    description: clip(mark.description),
    // GitHub's auto_inactive skips transient environments; older deployments are retired below instead.
    auto_inactive: false,
  });
  if (state !== 'success') return;
  // One listing, taken after this success was written, serves both steps, in this order: retireIfOvertaken marks this
  // deployment REPLACED, where a later walk stops, so the older ones are retired first.
  const { newest } = await retireDeployments(octokit, repo, mark.environment, mark.logUrl, id);
  await retireIfOvertaken(octokit, repo, id, mark, newest);
}

/**
 * A newer run that already succeeded may have retired this deployment before this success was written, which made
 * it active again: then it is retired once more. Each run writes its success before it lists the others, so of
 * two racing runs at least one sees the other's success, and one deployment stays active. `newest`: the first page
 * of that listing (newest first).
 *
 * A newer deployment retired as REPLACED proves it too: only a success retires a deployment so, and only one newer
 * than it. That covers a third run that succeeded after the listing and retired the newer one this run would have
 * seen succeed (its walk stops before reaching this deployment); the newest success never sees such a proof.
 */
async function retireIfOvertaken(
  octokit: Octokit,
  repo: Repo,
  id: number,
  mark: DeploymentMark,
  newest: readonly Listed[],
): Promise<void> {
  for (const d of newest) {
    if (d.id <= id) continue;
    const latest = await latestStatus(octokit, repo, d.id);
    const overtaken = latest?.state === 'success' || (latest?.state === 'inactive' && latest.description === REPLACED);
    if (!overtaken) continue;
    await octokit.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: id,
      state: 'inactive',
      log_url: mark.logUrl,
      description: REPLACED,
    });
    return;
  }
}

/** A new deployment for this commit with a final state at once (a failure before the run had started one). */
export async function markDeployment(
  octokit: Octokit,
  repo: Repo,
  mark: DeploymentMark,
  state: FinalState,
): Promise<number> {
  const id = await createDeployment(octokit, repo, mark);
  await finishDeployment(octokit, repo, id, mark, state);
  return id;
}

const TORN_DOWN = 'Preview torn down';
const REPLACED = 'Replaced by a newer deployment';

/** Marks all the environment's deployments inactive (a teardown); returns how many changed. */
export async function markInactive(octokit: Octokit, repo: Repo, environment: string, logUrl: string): Promise<number> {
  return (await retireDeployments(octokit, repo, environment, logUrl)).changed;
}

/** A deployment as the walks need it from a listing. */
type Listed = { id: number };

/** The deployment's latest status (GitHub lists them newest first); undefined when it has none. */
async function latestStatus(octokit: Octokit, repo: Repo, id: number) {
  return (await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: id, per_page: 1 })).data[0];
}

/**
 * Marks the environment's deployments inactive: those older than `olderThan` when given (a success retires them),
 * else all. Deployments come newest first and each walk retires all older ones, so the first one a walk retired (its
 * description says so) ends the next walk: a PR with fifty pushes costs a few requests, not a hundred. A deployment
 * retired otherwise (a run overtaken by a newer push) proves nothing about older ones: the walk goes on. Returns how
 * many changed, and the listing's first page (`newest`).
 */
async function retireDeployments(
  octokit: Octokit,
  repo: Repo,
  environment: string,
  logUrl: string,
  olderThan?: number,
): Promise<{ changed: number; newest: Listed[] }> {
  const walked = { changed: 0, newest: [] as Listed[] };
  const pages = octokit.paginate.iterator(octokit.rest.repos.listDeployments, { ...repo, environment, per_page: 100 });
  for await (const page of pages) {
    if (!walked.newest.length) walked.newest = page.data;
    const older = page.data.filter((d) => olderThan === undefined || d.id < olderThan);
    // The first two of a page are asked for at once: a walk usually reads two (the live deployment, then the one the
    // walk before retired) and stops. Any further one is asked for when the walk gets there.
    const firstTwo = older.slice(0, 2).map((d) => latestStatus(octokit, repo, d.id));
    for (const read of firstTwo) read.catch(() => undefined); // awaited in turn; a failure then fails the walk
    try {
      for (const [i, d] of older.entries()) {
        const latest = await (firstTwo[i] ?? latestStatus(octokit, repo, d.id));
        if (latest?.state === 'inactive') {
          if (latest.description === TORN_DOWN || latest.description === REPLACED) return walked;
          continue;
        }
        await octokit.rest.repos.createDeploymentStatus({
          ...repo,
          deployment_id: d.id,
          state: 'inactive',
          log_url: logUrl,
          description: olderThan === undefined ? TORN_DOWN : REPLACED,
        });
        walked.changed++;
      }
    } finally {
      await Promise.allSettled(firstTwo); // a walk that stopped or failed at the first leaves no read behind
    }
  }
  return walked;
}
