/**
 * Deployments and their statuses.
 *
 * Every PR head is a topic branch that is behind `main` and whose checks are still running (the workflow calling
 * the API is one of them). That is why creating a deployment for a PR head is strict the way GitHub is for such a
 * branch:
 *   - `auto_merge` not `false`             → 202 "Auto-merged main into <ref> on deployment." and NO deployment;
 *   - `required_contexts` omitted          → 409 "Conflict: Commit status checks failed for <ref>.";
 *   - `required_contexts` non-empty        → 409 as well (no commit status is ever reported here);
 *   - `auto_merge: false, required_contexts: []` → 201.
 * Deploying `main` (or its sha) needs neither flag. A ref that is not `main`, a PR head ref or a PR head sha (full
 * or abbreviated, including shas of earlier `setPull` calls) is refused with 422 "No ref found for: <ref>".
 *
 * Deployment statuses: `success` with `auto_inactive` not `false` marks every PRIOR (lower id) deployment of the
 * same environment that is neither production nor transient, and whose latest status is not `inactive`, inactive
 * (GitHub's documented rule: "all prior non-transient, non-production environment deployments").
 */
import {
  BOT_LOGIN,
  DEFAULT_BRANCH,
  nodeId,
  user,
  userId,
  type Deployment,
  type Store,
  type StoredDeployment,
  type StoredStatus,
} from './model.js';
import { headRef, headRepoName } from './pulls.js';
import {
  HttpError,
  body,
  isPlainObject,
  optional,
  page,
  route,
  validation,
  type Ctx,
  type Reply,
  type Route,
} from './wire.js';

const STATUS_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'] as const;
const STATUS_DESCRIPTION_MAX = 140;

