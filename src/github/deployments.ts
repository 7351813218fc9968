/** GitHub deployments so the PR shows "View deployment"; one transient, non-production environment per preview. */
import type { Octokit, Repo } from './client.js';

export interface DeployedMark {
  environment: string;
  sha: string;
  url: string;
  logUrl: string;
  description: string;
}

export async function markDeployed(octokit: Octokit, repo: Repo, mark: DeployedMark): Promise<number> {
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
    description: mark.description,
  });
  if (created.status !== 201 || !('id' in created.data)) {
    throw new Error(`GitHub did not create the deployment for ${mark.environment}: ${JSON.stringify(created.data)}`);
  }
  const id = created.data.id;
  await octokit.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: id,
    state: 'success',
    environment_url: mark.url,
    log_url: mark.logUrl,
    description: mark.description,
  });
  // GitHub's auto_inactive skips transient environments, so the previous commit's preview is retired here.
  await markInactive(octokit, repo, mark.environment, mark.logUrl, id);
  return id;
}

/**
 * Marks every deployment of the environment but `keep` inactive; returns how many changed. Safe when there are none.
 * Deployments come newest first and each run retires all older ones, so the first inactive one ends the walk:
 * a PR with fifty pushes costs a few requests, not a hundred.
 */
export async function markInactive(octokit: Octokit, repo: Repo, environment: string, logUrl: string, keep?: number): Promise<number> {
  let changed = 0;
  const pages = octokit.paginate.iterator(octokit.rest.repos.listDeployments, { ...repo, environment, per_page: 100 });
  for await (const page of pages) {
    for (const d of page.data) {
      if (d.id === keep) continue;
      const [latest] = (await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 })).data;
      if (latest?.state === 'inactive') return changed;
      await octokit.rest.repos.createDeploymentStatus({
        ...repo,
        deployment_id: d.id,
        state: 'inactive',
        log_url: logUrl,
        description: keep === undefined ? 'Preview torn down' : 'Replaced by a newer commit',
      });
      changed++;
    }
  }
  return changed;
}
