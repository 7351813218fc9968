/**
 * Who a token is. Every token belongs to one login. The default token is an Actions installation token, whose
 * identity is the bot `github-actions[bot]`: REST spells comment authors `github-actions[bot]` (type Bot), GraphQL's
 * `viewer { login }` answers `github-actions[bot]` too, and REST `GET /user` refuses it with 403 "Resource not
 * accessible by integration" as GitHub does for installation tokens. `addToken` adds user tokens (PAT-like).
 * GraphQL: only the `viewer { login }` query is served; anything else gets GitHub's error shape.
 */
import { user, userId } from './model.js';
import { HttpError, type Ctx, type Reply } from './wire.js';

/** `GET /user` and `POST /graphql`: who the token is, as GitHub answers each (see the header comment). */
export function identity(ctx: Ctx, rawBody: string): Reply | undefined {
  const path = ctx.url.pathname.replace(/\/$/, '');
  if (path === '/user' && ctx.method === 'GET') {
    if (ctx.login.endsWith('[bot]')) throw new HttpError(403, 'Resource not accessible by integration');
    return { status: 200, json: user(ctx.login, userId(ctx.login)) };
  }
  if (path !== '/graphql') return undefined;
  if (ctx.method !== 'POST') throw new HttpError(404, 'Not Found');
  let query: string;
  try {
    const given = (JSON.parse(rawBody) as { query?: unknown }).query;
    query = typeof given === 'string' ? given : '';
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
  if (/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query))
    return { status: 200, json: { data: { viewer: { login: ctx.login } } } };
  return {
    status: 200,
    json: {
      errors: [{ message: 'faas-preview emulator: only `{ viewer { login } }` is served', type: 'NOT_SUPPORTED' }],
    },
  };
}
