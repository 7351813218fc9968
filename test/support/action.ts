/**
 * Runs the bundled action the way the runner does: `node dist/index.js` with INPUT_* variables, a webhook payload
 * file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and GITHUB_API_URL pointing at the emulator.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The bundles under test: `npm test` builds the current sources into a temporary folder and names it in
 * FAAS_PREVIEW_DIST (scripts/test.mjs); without it, the committed dist/.
 */
export const DIST = process.env.FAAS_PREVIEW_DIST
  ? path.resolve(process.env.FAAS_PREVIEW_DIST)
  : path.join(ROOT, 'dist');
export const BUNDLE = path.join(DIST, 'index.js');
export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';

const require = createRequire(import.meta.url);

interface Example {
  name: string;
  examples: Record<string, any>[];
}

/** A real pull_request webhook payload from @octokit/webhooks-examples, with the fields a test needs changed. */
export function prPayload(
  action: string,
  o: {
    number?: number;
    sha?: string;
    headRepo?: string;
    labels?: string[];
    merged?: boolean;
    addedLabel?: string;
  } = {},
): Record<string, any> {
  const all: Example[] = require('@octokit/webhooks-examples/api.github.com/index.json');
  const example = all.find((e) => e.name === 'pull_request')!.examples.find((e) => e.action === action);
  if (!example) throw new Error(`no pull_request.${action} example payload`);
  const p = structuredClone(example);
  const pr = p.pull_request;
  if (o.number !== undefined) {
    p.number = o.number;
    pr.number = o.number;
  }
  if (o.sha) pr.head.sha = o.sha;
  if (o.headRepo) {
    pr.head.repo = { ...pr.head.repo, full_name: o.headRepo, fork: o.headRepo !== `${OWNER}/${REPO}` };
  }
  if (o.labels) pr.labels = o.labels.map((name) => ({ name }));
  if (o.merged !== undefined) pr.merged = o.merged;
  if (o.addedLabel) p.label = { name: o.addedLabel };
  return p;
}

/** A real workflow_dispatch payload (what a manual sweep run gets); schedule runs carry `{ schedule: cron }`. */
export function dispatchPayload(): Record<string, any> {
  const all: Example[] = require('@octokit/webhooks-examples/api.github.com/index.json');
  return structuredClone(all.find((e) => e.name === 'workflow_dispatch')!.examples[0]);
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The inputs it ran with (leaks.ts reads the internal addresses from them). */
  inputs: Record<string, string>;
}

export interface RunOptions {
  event: string;
  payload: Record<string, unknown>;
  inputs: Record<string, string>;
  apiUrl: string;
  workspace?: string;
  env?: Record<string, string>;
  /** Node binary; defaults to the one running the tests. */
  node?: string;
  timeoutMs?: number;
  /** Called with each piece of stdout as the action writes it (the result holds it all the same). */
  onStdout?: (chunk: string) => void;
}

/** Parses the GITHUB_OUTPUT file format (`name<<delimiter` … `delimiter`) the toolkit writes. */
function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    out[m[1]] = value.join('\n');
  }
  return out;
}

export async function runAction(o: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-run-'));
  try {
    const eventPath = path.join(dir, 'event.json');
    const outputPath = path.join(dir, 'output');
    const summaryPath = path.join(dir, 'summary.md');
    writeFileSync(eventPath, JSON.stringify(o.payload));
    writeFileSync(outputPath, '');
    writeFileSync(summaryPath, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? dir,
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: o.event,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_API_URL: o.apiUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_RUN_ID: '4242',
      GITHUB_WORKSPACE: o.workspace ?? ROOT,
      RUNNER_TEMP: dir,
      ...o.env,
    };
    for (const [name, value] of Object.entries(o.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    const child = spawn(o.node ?? process.execPath, [BUNDLE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      o.onStdout?.(d);
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    clearTimeout(timer);
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
      summary: readFileSync(summaryPath, 'utf8'),
      inputs: o.inputs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let runnerNodePath: string | undefined;

/**
 * The Node major that action.yml's `runs.using: node24` gives on a runner, from the npm registry's `node` package.
 * Outside CI a machine without registry access falls back to the Node running the tests.
 */
export function runnerNode(): string {
  if (runnerNodePath) return runnerNodePath;
  try {
    const bin = execFileSync('npx', ['-y', '-p', 'node@24', 'sh', '-c', 'command -v node'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 120_000,
    }).trim();
    if (!/^v24\./.test(execFileSync(bin, ['--version'], { encoding: 'utf8' })))
      throw new Error(`${bin} is not Node 24`);
    runnerNodePath = bin;
  } catch (err) {
    if (process.env.CI)
      throw new Error(`could not get Node 24 through 'npx -p node@24': ${(err as Error).message}`, { cause: err });
    runnerNodePath = process.execPath;
  }
  return runnerNodePath;
}

export interface LocalStack {
  gateway: { url: string };
  gatewayPassword: string;
  /** s3rver or radosgw (test/support/s3-servers.ts); credentials from its settings. */
  s3: { bucket: string; endpoint: string; settings?: { accessKeyId?: string; secretAccessKey?: string } };
  github: { token: string };
  /** With a registry the function is built by buildah and pushed there; without, `prebuiltImage` is deployed. */
  registry?: { host: string; username: string; password: string };
  registryNamespace: string;
  prebuiltImage?: string;
}

/** The action inputs that point a run at the local stack (S3 server, emulators, registry), as a workflow's `with:`. */
export function stackInputs(stack: LocalStack, inputs: Record<string, string>): Record<string, string> {
  const { registry } = stack;
  return {
    'gateway-url': stack.gateway.url,
    'gateway-password': stack.gatewayPassword,
    bucket: stack.s3.bucket,
    's3-endpoint': stack.s3.endpoint,
    'aws-access-key-id': stack.s3.settings?.accessKeyId ?? 'S3RVER',
    'aws-secret-access-key': stack.s3.settings?.secretAccessKey ?? 'S3RVER',
    'github-token': stack.github.token,
    ...(registry
      ? {
          builder: 'buildah',
          registry: `${registry.host}/${stack.registryNamespace}`,
          'registry-username': registry.username,
          'registry-password': registry.password,
          'registry-insecure': 'true',
        }
      : { builder: 'none', image: stack.prebuiltImage ?? '' }),
    ...inputs,
  };
}
