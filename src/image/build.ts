/**
 * Build and push the preview image with the builder the user chose. The registry password goes through stdin
 * (`login --password-stdin`), never argv, so it cannot show in the process list or the echoed command line. Every
 * builder runs with the allow-listed child environment: a Dockerfile's `RUN` step must not see the action's inputs.
 */
import * as exec from '@actions/exec';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../inputs.js';
import { childEnv } from '../process/env.js';
import type { BuildSettings } from '../settings.js';

export type Step = 'login' | 'build' | 'push';

export interface BuildStep {
  step: Step;
  cmd: string;
  args: string[];
  input?: Buffer;
}

/** One finished command: its exit code and the end of its stderr (kept for diagnosis, never quoted). */
export interface Outcome {
  code: number;
  stderr: string;
}

export type Run = (cmd: string, args: string[], options: { input?: Buffer; env: Record<string, string> }) => Promise<Outcome>;

const STDERR_TAIL = 8_192;

const execRun: Run = async (cmd, args, { input, env }) => {
  let stderr = '';
  const code = await exec.exec(cmd, args, {
    input,
    env,
    ignoreReturnCode: true,
    listeners: { stderr: (data) => (stderr = (stderr + data.toString()).slice(-STDERR_TAIL)) },
  });
  return { code, stderr };
};

export function registryHost(repository: string): string {
  return repository.split('/')[0];
}

/** The argv of each step, apart from running them so the choice is testable without a builder. */
export function buildCommands(b: BuildSettings, tag: string): BuildStep[] {
  if (b.builder === 'none') return [];
  // docker has no --tls-verify: its daemon decides (insecure-registries, and 127.0.0.0/8 is always plain HTTP).
  const tls = b.registryInsecure && b.builder !== 'docker' ? ['--tls-verify=false'] : [];
  const steps: BuildStep[] = [];
  if (b.registryUsername && b.registryPassword) {
    steps.push({
      step: 'login',
      cmd: b.builder,
      args: ['login', ...tls, '--username', b.registryUsername, '--password-stdin', registryHost(b.repository)],
      input: Buffer.from(b.registryPassword),
    });
  }
  const buildArgs = Object.entries(b.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const dockerfile = path.resolve(b.context, b.dockerfile);
  const verb = b.builder === 'buildah' ? 'bud' : 'build';
  steps.push({ step: 'build', cmd: b.builder, args: [verb, '--file', dockerfile, '--tag', tag, ...buildArgs, b.context] });
  steps.push({ step: 'push', cmd: b.builder, args: ['push', ...tls, tag] });
  return steps;
}

/** `parent` is the environment the allow-list picks from: the action's own, unless a test gives another. */
export async function buildAndPush(b: BuildSettings, tag: string, run: Run = execRun, parent: NodeJS.ProcessEnv = process.env): Promise<void> {
  const steps = buildCommands(b, tag);
  if (steps.length === 0) return;
  const env = childEnv({}, parent);
  requireProgram(b.builder, env.PATH ?? '');
  for (const s of steps) {
    const what = `${b.builder} ${s.step} failed for image ${tag}`;
    let outcome: Outcome;
    try {
      outcome = await run(s.cmd, s.args, { input: s.input, env });
    } catch (err) {
      throw new Error(`${what}: could not run '${s.cmd}': ${(err as Error).message}`);
    }
    if (outcome.code !== 0) throw new Error(`${what} (exit code ${outcome.code}); its output is in the log above${hint(b, s.step, outcome.stderr)}`);
  }
}

function requireProgram(program: string, PATH: string): void {
  const found = PATH.split(path.delimiter).some((dir) => dir !== '' && isExecutable(path.join(dir, program)));
  if (!found) {
    throw new InputError(
      'builder',
      `'${program}' needs the program '${program}', which is not on the runner's PATH: install it in an earlier step, or choose another builder (docker, podman, buildah; none deploys the prebuilt 'image')`,
    );
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** What docker prints when the registry speaks plain HTTP or has a certificate the daemon does not trust. */
const DOCKER_TLS_MISMATCH = /server gave HTTP response to HTTPS client|x509: certificate/;

/** Login and push talk to the preview registry (a build's pulls go elsewhere): advise on the daemon's TLS rule. */
function hint(b: BuildSettings, step: Step, stderr: string): string {
  if (b.builder !== 'docker' || step === 'build' || !DOCKER_TLS_MISMATCH.test(stderr)) return '';
  const host = registryHost(b.repository);
  return (
    `. The docker daemon reached ${host} over HTTPS and the registry speaks plain HTTP or has an untrusted certificate;` +
    ` docker has no --tls-verify, so the input 'registry-insecure' cannot change that: add "${host}" to "insecure-registries"` +
    ` in the daemon's /etc/docker/daemon.json and restart it (only 127.0.0.0/8 is plain HTTP by default), or use builder podman or buildah`
  );
}
