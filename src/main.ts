/** Event → command, nothing else: read the run, parse inputs once, hand over to the command. */
import * as core from '@actions/core';
import { readRunContext } from './context.js';
import { commandFor } from './decide/event.js';
import { parseSettings } from './inputs.js';
import { writeOutputs } from './report.js';

export async function run(): Promise<void> {
  try {
    const ctx = readRunContext();
    const settings = parseSettings((name) => core.getInput(name), {
      repository: `${ctx.repo.owner}/${ctx.repo.repo}`,
      workspace: ctx.workspace,
      mask: (secret) => core.setSecret(secret),
    });
    const decision = commandFor(ctx, settings.command, settings.label);
    if (decision.kind === 'skip') {
      core.notice(decision.reason);
      await writeOutputs({ result: 'skipped' }, 'Preview skipped', [['Reason', decision.reason]]);
      return;
    }
    core.info(`faas-preview: ${decision.command} (${ctx.eventName}${ctx.action ? `.${ctx.action}` : ''})`);
    await (await import('./commands/run.js')).runCommand(decision.command, settings, ctx);
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}
