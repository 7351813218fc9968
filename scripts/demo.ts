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
 * (browsers and curl resolve *.localhost to 127.0.0.1; the edge routes on the Host header).
 *
 * With nginx installed it also shows the preview private: a second nginx with the sign-in gate on (auth_request)
 * and a second edge service with WAKER_GATE=github, signing visitors in with the emulated GitHub (a GitHub App
 * registered there, user `alice` a collaborator), at `http://<name>.private.localhost:<port + 1>/`. Real requests
 * show that an anonymous visitor is refused, that alice signs in and gets the page, that a share link opens it in
 * a fresh cookie jar without GitHub, and that the bypass header lets a tool in. The stand-in edge cannot gate
 * (it has no auth_request), so without nginx that part is skipped, saying so. The gate's signing key, client
 * secret and bypass token are made for the run and never printed; DEMO_GATE_KEY, DEMO_GITHUB_CLIENT_SECRET and
 * DEMO_BYPASS_TOKEN set them instead (the test does, to scan the output for them).
 *
 * Before `closed` it waits: open the URLs, then press Enter (a line on stdin) to close the PR, or Ctrl-C to stop.
 * `--once` runs straight through and exits. Everything lives in temp directories and is removed on exit.
 *
 *   npm run demo [-- --once] [-- --port 8080]
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { runningSpec } from '../src/openfaas/types.js';
import { ANNOTATIONS } from '../src/naming.js';
import { GatewayClient } from '../src/openfaas/client.js';
import { readJson, writeJson } from '../src/state/store.js';
import {
  BUNDLE,
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
import { startGitHub, type GitHubEmulator, type GitHubOptions } from '../test/support/github.js';
import { postgresBin, startPostgres, type Postgres } from '../test/support/postgres.js';
import { startRegistry, type Registry } from '../test/support/registry.js';
import { startS3, type S3Emulator } from '../test/support/s3.js';
import { freePort, hasCommand } from '../test/support/tools.js';
import { Visitor, expectReply, signInWithGitHub, tagsOf, type Hop, type Reply } from '../test/support/visitor.js';
import { WAKER_BUNDLE, startWakerProcess, type WakerProcess } from '../test/support/waker.js';

const PR = 7;
const SHA_OPENED = '3f2c1a9' + '0'.repeat(33);
const SHA_PUSHED = '8b7e6d5' + '1'.repeat(33);
const GATEWAY_PASSWORD = 'demo-gateway-password';
const PREBUILT_IMAGE = 'localhost/examples/hello-world:prebuilt';
const PREVIEW_DOMAIN = 'preview.localhost';
const STATE_PREFIX = '.faas-preview';
const HOUR = 3_600_000;
const PRIVATE_DOMAIN = 'private.localhost';
const DEMO_USER = 'alice';
const CLIENT_ID = 'Iv1.faaspreviewdemo';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
/**
 * On Node < 22 the AWS SDK warns that its releases after January 2027 will need Node 22. The runner runs the action
 * on Node 24 (action.yml), so the warning says nothing about what the demo shows: it is turned off, with the SDK's
 * documented variable, in the demo and in the action and edge service processes it starts.
 */
const QUIET_SDK: Record<string, string> =
  NODE_MAJOR < 22 ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } : {};
Object.assign(process.env, QUIET_SDK);

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

/** A line of the action's log as a reader wants it: workflow commands turned into words; masks and debug dropped. */
function readable(line: string): string | undefined {
  if (!line.trim() || /^::(add-mask|debug|endgroup|stop-commands)::/.test(line) || /^::[0-9a-z-]+::$/.test(line))
    return undefined;
  const m = /^::(error|warning|notice|group)[^:]*::(.*)$/.exec(line);
  return m ? `${m[1] === 'group' ? '▸' : m[1] + ':'} ${m[2]}` : line;
}

