/**
 * Which module answers a request: the sign-in pages of github.com (`/login/oauth/*`, no API token), then for a
 * user-to-server token what users.ts serves it, then identity, the Packages API and the routes below the one
 * repository; everything else is GitHub's 404. Every request is recorded in `calls` with the status it got.
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import { commentRoutes } from './comments.js';
import { deploymentRoutes } from './deployments.js';
import { identity } from './identity.js';
import { BOT_LOGIN, type Store } from './model.js';
import { oauthWeb } from './oauth.js';
import { packagesApi } from './packages.js';
import { checkPermission } from './permissions.js';
import { pullRoutes } from './pulls.js';
import { expireUserTokens, userTokenApi } from './users.js';
import {
  HttpError,
  RateLimit,
  authorize,
  errorReply,
  parseBody,
  send,
  tokenOf,
  type Ctx,
  type Reply,
  type Route,
} from './wire.js';

/** The body is parsed only once a route matched: an unknown route is a 404 whatever the body. */
function dispatch(s: Store, routes: Route[], ctx: Ctx, rawBody: string): Reply {
  const packageReply = packagesApi(s, ctx);
  if (packageReply) return packageReply;
  const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(ctx.url.pathname);
  if (!m) throw new HttpError(404, 'Not Found');
  if (
    decodeURIComponent(m[1]).toLowerCase() !== s.owner.toLowerCase() ||
    decodeURIComponent(m[2]).toLowerCase() !== s.repo.toLowerCase()
  ) {
    throw new HttpError(404, 'Not Found');
  }
  const rest = m[3].replace(/\/$/, '');
  checkPermission(s, ctx, rest, BOT_LOGIN);
  for (const r of routes) {
    const hit = r.re.exec(rest);
    if (!hit || r.method !== ctx.method) continue;
    ctx.body = parseBody(rawBody);
    return r.handle(ctx, hit);
  }
  throw new HttpError(404, 'Not Found');
}

function answer(s: Store, routes: Route[], req: IncomingMessage, url: URL, raw: string): Reply {
  try {
    const web = oauthWeb(s, req, url, raw);
    if (web) return web;
    expireUserTokens(s);
    const ctx: Ctx = {
      method: req.method ?? 'GET',
      url,
      base: s.base,
      body: undefined,
      login: authorize(req, s.logins),
    };
    const userToken = s.oauth.tokens.has(tokenOf(req) ?? '');
    return (userToken ? userTokenApi(s, ctx) : undefined) ?? identity(ctx, raw) ?? dispatch(s, routes, ctx, raw);
  } catch (err) {
    return errorReply(err);
  }
}

export function requestListener(s: Store): RequestListener {
  const routes = [...pullRoutes(s), ...commentRoutes(s), ...deploymentRoutes(s)];
  const rateLimit = new RateLimit(s.now);
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', s.base);
      const reply = answer(s, routes, req, url, Buffer.concat(chunks).toString('utf8'));
      s.calls.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        status: reply.status,
      });
      send(res, reply, reply.web ? {} : rateLimit.headers());
    });
  };
}
