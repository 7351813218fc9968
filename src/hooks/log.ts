/**
 * Where a hook's lines go: the job log. The runner reads workflow commands from the action's stdout (`::set-output`,
 * `::add-mask::`, `::error::`; `##[…]` anywhere in a line), and a hook runs the pull request's own scripts, so its
 * output must not be able to issue them: the runner's `stop-commands` with a random token switches command
 * processing off around it (actions/runner ActionCommandManager: nothing but `::<token>::` resumes it).
 */
import * as core from '@actions/core';
import { randomBytes } from 'node:crypto';

export interface HookLog {
  begin(hook: string): void;
  line(text: string): void;
  end(): void;
}

export function workflowLog(write: (text: string) => void = (text) => core.info(text)): HookLog {
  let token = '';
  return {
    begin(hook) {
      token = `faas-preview-${randomBytes(16).toString('hex')}`;
      write(`::group::hook ${hook}`);
      write(`::stop-commands::${token}`);
    },
    line: write,
    end() {
      write(`::${token}::`);
      write('::endgroup::');
    },
  };
}
