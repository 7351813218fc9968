/**
 * Event → command, nothing else: read the run, skip runs that cannot have secrets before any input is enforced,
 * parse inputs once, hand over to the command.
 */
import * as core from '@actions/core';
import { readRunContext } from './context.js';
import { commandFor, runGuard, type Decision } from './decide/event.js';
import { parseSettings } from './inputs/parse.js';
import { staticDirWarning, unknownInputWarnings } from './inputs/warnings.js';
import { writeOutputs } from './report.js';
import { log } from './log.js';
import { registerInternalAddresses } from './text/addresses.js';
import { secrets } from './text/run-secrets.js';

async function skip(decision: Extract<Decision, { kind: 'skip' }>): Promise<void> {
  if (decision.level === 'warning') log.warning(decision.reason);
  else log.notice(decision.reason);
  await writeOutputs({ result: 'skipped' }, 'Preview skipped', [['Reason', decision.reason]]);
}

export async function run(): Promise<void> {
  secrets.maskWith((form) => core.setSecret(form));
  try {
    const ctx = readRunContext();
    const guard = runGuard({
      eventName: ctx.eventName,
      baseRepo: `${ctx.repo.owner}/${ctx.repo.repo}`,
      headRepo: ctx.pr?.headRepo,
      actor: ctx.actor,
      prAuthor: ctx.pr?.author,
      hasGatewaySecret: core.getInput('gateway-password').trim() !== '',
    });
    if (guard) return await skip(guard);
    const settings = parseSettings((name) => core.getInput(name), {
      repository: `${ctx.repo.owner}/${ctx.repo.repo}`,
      workspace: ctx.workspace,
      mask: (secret) => core.setSecret(secret),
      event: { name: ctx.eventName, action: ctx.action },
    });
    registerInternalAddresses(settings);
    const decision = commandFor(ctx, settings.command, settings.label);
    if (decision.kind === 'skip') return await skip(decision);
    log.info(`faas-preview: ${decision.command} (${ctx.eventName}${ctx.action ? `.${ctx.action}` : ''})`);
    for (const warning of unknownInputWarnings(process.env)) log.warning(warning);
    const staticDir = decision.command === 'deploy' && staticDirWarning(settings, core.getInput('static-dir'));
    if (staticDir) log.warning(staticDir);
    await (await import('./commands/run.js')).runCommand(decision.command, settings, ctx);
  } catch (err) {
    log.fail(err instanceof Error ? err.message : String(err));
  }
}
