/**
 * Issue comments, on pull requests and issues alike: listed per issue, created, read, edited and deleted by id.
 * Like GitHub for a token with write access, any token may edit or delete anyone's comment.
 */
import { BOT_LOGIN, WEB, nodeId, user, userId, type Comment, type Store } from './model.js';
import { HttpError, body, page, route, validation, type Route } from './wire.js';

const COMMENT_MAX = 65536;

export function commentsOf(s: Store, issue: number): Comment[] {
  return [...s.comments.values()].filter((c) => c.issueNumber === issue).sort((a, b) => a.id - b.id);
}

function commentObject(s: Store, c: Comment) {
  const kind = s.pulls.has(c.issueNumber) ? 'pull' : 'issues';
  return {
    url: `${s.apiRepo()}/issues/comments/${c.id}`,
    html_url: `${WEB}/${s.fullName}/${kind}/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${s.apiRepo()}/issues/${c.issueNumber}`,
    id: c.id,
    node_id: nodeId('IC', c.id),
    user: user(c.user.login, userId(c.user.login)),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: c.user.login === BOT_LOGIN ? 'NONE' : 'MEMBER',
    body: c.body,
    performed_via_github_app: null,
  };
}

function commentBody(b: Record<string, unknown>): string {
  const v = b.body;
  if (v === undefined || v === null || v === '')
    throw validation([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
  if (typeof v !== 'string') throw validation([{ resource: 'IssueComment', code: 'invalid', field: 'body' }]);
  if (v.length > COMMENT_MAX) {
    throw validation([
      {
        resource: 'IssueComment',
        code: 'unprocessable',
        field: 'data',
        message: `Body is too long (maximum is ${COMMENT_MAX} characters)`,
      },
    ]);
  }
  return v;
}

function findComment(s: Store, id: string): Comment {
  const c = s.comments.get(Number(id));
  if (!c) throw new HttpError(404, 'Not Found');
  return c;
}

function addComment(s: Store, issue: number, text: string, login: string): Comment {
  const at = s.timestamp();
  const c: Comment = {
    id: s.nextId('comment'),
    body: text,
    user: { login },
    created_at: at,
    updated_at: at,
    issueNumber: issue,
  };
  s.comments.set(c.id, c);
  return c;
}

/** Comments as if written before the test began; the issue comes to exist if it did not. */
export function seedComments(s: Store, issue: number, bodies: string[], login: string): void {
  s.issues.add(issue);
  for (const text of bodies) addComment(s, issue, text, login);
}

/** A number `setPull` or `seedComments` created; any other is a 404. */
function existingIssue(s: Store, raw: string): number {
  const n = Number(raw);
  if (!s.issues.has(n)) throw new HttpError(404, 'Not Found');
  return n;
}

export function commentRoutes(s: Store): Route[] {
  return [
    route('GET', '/issues/(\\d+)/comments', (ctx, m) =>
      page(ctx, commentsOf(s, existingIssue(s, m[1])), (c) => commentObject(s, c)),
    ),
    route('POST', '/issues/(\\d+)/comments', (ctx, m) => {
      const n = existingIssue(s, m[1]);
      const c = addComment(s, n, commentBody(body(ctx)), ctx.login);
      return {
        status: 201,
        json: commentObject(s, c),
        headers: { Location: `${s.apiRepo()}/issues/comments/${c.id}` },
      };
    }),
    route('GET', '/issues/comments/(\\d+)', (_ctx, m) => ({
      status: 200,
      json: commentObject(s, findComment(s, m[1])),
    })),
    route('PATCH', '/issues/comments/(\\d+)', (ctx, m) => {
      const c = findComment(s, m[1]);
      c.body = commentBody(body(ctx));
      c.updated_at = s.timestamp();
      return { status: 200, json: commentObject(s, c) };
    }),
    route('DELETE', '/issues/comments/(\\d+)', (_ctx, m) => {
      s.comments.delete(findComment(s, m[1]).id);
      return { status: 204 };
    }),
  ];
}