function deploymentObject(s: Store, d: StoredDeployment) {
  return {
    url: `${s.apiRepo()}/deployments/${d.id}`,
    id: d.id,
    node_id: nodeId('DE', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: user(BOT_LOGIN, userId(BOT_LOGIN)),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${s.apiRepo()}/deployments/${d.id}/statuses`,
    repository_url: s.apiRepo(),
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
    performed_via_github_app: null,
  };
}

function statusObject(s: Store, d: StoredDeployment, st: StoredStatus) {
  return {
    url: `${s.apiRepo()}/deployments/${d.id}/statuses/${st.id}`,
    id: st.id,
    node_id: nodeId('DES', st.id),
    state: st.state,
    creator: user(BOT_LOGIN, userId(BOT_LOGIN)),
    description: st.description,
    environment: st.environment,
    target_url: st.target_url,
    created_at: st.created_at,
    updated_at: st.updated_at,
    deployment_url: `${s.apiRepo()}/deployments/${d.id}`,
    repository_url: s.apiRepo(),
    environment_url: st.environment_url,
    log_url: st.log_url,
    performed_via_github_app: null,
  };
}

function httpUrl(b: Record<string, unknown>, field: string): void {
  const v = b[field];
  if (v === undefined || v === '') return;
  if (typeof v !== 'string') throw validation([{ resource: 'DeploymentStatus', code: 'invalid', field }]);
  let ok: boolean;
  try {
    const u = new URL(v);
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok)
    throw validation([
      { resource: 'DeploymentStatus', code: 'custom', field, message: `${field} must use http(s) scheme` },
    ]);
}

function findDeployment(s: Store, id: string): StoredDeployment {
  const d = s.deployments.find((x) => x.id === Number(id));
  if (!d) throw new HttpError(404, 'Not Found');
  return d;
}

/** A branch name (optionally refs/heads/...) or a full / abbreviated commit sha known to the repository. */
function resolveRef(s: Store, ref: string): string | undefined {
  const name = ref.replace(/^refs\/heads\//, '');
  if (name === DEFAULT_BRANCH) return s.mainSha;
  for (const p of s.pulls.values()) if (headRepoName(s, p) === s.fullName && headRef(p) === name) return p.headSha;
  if (/^[0-9a-f]{7,40}$/i.test(ref)) {
    const lower = ref.toLowerCase();
    for (const sha of s.knownShas) if (sha.startsWith(lower)) return sha;
  }
  return undefined;
}

const latestState = (d: StoredDeployment) => d.statuses[d.statuses.length - 1]?.state;

function checkDeploymentFields(b: Record<string, unknown>): void {
  const R = 'Deployment';
  if (b.ref === undefined || b.ref === null || b.ref === '')
    throw validation([{ resource: R, code: 'missing_field', field: 'ref' }]);
  optional(b, 'ref', 'string', R);
  optional(b, 'task', 'string', R);
  optional(b, 'auto_merge', 'boolean', R);
  optional(b, 'environment', 'string', R);
  optional(b, 'description', 'string', R, true);
  optional(b, 'transient_environment', 'boolean', R);
  optional(b, 'production_environment', 'boolean', R);
  const contexts = b.required_contexts;
  if (contexts !== undefined && (!Array.isArray(contexts) || contexts.some((c) => typeof c !== 'string'))) {
    throw validation([{ resource: R, code: 'invalid', field: 'required_contexts' }]);
  }
  if (b.payload !== undefined && !isPlainObject(b.payload) && typeof b.payload !== 'string') {
    throw validation([{ resource: R, code: 'invalid', field: 'payload' }]);
  }
}

/** GitHub's answer instead of a deployment of a head behind `main` (see the header), or undefined to go ahead. */
function refusal(s: Store, b: Record<string, unknown>, ref: string, sha: string): Reply | undefined {
  const upToDate = sha === s.mainSha;
  if (!upToDate && b.auto_merge !== false) {
    return { status: 202, json: { message: `Auto-merged ${DEFAULT_BRANCH} into ${ref} on deployment.` } };
  }
  const required = b.required_contexts as string[] | undefined;
  if ((!upToDate && required === undefined) || (required !== undefined && required.length > 0)) {
    const errors = required?.length
      ? [
          {
            contexts: required.map((context) => ({ context, state: 'missing' })),
            resource: 'Deployment',
            field: 'required_contexts',
            code: 'invalid',
          },
        ]
      : undefined;
    throw new HttpError(409, `Conflict: Commit status checks failed for ${ref}.`, errors ? { errors } : {});
  }
  return undefined;
}

function createDeployment(s: Store, ctx: Ctx): Reply {
  const b = body(ctx);
  checkDeploymentFields(b);
  const ref = b.ref as string;
  const sha = resolveRef(s, ref);
  if (!sha) throw new HttpError(422, `No ref found for: ${ref}`);
  const refused = refusal(s, b, ref, sha);
  if (refused) return refused;
  const environment = (b.environment as string | undefined) ?? 'production';
  const at = s.timestamp();
  const d: StoredDeployment = {
    id: s.nextId('deployment'),
    ref,
    sha,
    task: (b.task as string | undefined) ?? 'deploy',
    environment,
    original_environment: environment,
    transient_environment: (b.transient_environment as boolean | undefined) ?? false,
    production_environment: (b.production_environment as boolean | undefined) ?? environment === 'production',
    description: (b.description as string | null | undefined) ?? null,
    payload: b.payload ?? {},
    created_at: at,
    updated_at: at,
    statuses: [],
  };
  s.deployments.push(d);
  return { status: 201, json: deploymentObject(s, d) };
}

/** The status's description once every field passed GitHub's checks. */
function checkStatusFields(b: Record<string, unknown>): string {
  const R = 'DeploymentStatus';
  if (b.state === undefined || b.state === null || b.state === '')
    throw validation([{ resource: R, code: 'missing_field', field: 'state' }]);
  if (typeof b.state !== 'string' || !(STATUS_STATES as readonly string[]).includes(b.state)) {
    throw validation([{ resource: R, code: 'custom', field: 'state', message: 'state is not included in the list' }]);
  }
  for (const f of ['target_url', 'log_url', 'environment_url', 'description', 'environment'])
    optional(b, f, 'string', R);
  optional(b, 'auto_inactive', 'boolean', R);
  for (const f of ['target_url', 'log_url', 'environment_url']) httpUrl(b, f);
  const description = (b.description as string | undefined) ?? '';
  if (description.length > STATUS_DESCRIPTION_MAX) {
    throw validation([
      {
        resource: R,
        code: 'custom',
        field: 'description',
        message: `description is too long (maximum is ${STATUS_DESCRIPTION_MAX} characters)`,
      },
    ]);
  }
  return description;
}

/** `target_url` is the older name of `log_url`: a status answers the one value under both. */
function addStatus(
  s: Store,
  d: StoredDeployment,
  at: string,
  f: { state: string; description: string; logUrl: string; environmentUrl: string },
): StoredStatus {
  const { state, description, logUrl, environmentUrl } = f;
  const status: StoredStatus = {
    id: s.nextId('status'),
    state,
    description,
    environment: d.environment,
    target_url: logUrl,
    log_url: logUrl,
    environment_url: environmentUrl,
    created_at: at,
    updated_at: at,
  };
  d.statuses.push(status);
  d.updated_at = at;
  return status;
}

/** GitHub's auto_inactive rule (see the header). */
function inactivatePrior(s: Store, d: StoredDeployment, at: string): void {
  for (const other of s.deployments) {
    if (other.id >= d.id || other.environment !== d.environment) continue;
    if (other.production_environment || other.transient_environment || latestState(other) === 'inactive') continue;
    const environmentUrl = other.statuses[other.statuses.length - 1]?.environment_url ?? '';
    addStatus(s, other, at, { state: 'inactive', description: '', logUrl: '', environmentUrl });
  }
}

function createStatus(s: Store, ctx: Ctx, d: StoredDeployment): Reply {
  const b = body(ctx);
  const description = checkStatusFields(b);
  const at = s.timestamp();
  if (typeof b.environment === 'string' && b.environment !== '') d.environment = b.environment;
  const logUrl = (b.log_url as string | undefined) ?? (b.target_url as string | undefined) ?? '';
  const environmentUrl = (b.environment_url as string | undefined) ?? '';
  const status = addStatus(s, d, at, { state: b.state as string, description, logUrl, environmentUrl });
  if (status.state === 'success' && b.auto_inactive !== false) inactivatePrior(s, d, at);
  return { status: 201, json: statusObject(s, d, status) };
}

function listDeployments(s: Store, ctx: Ctx): Reply {
  const q = ctx.url.searchParams;
  const filters: [keyof StoredDeployment, string | null][] = [
    ['sha', q.get('sha')],
    ['ref', q.get('ref')],
    ['task', q.get('task')],
    ['environment', q.get('environment')],
  ];
  const list = s.deployments
    .filter((d) => filters.every(([k, v]) => v === null || v === '' || d[k] === v))
    .sort((a, b) => b.id - a.id);
  return page(ctx, list, (d) => deploymentObject(s, d));
}

function deleteDeployment(s: Store, d: StoredDeployment): Reply {
  const alone = s.deployments.every((o) => o === d || o.environment !== d.environment);
  if (latestState(d) !== 'inactive' && !alone) {
    throw new HttpError(
      422,
      'We cannot delete an active deployment unless it is the only deployment in a given environment.',
    );
  }
  s.deployments.splice(s.deployments.indexOf(d), 1);
  return { status: 204 };
}

export function deploymentRoutes(s: Store): Route[] {
  return [
    route('POST', '/deployments', (ctx) => createDeployment(s, ctx)),
    route('GET', '/deployments', (ctx) => listDeployments(s, ctx)),
    route('GET', '/deployments/(\\d+)', (_ctx, m) => ({
      status: 200,
      json: deploymentObject(s, findDeployment(s, m[1])),
    })),
    route('DELETE', '/deployments/(\\d+)', (_ctx, m) => deleteDeployment(s, findDeployment(s, m[1]))),
    route('POST', '/deployments/(\\d+)/statuses', (ctx, m) => createStatus(s, ctx, findDeployment(s, m[1]))),
    route('GET', '/deployments/(\\d+)/statuses', (ctx, m) => {
      const d = findDeployment(s, m[1]);
      return page(ctx, [...d.statuses].reverse(), (st) => statusObject(s, d, st));
    }),
    route('GET', '/deployments/(\\d+)/statuses/(\\d+)', (_ctx, m) => {
      const d = findDeployment(s, m[1]);
      const st = d.statuses.find((x) => x.id === Number(m[2]));
      if (!st) throw new HttpError(404, 'Not Found');
      return { status: 200, json: statusObject(s, d, st) };
    }),
  ];
}

/** The deployments as tests read them: the public fields only, oldest first, statuses oldest first. */
export function deploymentsSnapshot(s: Store): Deployment[] {
  return s.deployments.map((d) =>
    structuredClone({
      id: d.id,
      ref: d.ref,
      sha: d.sha,
      environment: d.environment,
      transient_environment: d.transient_environment,
      production_environment: d.production_environment,
      description: d.description,
      payload: d.payload,
      created_at: d.created_at,
      statuses: d.statuses.map(({ id, state, environment_url, log_url, description, created_at }) => ({
        id,
        state,
        environment_url,
        log_url,
        description,
        created_at,
      })),
    }),
  );
}
