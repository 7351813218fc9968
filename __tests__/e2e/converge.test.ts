/**
 * Issue 9, concurrency and unfinished work, through the bundle: two runs of one PR at once converge on one comment
 * and one active deployment; a close that races a deploy ends torn down; a teardown that died half-way is finished
 * by the sweeper from the preview's record. Prebuilt image, the emulators, s3rver.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { commentMarker } from '../../src/naming.js';
import { readSleeping, saveSleeping } from '../../src/state/sleeping.js';
import { readJson } from '../../src/state/store.js';
import { dispatchPayload, prPayload, runAction, stackInputs, type ActionRun } from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { waitFor } from '../../test/support/tools.js';

const PASSWORD = 'gw-converge-Pw3';
const SHA_A = 'a'.repeat(7) + '4'.repeat(33);
const SHA_B = 'b'.repeat(7) + '5'.repeat(33);
const PR = 12;
const NAME = `hello-world-pr-${PR}`;
const RECORD = `.faas-preview/previews/${NAME}.json`;
const IMAGE = 'registry.example.com/acme/hello:1.0.0';

interface World {
  gateway: GatewayEmulator;
  github: GitHubEmulator;
  s3: S3Emulator;
  workspace: string;
}
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await Promise.all([w.gateway.close(), w.github.close(), w.s3.close()]);
    rmSync(w.workspace, { recursive: true, force: true });
  }
});

/** faasd CE (prebuilt images need no public registry there); `listenAfterMs`: how late the function listens. */
async function world(listenAfterMs = 0): Promise<World> {
  const [gateway, github, s3] = await Promise.all([
    startGateway({ edition: 'faasd-ce', password: PASSWORD, images: { [IMAGE]: { listenAfterMs } } }),
    startGitHub({}),
    startS3(),
  ]);
  const workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-converge-'));
  mkdirSync(path.join(workspace, 'site'));
  writeFileSync(path.join(workspace, 'site/index.html'), '<h1>hi</h1>');
  const w = { gateway, github, s3, workspace };
  worlds.push(w);
  return w;
}

function run(
  w: World,
  event: string,
  payload: Record<string, unknown>,
  extra: Record<string, string> = {},
): Promise<ActionRun> {
  const inputs = stackInputs(
    {
      gateway: w.gateway,
      gatewayPassword: PASSWORD,
      s3: w.s3,
      github: w.github,
      registryNamespace: 'acme',
      prebuiltImage: IMAGE,
    },
    { 'preview-domain': 'preview.example.com', 'static-dir': 'site', 'ready-timeout': '20s', ...extra },
  );
  return runAction({ event, payload, inputs, apiUrl: w.github.url, workspace: w.workspace }).then((r) => {
    assertNoLeaks(
      r,
      { values: [PASSWORD, w.github.token], basicAuth: [{ username: 'admin', password: PASSWORD }] },
      w.github,
      [PR],
    );
    return r;
  });
}

function ok(r: ActionRun): ActionRun {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

const ours = (w: World) => w.github.comments(PR).filter((c) => c.body.startsWith(commentMarker(NAME)));
const active = (w: World) => w.github.deployments().filter((d) => d.statuses.at(-1)?.state === 'success');

describe('concurrent runs converge', () => {
  test('two deploys of the same commit started together leave one comment and one active deployment', async () => {
    const w = await world(300);
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    const [first, second] = await Promise.all([
      run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A })),
      run(w, 'pull_request', prPayload('synchronize', { number: PR, sha: SHA_A })),
    ]);
    ok(first);
    ok(second);
    expect(ours(w)).toHaveLength(1);
    expect(active(w)).toHaveLength(1);
    expect(w.gateway.functions()).toHaveLength(1);
  });

  test('after a push, the older run stops at its re-check and the newest commit is the one deployed', async () => {
    const w = await world(300);
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    ok(await run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A })));
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_B });
    const [older, newer] = await Promise.all([
      run(w, 'pull_request', prPayload('synchronize', { number: PR, sha: SHA_A })),
      run(w, 'pull_request', prPayload('synchronize', { number: PR, sha: SHA_B })),
    ]);
    expect(ok(older).outputs.result).toBe('skipped');
    expect(ok(newer).outputs.result).toMatch(/deployed|rolling-out/);
    expect(w.gateway.get(NAME)!.labels['faas-preview/sha']).toBe(SHA_B);
    expect(active(w).map((d) => d.sha)).toEqual([SHA_B]);
    expect(ours(w)).toHaveLength(1);
  });

  test('a close that races a deploy ends torn down', async () => {
    const w = await world(1500);
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    const deploying = run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A }));
    // Close while the deploy waits for its function to become ready.
    await waitFor(async () => w.gateway.get(NAME) !== undefined, 'the deploy to create the function', 25_000);
    w.github.setPull({ number: PR, state: 'closed', headSha: SHA_A });
    const closing = await run(w, 'pull_request', prPayload('closed', { number: PR, sha: SHA_A }));
    const deployed = await deploying;
    ok(closing);
    expect(ok(deployed).outputs.result).toBe('torn-down');
    expect(w.gateway.get(NAME)).toBeUndefined();
    expect(await w.s3.listKeys(`${NAME}/`)).toEqual([]);
    expect(active(w)).toEqual([]);
    expect(ours(w).at(-1)?.body ?? '').not.toMatch(/is ready/);
  });
});

