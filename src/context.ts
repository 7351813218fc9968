/** The workflow run as the runner describes it: environment variables and the webhook payload file. */
import { readFileSync } from 'node:fs';
import type { Repo } from './github/client.js';

export interface PullRequestEvent {
  number: number;
  headSha: string;
  /** `owner/repo` the head branch lives in; differs from the base repository for a fork. */
  headRepo: string;
  labels: string[];
  merged: boolean;
}

export interface RunContext {
  eventName: string;
  action?: string;
  /** For a `labeled` event: the label that was added. */
  addedLabel?: string;
  repo: Repo;
  pr?: PullRequestEvent;
  runUrl: string;
  workspace: string;
}

interface Payload {
  action?: string;
  label?: { name?: string };
  repository?: { full_name?: string };
  pull_request?: {
    number: number;
    merged?: boolean;
    labels?: { name?: string }[];
    head: { sha: string; repo?: { full_name?: string } | null };
  };
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  if (!eventName) throw new Error('GITHUB_EVENT_NAME is not set: run this as a GitHub Actions step');
  const payload: Payload = env.GITHUB_EVENT_PATH ? JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) : {};
  const fullName = env.GITHUB_REPOSITORY || payload.repository?.full_name || '';
  const [owner, repo] = fullName.split('/');
  if (!owner || !repo) throw new Error('GITHUB_REPOSITORY is not set (expected owner/repo)');
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const pull = payload.pull_request;
  return {
    eventName,
    action: payload.action,
    addedLabel: payload.label?.name,
    repo: { owner, repo },
    pr: pull && {
      number: pull.number,
      headSha: pull.head.sha,
      // A deleted fork has no head repo: treat it as foreign.
      headRepo: pull.head.repo?.full_name ?? '',
      labels: (pull.labels ?? []).map((l) => l.name ?? '').filter(Boolean),
      merged: pull.merged ?? false,
    },
    runUrl: `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID ?? '0'}`,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
  };
}
