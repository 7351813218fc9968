/**
 * Issue 10 through the bundle: what real OpenFaaS providers do that an optimistic action would misreport, on the
 * emulator's provider profiles. "Ready" is claimed only when the URL answers this commit; Community Edition's limits
 * are checked before anything is built; private images on faas-netes CE are caught before the deploy; a CE gateway
 * that does not call itself `-ce` is put to sleep, never reported "scaled to 0".
 * Images live in a real docker-registry (pushed through its API), so the public-image preflight asks a real server.
 */
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ANNOTATIONS, commentMarker, previewLabels } from '../../src/naming.js';
import {
  OWNER,
  REPO,
  dispatchPayload,
  prPayload,
  runAction,
  stackInputs,
  type ActionRun,
} from '../../test/support/action.js';
import { startGateway, type GatewayEmulator, type GatewayOptions } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { describeWith } from '../../test/support/tools.js';

const PASSWORD = 'gw-providers-Pw5';
const SHA_A = 'a'.repeat(7) + '6'.repeat(33);
const SHA_B = 'b'.repeat(7) + '7'.repeat(33);
const PR = 21;
const NAME = `hello-world-pr-${PR}`;

let publicRegistry: Registry;
let privateRegistry: Registry;
let s3: S3Emulator;
let workspace: string;
const open: { gateway: GatewayEmulator; github: GitHubEmulator }[] = [];

const { describe: withRegistry } = describeWith(['docker-registry', 'openssl']);

beforeAll(async () => {
  [publicRegistry, privateRegistry, s3] = await Promise.all([
    startRegistry({ auth: 'token', anonymousPull: true }),
    startRegistry(),
    startS3(),
  ]);
  await Promise.all([
    publicRegistry.pushImage('acme/hello', ['a', 'b'], 'one image, two tags'),
    privateRegistry.pushImage('acme/hello', ['a']),
  ]);
  workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-providers-'));
  mkdirSync(path.join(workspace, 'site'));
  writeFileSync(path.join(workspace, 'site/index.html'), '<h1>hi</h1>');
}, 60_000);

afterAll(async () => {
  await Promise.all([publicRegistry?.close(), privateRegistry?.close(), s3?.close()]);
  rmSync(workspace, { recursive: true, force: true });
});

afterEach(async () => {
  for (const w of open.splice(0)) await Promise.all([w.gateway.close(), w.github.close()]);
});

async function world(o: GatewayOptions) {
  const w = { gateway: await startGateway({ password: PASSWORD, ...o }), github: await startGitHub({}) };
  open.push(w);
  return w;
}

const image = (r: Registry, tag: string) => `${r.host}/acme/hello:${tag}`;

async function run(
  w: { gateway: GatewayEmulator; github: GitHubEmulator },
  event: string,
  payload: Record<string, unknown>,
  extra: Record<string, string>,
): Promise<ActionRun> {
  const inputs = stackInputs(
    { gateway: w.gateway, gatewayPassword: PASSWORD, s3, github: w.github, registryNamespace: 'acme' },
    {
      'preview-domain': 'preview.example.com',
      'static-dir': 'site',
      'ready-timeout': '10s',
      'registry-insecure': '',
      ...extra,
    },
  );
  const result = await runAction({ event, payload, inputs, apiUrl: w.github.url, workspace });
  assertNoLeaks(
    result,
    {
      values: [PASSWORD, w.github.token, privateRegistry.password],
      basicAuth: [{ username: 'admin', password: PASSWORD }],
    },
    w.github,
    [PR],
  );
  return result;
}

/** `builder: none`: the image as it is (its registry is plain HTTP on loopback, as Docker treats 127.0.0.0/8). */
const deployInputs = (img: string, extra: Record<string, string> = {}) => ({ image: img, ...extra });

const comment = (w: { github: GitHubEmulator }, pr = PR) =>
  w.github
    .comments(pr)
    .filter((c) => c.body.startsWith(commentMarker(`hello-world-pr-${pr}`)))
    .at(-1)?.body ?? '';
const gatewayWrites = (gw: GatewayEmulator) =>
  gw.calls.filter((c) => c.method !== 'GET' && c.path.startsWith('/system/'));

