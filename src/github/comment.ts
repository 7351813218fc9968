/**
 * The one PR comment per preview. It is ours only when it carries the hidden marker AND was written by the identity
 * behind `github-token`: anybody can post a comment starting with the marker, and a token with write access may
 * edit anybody's comment, so the marker alone would let a stranger's comment be overwritten (and ours never posted).
 *
 * Identity: GraphQL `viewer { login }`, which answers for installation tokens (GITHUB_TOKEN, GitHub Apps) as well
 * as user tokens; REST `GET /user` refuses installation tokens. REST spells a bot author `name[bot]` with type Bot.
 *
 * Two runs for one PR can both find no comment and both create one: after creating, the comments are listed again
 * and only the oldest of ours survives (ours included, if it is the younger), so concurrent runs converge on one.
 * A run's later writes edit the comment it found or kept without listing again; one deleted meanwhile (404) is looked
 * for again, and created when none is left.
 */
import { commentMarker } from '../naming.js';
import { publicText } from '../text/untrusted.js';
import type { Octokit, Repo } from './client.js';

/** GitHub refuses longer comment bodies with 422. */
const MAX_BODY = 65_536;

interface Author {
  login: string;
  type?: string;
}

/** Whether a REST comment author is the token's identity, however GraphQL spelled the viewer's login. */
function isAuthor(author: Author | null | undefined, viewer: string): boolean {
  if (!author) return false;
  const base = viewer.replace(/\[bot\]$/, '').toLowerCase();
  const login = author.login.toLowerCase();
  return author.type === 'Bot' ? login === `${base}[bot]` : login === base;
}

async function viewerLogin(octokit: Octokit): Promise<string> {
  try {
    const data = await octokit.graphql<{ viewer: { login: string } }>('{ viewer { login } }');
    if (data.viewer?.login) return data.viewer.login;
  } catch {
    // GHES without GraphQL for this token: a user token still answers GET /user.
  }
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login;
  } catch (err) {
    throw new Error(
      `could not tell which account 'github-token' belongs to (GraphQL viewer and GET /user both failed: ${(err as Error).message}); the PR comment is only edited when it is the token's own`,
      { cause: err },
    );
  }
}

interface Listed {
  id: number;
  body?: string;
  user: Author | null;
}

export class PreviewComment {
  private viewer?: Promise<string>;
  /** Our comment, once this object found, edited or created it. */
  private known?: number;

  constructor(
    private readonly octokit: Octokit,
    private readonly repo: Repo,
    private readonly pr: number,
    private readonly name: string,
    private readonly log: (line: string) => void,
  ) {}

  private who(): Promise<string> {
    this.viewer ??= viewerLogin(this.octokit);
    return this.viewer;
  }

  /** Ids of our comments for this preview, oldest first; markers in other people's comments are logged once and left alone. */
  async ours(): Promise<number[]> {
    const viewer = await this.who();
    const marker = commentMarker(this.name);
    const listed = (await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      ...this.repo,
      issue_number: this.pr,
      per_page: 100,
    })) as Listed[];
    const ids: number[] = [];
    for (const c of listed) {
      if (!c.body?.startsWith(marker)) continue;
      if (isAuthor(c.user, viewer)) ids.push(c.id);
      else
        this.log(
          `comment ${c.id} by ${c.user?.login ?? '(deleted user)'} carries the marker of ${this.name} but was not written by ${viewer}; left alone`,
        );
    }
    return ids.sort((a, b) => a - b);
  }

  /**
   * Edits our comment, or creates it (unless `updateOnly`). Returns the id written, or undefined when `updateOnly`
   * found none. Secrets and internal addresses leave the body whatever produced it.
   */
  async write(body: string, o: { updateOnly?: boolean } = {}): Promise<number | undefined> {
    const text = publicText(body).slice(0, MAX_BODY);
    if (this.known !== undefined) {
      // the comment this run wrote before: edited without listing again, unless it was deleted meanwhile
      try {
        await this.update(this.known, text);
        return this.known;
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
        this.known = undefined;
      }
    }
    const [first] = await this.ours();
    if (first !== undefined) {
      await this.update(first, text);
      return (this.known = first);
    }
    if (o.updateOnly) return undefined;
    const created = (await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: this.pr, body: text }))
      .data.id;
    return (this.known = await this.converge(created, text));
  }

  private async update(id: number, text: string): Promise<void> {
    await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: id, body: text });
  }

  /** After a create: keep the oldest of ours, delete the rest; the survivor gets this run's body. */
  private async converge(created: number, text: string): Promise<number> {
    const [keep, ...extra] = await this.ours();
    if (keep === undefined) return created;
    // The other run converges the same way and may have deleted some of them already: 404 is fine.
    for (const id of extra)
      await this.octokit.rest.issues
        .deleteComment({ ...this.repo, comment_id: id })
        .catch((err: { status?: number }) => {
          if (err.status !== 404) throw err;
        });
    if (keep !== created) {
      this.log(
        `another run created the preview comment at the same time; kept comment ${keep}, removed ${extra.join(', ')}`,
      );
      await this.update(keep, text);
    }
    return keep;
  }
}
