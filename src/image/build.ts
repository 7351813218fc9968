/**
 * Build and push the preview image with the builder the user chose. The registry password goes through stdin
 * (`login --password-stdin`), never argv, so it cannot show in the process list or the echoed command line. Every
 * builder runs with the allow-listed child environment: a Dockerfile's `RUN` step must not see the action's inputs.
 *
 * Optionally the image gets labels (`--label`, the same flag on all three builders; the build digest goes there) and
 * a registry layer cache (cache.ts). The cache's own steps may fail: a build never fails because of its cache.
 */
import * as exec from '@actions/exec';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../rules/errors.js';
import { childEnv } from '../process/env.js';
import type { BuildSettings } from '../settings.js';
import {
  CACHE_PUSH_FAILED,
  detectCacheSupport,
  execProbe,
  planCache,
  type CacheOptions,
  type CachePlan,
  type Probe,
} from './cache.js';

type Step = 'login' | 'cache-pull' | 'build' | 'push' | 'cache-tag' | 'cache-push';

export interface BuildStep {
  step: Step;
  cmd: string;
  args: string[];
  input?: Buffer;
  /** A step of this group may fail: the failure is a warning, and the group's later steps are skipped. */
  optional?: 'cache-read' | 'cache-write';
  /** Run with these args instead when the step failed with stderr matching `when`. */
  fallback?: { when: RegExp; args: string[]; why: string };
}

/** What a build adds to the plain build and push. */
export interface BuildExtras {
  /** `--label key=value` on the image. */
  labels?: Record<string, string>;
  cache?: CachePlan;
}

/** One finished command: its exit code and the end of its stderr (kept for diagnosis, never quoted). */
interface Outcome {
  code: number;
  stderr: string;
}

export type Run = (
  cmd: string,
  args: string[],
  /** `started`: called once, when the command's first output arrives (it runs, past its start-up). */
  options: { input?: Buffer; env: Record<string, string>; started?: () => void },
) => Promise<Outcome>;

const STDERR_TAIL = 8_192;

const execRun: Run = async (cmd, args, { input, env, started }) => {
  let stderr = '';
  let quiet = true;
  const output = (): void => {
    if (quiet) started?.();
    quiet = false;
  };
  const code = await exec.exec(cmd, args, {
    input,
    env,
    ignoreReturnCode: true,
    listeners: {
      stdout: output,
      stderr: (data) => {
        output();
        stderr = (stderr + data.toString()).slice(-STDERR_TAIL);
      },
    },
  });
  return { code, stderr };
};

function registryHost(repository: string): string {
  return repository.split('/')[0];
}

/** The argv of each step, apart from running them so the choice is testable without a builder. */
export function buildCommands(b: BuildSettings, tag: string, extras: BuildExtras = {}): BuildStep[] {
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
  const cache = extras.cache;
  if (cache?.pull)
    steps.push({ step: 'cache-pull', cmd: b.builder, args: ['pull', cache.pull], optional: 'cache-read' });
  const build = buildArgv(b, tag, extras.labels ?? {});
  const step: BuildStep = { step: 'build', cmd: b.builder, args: build(cache?.buildFlags ?? []) };
  if (cache?.withoutPush)
    step.fallback = {
      when: CACHE_PUSH_FAILED,
      args: build(cache.withoutPush),
      why: 'the layer cache could not be pushed',
    };
  steps.push(step);
  steps.push({ step: 'push', cmd: b.builder, args: ['push', ...tls, tag] });
  if (cache?.push) {
    steps.push({ step: 'cache-tag', cmd: b.builder, args: ['tag', tag, cache.push], optional: 'cache-write' });
    steps.push({ step: 'cache-push', cmd: b.builder, args: ['push', cache.push], optional: 'cache-write' });
  }
  return steps;
}