withRegistry('readiness means the URL answers this commit', () => {
  test('faasd CE: a function that listens late answers 500 first; ready only after the probe passes', async () => {
    const img = image(publicRegistry, 'a');
    const w = await world({ edition: 'faasd-ce', images: { [img]: { listenAfterMs: 1200 } } });
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    const r = await run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A }), deployInputs(img));
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('deployed');
    const probes = w.gateway.calls.filter((c) => c.path === `/function/${NAME}/`);
    expect(probes.map((c) => c.status)).toContain(500);
    expect(probes.at(-1)!.status).toBe(200);
    expect(comment(w)).toMatch(/Preview is ready/);
    expect(comment(w)).toContain('- Ready check: `GET /` answered 200 from `aaaaaaa` (it sent `X-Faas-Preview-Sha`)');
  });

  test('faas-netes CE: a new version that never starts leaves the old one serving; no "ready" for it, and the comment says the old one still answers', async () => {
    const [a, b] = [image(publicRegistry, 'a'), image(publicRegistry, 'b')];
    const w = await world({ edition: 'faas-netes-ce', images: { [b]: { neverStarts: true } } });
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    expect(
      (await run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A }), deployInputs(a))).outputs.result,
    ).toBe('deployed');
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_B });
    const r = await run(
      w,
      'pull_request',
      prPayload('synchronize', { number: PR, sha: SHA_B }),
      deployInputs(b, { 'ready-timeout': '3s' }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error::function 'hello-world-pr-21' was not ready within 3s .*answered 200, but from aaaaaaa \(x-faas-preview-sha\); waiting for bbbbbbb/,
    );
    expect(comment(w)).not.toMatch(/Preview is ready/);
    expect(comment(w)).toMatch(/Preview of `bbbbbbb` failed: deployed the function, but it did not become ready/);
    expect(comment(w)).toContain('| ❌ Failed; the previous version answers |');
    expect(comment(w)).toMatch(/the previous version of this preview keeps answering/);
    const success = w.github.deployments().filter((d) => d.statuses.at(-1)?.state === 'success');
    expect(success.map((d) => d.sha)).toEqual([SHA_A]);
  });

  test('faas-netes CE: an update the provider accepts with 202 but does not apply is a clear failure', async () => {
    const [a, b] = [image(publicRegistry, 'a'), image(publicRegistry, 'b')];
    // The registry serves b anonymously, but the cluster cannot pull it (a pull policy, a mirror): faas-netes logs it, answers 202.
    const w = await world({ edition: 'faas-netes-ce', isPublic: (img) => img !== b });
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    expect(
      (await run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A }), deployInputs(a))).outputs.result,
    ).toBe('deployed');
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_B });
    const r = await run(w, 'pull_request', prPayload('synchronize', { number: PR, sha: SHA_B }), deployInputs(b));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error::the gateway accepted the deploy of .*:b but did not apply it \(it has image .*:a, faas-preview\/sha=a{7}6{33}\)/,
    );
    expect(w.gateway.get(NAME)!.image).toBe(a);
    expect(comment(w)).toMatch(/could not deploy the function|did not become ready/);
  });

  test('without the version header, a faas-netes update ends "rolling out", never "ready"', async () => {
    const [a, b] = [image(publicRegistry, 'a'), image(publicRegistry, 'b')];
    const w = await world({
      edition: 'faas-netes-ce',
      images: { [a]: { exposeSha: false }, [b]: { exposeSha: false } },
    });
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    expect(
      (await run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A }), deployInputs(a))).outputs.result,
    ).toBe('deployed');
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_B });
    const r = await run(w, 'pull_request', prPayload('synchronize', { number: PR, sha: SHA_B }), deployInputs(b));
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('rolling-out');
    expect(comment(w)).toMatch(/of `bbbbbbb` is deployed and rolling out/);
    expect(comment(w)).not.toMatch(/Preview is ready/);
  });
});

