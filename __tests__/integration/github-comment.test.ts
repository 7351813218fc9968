/**
 * The one PR comment (src/github/comment.ts) against the emulated GitHub over real sockets: a run's later writes edit
 * the comment it found without listing the PR's comments again, and a comment deleted meanwhile is written anew.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { createOctokit, type Octokit } from '../../src/github/client.js';
import { PreviewComment } from '../../src/github/comment.js';
import { commentMarker } from '../../src/naming.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';

const NAME = 'hello-world-pr-7';
const repo = { owner: 'Codertocat', repo: 'Hello-World' };
let github: GitHubEmulator;
let octokit: Octokit;
const apiUrl = process.env.GITHUB_API_URL;
beforeAll(async () => {
  github = await startGitHub();
  process.env.GITHUB_API_URL = github.url; // createOctokit reads it, as on a runner
  octokit = createOctokit(github.token, { timeoutMs: 10_000, log: () => undefined });
  github.setPull({ number: 7, state: 'open', headSha: 'a'.repeat(40) });
});
afterAll(async () => {
  if (apiUrl === undefined) delete process.env.GITHUB_API_URL;
  else process.env.GITHUB_API_URL = apiUrl;
  await github.close();
});
beforeEach(() => void (github.calls.length = 0));

const listings = () => github.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/issues/7/comments')).length;
const body = (text: string) => `${commentMarker(NAME)}\n${text}`;
const texts = () => github.comments(7).map((c) => c.body);

test('a second write edits the comment the first one wrote, without listing the comments again', async () => {
  const comment = new PreviewComment(octokit, repo, 7, NAME, () => undefined);
  const id = await comment.write(body('building'));
  const listedByFirst = listings();
  expect(listedByFirst).toBeGreaterThan(0);
  expect(await comment.write(body('ready'))).toBe(id);
  expect(listings()).toBe(listedByFirst);
  expect(texts()).toEqual([body('ready')]);
  // a new run (a new object) finds it by listing
  expect(await new PreviewComment(octokit, repo, 7, NAME, () => undefined).write(body('again'))).toBe(id);
  expect(listings()).toBe(listedByFirst + 1);
});

test('a comment deleted between two writes is looked for again, and written anew', async () => {
  const comment = new PreviewComment(octokit, repo, 7, NAME, () => undefined);
  const id = await comment.write(body('building'));
  await octokit.rest.issues.deleteComment({ ...repo, comment_id: id! });
  const other = await comment.write(body('ready'));
  expect(other).not.toBe(id);
  expect(texts()).toEqual([body('ready')]);
  // an update-only write after a deletion creates nothing
  await octokit.rest.issues.deleteComment({ ...repo, comment_id: other! });
  expect(await comment.write(body('torn down'), { updateOnly: true })).toBeUndefined();
  expect(texts()).toEqual([]);
});
