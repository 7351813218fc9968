/**
 * `npm run demo` — the whole preview loop on one machine, no cloud account, no Kubernetes:
 *
 *   s3rver (bucket) · emulated OpenFaaS gateway · emulated GitHub API · nginx with deploy/edge/nginx.conf
 *   · docker-registry + buildah when installed (otherwise builder `none` with a prebuilt image name)
 *
 * It runs the bundled action (dist/index.js, exactly as the runner does) for a sample pull request of
 * examples/app through opened → synchronize → sweep → closed, prints each step, the PR comment as it reads on
 * GitHub and the preview URL `http://<name>.preview.localhost:<port>/` (browsers and curl resolve *.localhost
 * to 127.0.0.1; nginx routes on the Host header). Before `closed` it waits: open the URL, then press Enter to
 * close the PR, or Ctrl-C to stop. `--once` runs straight through and exits. Everything lives in temp
 * directories and is removed on exit.
 *
 *   npm run demo [-- --once] [-- --port 8080]
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { BUNDLE, ROOT, dispatchPayload, prPayload, runAction, stackInputs, type ActionRun } from '../test/support/action.js';
import { edgeRequest, startEdge, type Edge } from '../test/support/edge.js';
import { startGateway, type GatewayEmulator } from '../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../test/support/github.js';
import { postgresBin, startPostgres, type Postgres } from '../test/support/postgres.js';
import { startRegistry, type Registry } from '../test/support/registry.js';
import { startS3, type S3Emulator } from '../test/support/s3.js';
import { freePort, hasCommand } from '../test/support/tools.js';

const PR = 7;
const SHA_OPENED = '3f2c1a9' + '0'.repeat(33);
const SHA_PUSHED = '8b7e6d5' + '1'.repeat(33);
const GATEWAY_PASSWORD = 'demo-gateway-password';
const PREBUILT_IMAGE = 'localhost/examples/hello-world:prebuilt';
const PREVIEW_DOMAIN = 'preview.localhost';

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

/** Stops with a one-line reason (and the apt-get line that fixes a missing Debian tool). */
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
    if (!line.trim() || line.startsWith('::add-mask::') || line.startsWith('::debug::') || line.startsWith('::endgroup::')) continue;
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
  edge: Edge;
  workspace: string;
}

