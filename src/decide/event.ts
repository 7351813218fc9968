/**
 * Which command an event asks for, and whether the run may go on. Pure.
 *
 * `runGuard` decides from the event alone, before any input is enforced: a run that has no secrets (a fork PR under
 * `pull_request`, a Dependabot PR without Dependabot secrets) must skip cleanly, not fail on a required input or a
 * 401. `deployGuard` holds the deploy-only rules (fork code under `pull_request_target`, the label gate).
 */
import type { Command } from '../settings.js';
import type { RunContext } from '../context.js';

export type Decision =
  { kind: 'run'; command: Command } | { kind: 'skip'; reason: string; level: 'notice' | 'warning' };

const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);
const DEPLOY_ACTIONS = new Set(['opened', 'reopened', 'synchronize']);
const DEPENDABOT = 'dependabot[bot]';

export class UnsupportedEventError extends Error {}

export function commandFor(
  ctx: Pick<RunContext, 'eventName' | 'action' | 'addedLabel'>,
  explicit: Command | undefined,
  gateLabel: string | undefined,
): Decision {
  if (explicit) return { kind: 'run', command: explicit };
  if (ctx.eventName === 'schedule' || ctx.eventName === 'workflow_dispatch') return { kind: 'run', command: 'sweep' };
  if (!PR_EVENTS.has(ctx.eventName)) {
    throw new UnsupportedEventError(
      `event '${ctx.eventName}' is not supported: use pull_request or pull_request_target (deploy/teardown), schedule or workflow_dispatch (sweep), or set input 'command'`,
    );
  }
  if (ctx.action === 'closed') return { kind: 'run', command: 'teardown' };
  if (DEPLOY_ACTIONS.has(ctx.action ?? '')) return { kind: 'run', command: 'deploy' };
  if (ctx.action === 'labeled' && gateLabel && ctx.addedLabel === gateLabel) return { kind: 'run', command: 'deploy' };
  return { kind: 'skip', reason: `nothing to do for ${ctx.eventName}.${ctx.action ?? '(no action)'}`, level: 'notice' };
}

export function isFork(baseRepo: string, headRepo: string): boolean {
  return headRepo.toLowerCase() !== baseRepo.toLowerCase();
}

export interface RunGuardInput {
  eventName: string;
  baseRepo: string;
  /** Absent for events without a pull request. */
  headRepo?: string;
  actor: string;
  prAuthor?: string;
  /** Whether the secret the gateway needs (`gateway-password`) reached this run. */
  hasGatewaySecret: boolean;
}

/** Skips runs that cannot have secrets; `undefined` means go on. */
export function runGuard(g: RunGuardInput): Extract<Decision, { kind: 'skip' }> | undefined {
  if (g.headRepo === undefined) return undefined;
  if (g.eventName === 'pull_request' && isFork(g.baseRepo, g.headRepo)) {
    return {
      kind: 'skip',
      level: 'notice',
      reason: `PR comes from the fork '${g.headRepo || '(deleted)'}': pull_request runs from forks get no secrets and a read-only token, so this repository's previews are neither deployed nor torn down for it`,
    };
  }
  const dependabot = g.actor === DEPENDABOT || g.prAuthor === DEPENDABOT;
  if (dependabot && PR_EVENTS.has(g.eventName) && !g.hasGatewaySecret) {
    return {
      kind: 'skip',
      level: 'notice',
      reason:
        "Dependabot PR: runs triggered by Dependabot get only Dependabot secrets, and 'gateway-password' is empty; add the preview's secrets under Settings → Secrets → Dependabot to preview Dependabot PRs",
    };
  }
  return undefined;
}

export interface GuardInput {
  eventName: string;
  baseRepo: string;
  headRepo: string;
  labels: string[];
  gateLabel?: string;
  allowForkBuilds: boolean;
}

/** The deploy guards that need no API call: fork code under pull_request_target, and the label gate. */
export function deployGuard(g: GuardInput): Decision {
  if (g.eventName === 'pull_request_target' && isFork(g.baseRepo, g.headRepo) && !g.allowForkBuilds) {
    return {
      kind: 'skip',
      level: 'warning',
      reason: `refusing to build code from the fork '${g.headRepo || '(deleted)'}' under pull_request_target, where it would run with this repository's secrets; set 'allow-fork-builds: true' only if you review fork code before it builds`,
    };
  }
  if (g.gateLabel && !g.labels.includes(g.gateLabel)) {
    return { kind: 'skip', level: 'notice', reason: `PR does not carry the label '${g.gateLabel}' (input 'label')` };
  }
  return { kind: 'run', command: 'deploy' };
}
