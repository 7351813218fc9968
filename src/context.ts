/**
 * The workflow run as the runner describes it: environment variables and the webhook payload file. The payload is
 * data from outside: every field the action relies on is checked here, and an error names the file and the field.
 */
import { readFileSync } from 'node:fs';
import type { Repo } from './github/client.js';

interface PullRequestEvent {
  number: number;
  headSha: string;
  /** `owner/repo` the head branch lives in; differs from the base repository for a fork. */
  headRepo: string;
  labels: string[];
  merged: boolean;
  /** Login of the PR's author. */
  author: string;
}

export interface RunContext {
  eventName: string;
  action?: string;
  /** For a `labeled` event: the label that was added. */
  addedLabel?: string;
  repo: Repo;
  pr?: PullRequestEvent;
  /** Who triggered the run (GITHUB_TRIGGERING_ACTOR, else GITHUB_ACTOR). */
  actor: string;
  runUrl: string;
  workspace: string;
}

class EventError extends Error {
  constructor(where: string, problem: string) {
    super(`event payload ${where} ${problem}`);
    this.name = 'EventError';
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readPayload(file: string | undefined): Json {
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EventError(
      `file ${file} (GITHUB_EVENT_PATH)`,
      `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    throw new EventError(`file ${file} (GITHUB_EVENT_PATH)`, `is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(payload)) throw new EventError(`file ${file} (GITHUB_EVENT_PATH)`, 'is not a JSON object');
  return payload;
}

function pullRequest(raw: unknown, file: string): PullRequestEvent | undefined {
  if (raw === undefined || raw === null) return undefined;
  const where = (field: string) => `field 'pull_request.${field}' in ${file}`;
  if (!isObject(raw)) throw new EventError(`field 'pull_request' in ${file}`, 'is not an object');
  const number = raw.number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) {
    throw new EventError(where('number'), `must be a positive integer, got ${JSON.stringify(number)}`);
  }
  if (!isObject(raw.head)) throw new EventError(where('head'), 'is missing');
  const sha = raw.head.sha;
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha))
    throw new EventError(where('head.sha'), `must be a 40-character commit sha, got ${JSON.stringify(sha)}`);
  const headRepo =
    isObject(raw.head.repo) && typeof raw.head.repo.full_name === 'string' ? raw.head.repo.full_name : '';
  const labels = Array.isArray(raw.labels)
    ? raw.labels.map((l) => (isObject(l) && typeof l.name === 'string' ? l.name : '')).filter(Boolean)
    : [];
  const author = isObject(raw.user) && typeof raw.user.login === 'string' ? raw.user.login : '';
  // A deleted fork has no head repo: headRepo '' is treated as foreign.
  return { number, headSha: sha, headRepo, labels, merged: raw.merged === true, author };
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  if (!eventName) throw new Error('GITHUB_EVENT_NAME is not set: run this as a GitHub Actions step');
  const file = env.GITHUB_EVENT_PATH ?? '';
  const payload = readPayload(file);
  const repository = isObject(payload.repository) ? payload.repository.full_name : undefined;
  const fullName = env.GITHUB_REPOSITORY || (typeof repository === 'string' ? repository : '');
  const [owner, repo, extra] = fullName.split('/');
  if (!owner || !repo || extra !== undefined)
    throw new Error(`GITHUB_REPOSITORY is '${fullName}', expected owner/repo`);
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  return {
    eventName,
    action: typeof payload.action === 'string' ? payload.action : undefined,
    addedLabel: isObject(payload.label) && typeof payload.label.name === 'string' ? payload.label.name : undefined,
    repo: { owner, repo },
    pr: pullRequest(payload.pull_request, file),
    actor: env.GITHUB_TRIGGERING_ACTOR || env.GITHUB_ACTOR || '',
    runUrl: `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID ?? '0'}`,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
  };
}
