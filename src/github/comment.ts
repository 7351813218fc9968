/** The one PR comment per preview: found by its hidden marker across every page of comments, edited in place. */
import { commentMarker } from '../naming.js';
import type { Octokit, Repo } from './client.js';

export async function findComment(octokit: Octokit, repo: Repo, pr: number, name: string): Promise<number | undefined> {
  const marker = commentMarker(name);
  let found: number | undefined;
  await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: pr, per_page: 100 }, (res, done) => {
    const hit = res.data.find((c) => c.body?.startsWith(marker));
    if (hit) {
      found = hit.id;
      done();
    }
    return [];
  });
  return found;
}

export type UpsertMode = 'create-or-update' | 'update-only';

/** Returns the comment id, or undefined when mode is update-only and no comment existed. */
export async function upsertComment(octokit: Octokit, repo: Repo, pr: number, name: string, body: string, mode: UpsertMode = 'create-or-update'): Promise<number | undefined> {
  const id = await findComment(octokit, repo, pr, name);
  if (id !== undefined) {
    await octokit.rest.issues.updateComment({ ...repo, comment_id: id, body });
    return id;
  }
  if (mode === 'update-only') return undefined;
  const created = await octokit.rest.issues.createComment({ ...repo, issue_number: pr, body });
  return created.data.id;
}
