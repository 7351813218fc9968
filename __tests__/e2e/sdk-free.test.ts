/**
 * Issue 22: with a custom endpoint and static credentials, neither the action (deploy, sweep, teardown) nor the edge
 * service loads the AWS SDK: the assets and the state objects go through the lean calls (src/assets/lean.ts). Each
 * bundled process runs with a module load hook (test/support/module-trace.ts) that lists the files it loaded; none
 * may be a file of the bundle that holds the SDK. On s3rver and on radosgw (which checks every signature).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readClosed } from '../../src/state/closed.js';
import { readRecord } from '../../src/state/records.js';
import {
  BUNDLE,
  DIST,
  dispatchPayload,
  prPayload,
  runAction,
  stackInputs,
  type ActionRun,
} from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { sdkFiles, traceModules } from '../../test/support/module-trace.js';
import { S3_SERVERS, startS3Server } from '../../test/support/s3-servers.js';
import type { S3Emulator } from '../../test/support/s3.js';
import { startWakerProcess, WAKER_BUNDLE } from '../../test/support/waker.js';

const PASSWORD = 'gw-sdk-free-Pw5';
const PR = 22;
const NAME = `hello-world-pr-${PR}`;
const SHA = 'c'.repeat(7) + '2'.repeat(33);
const IMAGE = 'registry.example.com/acme/hello:1.0.0';
const DOMAIN = 'preview.example.com';

for (const { kind, describe } of S3_SERVERS)
  describe(`no AWS SDK loaded with a custom endpoint, on ${kind}`, () => {
    let gateway: GatewayEmulator;
    let github: GitHubEmulator;
    let s3: S3Emulator;
    let workspace: string;

    beforeAll(async () => {
      [gateway, github, s3] = await Promise.all([
        startGateway({ edition: 'faasd-ce', password: PASSWORD }),
        startGitHub({}),
        startS3Server(kind),
      ]);
      workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-sdk-free-'));
      mkdirSync(path.join(workspace, 'site'));
      writeFileSync(path.join(workspace, 'site/index.html'), '<h1>hi</h1>');
    }, 120_000);

    afterAll(async () => {
      await Promise.all([gateway?.close(), github?.close(), s3?.close()]);
      if (workspace) rmSync(workspace, { recursive: true, force: true });
    });

    /** The files of `bundle`'s folder that `loaded` holds and that hold the SDK; throws if the bundle has none. */
    function sdkLoaded(bundle: string, loaded: string[]): string[] {
      const sdk = sdkFiles(path.dirname(bundle));
      if (sdk.length === 0) throw new Error(`no file of ${path.dirname(bundle)} holds the SDK: the check sees nothing`);
      return loaded.filter((f) => sdk.includes(f));
    }

    async function run(event: string, payload: Record<string, unknown>, extra: Record<string, string> = {}) {
      const trace = traceModules();
      try {
        const inputs = stackInputs(
          { gateway, gatewayPassword: PASSWORD, s3, github, registryNamespace: 'acme', prebuiltImage: IMAGE },
          { 'preview-domain': DOMAIN, 'static-dir': 'site', 'ready-timeout': '20s', ...extra },
        );
        const r: ActionRun = await runAction({ event, payload, inputs, apiUrl: github.url, workspace, env: trace.env });
        assertNoLeaks(
          r,
          { values: [PASSWORD, github.token], basicAuth: [{ username: 'admin', password: PASSWORD }] },
          github,
          [PR],
        );
        if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
        const loaded = trace.loaded();
        expect(loaded.filter((f) => path.dirname(f) === DIST).length).toBeGreaterThan(1); // the entry and its chunks
        return { run: r, sdk: sdkLoaded(BUNDLE, loaded) };
      } finally {
        trace.close();
      }
    }

    test('a deploy with static files writes the record and syncs the assets without the SDK', async () => {
      github.setPull({ number: PR, state: 'open', headSha: SHA });
      const { run: r, sdk } = await run('pull_request', prPayload('opened', { number: PR, sha: SHA }));
      expect(r.outputs.result).toBe('deployed');
      expect(await s3.listKeys(`${NAME}/`)).toContain(`${NAME}/index.html`);
      expect(await readRecord(s3.state(), NAME)).toMatchObject({ name: NAME, pr: PR, sha: SHA });
      expect(sdk).toEqual([]);
    });

    test("a sweep reads and writes its memory, the records and the bucket's prefixes without the SDK", async () => {
      const { run: r, sdk } = await run('workflow_dispatch', dispatchPayload(), { 'idle-after': '1h' });
      expect(r.stdout).toMatch(/State written to s3:\/\//);
      expect(sdk).toEqual([]);
    });

    test('a teardown deletes the assets and the record and leaves the tombstone without the SDK', async () => {
      github.setPull({ number: PR, state: 'closed', headSha: SHA });
      const { run: r, sdk } = await run('pull_request', prPayload('closed', { number: PR, sha: SHA }));
      expect(r.outputs.result).toBe('torn-down');
      expect(await s3.listKeys(`${NAME}/`)).toEqual([]);
      expect(await readRecord(s3.state(), NAME)).toBeUndefined();
      expect(await readClosed(s3.state(), NAME)).toMatchObject({ name: NAME });
      expect(sdk).toEqual([]);
    });

    test("the edge service reads the removed preview's tombstone without the SDK", async () => {
      const trace = traceModules();
      const waker = await startWakerProcess({
        ...trace.env,
        WAKER_GATEWAY_URL: gateway.url,
        WAKER_GATEWAY_PASSWORD: PASSWORD,
        WAKER_BUCKET: s3.bucket,
        WAKER_S3_ENDPOINT: s3.endpoint,
        WAKER_AWS_ACCESS_KEY_ID: s3.settings.accessKeyId!,
        WAKER_AWS_SECRET_ACCESS_KEY: s3.settings.secretAccessKey!,
        WAKER_PREVIEW_DOMAIN: DOMAIN,
        WAKER_REPOSITORIES: 'Codertocat/Hello-World',
        WAKER_HOST_HEADER: 'x-forwarded-host',
      });
      try {
        const res = await fetch(`${waker.url}/function/${NAME}/`, {
          headers: { 'x-forwarded-host': `${NAME}.${DOMAIN}`, 'x-faas-preview-gateway-status': '404' },
        });
        expect(res.status).toBe(410);
        await res.arrayBuffer();
        expect(sdkLoaded(WAKER_BUNDLE, trace.loaded())).toEqual([]);
      } finally {
        await waker.close();
        trace.close();
      }
    });
  });
