/**
 * The Actions token's repository permissions, as a workflow's `permissions:` sets them, when a test gives them
 * (`startGitHub({ permissions })`). GitHub answers a call the token may not make with 403 "Resource not accessible by
 * integration" and names nothing (docs.github.com "Controlling permissions for GITHUB_TOKEN"; the REST reference's
 * "Fine-grained access tokens" box of each endpoint). A workflow that sets any key gets `none` for every key it left
 * out, so does this model; unset (the default), the token may do everything, as before.
 *
 * Modelled, from those boxes: issue comments need "Issues" or "Pull requests" (read to list, write to change), a
 * pull request "Pull requests" read, deployments and their statuses "Deployments". The Packages API keeps its own
 * setting (`setPackagesPermission`). Left out: every other route (allowed), public repositories' anonymous reads.
 */
import type { Store } from './model.js';
import { HttpError, type Ctx } from './wire.js';

type Scope = 'issues' | 'pull-requests' | 'deployments' | 'contents';
type Access = 'none' | 'read' | 'write';
export type Permissions = Partial<Record<Scope, Access>>;

const RANK: Record<Access, number> = { none: 0, read: 1, write: 2 };

/** The scopes of which any one grants a call below `/repos/{owner}/{repo}`, or undefined when none is modelled. */
function scopesOf(rest: string): Scope[] | undefined {
  if (/^\/issues\/(\d+\/)?comments(\/|$)/.test(rest)) return ['issues', 'pull-requests'];
  if (/^\/pulls(\/|$)/.test(rest)) return ['pull-requests'];
  if (/^\/deployments(\/|$)/.test(rest)) return ['deployments'];
  return undefined;
}

/** Throws GitHub's 403 when the Actions token's permissions do not cover this call. */
export function checkPermission(s: Store, ctx: Ctx, rest: string, actionsLogin: string): void {
  const granted = s.permissions;
  if (!granted || ctx.login !== actionsLogin) return;
  const scopes = scopesOf(rest);
  if (!scopes) return;
  const need = ctx.method === 'GET' ? RANK.read : RANK.write;
  if (scopes.some((scope) => RANK[granted[scope] ?? 'none'] >= need)) return;
  throw new HttpError(403, 'Resource not accessible by integration');
}
