/**
 * A two-function faas-cli stack on the Kubernetes provider profiles, through the bundle with buildah and
 * docker-registry (stack.test.ts covers the rest on faasd CE): on faas-netes (Pro) both functions roll out and a
 * push updates the one it changes while the previous version keeps serving; on faas-netes Community Edition, which
 * pulls anonymously and says nothing when it cannot, the private images are refused before the gateway is touched.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { commentMarker } from '../../src/naming.js';
import { prPayload, runAction, stackInputs, type ActionRun } from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { describeWith } from '../../test/support/tools.js';

const PASSWORD = 'gw-stack-k8s-Pw3';
const sha = (c: string) => c.repeat(7) + '7'.repeat(33);
const name = (pr: number) => `hello-world-pr-${pr}`;

const { describe } = describeWith(['buildah', 'docker-registry']);

describe.each(['faas-netes', 'faas-netes-ce'] as const)('a two-function stack on %s', (edition) => {
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let s3: S3Emulator;
  let registry: Registry;
  let workspace: string;

  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
    writeFileSync(path.join(workspace, rel), text);
  };

  beforeAll(async () => {
    [gateway, github, s3, registry] = await Promise.all([
      startGateway({ edition, password: PASSWORD }),
      startGitHub({}),
      startS3(),
      startRegistry(),
    ]);
    workspace = realpathSync(mkdtempSync(path.join(tmpdir(), 'faas-preview-stack-k8s-')));
    for (const fn of ['api', 'worker']) {
      write(`app/${fn}/Dockerfile`, 'FROM scratch\nCOPY handler.txt /home/app/handler.txt\n');
      write(`app/${fn}/handler.txt`, `${fn} v1\n`);
    }
    const fns = ['api', 'worker'].map(
      (fn) => `  ${fn}:\n    lang: dockerfile\n    handler: ./${fn}\n    image: \${REGISTRY}/stack-${fn}:latest\n`,
    );
    write('app/stack.yml', `version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n${fns.join('')}`);
    write('site/index.html', '<h1>stack</h1>');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([gateway?.close(), github?.close(), s3?.close(), registry?.close()]);
    rmSync(workspace, { recursive: true, force: true });
  });

  async function push(pr: number, c: string, action: string): Promise<ActionRun> {
    github.setPull({ number: pr, state: action === 'closed' ? 'closed' : 'open', headSha: sha(c) });
    const inputs = stackInputs(
      { gateway, gatewayPassword: PASSWORD, s3, github, registry, registryNamespace: 'acme' },
      {
        'preview-domain': 'preview.example.com',
        'stack-file': 'app/stack.yml',
        'stack-variables': 'REGISTRY',
        'static-dir': 'site',
        'ready-timeout': '10s',
        'delete-image': 'true',
      },
    );
    const env = {
      ...registry.buildahEnv,
      CONTAINERS_REGISTRIES_CONF: registry.registriesConf,
      REGISTRY: `${registry.host}/acme`,
    };
    const run = await runAction({
      event: 'pull_request',
      payload: prPayload(action, { number: pr, sha: sha(c) }),
      inputs,
      apiUrl: github.url,
      workspace,
      env,
      timeoutMs: 180_000,
    });
    assertNoLeaks(
      run,
      { values: [PASSWORD, registry.password, github.token], basicAuth: [{ username: 'admin', password: PASSWORD }] },
      github,
      [pr],
    );
    return run;
  }

  const comment = (pr: number) =>
    github.comments(pr).find((c) => c.body.startsWith(commentMarker(name(pr))))?.body ?? '';
  const writes = () =>
    gateway.calls.filter((c) => c.path === '/system/functions' && (c.method === 'PUT' || c.method === 'POST')).length;

  if (edition === 'faas-netes') {
    test('opened, a push changing one function, closed: both roll out, only the changed one is updated, both go', async () => {
      const opened = await push(61, 'a', 'opened');
      expect(opened.code).toBe(0);
      expect(opened.outputs).toMatchObject({ result: 'deployed', name: name(61) });
      expect(gateway.get(name(61))).toMatchObject({
        image: `${registry.host}/acme/stack-api:pr-61-aaaaaaa`,
        availableReplicas: 1,
      });
      expect(gateway.get(`${name(61)}-worker`)).toMatchObject({
        image: `${registry.host}/acme/stack-worker:pr-61-aaaaaaa`,
        availableReplicas: 1,
      });

      const before = writes();
      write('app/worker/handler.txt', 'worker v2\n');
      const pushed = await push(61, 'b', 'synchronize');
      expect(pushed.code).toBe(0);
      expect(writes() - before).toBe(1);
      expect(gateway.get(`${name(61)}-worker`)!.image).toBe(`${registry.host}/acme/stack-worker:pr-61-bbbbbbb`);
      expect(gateway.get(name(61))!.image).toBe(`${registry.host}/acme/stack-api:pr-61-aaaaaaa`);
      expect(comment(61)).toMatch(/### Preview is ready/);
      // A row per function, with the commit it runs; which one was not rebuilt is in the details only.
      const [top, folded] = comment(61).split('<details>');
      expect(top).toMatch(/\| `hello-world-pr-61` \| ✅ Ready \| \[\/api\/\]\([^)]+\) \| `aaaaaaa` \|/);
      expect(top).toMatch(/\| `hello-world-pr-61-worker` \| ✅ Ready \| \[\/fn\/worker\/\]\([^)]+\) \| `bbbbbbb` \|/);
      expect(top).not.toMatch(/unchanged|not rebuilt/);
      expect(folded).toMatch(/- Image: `[^`]+stack-api:pr-61-aaaaaaa`, unchanged since `aaaaaaa`/);
      expect(folded).toMatch(/- Image: `[^`]+stack-worker:pr-61-bbbbbbb`, built/);

      const closed = await push(61, 'b', 'closed');
      expect(closed.code).toBe(0);
      expect(gateway.get(name(61))).toBeUndefined();
      expect(gateway.get(`${name(61)}-worker`)).toBeUndefined();
      expect(await registry.tags('acme/stack-worker')).toEqual([]);
      expect(await s3.listKeys(`${name(61)}/`)).toEqual([]);
    }, 240_000);
  } else {
    test('opened with private images: refused at the image step, nothing deployed, the PR told why', async () => {
      const run = await push(62, 'a', 'opened');
      expect(run.code).not.toBe(0);
      expect(writes()).toBe(0);
      expect(gateway.get(name(62))).toBeUndefined();
      expect(comment(62)).toMatch(/only runs images anyone can pull/);
      expect(run.outputs.result).toBe('failed');
    }, 240_000);
  }
});