/** Prints the action's log line by line as it comes (a step's build output shows while it builds). */
function printer(prefix: string): { write(chunk: string): void; end(): void } {
  let partial = '';
  const print = (line: string) => {
    const text = readable(line);
    if (text !== undefined) say(prefix + text);
  };
  return {
    write(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      lines.forEach(print);
    },
    end: () => print(partial),
  };
}

interface Stack {
  s3: S3Emulator;
  gateway: GatewayEmulator;
  github: GitHubEmulator;
  registry?: Registry;
  postgres?: Postgres;
  waker: WakerProcess;
  edge: Edge;
  /** The same previews behind the sign-in gate; absent without nginx. */
  gated?: Gated;
  workspace: string;
}

interface Gated {
  service: WakerProcess;
  edge: Edge;
  /** The automation bypass token, for the CI tool's request. */
  bypass: string;
}

/** The gate's secrets: made for this run, or given (see the header). */
interface GateSecrets {
  key: string;
  clientSecret: string;
  bypass: string;
}

let stack: Partial<Stack> = {};
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  stopping ??= (async () => {
    const { edge, waker, gated, s3, gateway, github, registry, postgres, workspace } = stack;
    await Promise.allSettled([
      edge?.close(),
      waker?.close(),
      gated?.edge.close(),
      gated?.service.close(),
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

function gateSecrets(): GateSecrets {
  const made = () => randomBytes(36).toString('base64url');
  return {
    key: process.env.DEMO_GATE_KEY || made(),
    clientSecret: process.env.DEMO_GITHUB_CLIENT_SECRET || made(),
    bypass: process.env.DEMO_BYPASS_TOKEN || made(),
  };
}

/** The edge service's variables (users run `node dist/waker/index.js` with these) for previews under `domain`. */
function wakerEnv(s3: S3Emulator, gateway: GatewayEmulator, domain: string): Record<string, string> {
  return {
    WAKER_GATEWAY_URL: gateway.url,
    WAKER_GATEWAY_PASSWORD: GATEWAY_PASSWORD,
    WAKER_BUCKET: s3.bucket,
    WAKER_S3_ENDPOINT: s3.endpoint,
    WAKER_AWS_ACCESS_KEY_ID: s3.settings.accessKeyId ?? 'S3RVER',
    WAKER_AWS_SECRET_ACCESS_KEY: s3.settings.secretAccessKey ?? 'S3RVER',
    WAKER_PREVIEW_DOMAIN: domain,
    WAKER_REPOSITORIES: `${OWNER}/${REPO}`,
    WAKER_STATE_PREFIX: STATE_PREFIX,
    ...QUIET_SDK,
  };
}

/** github.com's side of the sign-in: a GitHub App whose callback is the gated edge's sign-in host, and alice. */
function signInOptions(gatedPort: number, secrets: GateSecrets): GitHubOptions {
  return {
    oauth: {
      clientId: CLIENT_ID,
      clientSecret: secrets.clientSecret,
      callbackUrls: [`http://login.${PRIVATE_DOMAIN}:${gatedPort}/.faas-preview/callback`],
    },
    users: { [DEMO_USER]: { name: 'Alice' } },
    // A personal repository knows no read-only role: every collaborator can push.
    collaborators: { [DEMO_USER]: 'write' },
  };
}

/** nginx with auth_request and the edge service with WAKER_GATE=github, as docs/private-previews.md sets them up. */
async function startGated(
  { s3, gateway, github }: Pick<Stack, 's3' | 'gateway' | 'github'>,
  port: number,
  secrets: GateSecrets,
): Promise<Gated> {
  const service = await startWakerProcess({
    ...wakerEnv(s3, gateway, `${PRIVATE_DOMAIN}:${port}`),
    WAKER_GATE: 'github',
    WAKER_GATE_KEY: secrets.key,
    WAKER_GITHUB_CLIENT_ID: CLIENT_ID,
    WAKER_GITHUB_CLIENT_SECRET: secrets.clientSecret,
    WAKER_GITHUB_URL: github.url,
    WAKER_GITHUB_API_URL: github.url,
    WAKER_PUBLIC_SCHEME: 'http',
    WAKER_BYPASS_TOKEN: secrets.bypass,
  });
  try {
    const edge = await startEdge('nginx', {
      gatewayUrl: gateway.url,
      bucketUrl: `${s3.endpoint}/${s3.bucket}`,
      previewDomain: PRIVATE_DOMAIN,
      port,
      wakerUrl: service.url,
      gate: true,
    });
    return { service, edge, bypass: secrets.bypass };
  } catch (err) {
    await service.close();
    throw err;
  }
}

async function startStack(port: number, build: boolean, secrets: GateSecrets): Promise<Stack> {
  const nginx = hasCommand('nginx');
  const gatedPort = nginx ? ((await portIsFree(port + 1)) ? port + 1 : await freePort()) : undefined;
  const [s3, gateway, github, registry, postgres] = await Promise.all([
    startS3(),
    // faasd: OpenFaaS on one machine, the bare-machine case; it pulls with its own credentials, so a prebuilt image name will do.
    startGateway({ edition: 'faasd-ce', password: GATEWAY_PASSWORD }),
    startGitHub(gatedPort ? signInOptions(gatedPort, secrets) : {}),
    // Public like a public GHCR package: Community Edition on Kubernetes only runs images anyone can pull.
    build ? startRegistry({ auth: 'token', anonymousPull: true }) : Promise.resolve(undefined),
    postgresBin() ? startPostgres() : Promise.resolve(undefined),
  ]);
  stack = { s3, gateway, github, registry, postgres };
  stack.waker = await startWakerProcess(wakerEnv(s3, gateway, PREVIEW_DOMAIN));
  stack.edge = await startEdge(nginx ? 'nginx' : 'node', {
    gatewayUrl: gateway.url,
    bucketUrl: `${s3.endpoint}/${s3.bucket}`,
    previewDomain: PREVIEW_DOMAIN,
    port,
    wakerUrl: stack.waker.url,
  });
  if (gatedPort) stack.gated = await startGated({ s3, gateway, github }, gatedPort, secrets);
  stack.workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-demo-'));
  return stack as Stack;
}

function describeStack({ s3, gateway, github, registry, postgres, waker, edge, gated }: Stack): void {
  say('Local stack:');
  say(`  bucket    s3rver                 ${s3.endpoint}/${s3.bucket}`);
  say(
    `  gateway   emulated faasd CE      ${gateway.url}  ${dim('(deploys and answers for functions; runs no containers)')}`,
  );
  say(
    `  GitHub    emulated REST API      ${github.url}  ${dim(`(repository ${OWNER}/${REPO}${gated ? `; sign-in for a GitHub App, user ${DEMO_USER}` : ''})`)}`,
  );
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
  if (gated)
    say(
      `  private   nginx + edge service   http://*.${PRIVATE_DOMAIN}:${gated.edge.port}/  ${dim(`(the same previews behind the sign-in gate: dist/waker/index.js with WAKER_GATE=github at ${gated.service.url})`)}`,
    );
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
    const log = printer('  ');
    const { registry } = this.st;
    const run = await runAction({
      event,
      payload,
      inputs: this.inputs,
      apiUrl: this.st.github.url,
      workspace: this.st.workspace,
      // The registries.conf marking the local plain-HTTP registry insecure: the build's --cache-to pushes to it,
      // and a build has no --tls-verify=false for its cache (src/image/cache.ts).
      env: {
        ...registry?.buildahEnv,
        ...(registry ? { CONTAINERS_REGISTRIES_CONF: registry.registriesConf } : {}),
        ...QUIET_SDK,
      },
      onStdout: (chunk) => log.write(chunk),
    });
    log.end();
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
    if (api.status === 200 || api.status === 410) say(indent(api.body, '    '));
    if (expect === 'live' && (page.status !== 200 || api.status !== 200))
      throw new Error(`the preview does not answer through the edge:\n${edge.log()}`);
    // A removed preview: 410 from the edge service's status answer (nginx asks it about a miss), 404 from the stand-in.
    const gone = (status: number) => status === 410 || status === 404;
    if (expect === 'gone' && (!gone(page.status) || !gone(api.status)))
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
    const state = (await readJson<{ functions: Record<string, { changedAt: string }> }>(s3.state(), key))!;
    state.functions[name].changedAt = past;
    await writeJson(s3.state(), key, state);
    say(dim(`  (the demo moves ${name}'s deploy time and last activity two hours back: idle-after is 30m)`));
  }
}

/** A URL as the demo prints it: without its query (a sign-in state, a code) or a share link's token. */
function shown(url: string): string {
  const u = new URL(url);
  const share = u.pathname.startsWith('/.faas-preview/s/');
  return `${u.origin}${share ? '/.faas-preview/s/…' : u.pathname}${u.search ? '?…' : ''}`;
}

const commitOf = (html: string) => /<code id="commit">([^<]*)<\/code>/.exec(html)?.[1];

/** What an answer was, in a few words: where it sends, whose page it is, or its short text. */
function gist(h: Hop): string {
  if (h.location) return `to ${shown(h.location)}`;
  const commit = commitOf(h.body);
  if (commit) return `page of commit ${commit}`;
  const title = /<title>([^<]*)<\/title>/.exec(h.body)?.[1];
  if (title) return `page "${title}"`;
  if (h.body.startsWith('{')) return "the function's answer";
  return h.body.trim().split('\n')[0].slice(0, 80);
}

/** The visitor's requests from `from` on, one line each. */
function showHops(v: Visitor, from = 0): void {
  for (const h of v.history.slice(from)) {
    const fields = h.fields ? ` (${new URLSearchParams(h.fields).toString().replace(/&/g, ', ')})` : '';
    const cookies = h.set.length ? `; sets cookie ${h.set.join(', ')}` : '';
    say(`    ${h.method.padEnd(4)} ${shown(h.url)}${fields} → ${h.status} ${gist(h)}${cookies}`);
  }
}

/** The page of the pushed commit, or an error naming what came instead. */
function expectPage(r: Reply): Reply {
  if (commitOf(r.body) !== SHA_PUSHED.slice(0, 7)) throw new Error(`${r.url} is not the preview's page: ${r.body}`);
  return r;
}

/**
 * The protected part: the same preview through the gated edge, with the requests a browser and a CI tool make.
 * Every answer is checked; a wrong one stops the demo.
 */
async function privateTour(g: Gated, name: string): Promise<void> {
  const home = g.edge.url(name);
  say(bold(`── the same preview, private: ${home}`));
  say(dim('  nginx asks the second edge service about every request (auth_request); it signs people in with the'));
  say(
    dim(
      "  emulated GitHub. Its signing key, the App's client secret and the bypass token: made for this run, never printed.",
    ),
  );

  say('  an anonymous visitor, no cookies: a script gets 401, a page navigation is sent to sign in');
  const anonymous = new Visitor();
  expectReply(await anonymous.fetch(`${home}api/hello`), 401);
  expectReply(await anonymous.navigate(home), 302, new RegExp(`^http://login\\.${PRIVATE_DOMAIN}:`));
  showHops(anonymous);

  say(`  ${DEMO_USER}, a collaborator of ${OWNER}/${REPO}, signs in, hop by hop as a browser goes:`);
  const alice = new Visitor();
  expectPage(await signInWithGitHub(alice, home, DEMO_USER));
  expectReply(await alice.fetch(`${home}api/hello`), 200);
  showHops(alice);

  say(`  ${DEMO_USER} makes a share link on ${home}.faas-preview/share:`);
  const from = alice.history.length;
  const form = expectReply(await alice.navigate(`${home}.faas-preview/share`), 200);
  const made = expectReply(await alice.submit(form, { days: '1' }), 200);
  showHops(alice, from);
  const link = tagsOf(made.body, 'input').find((i) => 'readonly' in i)?.value;
  if (!link) throw new Error(`no share link on the page: ${made.body}`);
  say(`    the link: ${link}`);
  say(dim('    (shown since this stack is a throwaway; the action never puts a share link in a PR comment or a log)'));

  say('  someone without a GitHub account opens the link, in a fresh cookie jar:');
  const guest = new Visitor();
  expectReply(await guest.navigate(link), 302);
  expectPage(expectReply(await guest.navigate(home), 200));
  expectReply(await guest.fetch(`${home}api/hello`), 200);
  showHops(guest);

  say('  a CI tool (Playwright, Lighthouse, curl) sends X-Faas-Preview-Bypass: <the token>:');
  const tool = new Visitor();
  expectReply(await tool.fetch(`${home}api/hello`, { 'x-faas-preview-bypass': g.bypass }), 200);
  showHops(tool);
  for (const line of g.service.lines().filter((l) => /sign-in:|share link:/.test(l))) say(`  edge service: ${line}`);
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE) || !existsSync(WAKER_BUNDLE))
    die(`${path.relative(process.cwd(), existsSync(BUNDLE) ? WAKER_BUNDLE : BUNDLE)} is missing; fix: npm run bundle`);
  const port = portArg ?? ((await portIsFree(8080)) ? 8080 : await freePort());
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    die(`--port: '${args[args.indexOf('--port') + 1]}' is not a port`);
  if (portArg && !(await portIsFree(port))) die(`port ${port} is in use; pick another with --port`);

  if (NODE_MAJOR < 20) die(`Node ${process.version}: the demo needs Node 20 or later`);

  say(bold('faas-preview demo: one pull request of examples/app, from opened to closed'));
  say(dim(`Node ${process.version} (the demo needs 20 or later; GitHub's runner runs the action on Node 24)`));
  if (QUIET_SDK.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED)
    say(
      dim(
        "The AWS SDK's notice that its releases after January 2027 need Node 22 is turned off here (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true)",
      ),
    );
  say();
  const st = await startStack(port, hasCommand('buildah') && hasCommand('docker-registry'), gateSecrets());
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
  for (const line of st.waker.lines().filter((l) => l.includes(`preview=${name} `))) say(`  waker: ${line}`);
  say(`  the preview woke on that visit: its first API answer took ${ms} ms, nothing to click, no workflow run`);
  say();

  if (st.gated) await privateTour(st.gated, name);
  else
    say(
      bold('── private previews: skipped') +
        " (the sign-in gate needs nginx's auth_request; the stand-in edge does not gate: sudo apt-get install nginx)",
    );
  say();

  say(bold(`Preview of PR #${PR}: ${url}`));
  say(`  open it in Chromium or Firefox, or: curl ${url}api/hello`);
  if (st.gated) {
    say(bold(`Private: ${st.gated.edge.url(name)}`));
    say(
      `  the emulated GitHub asks who you are: type ${DEMO_USER} and press Authorize; or open the share link above in a private window`,
    );
  }
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

/** Unless --once: a line on stdin (Enter) closes the PR; once stdin has ended, the stack stays up until Ctrl-C. */
async function waitForReader(): Promise<void> {
  if (once) return;
  say(`  The stack stays up. Press Enter to close PR #${PR} (teardown), or Ctrl-C to stop here.`);
  const rl = createInterface({ input: process.stdin });
  const entered = await new Promise<boolean>((resolve) => {
    rl.once('line', () => resolve(true));
    rl.once('close', () => resolve(false));
  });
  rl.close();
  if (entered) return;
  say('  (stdin has ended: the stack stays up until Ctrl-C)');
  return new Promise<void>(() => undefined);
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
