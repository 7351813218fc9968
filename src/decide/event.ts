/** Which command an event asks for, and whether a PR may get a preview. Pure. */
import type { Command } from '../settings.js';
import type { RunContext } from '../context.js';

export type Decision = { kind: 'run'; command: Command } | { kind: 'skip'; reason: string; level: 'notice' | 'warning' };

const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);
const DEPLOY_ACTIONS = new Set(['opened', 'reopened', 'synchronize']);

export class UnsupportedEventError extends Error {}

export function commandFor(ctx: Pick<RunContext, 'eventName' | 'action' | 'addedLabel'>, explicit: Command | undefined, gateLabel: string | undefined): Decision {
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

export interface GuardInput {
  eventName: string;
  baseRepo: string;
  headRepo: string;
  labels: string[];
  gateLabel?: string;
  allowForkBuilds: boolean;
}

/** The deploy guards that need no API call: forks and the label gate. */
export function deployGuard(g: GuardInput): Decision {
  const fork = g.headRepo.toLowerCase() !== g.baseRepo.toLowerCase();
  if (fork && g.eventName === 'pull_request') {
    return {
      kind: 'skip',
      level: 'notice',
      reason: `PR comes from the fork '${g.headRepo || '(deleted)'}': pull_request runs from forks get no secrets, so no preview is deployed`,
    };
  }
  if (fork && g.eventName === 'pull_request_target' && !g.allowForkBuilds) {
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
