/**
 * Issue 14's order, through the bundle with buildah and docker-registry: the building comment and the static files
 * but HTML go out while the image builds, no HTML exists before the function is ready, and a failed build leaves the
 * previous pages in place with a comment that says which files went up. No timing: the builder (a wrapper named
 * `buildah` first on PATH) waits at a gate the test opens once it has seen what must be true while the build runs,
 * and the gateway emulator (faas-netes: its pods can be held unready) holds the function's start until the test has
 * looked at the bucket.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MANIFEST_KEY } from '../../src/assets/manifest.js';
import { commentMarker } from '../../src/naming.js';
import { prPayload, runAction, stackInputs, type ActionRun } from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { describeWith } from '../../test/support/tools.js';

const PASSWORD = 'gw-pipeline-Pw8';
const PR = 43;
const NAME = `hello-world-pr-${PR}`;
const sha = (c: string) => c.repeat(7) + '6'.repeat(33);

const { describe } = describeWith(['buildah', 'docker-registry']);

/** Polls `probe` every 50 ms until it returns a value, for at most `limitMs` (a bound on a hang, not a timed assertion). */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  limitMs = 60_000,
): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('deploy order: static files beside the build, HTML after readiness', () => {
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let s3: S3Emulator;
  let registry: Registry;
  let workspace: string;
  let bin: string;
  let gates: string;

  beforeAll(async () => {
    [gateway, github, s3, registry] = await Promise.all([
      startGateway({ edition: 'faas-netes', password: PASSWORD }),
      startGitHub({}),
      startS3(),
      startRegistry(),
    ]);
    workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-pipeline-'));
    bin = path.join(workspace, '.bin');
    gates = path.join(workspace, '.gates');
    for (const d of [path.join(workspace, 'fn'), path.join(workspace, 'site'), bin, gates])
      mkdirSync(d, { recursive: true });
    writeFileSync(path.join(workspace, 'fn/Dockerfile'), 'FROM scratch\nCOPY handler.txt /handler.txt\n');
    // The builder: a build announces itself and prints its first step, as buildah does at once, then waits for the
    // test's gate ("go" or "fail") before the real one runs. Not the `bud --help` that asks what the builder supports:
    // the deploy's uploads start with the build's first output.
    const real = execFileSync('sh', ['-c', 'command -v buildah'], { encoding: 'utf8' }).trim();
    writeFileSync(
      path.join(bin, 'buildah'),
      `#!/bin/sh
case "$1 $2" in "bud --help"|"build --help") ;; "bud "*|"build "*)
  touch '${gates}/building'
  echo "STEP 1/2: held by the test"
  i=0; while [ ! -e '${gates}/go' ] && [ ! -e '${gates}/fail' ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
  rm -f '${gates}/building'
  if [ -e '${gates}/fail' ]; then echo "error: the test failed this build" >&2; exit 1; fi;;
esac
exec '${real}' "$@"
`,
    );
    chmodSync(path.join(bin, 'buildah'), 0o755);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([gateway?.close(), github?.close(), s3?.close(), registry?.close()]);
    rmSync(workspace, { recursive: true, force: true });
  });

  function push(c: string, files: Record<string, string>): Promise<ActionRun> {
    for (const g of ['go', 'fail']) rmSync(path.join(gates, g), { force: true });
    writeFileSync(path.join(workspace, 'fn/handler.txt'), `handler of ${c}`);
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(workspace, 'site', file), text);
    github.setPull({ number: PR, state: 'open', headSha: sha(c) });
    const inputs = stackInputs(
      { gateway, gatewayPassword: PASSWORD, s3, github, registry, registryNamespace: 'acme' },
      { 'preview-domain': 'preview.example.com', context: 'fn', 'static-dir': 'site', 'ready-timeout': '60s' },
    );
    const env = {
      ...registry.buildahEnv,
      CONTAINERS_REGISTRIES_CONF: registry.registriesConf,
      PATH: `${bin}:${process.env.PATH}`,
    };
    return runAction({
      event: 'pull_request',
      payload: prPayload('synchronize', { number: PR, sha: sha(c) }),
      inputs,
      apiUrl: github.url,
      workspace,
      env,
    }).then((run) => {
      assertNoLeaks(
        run,
        { values: [PASSWORD, registry.password, github.token], basicAuth: [{ username: 'admin', password: PASSWORD }] },
        github,
        [PR],
      );
      return run;
    });
  }

  const keys = () => s3.listKeys(`${NAME}/`);
  const html = (ks: string[]) => ks.filter((k) => k.endsWith('.html'));
  const comment = () => github.comments(PR).find((c) => c.body.startsWith(commentMarker(NAME)))?.body;
  const text = async (key: string) =>
    (await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToString();
  const statusPolls = () =>
    gateway.calls.filter((c) => c.method === 'GET' && c.path === `/system/function/${NAME}`).length;

  test('while the image builds, the building comment and every file but HTML are there; no HTML until the function is ready', async () => {
    gateway.setReadiness('never');
    const running = push('a', {
      'index.html': '<h1>one</h1>',
      'about.html': '<p>about</p>',
      'app.css': 'h1{}',
      'app.js': 'go()',
    });
    await until('the build to start', () => (existsSync(path.join(gates, 'building')) ? true : undefined));
    const during = await until('the static files but HTML while the build waits', async () => {
      const ks = await keys();
      return ks.includes(`${NAME}/app.css`) && ks.includes(`${NAME}/app.js`) ? ks : undefined;
    });
    expect(html(during)).toEqual([]);
    expect(during).toEqual([`${NAME}/app.css`, `${NAME}/app.js`]); // the content manifest comes last, with the deletes
    expect(await until('the building comment', () => comment())).toMatch(
      /is being built[^]*static files other than HTML upload while the image builds/,
    );
    expect(existsSync(path.join(gates, 'building'))).toBe(true); // the builder is still held: all of this happened during the build
    writeFileSync(path.join(gates, 'go'), '');

    // The function is deployed but held back from starting: the action polls it, and writes no HTML meanwhile.
    const polled = await until('the action to poll the held-back function', () => {
      const n = statusPolls();
      return gateway.get(NAME) && n >= 3 ? n : undefined;
    });
    expect(polled).toBeGreaterThanOrEqual(3);
    expect(html(await keys())).toEqual([]);
    gateway.setReadiness('normal');

    const run = await running;
    if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    expect(html(await keys()).sort()).toEqual([`${NAME}/about.html`, `${NAME}/index.html`]);
    expect(await keys()).toEqual(
      [MANIFEST_KEY, 'about.html', 'app.css', 'app.js', 'index.html'].map((k) => `${NAME}/${k}`),
    );
    expect(comment()).toMatch(/- Static assets: 4 uploaded, 0 unchanged, 0 removed/);
  }, 180_000);

  test('a failed build: no new HTML, the previous pages stay, and the comment says which files went up', async () => {
    const running = push('b', { 'index.html': '<h1>two</h1>', 'app.css': 'h1{color:red}', 'extra.js': 'more()' });
    await until('the build to start', () => (existsSync(path.join(gates, 'building')) ? true : undefined));
    await until('the new script while the build waits', async () =>
      (await keys()).includes(`${NAME}/extra.js`) ? true : undefined,
    );
    writeFileSync(path.join(gates, 'fail'), '');
    const run = await running;

    expect(run.code).not.toBe(0);
    expect(await text(`${NAME}/index.html`)).toBe('<h1>one</h1>');
    expect(await keys()).toContain(`${NAME}/about.html`); // stale deletes never ran
    const body = comment()!;
    expect(body).toMatch(/failed/i);
    expect(body).toMatch(/The function was not touched/);
    expect(body).toMatch(/2 static files of this commit \(none of them HTML\) had already been uploaded/);
    expect(run.outputs.result).toBe('failed');
  }, 180_000);

  test('closed while the image builds: the files uploaded meanwhile go with the teardown, nothing is left', async () => {
    const running = push('c', { 'index.html': '<h1>three</h1>', 'late.js': 'late()' });
    await until('the build to start', () => (existsSync(path.join(gates, 'building')) ? true : undefined));
    await until('the new script while the build waits', async () =>
      (await keys()).includes(`${NAME}/late.js`) ? true : undefined,
    );
    github.setPull({ number: PR, state: 'closed', headSha: sha('c') });
    writeFileSync(path.join(gates, 'go'), '');
    const run = await running;

    expect(run.code).toBe(0);
    expect(run.outputs.result).toBe('torn-down');
    expect(await keys()).toEqual([]);
    expect(gateway.get(NAME)).toBeUndefined();
  }, 180_000);
});