let stack: Partial<Stack> = {};
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  stopping ??= (async () => {
    const { edge, s3, gateway, github, registry, postgres, workspace } = stack;
    await Promise.allSettled([edge?.close(), s3?.close(), gateway?.close(), github?.close(), registry?.close(), postgres?.close()]);
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

async function main(): Promise<void> {
  if (!hasCommand('nginx')) die('nginx is not installed (it is the edge router); fix: sudo apt-get install nginx');
  if (!existsSync(BUNDLE)) die(`${path.relative(process.cwd(), BUNDLE)} is missing; fix: npm run bundle`);
  const build = hasCommand('buildah') && hasCommand('docker-registry');
  const port = portArg ?? ((await portIsFree(8080)) ? 8080 : await freePort());
  if (!Number.isInteger(port) || port < 1 || port > 65535) die(`--port: '${args[args.indexOf('--port') + 1]}' is not a port`);
  if (portArg && !(await portIsFree(port))) die(`port ${port} is in use; pick another with --port`);

  say(bold('faas-preview demo: one pull request of examples/app, from opened to closed'));
  say();
  const [s3, gateway, github, registry, postgres] = await Promise.all([
    startS3(),
    startGateway({ password: GATEWAY_PASSWORD }),
    startGitHub({}),
    // Public like a public GHCR package: Community Edition on Kubernetes only runs images anyone can pull.
    build ? startRegistry({ auth: 'token', anonymousPull: true }) : Promise.resolve(undefined),
    postgresBin() ? startPostgres() : Promise.resolve(undefined),
  ]);
  stack = { s3, gateway, github, registry, postgres };
  const database = postgres ? await databaseInputs(postgres) : {};
  const edge = await startEdge('nginx', { gatewayUrl: gateway.url, bucketUrl: `${s3.endpoint}/${s3.bucket}`, previewDomain: PREVIEW_DOMAIN, port });
  stack.edge = edge;
  const workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-demo-'));
  stack.workspace = workspace;

  say('Local stack:');
  say(`  bucket    s3rver                 ${s3.endpoint}/${s3.bucket}`);
  say(`  gateway   emulated OpenFaaS CE   ${gateway.url}  ${dim('(deploys and answers for functions; runs no containers)')}`);
  say(`  GitHub    emulated REST API      ${github.url}  ${dim(`(repository ${'Codertocat/Hello-World'})`)}`);
  if (registry) say(`  registry  docker-registry        ${registry.host}  ${dim('(buildah builds examples/app/function and pushes here)')}`);
  else say(`  registry  none                   ${dim(`builder: none, prebuilt image ${PREBUILT_IMAGE}; to build it: sudo apt-get install buildah docker-registry`)}`);
  say(`  edge      nginx                  http://*.${PREVIEW_DOMAIN}:${edge.port}/  ${dim('(deploy/edge/nginx.conf)')}`);
  if (postgres) say(`  database  PostgreSQL ${postgres.major}          ${postgres.host}:${postgres.port}  ${dim('(a database per preview; examples/app/db/*.sql migrate and seed it)')}`);
  else say(`  database  none                   ${dim('to give the preview its own database: sudo apt-get install postgresql')}`);
  say();

  const inputs = stackInputs(
    { gateway, gatewayPassword: GATEWAY_PASSWORD, s3, github, registry, registryNamespace: 'examples', prebuiltImage: PREBUILT_IMAGE },
    {
      'url-template': `http://{name}.${PREVIEW_DOMAIN}:${edge.port}/`,
      context: 'app/function',
      'static-dir': 'app/site',
      'ready-timeout': '20s',
      ...(registry ? { 'delete-image': 'true' } : {}),
      ...database,
    },
  );
  say(dim(`Action inputs (as in a workflow's "with:"): ${Object.keys(inputs).join(', ')}`));
  say();

  /** The checkout of a commit: examples/app with the page stamped with the commit, as a build step would. */
  function checkout(sha: string): void {
    rmSync(path.join(workspace, 'app'), { recursive: true, force: true });
    cpSync(path.join(ROOT, 'examples/app'), path.join(workspace, 'app'), { recursive: true });
    const index = path.join(workspace, 'app/site/index.html');
    writeFileSync(index, readFileSync(index, 'utf8').replace('<code id="commit">dev</code>', `<code id="commit">${sha.slice(0, 7)}</code>`));
  }

  let step = 0;
  async function act(title: string, event: string, payload: Record<string, unknown>): Promise<ActionRun> {
    step += 1;
    say(bold(`── ${step}. ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`));
    say(dim(`node dist/index.js  (event ${event}${payload.action ? `.${String(payload.action)}` : ''})`));
    const run = await runAction({ event, payload, inputs, apiUrl: github.url, workspace, env: registry?.buildahEnv });
    say(indent(actionLog(run), '  '));
    if (run.code !== 0) {
      say(indent(run.stderr, '  ! '));
      throw new Error(`the action failed in step ${step} (exit code ${run.code})`);
    }
    say(`  outputs: ${Object.entries(run.outputs).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join('  ')}`);
    return run;
  }

  function showComment(name: string): void {
    const comment = github.comments(PR).find((c) => c.body.includes(`<!-- faas-preview:${name} -->`));
    if (!comment) return say('  (no PR comment)');
    say(`  PR #${PR} comment (markdown, as posted to GitHub; edited in place on every run):`);
    say(indent(comment.body, '  │ '));
  }

  async function check(name: string, expectLive: boolean): Promise<void> {
    const host = `${name}.${PREVIEW_DOMAIN}:${edge.port}`;
    const page = await edgeRequest(edge.port, host, '/');
    const api = await edgeRequest(edge.port, host, '/api/hello');
    const commit = /<code id="commit">([^<]*)<\/code>/.exec(page.body)?.[1];
    say(`  through the edge: GET / → ${page.status}${commit ? ` (page of commit ${commit})` : ''}; GET /api/hello → ${api.status}`);
    if (api.status === 200) say(indent(api.body, '    '));
    if (expectLive && (page.status !== 200 || api.status !== 200)) throw new Error(`the preview does not answer through the edge:\n${edge.log()}`);
    if (!expectLive && page.status !== 404) throw new Error(`the torn-down preview still answers ${page.status}`);
  }

  // 1. opened
  checkout(SHA_OPENED);
  github.setPull({ number: PR, state: 'open', headSha: SHA_OPENED, title: 'Say hello from the preview' });
  const opened = await act(`pull_request opened: PR #${PR} at ${SHA_OPENED.slice(0, 7)}`, 'pull_request', prPayload('opened', { number: PR, sha: SHA_OPENED }));
  const name = opened.outputs.name;
  const url = opened.outputs.url;
  showComment(name);
  await check(name, true);
  say();

  // 2. synchronize
  checkout(SHA_PUSHED);
  github.setPull({ number: PR, state: 'open', headSha: SHA_PUSHED, title: 'Say hello from the preview' });
  await act(`pull_request synchronize: new commit ${SHA_PUSHED.slice(0, 7)}`, 'pull_request', prPayload('synchronize', { number: PR, sha: SHA_PUSHED }));
  showComment(name);
  await check(name, true);
  if (registry) say(`  image tags in the registry: ${(await registry.tags('examples/hello-world')).join(', ')}`);
  say();

  // 3. sweep (what the scheduled idle-sweeper workflow runs)
  await act('workflow_dispatch: sweep idle previews (idle-after 30m)', 'workflow_dispatch', dispatchPayload());
  say();

  say(bold(`Preview of PR #${PR}: ${url}`));
  say(`  open it in Chromium or Firefox, or: curl ${url}api/hello`);
  if (!once) {
    if (process.stdin.isTTY) {
      say(`  The stack stays up. Press Enter to close PR #${PR} (teardown), or Ctrl-C to stop here.`);
      const rl = createInterface({ input: process.stdin });
      await new Promise<void>((resolve) => rl.once('line', () => resolve()));
      rl.close();
    } else {
      say(`  The stack stays up until Ctrl-C.`);
      await new Promise<void>(() => undefined);
    }
  }
  say();

  // 4. closed
  github.setPull({ number: PR, state: 'closed', merged: true, headSha: SHA_PUSHED, title: 'Say hello from the preview' });
  await act(`pull_request closed: PR #${PR} merged`, 'pull_request', prPayload('closed', { number: PR, sha: SHA_PUSHED, merged: true }));
  showComment(name);
  await check(name, false);
  say(`  bucket keys left under ${name}/: ${(await s3.listKeys(`${name}/`)).length}; functions on the gateway: ${gateway.functions().length}`);
  say();
  say(bold('Done: opened → synchronize → sweep → closed. Stopping the stack.'));
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
