/**
 * The commands and every client they use, loaded as one piece once main.ts knows there is work to do: a run
 * with nothing to do (a PR action such as `assigned`) never loads the S3 SDK or Octokit.
 */
import type { RunContext } from '../context.js';
import type { Command, Settings } from '../settings.js';
import { deploy } from './deploy.js';
import { createServices } from './services.js';
import { sweep } from './sweep.js';
import { teardown } from './teardown.js';

const COMMANDS = { deploy, teardown, sweep } as const;

export async function runCommand(command: Command, settings: Settings, ctx: RunContext): Promise<void> {
  // The sweeper may act on hundreds of previews: its GitHub writes keep GitHub's one-a-second pace.
  await COMMANDS[command](createServices(settings, ctx, { pacedWrites: command === 'sweep' }));
}
