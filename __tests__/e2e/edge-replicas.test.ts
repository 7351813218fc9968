/**
 * The edge service as N replicas behind the router (issue 19): its state lives in signed cookies and the bucket, so
 * two replicas of the bundled service (`node dist/waker/index.js`, same WAKER_* variables, gate on) sit behind one
 * round-robin balancer (test/support/balancer.ts), and real nginx (deploy/edge/nginx.conf) reaches them through the
 * balancer's one URL. Gateway: the faasd-ce emulator; bucket: s3rver; GitHub: the emulator (sign-in is not run here:
 * sessions and share links are made with the test's key, as the service makes them).
 *
 * The replicas reach the gateway through a proxy that answers its function listing half a second late: a wake
 * started on one replica is still between its listing and its create when the other replica's starts, which is the
 * race that two replicas woken at once run into (each finds the function missing).
 *
 * Two nginx instances share the replicas: `plain` (no gate) hands over only the wakes, so each handover is one
 * connection and they alternate between the replicas; `gated` asks the replicas about every request.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { signUserSession } from '../../src/gate/session.js';
import { shareToken } from '../../src/gate/share.js';
import { SigningKey } from '../../src/gate/signed.js';
import { previewLabels } from '../../src/naming.js';
import type { FunctionDeployment } from '../../src/openfaas/types.js';
import { readSleeping, saveSleeping } from '../../src/state/sleeping.js';
import type { StateStore } from '../../src/state/store.js';
import { OWNER, REPO } from '../../test/support/action.js';
import { startBalancer, type Balancer } from '../../test/support/balancer.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../../test/support/faults.js';
import { edgeRequest, startEdge, type Edge, type EdgeResponse } from '../../test/support/edge.js';
import { startGateway, type GatewayCall, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { describeWith, freePort, gate, waitFor } from '../../test/support/tools.js';
import { WAKER_BUNDLE, startWakerProcess, type WakerProcess } from '../../test/support/waker.js';

/** The gateway's listing, slow, so that wakes overlap. */
const SLOW_LISTING: FaultRule = { method: 'GET', path: '/system/functions', fault: { delay: 500 } };

const PASSWORD = 'gw-replicas-Pw5';
const DOMAIN = 'preview.localhost';
const STATE_PREFIX = '.faas-preview';
const KEY = 'r'.repeat(20) + 'signing-key-of-the-replicas-0123456789';
const CLIENT = { id: 'Iv1.faaspreviewreplicas', secret: 'client-secret-of-the-replicas-app-0123456789' };
/** Awake (seeded) for the gate's cases. */
const PR = 51;
const name = (pr: number) => `hello-world-pr-${pr}`;
const sha = (pr: number) => `${pr}`.padStart(7, '0') + 'c'.repeat(33);

const creates = (calls: GatewayCall[]) => calls.filter((c) => c.method === 'POST' && c.path === '/system/functions');

const { describe: withTools } = describeWith(['nginx']);