withRegistry('Community Edition as it really is', () => {
  test('faas-netes CE: a private image is caught before the deploy, with the fix', async () => {
    const w = await world({ edition: 'faas-netes-ce' });
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    const r = await run(
      w,
      'pull_request',
      prPayload('opened', { number: PR, sha: SHA_A }),
      deployInputs(image(privateRegistry, 'a')),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error::faas-netes-ce \(OpenFaaS Community Edition on Kubernetes\) only runs images anyone can pull, .* answered 401\)\. Make the image public/,
    );
    expect(gatewayWrites(w.gateway)).toEqual([]);
    expect(comment(w)).toMatch(/cannot run the image on this gateway/);
    expect(comment(w)).toMatch(/The function was not touched/);
  });

  test('faas-netes CE: a registry the runner cannot reach is no verdict: a warning, and the deploy goes on', async () => {
    // A closed port on 127.0.0.1: connection refused, as a registry only the cluster reaches would be.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const img = `127.0.0.1:${port}/acme/hello:a`;
    const w = await world({ edition: 'faas-netes-ce' });
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    const r = await run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A }), deployInputs(img));
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('deployed');
    expect(r.stdout).toMatch(
      new RegExp(
        `::warning::could not verify that <registry>/acme/hello:a can be pulled without credentials, as faas-netes-ce .* needs: the registry gave no answer that decides it \\(.*<registry>`,
      ),
    );
    expect(r.stdout).not.toMatch(/::error::/);
    expect(w.gateway.get(NAME)?.image).toBe(img);
  });

  test('15 functions that are not previews: refused before any build or push, and the comment counts them', async () => {
    const w = await world({ edition: 'faasd-ce' });
    for (let i = 0; i < 15; i++) w.gateway.seed({ name: `other-app-${i}`, image: 'ghcr.io/else/app:1' });
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    const ws = mkdtempSync(path.join(tmpdir(), 'faas-preview-quota-'));
    writeFileSync(path.join(ws, 'Dockerfile'), 'FROM scratch\n');
    try {
      const inputs = stackInputs(
        {
          gateway: w.gateway,
          gatewayPassword: PASSWORD,
          s3,
          github: w.github,
          registry: privateRegistry,
          registryNamespace: 'quota',
        },
        { 'preview-domain': 'preview.example.com', builder: 'buildah' },
      );
      const r = await runAction({
        event: 'pull_request',
        payload: prPayload('opened', { number: PR, sha: SHA_A }),
        inputs,
        apiUrl: w.github.url,
        workspace: ws,
        env: privateRegistry.buildahEnv,
      });
      expect(r.code).toBe(0);
      expect(r.outputs.result).toBe('refused');
      expect(r.stdout).not.toMatch(/buildah/);
      expect(await privateRegistry.tags('quota/hello-world')).toEqual([]);
      expect(gatewayWrites(w.gateway)).toEqual([]);
      expect(comment(w)).toContain(
        'runs 15 of the 15 functions it allows, and this preview needs 1 free slot (one per function). Every function counts: 0 of the 15 are previews of this repository, 15 are not.',
      );
      expect(r.stdout).toContain(
        '::warning::preview hello-world-pr-21 refused: the gateway runs 15 of the 15 functions Community Edition allows',
      );
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  test('an old CE gateway without the -ce suffix: the scale to zero is read back, and the preview sleeps instead', async () => {
    const w = await world({ edition: 'faas-netes-ce', legacyProviderName: true });
    const sha = SHA_A;
    w.gateway.seed({
      name: NAME,
      image: image(publicRegistry, 'a'),
      labels: previewLabels(OWNER, REPO, PR, sha),
      annotations: {
        [ANNOTATIONS.deployedAt]: new Date(Date.now() - 3 * 3_600_000).toISOString(),
        [ANNOTATIONS.url]: `https://${NAME}.preview.example.com`,
      },
    });
    w.github.setPull({ number: PR, state: 'open', headSha: sha });
    // No state yet: the first sweep only sees it; the second finds it unchanged for longer than idle-after.
    await s3.client.send(
      new (await import('@aws-sdk/client-s3')).PutObjectCommand({
        Bucket: s3.bucket,
        Key: '.faas-preview/sweeper.json',
        Body: JSON.stringify({
          version: 1,
          updatedAt: new Date().toISOString(),
          functions: { [NAME]: { count: 0, changedAt: new Date(Date.now() - 2 * 3_600_000).toISOString() } },
        }),
      }),
    );
    const r = await run(w, 'workflow_dispatch', dispatchPayload(), {
      'idle-after': '30m',
      image: image(publicRegistry, 'a'),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /hello-world-pr-21: the gateway answered the scale to 0 but reports replicas=1, which a Community Edition gateway does \(it clamps to 1\); putting it to sleep instead/,
    );
    expect(r.stdout).not.toMatch(/scaled to 0 replicas/);
    expect(w.gateway.get(NAME)).toBeUndefined();
    expect(comment(w)).toMatch(/is asleep/);
  });
});
