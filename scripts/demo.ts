/**
 * `npm run demo` — the whole preview loop on one machine, no cloud account, no Kubernetes, nothing but Node needed:
 *
 *   s3rver (bucket) · emulated OpenFaaS gateway · emulated GitHub API · the waker (dist/waker/index.js)
 *   · an edge router: nginx with deploy/edge/nginx.conf when installed, else the stand-in test/support/edge-node.ts
 *   · docker-registry + buildah when installed (otherwise builder `none` with a prebuilt image name)
 *   · PostgreSQL when installed (a database per preview)
 *
 * It runs the bundled action (dist/index.js, exactly as the runner does) for a sample pull request of
 * examples/app through opened → synchronize → sweep (the preview falls asleep) → a visit that wakes it → closed,
 * prints each step, the PR comment as it reads on GitHub and the preview URL `http://<name>.preview.localhost:<port>/`
 * (browsers and curl resolve *.localhost to 127.0.0.1; the edge routes on the Host header). Before `closed` it waits:
 * open the URL, then press Enter to close the PR, or Ctrl-C to stop. `--once` runs straight through and exits.
 * Everything lives in temp directories and is removed on exit.
 *
 *   npm run demo [-- --once] [-- --port 8080]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { runningSpec } from '../src/commands/function-spec.js';
import { ANNOTATIONS } from '../src/naming.js';
import { GatewayClient } from '../src/openfaas/client.js';
import { readJson, writeJson } from '../src/state/store.js';
import {
  BUNDLE,
  DIST,
  OWNER,
  REPO,
  ROOT,
  dispatchPayload,
  prPayload,
  runAction,
  stackInputs,
  type ActionRun,
} from '../test/support/action.js';
import { edgeRequest, startEdge, type Edge } from '../test/support/edge.js';
import { startGateway, type GatewayEmulator } from '../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../test/support/github.js';
import { postgresBin, startPostgres, type Postgres } from '../test/support/postgres.js';
import { startRegistry, type Registry } from '../test/support/registry.js';
import { startS3, type S3Emulator } from '../test/support/s3.js';
import { freePort, hasCommand, waitFor } from '../test/support/tools.js';

const PR = 7;
const SHA_OPENED = '3f2c1a9' + '0'.repeat(33);
const SHA_PUSHED = '8b7e6d5' + '1'.repeat(33);
const GATEWAY_PASSWORD = 'demo-gateway-password';
const PREBUILT_IMAGE = 'localhost/examples/hello-world:prebuilt';
const PREVIEW_DOMAIN = 'preview.localhost';
const STATE_PREFIX = '.faas-preview';
const WAKER_BUNDLE = path.join(DIST, 'waker/index.js');
const HOUR = 3_600_000;

const args = process.argv.slice(2);
const once = args.includes('--once');
const portArg = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : undefined;

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const say = (s = '') => console.log(s);
const indent = (text: string, prefix: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');

/** Stops with a one-line reason and what fixes it. */
function die(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The action's log as a reader wants it: workflow commands turned into words, masks and debug dropped. */
function actionLog(run: ActionRun): string {
  const lines: string[] = [];
  for (const line of run.stdout.split('\n')) {
    if (!line.trim() || /^::(add-mask|debug|endgroup|stop-commands)::/.test(line) || /^::[0-9a-z-]+::$/.test(line))
      continue;
    const m = /^::(error|warning|notice|group)[^:]*::(.*)$/.exec(line);
    lines.push(m ? `${m[1] === 'group' ? '▸' : m[1] + ':'} ${m[2]}` : line);
  }
  return lines.join('\n');
}

interface Stack {
  s3: S3Emulator;
  gateway: GatewayEmulator;
  github: GitHubEmulator;
  registry?: Registry;
  postgres?: Postgres;
  waker: Waker;
  edge: Edge;
  workspace: string;
}

let stack: Partial<Stack> = {};
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  stopping ??= (async () => {
    const { edge, waker, s3, gateway, github, registry, postgres, workspace } = stack;
    await Promise.allSettled([
      edge?.close(),
      waker?.close(),
      s3?.close(),
      gateway?.close(),
      github?.close(),
      registry?.close(),
      postgres?.close(),
    ]);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    say(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the stack and removing its temp files.`);
    void stop().then(() => process.exit(130));
  });
}

interface Waker {
  url: string;
  /** What it printed so far, one line each. */
  lines: string[];
  close(): Promise<void>;
}

/** The waker as users run it: `node dist/waker/index.js` configured by WAKER_* variables. */
async function startWakerProcess(s3: S3Emulator, gateway: GatewayEmulator): Promise<Waker> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    WAKER_LISTEN: `127.0.0.1:${port}`,
    WAKER_GATEWAY_URL: gateway.url,
    WAKER_GATEWAY_PASSWORD: GATEWAY_PASSWORD,
    WAKER_BUCKET: s3.bucket,
    WAKER_S3_ENDPOINT: s3.endpoint,
    WAKER_AWS_ACCESS_KEY_ID: s3.settings.accessKeyId ?? 'S3RVER',
    WAKER_AWS_SECRET_ACCESS_KEY: s3.settings.secretAccessKey ?? 'S3RVER',
    WAKER_PREVIEW_DOMAIN: PREVIEW_DOMAIN,
    WAKER_REPOSITORIES: `${OWNER}/${REPO}`,
    WAKER_STATE_PREFIX: STATE_PREFIX,
  };
  const child: ChildProcess = spawn(process.execPath, [WAKER_BUNDLE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    // An exited waker ends the wait at once: it said why (a bad variable exits with status 2 and names it).
    await waitFor(
      async () => child.exitCode !== null || lines.some((l) => l.includes('waker listening')),
      'the waker',
      10_000,
    );
    if (child.exitCode !== null) throw new Error(`it exited with status ${child.exitCode}`);
  } catch (err) {
    await close();
    throw new Error(`the waker did not start (${(err as Error).message}):\n${lines.join('\n')}`, { cause: err });
  }
  return { url: `http://127.0.0.1:${port}`, lines, close };
}

async function startStack(port: number, build: boolean): Promise<Stack> {
  const [s3, gateway, github, registry, postgres] = await Promise.all([
    startS3(),
    // faasd: OpenFaaS on one machine, the bare-machine case; it pulls with its own credentials, so a prebuilt image name will do.
    startGateway({ edition: 'faasd-ce', password: GATEWAY_PASSWORD }),
    startGitHub({}),
    // Public like a public GHCR package: Community Edition on Kubernetes only runs images anyone can pull.
    build ? startRegistry({ auth: 'token', anonymousPull: true }) : Promise.resolve(undefined),
    postgresBin() ? startPostgres() : Promise.resolve(undefined),
  ]);
  stack = { s3, gateway, github, registry, postgres };
  stack.waker = await startWakerProcess(s3, gateway);
  const kind = hasCommand('nginx') ? 'nginx' : 'node';
  stack.edge = await startEdge(kind, {
    gatewayUrl: gateway.url,
    bucketUrl: `${s3.endpoint}/${s3.bucket}`,
    previewDomain: PREVIEW_DOMAIN,
    port,
    wakerUrl: stack.waker.url,
  });
  stack.workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-demo-'));
  return stack as Stack;
}

function describeStack({ s3, gateway, github, registry, postgres, waker, edge }: Stack): void {
  say('Local stack:');
  say(`  bucket    s3rver                 ${s3.endpoint}/${s3.bucket}`);
  say(
    `  gateway   emulated faasd CE      ${gateway.url}  ${dim('(deploys and answers for functions; runs no containers)')}`,
  );
  say(`  GitHub    emulated REST API      ${github.url}  ${dim(`(repository ${OWNER}/${REPO})`)}`);
  if (registry)
    say(
      `  registry  docker-registry        ${registry.host}  ${dim('(buildah builds examples/app/function and pushes here)')}`,
    );
  else
    say(
      `  registry  none                   ${dim(`builder: none, prebuilt image ${PREBUILT_IMAGE}; to build it: sudo apt-get install buildah docker-registry`)}`,
    );
  if (edge.kind === 'nginx')
    say(
      `  edge      nginx                  http://*.${PREVIEW_DOMAIN}:${edge.port}/  ${dim('(deploy/edge/nginx.conf)')}`,
    );
  else
    say(
      `  edge      stand-in (node)        http://*.${PREVIEW_DOMAIN}:${edge.port}/  ${dim("(nginx.conf's rules in test/support/edge-node.ts; for the real one: sudo apt-get install nginx)")}`,
    );
  say(`  waker     dist/waker/index.js    ${waker.url}  ${dim('(wakes a sleeping preview on its next API request)')}`);
  if (postgres)
    say(
      `  database  PostgreSQL ${postgres.major}          ${postgres.host}:${postgres.port}  ${dim('(a database per preview; examples/app/db/*.sql migrate and seed it)')}`,
    );
  else
    say(
      `  database  none                   ${dim('to give the preview its own database: sudo apt-get install postgresql')}`,
    );
  say();
}

/** The checkout of a commit: examples/app with the page stamped with the commit, as a build step would. */
function checkout(workspace: string, sha: string): void {
  rmSync(path.join(workspace, 'app'), { recursive: true, force: true });
  cpSync(path.join(ROOT, 'examples/app'), path.join(workspace, 'app'), { recursive: true });
  const index = path.join(workspace, 'app/site/index.html');
  writeFileSync(
    index,
    readFileSync(index, 'utf8').replace('<code id="commit">dev</code>', `<code id="commit">${sha.slice(0, 7)}</code>`),
  );
}

/** The steps of the demo against one stack, each printed as it happens. */
class Demo {
  private step = 0;

  constructor(
    private readonly st: Stack,
    private readonly inputs: Record<string, string>,
  ) {}

  async act(title: string, event: string, payload: Record<string, unknown>): Promise<ActionRun> {
    this.step += 1;
    say(bold(`── ${this.step}. ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`));
    say(dim(`node dist/index.js  (event ${event}${typeof payload.action === 'string' ? `.${payload.action}` : ''})`));
    const run = await runAction({
      event,
      payload,
      inputs: this.inputs,
      apiUrl: this.st.github.url,
      workspace: this.st.workspace,
      env: this.st.registry?.buildahEnv,
    });
    say(indent(actionLog(run), '  '));
    if (run.code !== 0) {
      say(indent(run.stderr, '  ! '));
      throw new Error(`the action failed in step ${this.step} (exit code ${run.code})`);
    }
    say(
      `  outputs: ${Object.entries(run.outputs)
        .filter(([, v]) => v !== '')
        .map(([k, v]) => `${k}=${v}`)
        .join('  ')}`,
    );
    return run;
  }

  pull(state: 'open' | 'closed', headSha: string): void {
    this.st.github.setPull({
      number: PR,
      state,
      headSha,
      title: 'Say hello from the preview',
      ...(state === 'closed' ? { merged: true } : {}),
    });
  }

  showComment(name: string): void {
    const comment = this.st.github.comments(PR).find((c) => c.body.includes(`<!-- faas-preview:${name} -->`));
    if (!comment) return say('  (no PR comment)');
    say(`  PR #${PR} comment (markdown, as posted to GitHub; edited in place on every run):`);
    say(indent(comment.body, '  │ '));
  }

  async check(name: string, expect: 'live' | 'gone'): Promise<{ ms: number }> {
    const { edge } = this.st;
    const host = `${name}.${PREVIEW_DOMAIN}:${edge.port}`;
    const page = await edgeRequest(edge.port, host, '/');
    const started = Date.now();
    const api = await edgeRequest(edge.port, host, '/api/hello');
    const ms = Date.now() - started;
    const commit = /<code id="commit">([^<]*)<\/code>/.exec(page.body)?.[1];
    say(
      `  through the edge: GET / → ${page.status}${commit ? ` (page of commit ${commit})` : ''}; GET /api/hello → ${api.status} in ${ms} ms`,
    );
    if (api.status === 200) say(indent(api.body, '    '));
    if (expect === 'live' && (page.status !== 200 || api.status !== 200))
      throw new Error(`the preview does not answer through the edge:\n${edge.log()}`);
    if (expect === 'gone' && (page.status !== 404 || api.status !== 404))
      throw new Error(`the torn-down preview still answers: page ${page.status}, API ${api.status}`);
    return { ms };
  }

  /**
   * What half an hour of nobody calling the preview looks like to the sweeper (which reads the real clock): its
   * deploy time and the sweeper's last sight of activity moved two hours back.
   */
  async age(name: string): Promise<void> {
    const { gateway, s3 } = this.st;
    const past = new Date(Date.now() - 2 * HOUR).toISOString();
    // Through the gateway's own API, as an operator could: the same spec, an older deploy time.
    const client = new GatewayClient(
      { url: gateway.url, username: 'admin', password: GATEWAY_PASSWORD, namespace: '' },
      { timeoutMs: 10_000 },
    );
    const spec = runningSpec((await client.get(name))!);
    await client.deploy({ ...spec, annotations: { ...spec.annotations, [ANNOTATIONS.deployedAt]: past } }, 10_000);
    const key = `${STATE_PREFIX}/sweeper.json`;
    const state = (await readJson<{ functions: Record<string, { changedAt: string }> }>(s3.client, s3.bucket, key))!;
    state.functions[name].changedAt = past;
    await writeJson(s3.client, s3.bucket, key, state);
    say(dim(`  (the demo moves ${name}'s deploy time and last activity two hours back: idle-after is 30m)`));
  }
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE) || !existsSync(WAKER_BUNDLE))
    die(`${path.relative(process.cwd(), existsSync(BUNDLE) ? WAKER_BUNDLE : BUNDLE)} is missing; fix: npm run bundle`);
  const port = portArg ?? ((await portIsFree(8080)) ? 8080 : await freePort());
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    die(`--port: '${args[args.indexOf('--port') + 1]}' is not a port`);
  if (portArg && !(await portIsFree(port))) die(`port ${port} is in use; pick another with --port`);

  say(bold('faas-preview demo: one pull request of examples/app, from opened to closed'));
  say();
  const st = await startStack(port, hasCommand('buildah') && hasCommand('docker-registry'));
  describeStack(st);
  const inputs = stackInputs(
    {
      gateway: st.gateway,
      gatewayPassword: GATEWAY_PASSWORD,
      s3: st.s3,
      github: st.github,
      registry: st.registry,
      registryNamespace: 'examples',
      prebuiltImage: PREBUILT_IMAGE,
    },
    {
      'url-template': `http://{name}.${PREVIEW_DOMAIN}:${st.edge.port}/`,
      context: 'app/function',
      'static-dir': 'app/site',
      'ready-timeout': '20s',
      'state-prefix': STATE_PREFIX,
      waker: 'true',
      ...(st.registry ? { 'delete-image': 'true' } : {}),
      ...(st.postgres ? await databaseInputs(st.postgres) : {}),
    },
  );
  say(dim(`Action inputs (as in a workflow's "with:"): ${Object.keys(inputs).join(', ')}`));
  say();
  await run(new Demo(st, inputs), st);
}

async function run(demo: Demo, st: Stack): Promise<void> {
  checkout(st.workspace, SHA_OPENED);
  demo.pull('open', SHA_OPENED);
  const opened = await demo.act(
    `pull_request opened: PR #${PR} at ${SHA_OPENED.slice(0, 7)}`,
    'pull_request',
    prPayload('opened', { number: PR, sha: SHA_OPENED }),
  );
  const { name, url } = opened.outputs;
  demo.showComment(name);
  await demo.check(name, 'live');
  say();

  checkout(st.workspace, SHA_PUSHED);
  demo.pull('open', SHA_PUSHED);
  await demo.act(
    `pull_request synchronize: new commit ${SHA_PUSHED.slice(0, 7)}`,
    'pull_request',
    prPayload('synchronize', { number: PR, sha: SHA_PUSHED }),
  );
  demo.showComment(name);
  await demo.check(name, 'live');
  if (st.registry) say(`  image tags in the registry: ${(await st.registry.tags('examples/hello-world')).join(', ')}`);
  say();

  await demo.act('workflow_dispatch: the scheduled sweeper sees the preview', 'workflow_dispatch', dispatchPayload());
  await demo.age(name);
  await demo.act(
    'workflow_dispatch: the sweeper, two hours later: the preview falls asleep',
    'workflow_dispatch',
    dispatchPayload(),
  );
  demo.showComment(name);
  say(`  functions on the gateway: ${st.gateway.functions().length}; the pages stay in the bucket`);
  say();

  say(bold(`── a visit: someone opens ${url}`));
  const { ms } = await demo.check(name, 'live');
  for (const line of st.waker.lines.filter((l) => l.includes(`preview=${name} `))) say(`  waker: ${line}`);
  say(`  the preview woke on that visit: its first API answer took ${ms} ms, nothing to click, no workflow run`);
  say();

  say(bold(`Preview of PR #${PR}: ${url}`));
  say(`  open it in Chromium or Firefox, or: curl ${url}api/hello`);
  await waitForReader();
  say();

  demo.pull('closed', SHA_PUSHED);
  await demo.act(
    `pull_request closed: PR #${PR} merged`,
    'pull_request',
    prPayload('closed', { number: PR, sha: SHA_PUSHED, merged: true }),
  );
  demo.showComment(name);
  await demo.check(name, 'gone');
  say(
    `  bucket keys left under ${name}/: ${(await st.s3.listKeys(`${name}/`)).length}; functions on the gateway: ${st.gateway.functions().length}`,
  );
  say();
  say(bold('Done: opened → synchronize → sweep (asleep) → a visit wakes it → closed. Stopping the stack.'));
}

/** Unless --once: Enter closes the PR; without a terminal the stack stays up until Ctrl-C. */
async function waitForReader(): Promise<void> {
  if (once) return;
  if (!process.stdin.isTTY) {
    say(`  The stack stays up until Ctrl-C.`);
    return new Promise<void>(() => undefined);
  }
  say(`  The stack stays up. Press Enter to close PR #${PR} (teardown), or Ctrl-C to stop here.`);
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => rl.once('line', () => resolve()));
  rl.close();
}

/** A non-superuser admin role with CREATEDB and CREATEROLE, as the README asks a team to create, and the hooks. */
async function databaseInputs(postgres: Postgres): Promise<Record<string, string>> {
  const password = 'demo-admin-' + Math.random().toString(36).slice(2);
  const su = await postgres.connect();
  await su.query(`CREATE ROLE faas_preview LOGIN PASSWORD '${password}' CREATEDB CREATEROLE`);
  await su.end();
  const psql = 'psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q -f';
  return {
    database: 'postgres',
    'database-url': postgres.urlFor({ user: 'faas_preview', password }),
    'database-migrate': `${psql} app/db/migrate.sql`,
    'database-seed': `${psql} app/db/seed.sql`,
  };
}

main()
  .then(() => stop())
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    await stop();
    process.exit(1);
  });
