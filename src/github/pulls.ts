import type { Octokit, Repo } from './client.js';

export interface PullInfo {
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  labels: string[];
}

export async function getPull(octokit: Octokit, repo: Repo, pr: number): Promise<PullInfo> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pr });
  return {
    number: data.number,
    state: data.state === 'open' ? 'open' : 'closed',
    headSha: data.head.sha,
    labels: data.labels.map((l) => l.name ?? '').filter(Boolean),
  };
}

/** Numbers of every open PR, in one paginated listing (the sweeper's view of which previews may live). */
export async function listOpenPulls(octokit: Octokit, repo: Repo): Promise<Set<number>> {
  const pulls = await octokit.paginate(octokit.rest.pulls.list, { ...repo, state: 'open', per_page: 100 });
  return new Set(pulls.map((p) => p.number));
}
