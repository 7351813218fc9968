/**
 * Issue 15 through the bundle, with buildah and docker-registry: a push that does not change the backend builds
 * nothing, pushes nothing and leaves the function alone; a push back to an earlier backend retags that image; a real
 * change builds. faasd CE (private registry allowed), s3rver, the GitHub emulator.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const PASSWORD = 'gw-rebuild-Pw6';
const PR = 41;
const NAME = `hello-world-pr-${PR}`;
const sha = (c: string) => c.repeat(7) + '5'.repeat(33);

const { describe } = describeWith(['buildah', 'docker-registry']);

describe('build only what changed', () => {
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let s3: S3Emulator;
  let registry: Registry;
  let workspace: string;

  beforeAll(async () => {
    [gateway, github, s3, registry] = await Promise.all([
      startGateway({ edition: 'faasd-ce', password: PASSWORD }),
      startGitHub({}),
      startS3(),
      startRegistry(),
    ]);
    workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-rebuild-'));
    mkdirSync(path.join(workspace, 'fn'));
    mkdirSync(path.join(workspace, 'site'));
    writeFileSync(path.join(workspace, 'fn/Dockerfile'), 'FROM scratch\nCOPY handler.txt /handler.txt\n');
    writeFileSync(path.join(workspace, 'fn/.dockerignore'), 'notes.md\n');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([gateway?.close(), github?.close(), s3?.close(), registry?.close()]);
    rmSync(workspace, { recursive: true, force: true });
  });

  async function push(c: string, files: { handler: string; page: string; notes?: string }): Promise<ActionRun> {
    writeFileSync(path.join(workspace, 'fn/handler.txt'), files.handler);
    writeFileSync(path.join(workspace, 'fn/notes.md'), files.notes ?? 'notes');
    writeFileSync(path.join(workspace, 'site/index.html'), files.page);
    github.setPull({ number: PR, state: 'open', headSha: sha(c) });
    const inputs = stackInputs(
      { gateway, gatewayPassword: PASSWORD, s3, github, registry, registryNamespace: 'acme' },
      { 'preview-domain': 'preview.example.com', context: 'fn', 'static-dir': 'site', 'ready-timeout': '10s' },
    );
    const run = await runAction({
      event: 'pull_request',
      payload: prPayload('synchronize', { number: PR, sha: sha(c) }),
      inputs,
      apiUrl: github.url,
      workspace,
      env: registry.buildahEnv,
    });
    assertNoLeaks(
      run,
      { values: [PASSWORD, registry.password, github.token], basicAuth: [{ username: 'admin', password: PASSWORD }] },
      github,
      [PR],
    );
    if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    return run;
  }

  const puts = () =>
    gateway.calls.filter((c) => c.method === 'PUT' || c.method === 'POST').filter((c) => c.path === '/system/functions')
      .length;
  const comment = () => github.comments(PR).find((c) => c.body.startsWith(commentMarker(NAME)))!.body;
  const built = (run: ActionRun) => /buildah bud/.test(run.stdout);

  test('the first push builds, and the function carries the build digest', async () => {
    const run = await push('a', { handler: 'v1', page: '<h1>one</h1>' });
    expect(built(run)).toBe(true);
    expect(gateway.get(NAME)!.labels['faas-preview/build-digest']).toMatch(/^[0-9a-f]{40}$/);
    expect(comment()).toMatch(/- Image: `[^`]+`, built \(build digest `[0-9a-f]{12}`\)\n/);
  });

  test('a front-end-only push (and an ignored file): no build, no push, no function update; the assets are synced', async () => {
    const before = { puts: puts(), image: gateway.get(NAME)!.image };
    const run = await push('b', { handler: 'v1', page: '<h1>two</h1>', notes: 'changed but ignored' });
    expect(built(run)).toBe(false);
    expect(await registry.tags('acme/hello-world')).toEqual(['pr-41-aaaaaaa']);
    expect(puts()).toBe(before.puts);
    expect(gateway.get(NAME)!.image).toBe(before.image);
    expect(run.outputs).toMatchObject({ result: 'deployed', image: before.image });
    expect(await s3.listKeys(`${NAME}/`)).toEqual([`${NAME}/${MANIFEST_KEY}`, `${NAME}/index.html`]);
    // the page has the first one's size: compared by the id the first push recorded, found changed, sent
    expect(run.stdout).toContain('compared 1 file(s) by content id (manifest), 0 by MD5');
    expect(comment()).toContain('- Static assets: 1 uploaded, 0 unchanged, 0 removed');
    expect(run.stdout).toMatch(/Backend unchanged since aaaaaaa/);
    expect(comment()).toMatch(/- Image: `[^`]+`, unchanged since `aaaaaaa`: not rebuilt/);
  });

  test('a backend change builds', async () => {
    const run = await push('c', { handler: 'v2', page: '<h1>three</h1>' });
    expect(built(run)).toBe(true);
    expect(await registry.tags('acme/hello-world')).toEqual(['pr-41-aaaaaaa', 'pr-41-ccccccc']);
    expect(gateway.get(NAME)!.image).toMatch(/pr-41-ccccccc$/);
  });

  test('back to an earlier backend: that image is retagged, nothing is built', async () => {
    const run = await push('d', { handler: 'v1', page: '<h1>four</h1>' });
    expect(built(run)).toBe(false);
    expect(run.stdout).toMatch(/Retagged pr-41-aaaaaaa as .*:pr-41-ddddddd/);
    expect(await registry.tags('acme/hello-world')).toEqual(['pr-41-aaaaaaa', 'pr-41-ccccccc', 'pr-41-ddddddd']);
    expect(gateway.get(NAME)!.image).toMatch(/pr-41-ddddddd$/);
    expect(comment()).toMatch(/- Image: `[^`]+`, same as `aaaaaaa`: its image retagged, not rebuilt/);
  });

  test('rebuild: always builds anyway', async () => {
    writeFileSync(path.join(workspace, 'fn/handler.txt'), 'v1');
    writeFileSync(path.join(workspace, 'site/index.html'), '<h1>four</h1>'); // a CI build writes it again, same bytes
    github.setPull({ number: PR, state: 'open', headSha: sha('e') });
    const inputs = stackInputs(
      { gateway, gatewayPassword: PASSWORD, s3, github, registry, registryNamespace: 'acme' },
      {
        'preview-domain': 'preview.example.com',
        context: 'fn',
        'static-dir': 'site',
        'ready-timeout': '10s',
        rebuild: 'always',
      },
    );
    const run = await runAction({
      event: 'pull_request',
      payload: prPayload('synchronize', { number: PR, sha: sha('e') }),
      inputs,
      apiUrl: github.url,
      workspace,
      env: registry.buildahEnv,
    });
    expect(run.code).toBe(0);
    expect(built(run)).toBe(true);
    // the page as the last push left it, proved unchanged by its content id: nothing sent
    expect(run.stdout).toContain('compared 1 file(s) by content id (manifest), 0 by MD5');
    expect(comment()).toContain('- Static assets: 0 uploaded, 1 unchanged, 0 removed');
  });
});
