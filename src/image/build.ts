/**
 * Build and push the preview image with the builder the user chose. The registry password goes through stdin
 * (`login --password-stdin`), never argv, so it cannot show in the process list or the echoed command line.
 */
import * as exec from '@actions/exec';
import * as path from 'node:path';
import type { BuildSettings } from '../settings.js';

export type Run = (cmd: string, args: string[], options?: { input?: Buffer }) => Promise<void>;

const execRun: Run = async (cmd, args, options) => {
  await exec.exec(cmd, args, { input: options?.input });
};

export function registryHost(repository: string): string {
  return repository.split('/')[0];
}

/** The argv of each step, apart from running them so the choice is testable without a builder. */
export function buildCommands(b: BuildSettings, tag: string): { cmd: string; args: string[]; input?: Buffer }[] {
  if (b.builder === 'none') return [];
  const tls = b.registryInsecure && b.builder !== 'docker' ? ['--tls-verify=false'] : [];
  const steps: { cmd: string; args: string[]; input?: Buffer }[] = [];
  if (b.registryUsername && b.registryPassword) {
    steps.push({
      cmd: b.builder,
      args: ['login', ...tls, '--username', b.registryUsername, '--password-stdin', registryHost(b.repository)],
      input: Buffer.from(b.registryPassword),
    });
  }
  const buildArgs = Object.entries(b.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const dockerfile = path.resolve(b.context, b.dockerfile);
  const verb = b.builder === 'buildah' ? 'bud' : 'build';
  steps.push({ cmd: b.builder, args: [verb, '--file', dockerfile, '--tag', tag, ...buildArgs, b.context] });
  steps.push({ cmd: b.builder, args: ['push', ...tls, tag] });
  return steps;
}

export async function buildAndPush(b: BuildSettings, tag: string, run: Run = execRun): Promise<void> {
  for (const step of buildCommands(b, tag)) {
    try {
      await run(step.cmd, step.args, { input: step.input });
    } catch (err) {
      throw new Error(`'${step.cmd} ${step.args[0]}' failed for ${tag}: ${(err as Error).message}`);
    }
  }
}