withTools('the edge service as two replicas behind one nginx (round-robin balancer)', () => {
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let s3: S3Emulator;
  let store: StateStore;
  let env: Record<string, string>;
  /** [A, B]; A is replaced by A' in the restart case. */
  const replicas: WakerProcess[] = [];
  let plainBalancer: Balancer;
  let gatedBalancer: Balancer;
  let plain: Edge;
  let gated: Edge;
  let port: number;
  /** The replicas' way to the gateway: its listing answers late, so that wakes on both replicas overlap. */
  let slowListing: FaultProxy;
  const key = new SigningKey(Buffer.from(KEY));

  const gatedGet = (rest: string, headers: Record<string, string> = {}, preview = name(PR)): Promise<EdgeResponse> =>
    edgeRequest(port, `${preview}.${DOMAIN}:${port}`, rest, 'GET', undefined, headers);

  const session = (signer = key) => {
    const now = Math.floor(Date.now() / 1000);
    const value = signUserSession(signer, {
      v: 1,
      login: 'alice',
      domain: DOMAIN,
      repos: [`${OWNER}/${REPO}`.toLowerCase()],
      iat: now,
      exp: now + 600,
    });
    return { cookie: `faas-preview-session=${value}` };
  };

  /** What each answer says, for readable failures: status, and the function's name when the function answered. */
  const summary = (r: EdgeResponse) => {
    let fn: unknown;
    try {
      fn = (JSON.parse(r.body) as { function?: unknown }).function;
    } catch {
      fn = r.body.slice(0, 200);
    }
    return { status: r.status, function: fn };
  };

  beforeAll(async () => {
    if (!existsSync(WAKER_BUNDLE)) throw new Error(`${WAKER_BUNDLE} is missing: run 'npm run bundle' first`);
    port = await freePort();
    [gateway, github, s3] = await Promise.all([
      startGateway({ edition: 'faasd-ce', password: PASSWORD }),
      startGitHub({
        ownerType: 'Organization',
        oauth: {
          clientId: CLIENT.id,
          clientSecret: CLIENT.secret,
          callbackUrls: [`http://login.${DOMAIN}:${port}/.faas-preview/callback`],
        },
        users: { alice: { name: 'Alice' } },
        collaborators: { alice: 'read' },
      }),
      startS3(),
    ]);
    slowListing = await startFaultProxy(gateway.url, [SLOW_LISTING]);
    store = s3.state(STATE_PREFIX);
    env = {
      WAKER_GATEWAY_URL: slowListing.url,
      WAKER_GATEWAY_PASSWORD: PASSWORD,
      WAKER_BUCKET: s3.bucket,
      WAKER_S3_ENDPOINT: s3.endpoint,
      WAKER_AWS_ACCESS_KEY_ID: s3.settings.accessKeyId!,
      WAKER_AWS_SECRET_ACCESS_KEY: s3.settings.secretAccessKey!,
      WAKER_STATE_PREFIX: STATE_PREFIX,
      WAKER_PREVIEW_DOMAIN: `${DOMAIN}:${port}`,
      WAKER_REPOSITORIES: `${OWNER}/${REPO}`,
      WAKER_RETRY_AFTER: '40s',
      WAKER_GATE: 'github',
      WAKER_GATE_KEY: KEY,
      WAKER_GITHUB_CLIENT_ID: CLIENT.id,
      WAKER_GITHUB_CLIENT_SECRET: CLIENT.secret,
      WAKER_GITHUB_URL: github.url,
      WAKER_GITHUB_API_URL: github.url,
      WAKER_PUBLIC_SCHEME: 'http',
    };
    replicas.push(...(await Promise.all([startWakerProcess(env), startWakerProcess(env)])));
    [plainBalancer, gatedBalancer] = await Promise.all([
      startBalancer(replicas.map((r) => r.url)),
      startBalancer(replicas.map((r) => r.url)),
    ]);
    const upstreams = { previewDomain: DOMAIN, gatewayUrl: gateway.url, bucketUrl: `${s3.endpoint}/${s3.bucket}` };
    [plain, gated] = await Promise.all([
      startEdge('nginx', { ...upstreams, wakerUrl: plainBalancer.url }),
      startEdge('nginx', { ...upstreams, port, wakerUrl: gatedBalancer.url, gate: true }),
    ]);
    gateway.seed({
      name: name(PR),
      image: `localhost/examples/hello-world:pr-${PR}`,
      labels: previewLabels(OWNER, REPO, PR, sha(PR)),
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([plain?.close(), gated?.close()]);
    await Promise.all([plainBalancer?.close(), gatedBalancer?.close()]);
    await Promise.all(replicas.map((r) => r.close()));
    await slowListing?.close();
    await Promise.all([gateway?.close(), github?.close(), s3?.close()]);
  });

  const output = () => replicas.map((r, i) => `--- replica ${i}:\n${r.output()}`).join('\n');

  // Under load the second replica may list the functions after the first created them but before it removed the saved
  // spec: it then waits for that wake, which marked itself in the bucket (src/waker/wake.ts); the deterministic cases
  // are in __tests__/integration/waker.test.ts.
  test('concurrent wakes of one sleeping preview spread over both replicas: the function is created once, every request is answered by it', async () => {
    const pr = 41;
    const spec: FunctionDeployment = {
      service: name(pr),
      image: `localhost/examples/hello-world:pr-${pr}-${sha(pr).slice(0, 7)}`,
      envVars: { FAAS_PREVIEW_NAME: name(pr), FAAS_PREVIEW_SHA: sha(pr) },
      labels: previewLabels(OWNER, REPO, pr, sha(pr)),
      secrets: [],
    };
    // Each replica's clients warm (a first bucket read in a fresh process is slow): a request for a preview that is
    // not asleep, handed to A, then to B.
    for (let i = 0; i < replicas.length; i++) expect((await plain.get(name(pr + 1), '/api/warm')).status).toBe(404);
    await saveSleeping(store, name(pr), [spec], new Date());
    const since = gateway.calls.length;
    const handedSince = plainBalancer.served.length;
    // Mostly POSTs: a request that is not safe to repeat runs only where the waker knows it has not run yet. Eight
    // connections alternate between the two replicas, so each is handed at least two POSTs.
    const n = 8;
    const method = (i: number) => (i % 4 === 3 ? 'GET' : 'POST');
    // Both replicas' listings are held until both came: each has read the saved spec and sees the function missing.
    const held = gate();
    const listedSince = slowListing.requests.length;
    slowListing.clearRules();
    slowListing.add({ method: 'GET', path: '/system/functions', times: 2, fault: { until: held.promise } });
    slowListing.add(SLOW_LISTING);
    const answering = Promise.all(
      Array.from({ length: n }, (_, i) =>
        method(i) === 'GET'
          ? plain.get(name(pr), `/api/item/${i}`)
          : plain.get(name(pr), `/api/item/${i}`, 'POST', JSON.stringify({ i })),
      ),
    );
    const listings = () => slowListing.requests.slice(listedSince).filter((r) => r.path === '/system/functions');
    await waitFor(async () => listings().length >= 2, "both replicas' listings");
    held.open();
    const answers = await answering;
    const context = { answers: answers.map(summary), output: output() };
    expect({ ...context, answers: answers.map((a) => a.status) }).toEqual({ ...context, answers: Array(n).fill(200) });
    expect(answers.map((a) => JSON.parse(a.body) as { function: string; path: string; method: string })).toEqual(
      Array.from({ length: n }, (_, i) =>
        expect.objectContaining({ function: name(pr), path: `/item/${i}`, method: method(i) }),
      ),
    );
    // Both replicas were handed requests of this wake (the balancer alternates), and each woke the preview.
    expect(new Set(plainBalancer.served.slice(handedSince))).toEqual(new Set(replicas.map((r) => r.url)));
    for (const r of replicas)
      expect(r.lines().filter((l) => l.includes(` wake preview=${name(pr)} `))).toEqual([
        expect.stringMatching(/ outcome=awake /),
      ]);
    const calls = gateway.calls.slice(since);
    const made = creates(calls).filter((c) => c.status >= 200 && c.status < 300);
    expect(made.map((c) => c.body)).toEqual([spec]);
    // Every request ran exactly once on the function.
    const ran = calls.filter((c) => c.path.startsWith(`/function/${name(pr)}/item/`) && c.status === 200);
    expect(ran.map((c) => `${c.method} ${c.path}`).sort()).toEqual(
      Array.from({ length: n }, (_, i) => `${method(i)} /function/${name(pr)}/item/${i}`).sort(),
    );
    expect(await readSleeping(store, name(pr))).toBeUndefined();
  }, 60_000);

  test('a session survives a replica restart: signed with the key, it is let in by A and B, by B alone while A is down, and by the new A', async () => {
    const ask = async (times: number) => {
      const from = gatedBalancer.served.length;
      const statuses: number[] = [];
      for (let i = 0; i < times; i++) statuses.push((await gatedGet('/api/x', session())).status);
      return { statuses, served: new Set(gatedBalancer.served.slice(from)) };
    };
    const [a, b] = replicas;
    const both = await ask(4);
    expect(both).toEqual({ statuses: [200, 200, 200, 200], served: new Set([a.url, b.url]) });
    // The key matters: a session signed with another one is refused by each replica.
    const other = new SigningKey(Buffer.from('another-key-entirely-0123456789abcdef'));
    for (let i = 0; i < 2; i++) expect((await gatedGet('/api/x', session(other))).status).toBe(401);

    await a.close();
    const alone = await ask(6);
    expect(alone).toEqual({ statuses: Array(6).fill(200), served: new Set([b.url]) });

    const restarted = await startWakerProcess(env);
    replicas[0] = restarted;
    gatedBalancer.setTarget(0, restarted.url);
    plainBalancer.setTarget(0, restarted.url);
    const again = await ask(4);
    expect(again).toEqual({ statuses: [200, 200, 200, 200], served: new Set([restarted.url, b.url]) });
  }, 60_000);

  test('a share link made with the key opens the preview through either replica, and its cookie is honoured by both', async () => {
    const now = Math.floor(Date.now() / 1000);
    const link = (preview: string) =>
      shareToken(key, { v: 1, preview, domain: DOMAIN, by: 'alice', iat: now, exp: now + 600 });
    const from = gatedBalancer.served.length;
    for (let i = 0; i < 2; i++) {
      const opened = await gatedGet(`/.faas-preview/s/${link(name(PR))}`);
      expect(opened.status).toBe(302);
      const cookies = ([] as string[]).concat(opened.headers['set-cookie'] ?? []);
      const share = cookies.find((c) => c.startsWith('faas-preview-share='));
      expect(share).toBeDefined();
      const cookie = share!.split(';')[0];
      for (let j = 0; j < 2; j++)
        expect(summary(await gatedGet('/api/y', { cookie }))).toEqual({ status: 200, function: name(PR) });
      // Only this preview: another one is not opened by the link's cookie.
      expect((await gatedGet('/api/y', { cookie }, name(PR + 1))).status).toBe(401);
    }
    expect((await gatedGet(`/.faas-preview/s/${link(name(PR + 1))}`)).status).toBe(403);
    expect(new Set(gatedBalancer.served.slice(from))).toEqual(new Set(replicas.map((r) => r.url)));
  }, 60_000);
});
