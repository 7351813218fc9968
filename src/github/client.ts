import { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

export interface Repo {
  owner: string;
  repo: string;
}

/** Octokit against GITHUB_API_URL (the runner sets it; GHES and the test emulator rely on it). */
export function createOctokit(token: string): Octokit {
  const baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com';
  return getOctokit(token, { baseUrl });
}