describe('a teardown that died half-way', () => {
  test('is finished by the sweeper from the preview record: deployment inactive, comment updated, assets and record gone', async () => {
    const w = await world();
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    ok(await run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A })));
    expect(await readJson(w.s3.state(), RECORD)).toMatchObject({
      name: NAME,
      pr: PR,
      sha: SHA_A,
      githubRepository: 'Codertocat/Hello-World',
    });

    // The close's teardown deleted the function and then died: everything else is left.
    w.gateway.calls.length = 0;
    await fetch(`${w.gateway.url}/system/functions`, {
      method: 'DELETE',
      headers: { authorization: 'Basic ' + Buffer.from(`admin:${PASSWORD}`).toString('base64') },
      body: JSON.stringify({ functionName: NAME }),
    });
    w.github.setPull({ number: PR, state: 'closed', headSha: SHA_A });
    expect(active(w)).toHaveLength(1);

    const sweep = ok(await run(w, 'workflow_dispatch', dispatchPayload(), { 'idle-after': '1h' }));
    expect(sweep.stdout).toMatch(new RegExp(`${NAME} \\(PR #${PR}\\): finish teardown: PR #${PR} is closed`));
    expect(active(w)).toEqual([]);
    expect(ours(w).at(-1)!.body).toMatch(/torn down: PR #12 is closed \(an earlier teardown did not finish\)/);
    expect(await w.s3.listKeys(`${NAME}/`)).toEqual([]);
    expect(await readJson(w.s3.state(), RECORD)).toBeUndefined();

    // Finished means finished: the next sweep has nothing left to do for it.
    const again = ok(await run(w, 'workflow_dispatch', dispatchPayload(), { 'idle-after': '1h' }));
    expect(again.stdout).not.toMatch(/finish teardown/);
  });
});

describe('a teardown step that fails', () => {
  test('does not stop the others; the run fails naming it, the record stays for the sweeper', async () => {
    const w = await world();
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    ok(await run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A })));
    w.github.setPull({ number: PR, state: 'closed', headSha: SHA_A });
    // The image tags live on a registry that is down: the cleanup of the tags fails, nothing else may.
    const closed = await run(w, 'pull_request', prPayload('closed', { number: PR, sha: SHA_A }), {
      builder: 'docker',
      image: '',
      registry: '127.0.0.1:1/acme',
      'delete-image': 'true',
      'registry-insecure': 'true',
    });
    expect(closed.code).toBe(1);
    expect(closed.stdout).toMatch(
      /::error::teardown of hello-world-pr-12 is incomplete \(the sweeper finishes it from its record\): deleting the image tags: GET http:\/\/<registry>\/v2\/acme\/hello-world\/tags\/list\?n=100: ECONNREFUSED <registry>/,
    );
    expect(w.gateway.get(NAME)).toBeUndefined();
    expect(await w.s3.listKeys(`${NAME}/`)).toEqual([]);
    expect(active(w)).toEqual([]);
    expect(ours(w).at(-1)!.body).toMatch(/torn down: PR #12 was closed/);
    expect(await readJson(w.s3.state(), RECORD)).toMatchObject({ name: NAME });
  });
});

describe('a sleeping preview', () => {
  test('a deploy wakes it for good (its saved spec goes, the record keeps the new spec); a teardown forgets it', async () => {
    const w = await world();
    const store = w.s3.state();
    const asleep = { service: NAME, image: IMAGE };
    await saveSleeping(store, NAME, [asleep], new Date());
    w.github.setPull({ number: PR, state: 'open', headSha: SHA_A });
    ok(await run(w, 'pull_request', prPayload('opened', { number: PR, sha: SHA_A })));
    expect(await readSleeping(store, NAME)).toBeUndefined();
    expect(await readJson(w.s3.state(), RECORD)).toMatchObject({
      specs: [expect.objectContaining({ service: NAME, image: IMAGE })],
      readyMs: expect.any(Number),
    });

    await saveSleeping(store, NAME, [asleep], new Date());
    w.github.setPull({ number: PR, state: 'closed', headSha: SHA_A });
    ok(await run(w, 'pull_request', prPayload('closed', { number: PR, sha: SHA_A })));
    expect(await readSleeping(store, NAME)).toBeUndefined();
  });
});