function buildArgv(b: BuildSettings, tag: string, labels: Record<string, string>): (cacheFlags: string[]) => string[] {
  const buildArgs = Object.entries(b.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const dockerfile = path.resolve(b.context, b.dockerfile);
  const verb = b.builder === 'buildah' ? 'bud' : 'build';
  return (cacheFlags) => [
    verb,
    '--file',
    dockerfile,
    '--tag',
    tag,
    ...labelArgs,
    ...cacheFlags,
    ...buildArgs,
    b.context,
  ];
}

export interface BuildOptions {
  /** Image labels, e.g. `{ [BUILD_DIGEST_LABEL]: digest.value }`. */
  labels?: Record<string, string>;
  /** The registry layer cache; absent: none. */
  cache?: CacheOptions;
  /** Where the cache line and the cache's failures are reported (the job log in the action). */
  log?: (line: string) => void;
  run?: Run;
  /** How the builder's `--help` is read to find its cache flags. */
  probe?: Probe;
  /** The environment the allow-list picks from: the action's own, unless a test gives another. */
  parent?: NodeJS.ProcessEnv;
  /** Called once the build command itself runs (its first output; after login and the cache's pull): the deploy's cue. */
  building?: () => void;
}

export interface BuildResult {
  /** The cache line that was logged (which cache, or why none); absent without `cache`. */
  cache?: string;
  /** The cache steps that failed, each a sentence; the image was built and pushed all the same. */
  warnings: string[];
}

export async function buildImage(b: BuildSettings, tag: string, o: BuildOptions = {}): Promise<BuildResult> {
  const result: BuildResult = { warnings: [] };
  if (b.builder === 'none') return result;
  const env = childEnv({}, o.parent ?? process.env);
  requireProgram(b.builder, env.PATH ?? '');
  // The builder's --help (its cache flags) is read while it logs in: neither needs the other, and both come before
  // the build, on the deploy's critical path (a cold build on the bench: about 90 ms and 60 ms).
  const support = o.cache ? detectCacheSupport(b.builder, env, o.probe ?? execProbe) : undefined;
  support?.catch(() => undefined); // awaited below
  const login = buildCommands(b, tag).filter((s) => s.step === 'login');
  await runSteps(b, tag, login, env, o, result);
  let cache: CachePlan | undefined;
  if (o.cache && support) {
    cache = planCache(b, await support, o.cache);
    result.cache = cache.note;
    o.log?.(cache.note);
  }
  const steps = buildCommands(b, tag, { labels: o.labels, cache }).filter((s) => s.step !== 'login');
  await runSteps(b, tag, steps, env, o, result);
  return result;
}

/** Runs the steps in order; a failed step throws, a failed optional one skips the steps of its kind and warns. */
async function runSteps(
  b: BuildSettings,
  tag: string,
  steps: BuildStep[],
  env: Record<string, string>,
  o: BuildOptions,
  result: BuildResult,
): Promise<void> {
  const skipped = new Set<string>();
  for (const s of steps) {
    if (s.optional && skipped.has(s.optional)) continue;
    // the deploy's uploads start once the build prints: started before, they held up its spawn (the bench saw 0.6 s)
    const started = s.step === 'build' ? o.building : undefined;
    const run = (args: string[]) => attempt(o.run ?? execRun, s, args, env, started);
    let outcome = await run(s.args);
    if (outcome.code !== 0 && s.fallback?.when.test(outcome.stderr)) {
      o.log?.(`${b.builder} ${s.step} failed because ${s.fallback.why}; building again without it`);
      result.warnings.push(`${s.fallback.why}; the image was built without updating the cache`);
      outcome = await run(s.fallback.args);
    }
    if (outcome.code === 0) continue;
    const what = `${b.builder} ${s.step} failed for image ${tag}`;
    const failure =
      outcome.spawn !== undefined
        ? `${what}: could not run '${s.cmd}': ${outcome.spawn}`
        : `${what} (exit code ${outcome.code}); its output is in the log above`;
    if (!s.optional) throw new Error(failure + (outcome.spawn !== undefined ? '' : hint(b, s.step, outcome.stderr)));
    skipped.add(s.optional);
    result.warnings.push(failure);
    o.log?.(`${failure}; the layer cache is skipped, the build goes on`);
  }
}

/** One run of a step; a program that cannot be started is an outcome too (`spawn` says why). */
async function attempt(
  run: Run,
  s: BuildStep,
  args: string[],
  env: Record<string, string>,
  started?: () => void,
): Promise<Outcome & { spawn?: string }> {
  try {
    return await run(s.cmd, args, { input: s.input, env, started });
  } catch (err) {
    return { code: -1, stderr: '', spawn: (err as Error).message };
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
  if (b.builder !== 'docker' || (step !== 'login' && step !== 'push') || !DOCKER_TLS_MISMATCH.test(stderr)) return '';
  const host = registryHost(b.repository);
  return (
    `. The docker daemon reached ${host} over HTTPS and the registry speaks plain HTTP or has an untrusted certificate;` +
    ` docker has no --tls-verify, so the input 'registry-insecure' cannot change that: add "${host}" to "insecure-registries"` +
    ` in the daemon's /etc/docker/daemon.json and restart it (only 127.0.0.0/8 is plain HTTP by default), or use builder podman or buildah`
  );
}
