/**
 * The bucket policies docs/private-previews.md gives ("The bucket: anonymous or signed reads"), read from the page
 * itself, so the test fails when the page changes into something that does not work:
 * - the radosgw bucket policy of signed reads and the anonymous-reads bucket policy (and its prefix variant) are
 *   applied on a real Ceph radosgw with the owner's credentials; the edge's own user then signs reads the way the edge
 *   service does (createReadSigner, the state calls of src/state/) and is allowed exactly what the page says;
 * - the AWS S3 / MinIO IAM policy cannot run here (no AWS, no MinIO): it is checked for form and evaluated offline
 *   (resource ARNs as globs) against the same table of allowed and refused requests.
 * The page's names (`previews`, `.faas-preview`, `faas-preview-edge`) are replaced with other ones here, as a reader
 * replaces them with theirs.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_KEY } from '../../src/assets/manifest.js';
import { createReadSigner, type ReadSigner } from '../../src/assets/read-signer.js';
import { s3Connection } from '../../src/assets/s3.js';
import { deletePrefix, syncAssets } from '../../src/assets/sync.js';
import { createS3Client } from '../../src/assets/s3-client.js';
import { readClosed } from '../../src/state/closed.js';
import { deleteMadeRoom, readMadeRoom, saveMadeRoom } from '../../src/state/made-room.js';
import { readRecord, saveRecord } from '../../src/state/records.js';
import {
  clearWaking,
  deleteSleeping,
  markWaking,
  readSleeping,
  saveSleeping,
  sleepingKey,
  wakingUntil,
} from '../../src/state/sleeping.js';
import { createStateStore, stateKey, type StateStore } from '../../src/state/store.js';
import { deleteVisit, readVisit, saveVisit } from '../../src/state/visits.js';
import { RGW_PROGRAMS, startRgw, type RgwServer } from '../../test/support/rgw.js';
import { describeWith } from '../../test/support/tools.js';

const PAGE = new URL('../../docs/private-previews.md', import.meta.url);
const SECTION = '## The bucket: anonymous or signed reads';

/** The names the page uses, and ours. */
const DOC = {
  bucket: 'previews',
  statePrefix: '.faas-preview',
  edgeUid: 'faas-preview-edge',
  actionUid: 'faas-preview-action',
};
/** `actionUid`: the owner test/support/rgw.ts creates. */
const OURS = { bucket: 'site-files', statePrefix: 'preview-state', edgeUid: 'edge-reader', actionUid: 'faas-preview' };

interface Statement {
  Effect: string;
  Principal?: unknown;
  Action: string[];
  Resource: string[];
  Condition?: unknown;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

/** The JSON code blocks of the section, each with the paragraph just before it. */
function policyBlocks(): { intro: string; json: string }[] {
  const page = readFileSync(PAGE, 'utf8');
  const start = page.indexOf(`\n${SECTION}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = page.slice(start + SECTION.length + 2);
  const section = rest.slice(0, rest.search(/^## /m) === -1 ? undefined : rest.search(/^## /m));
  const blocks: { intro: string; json: string }[] = [];
  let last = 0;
  for (const m of section.matchAll(/^```json\n([\s\S]*?)^```$/gm)) {
    const paragraphs = section
      .slice(last, m.index)
      .trim()
      .split(/\n\s*\n/);
    blocks.push({ intro: paragraphs[paragraphs.length - 1], json: m[1] });
    last = m.index! + m[0].length;
  }
  return blocks;
}

function docBlock(introMatches: RegExp): string {
  const found = policyBlocks().filter((b) => introMatches.test(b.intro));
  expect(found).toHaveLength(1);
  return found[0].json;
}

/** The page's JSON with our names; every placeholder must be used, and none may be left. */
function withOurNames(json: string): string {
  const ours = json
    .replaceAll(`arn:aws:s3:::${DOC.bucket}/${DOC.statePrefix}/`, `arn:aws:s3:::${OURS.bucket}/${OURS.statePrefix}/`)
    .replaceAll(`arn:aws:s3:::${DOC.bucket}`, `arn:aws:s3:::${OURS.bucket}`)
    .replaceAll(`arn:aws:iam:::user/${DOC.edgeUid}`, `arn:aws:iam:::user/${OURS.edgeUid}`)
    .replaceAll(`arn:aws:iam:::user/${DOC.actionUid}`, `arn:aws:iam:::user/${OURS.actionUid}`);
  expect(ours).not.toContain(DOC.bucket);
  expect(ours).not.toContain(DOC.statePrefix);
  expect(ours).not.toContain(DOC.edgeUid);
  expect(ours).not.toContain(DOC.actionUid);
  return ours;
}

const radosgwSigned = () => docBlock(/^\*\*Ceph radosgw\*\*/);
/** The statements of a radosgw policy for the edge's user (the rest is for the action's). */
const edgeStatements = (p: Policy) =>
  p.Statement.filter(
    (s) => JSON.stringify(s.Principal) !== JSON.stringify({ AWS: [`arn:aws:iam:::user/${OURS.actionUid}`] }),
  );
const awsSigned = () => docBlock(/^\*\*AWS S3\*\*/);
const anonymous = () => docBlock(/\*\*anonymous reads\*\*/);

/** The page's narrower anonymous resource: "`<arn with a key prefix>` instead of `arn:aws:s3:::previews/*`". */
function anonymousPrefixResource(): string {
  const page = readFileSync(PAGE, 'utf8');
  const m = page.match(/`(arn:aws:s3:::previews\/[^`*]+\*)` instead of `arn:aws:s3:::previews\/\*`/);
  expect(m).not.toBeNull();
  return m![1];
}

const NAME = 'shop-pr-1';
const OTHER = 'blog-pr-2';
const key = (path: string) => `${NAME}/${path}`;
const state = (path: string) => stateKey(OURS.statePrefix, path);

/**
 * What the page promises the edge's user, one request each: the same table runs live on radosgw and offline against
 * the IAM policy. Keys are ours (OURS.statePrefix).
 */
const EDGE: { action: string; key?: string; allowed: boolean }[] = [
  { action: 's3:ListBucket', allowed: true },
  { action: 's3:GetObject', key: key('index.html'), allowed: true },
  { action: 's3:GetObject', key: `${OTHER}/index.html`, allowed: true },
  { action: 's3:GetObject', key: state(`sleeping/${NAME}.json`), allowed: true },
  { action: 's3:GetObject', key: state(`previews/${NAME}.json`), allowed: true },
  { action: 's3:PutObject', key: state(`waking/${NAME}.json`), allowed: true },
  { action: 's3:DeleteObject', key: state(`waking/${NAME}.json`), allowed: true },
  { action: 's3:DeleteObject', key: state(`sleeping/${NAME}.json`), allowed: true },
  { action: 's3:PutObject', key: state(`visited/${NAME}.json`), allowed: true },
  { action: 's3:DeleteObject', key: state(`visited/${NAME}.json`), allowed: false },
  { action: 's3:PutObject', key: state(`sleeping/${NAME}.json`), allowed: true },
  { action: 's3:PutObject', key: state(`made-room/${NAME}.json`), allowed: true },
  { action: 's3:DeleteObject', key: state(`made-room/${NAME}.json`), allowed: false },
  { action: 's3:PutObject', key: state(`previews/${NAME}.json`), allowed: false },
  { action: 's3:DeleteObject', key: state(`previews/${NAME}.json`), allowed: false },
  { action: 's3:PutObject', key: key('index.html'), allowed: false },
  { action: 's3:DeleteObject', key: key('index.html'), allowed: false },
  { action: 's3:PutObject', key: key(MANIFEST_KEY), allowed: false },
  { action: 's3:PutObject', key: `${OURS.statePrefix}-waking/x.json`, allowed: false },
];

const label = (c: (typeof EDGE)[number]) =>
  `${c.action} ${c.key ?? '(the bucket)'} → ${c.allowed ? 'allowed' : 'refused'}`;

/** An `arn:aws:s3:::` resource (`*` and `?` as wildcards) against the bucket or one of its keys. */
function resourceMatches(resource: string, bucket: string, objectKey?: string): boolean {
  const target = `arn:aws:s3:::${bucket}${objectKey === undefined ? '' : `/${objectKey}`}`;
  const re = new RegExp(
    `^${resource
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('')}$`,
  );
  return re.test(target);
}

/** Allow-only policies: allowed when some statement names the action and a resource that matches. */
function allows(policy: Policy, action: string, objectKey?: string): boolean {
  return policy.Statement.some(
    (s) =>
      s.Effect === 'Allow' &&
      s.Action.includes(action) &&
      s.Resource.some((r) => resourceMatches(r, OURS.bucket, objectKey)),
  );
}

/** The HTTP status of an SDK request, whether it succeeded or not. */
const status = async (p: Promise<{ $metadata: { httpStatusCode?: number } }>): Promise<number> => {
  try {
    return (await p).$metadata.httpStatusCode ?? -1;
  } catch (err) {
    const code = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (code === undefined) throw err;
    return code;
  }
};

describe('the bucket policies of docs/private-previews.md, offline', () => {
  test.each([
    ['radosgw (signed reads)', radosgwSigned],
    ['AWS S3 / MinIO (signed reads)', awsSigned],
    ['anonymous reads', anonymous],
  ])('the %s policy is well-formed JSON with s3 actions and bucket ARNs', (_, block) => {
    const policy = JSON.parse(withOurNames(block())) as Policy;
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.length).toBeGreaterThan(0);
    for (const s of policy.Statement) {
      expect(Object.keys(s).sort()).toEqual(
        ['Action', 'Effect', 'Resource', ...(s.Principal === undefined ? [] : ['Principal'])].sort(),
      );
      expect(s.Effect).toBe('Allow');
      for (const a of s.Action) expect(a).toMatch(/^s3:[A-Z][A-Za-z]+$/);
      for (const r of s.Resource) {
        // the bucket itself for bucket actions (ListBucket), keys below it for object actions
        if (s.Action.includes('s3:ListBucket')) expect(r).toBe(`arn:aws:s3:::${OURS.bucket}`);
        else expect(r).toMatch(new RegExp(`^arn:aws:s3:::${OURS.bucket}/[^*]*\\*$`));
      }
      if (s.Action.includes('s3:ListBucket')) expect(s.Action).toEqual(['s3:ListBucket']);
    }
  });

  test("the radosgw policy names the edge user, and the action's user only to read what the edge writes; the IAM policy no principal, the anonymous one everyone", () => {
    const rgw = JSON.parse(withOurNames(radosgwSigned())) as Policy;
    const action = { AWS: [`arn:aws:iam:::user/${OURS.actionUid}`] };
    expect(rgw.Statement.filter((s) => JSON.stringify(s.Principal) === JSON.stringify(action))).toEqual([
      {
        Effect: 'Allow',
        Principal: action,
        Action: ['s3:GetObject'],
        Resource: ['visited', 'sleeping', 'made-room'].map(
          (f) => `arn:aws:s3:::${OURS.bucket}/${OURS.statePrefix}/${f}/*`,
        ),
      },
    ]);
    for (const s of edgeStatements(rgw)) expect(s.Principal).toEqual({ AWS: [`arn:aws:iam:::user/${OURS.edgeUid}`] });
    const iam = JSON.parse(withOurNames(awsSigned())) as Policy;
    for (const s of iam.Statement) expect(s.Principal).toBeUndefined();
    const anon = JSON.parse(withOurNames(anonymous())) as Policy;
    expect(anon.Statement).toEqual([
      { Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${OURS.bucket}/*`] },
    ]);
  });

  test("the AWS S3 / MinIO policy grants the radosgw one's to the edge: the same actions on the same resources", () => {
    const pairs = (p: Policy) =>
      p.Statement.flatMap((s) => s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`))).sort();
    const rgw = pairs({ Version: '', Statement: edgeStatements(JSON.parse(withOurNames(radosgwSigned())) as Policy) });
    expect(pairs(JSON.parse(withOurNames(awsSigned())) as Policy)).toEqual(rgw);
    expect(new Set(rgw).size).toBe(rgw.length);
  });

  test.each(EDGE.map((c) => [label(c), c] as const))('the AWS S3 / MinIO policy, evaluated offline: %s', (_, c) => {
    const iam = JSON.parse(withOurNames(awsSigned())) as Policy;
    expect(allows(iam, c.action, c.key)).toBe(c.allowed);
  });

  test('the keys the edge service writes and deletes are the ones the policies name', () => {
    expect(sleepingKey(OURS.statePrefix, NAME)).toBe(state(`sleeping/${NAME}.json`));
    const iam = JSON.parse(withOurNames(awsSigned())) as Policy;
    expect(allows(iam, 's3:DeleteObject', sleepingKey(OURS.statePrefix, NAME))).toBe(true);
    // a state-prefix given with slashes around it (stateKey drops them) names the same keys
    expect(sleepingKey(`/${OURS.statePrefix}/`, NAME)).toBe(sleepingKey(OURS.statePrefix, NAME));
  });

  test('the narrower anonymous resource keeps the state out and lets the previews in', () => {
    const resource = withOurNames(anonymousPrefixResource());
    expect(resourceMatches(resource, OURS.bucket, key('index.html'))).toBe(true);
    expect(resourceMatches(resource, OURS.bucket, state(`sleeping/${NAME}.json`))).toBe(false);
  });
});

const { describe: withCeph } = describeWith(RGW_PROGRAMS);

withCeph('the bucket policies of docs/private-previews.md, on radosgw', () => {
  let s3: RgwServer;
  /** The action's credentials: the bucket's owner. */
  let owner: S3Client;
  let edge: S3Client;
  let edgeStore: StateStore;
  let ownerStore: StateStore;
  let sign: ReadSigner;

  const bucketUrl = (path: string) => `${s3.endpoint}/${OURS.bucket}${path}`;
  const anon = async (path: string, method = 'GET'): Promise<number> => {
    const res = await fetch(bucketUrl(path), { method, body: method === 'PUT' ? 'x' : undefined });
    await res.arrayBuffer();
    return res.status;
  };
  const applyPolicy = (json: string) =>
    owner.send(new PutBucketPolicyCommand({ Bucket: OURS.bucket, Policy: JSON.stringify(JSON.parse(json)) }));
  const put = (key: string, body = `body of ${key}`) =>
    owner.send(new PutObjectCommand({ Bucket: OURS.bucket, Key: key, Body: body }));
  const record = {
    name: NAME,
    pr: 1,
    sha: '0123456789abcdef0123456789abcdef01234567',
    image: 'registry.example/shop:1',
    url: 'https://shop-pr-1.preview.example',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
  const spec = { service: NAME, image: 'registry.example/shop:1' };

  beforeAll(async () => {
    s3 = await startRgw({ bucket: OURS.bucket });
    owner = s3.client;
    const credentials = await s3.addUser(OURS.edgeUid);
    // as src/waker/server.ts builds the edge's client (config.s3) and its read signer
    const edgeSettings = {
      bucket: OURS.bucket,
      endpoint: s3.endpoint,
      region: 'us-east-1',
      ...credentials,
      includeDotfiles: false,
      cacheControl: 'no-cache',
      cacheControlFingerprinted: 'no-cache',
      concurrency: 1,
    };
    edge = createS3Client(edgeSettings);
    // the lean calls, signed with each user's keys (src/state/objects.ts)
    edgeStore = createStateStore(s3Connection(edgeSettings, { env: {} }), OURS.bucket, OURS.statePrefix);
    ownerStore = s3.state(OURS.statePrefix);
    sign = (await createReadSigner(s3Connection(edgeSettings, { client: edge, env: {} }), OURS.bucket))!;
    for (const k of [key('index.html'), `${OTHER}/index.html`]) await put(k);
    await saveRecord(ownerStore, record);
  }, 120_000);

  afterAll(() => s3?.close());

  test('without a policy the edge user is refused everything (the test would otherwise prove nothing)', async () => {
    await status(owner.send(new DeleteBucketPolicyCommand({ Bucket: OURS.bucket }))); // none is set: 204 or 404
    expect(await status(edge.send(new GetObjectCommand({ Bucket: OURS.bucket, Key: key('index.html') })))).toBe(403);
    expect(await anon(await sign(key('index.html')))).toBe(403);
  });

  test('without its s3:ListBucket statement a missing key is a 403, and the edge cannot tell "none" from a refusal', async () => {
    const policy = JSON.parse(withOurNames(radosgwSigned())) as Policy;
    const without = policy.Statement.filter((s) => !s.Action.includes('s3:ListBucket'));
    expect(without).toHaveLength(policy.Statement.length - 1);
    await applyPolicy(JSON.stringify({ ...policy, Statement: without }));
    expect(await anon(await sign(key('index.html')))).toBe(200);
    expect(await anon(await sign(key('missing.js')))).toBe(403);
    await expect(readClosed(edgeStore, NAME)).rejects.toMatchObject({ failure: { status: 403 } });
  });

  describe('signed reads: the radosgw policy', () => {
    beforeAll(async () => {
      await applyPolicy(withOurNames(radosgwSigned()));
    });

    test("the edge's presigned GET reads a preview's file; a missing one is a 404", async () => {
      const res = await fetch(bucketUrl(await sign(key('index.html'))));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`body of ${key('index.html')}`);
      expect(await anon(await sign(key('missing.js')))).toBe(404);
    });

    test("the edge user's HEAD of a preview's file answers 200, of a missing one 404", async () => {
      expect(await status(edge.send(new HeadObjectCommand({ Bucket: OURS.bucket, Key: key('index.html') })))).toBe(200);
      expect(await status(edge.send(new HeadObjectCommand({ Bucket: OURS.bucket, Key: key('missing.js') })))).toBe(404);
    });

    test('the edge reads its state, and a missing state object is "none" (a 404), not an error', async () => {
      expect(await readRecord(edgeStore, NAME)).toMatchObject(record);
      expect(await readRecord(edgeStore, OTHER)).toBeUndefined();
      expect(await readClosed(edgeStore, NAME)).toBeUndefined();
      expect(await readSleeping(edgeStore, NAME)).toBeUndefined();
      expect(await wakingUntil(edgeStore, NAME)).toBeUndefined();
    });

    test("the edge writes and clears its wake mark, and deletes a woken preview's saved spec", async () => {
      const until = new Date('2030-01-01T00:00:00.000Z');
      await markWaking(edgeStore, NAME, until);
      expect(await wakingUntil(edgeStore, NAME)).toBe(until.getTime());
      await clearWaking(edgeStore, NAME);
      expect(await wakingUntil(edgeStore, NAME)).toBeUndefined();

      await saveSleeping(ownerStore, NAME, [spec as never], new Date('2025-01-02T00:00:00.000Z'));
      expect((await readSleeping(edgeStore, NAME))?.specs).toEqual([spec]);
      await deleteSleeping(edgeStore, NAME);
      expect(await readSleeping(ownerStore, NAME)).toBeUndefined();
    });

    test('the edge writes its visit mark, which the action (the sweeper) reads and the teardown deletes', async () => {
      const at = new Date('2026-12-07T09:00:00.000Z');
      await saveVisit(edgeStore, NAME, at);
      expect(await readVisit(ownerStore, NAME)).toBe(at.getTime());
      await deleteVisit(ownerStore, NAME);
      expect(await readVisit(ownerStore, NAME)).toBeUndefined();
    });

    test('a wake making room: the edge saves the specs of the preview it puts to sleep and leaves a note, which the action reads and deletes', async () => {
      const since = new Date('2026-12-07T10:00:00.000Z');
      await saveSleeping(edgeStore, OTHER, [{ ...spec, service: OTHER } as never], since);
      const note = { name: OTHER, pr: 2, forName: NAME, forPr: 1, at: since.toISOString(), idleFor: '2h' };
      await saveMadeRoom(edgeStore, note);
      expect((await readSleeping(ownerStore, OTHER))?.since).toBe(since.toISOString());
      expect(await readMadeRoom(ownerStore, OTHER)).toEqual({ version: 1, ...note });
      await deleteMadeRoom(ownerStore, OTHER);
      await deleteSleeping(ownerStore, OTHER);
      expect(await readMadeRoom(ownerStore, OTHER)).toBeUndefined();
      expect(await readSleeping(ownerStore, OTHER)).toBeUndefined();
    });

    test.each(EDGE.map((c) => [label(c), c] as const))('the edge user: %s', async (_, c) => {
      const before = (k: string) => /\/(sleeping|previews|visited|made-room)\//.test(k) || k.startsWith(`${NAME}/`);
      if (c.key && before(c.key)) await put(c.key, '{}'); // exists before, so a refused delete leaves it and an allowed one is seen
      const send = (): Promise<{ $metadata: { httpStatusCode?: number } }> => {
        switch (c.action) {
          case 's3:ListBucket':
            return edge.send(new ListObjectsV2Command({ Bucket: OURS.bucket }));
          case 's3:GetObject':
            return edge.send(new GetObjectCommand({ Bucket: OURS.bucket, Key: c.key })).then(async (out) => {
              await out.Body?.transformToString(); // frees the client's one socket
              return out;
            });
          case 's3:PutObject':
            return edge.send(new PutObjectCommand({ Bucket: OURS.bucket, Key: c.key, Body: '{"edge":true}' }));
          case 's3:DeleteObject':
            return edge.send(new DeleteObjectCommand({ Bucket: OURS.bucket, Key: c.key }));
        }
        throw new Error(`no request for ${c.action}`);
      };
      const got = await status(send());
      expect(got).toBe(c.allowed ? (c.action === 's3:DeleteObject' ? 204 : 200) : 403);
      if (c.key && c.action !== 's3:GetObject') {
        // afterwards a refused write or delete changed nothing (the edge's HEAD: on radosgw an object the edge wrote
        // is the edge's, and the owner's HEAD of it is refused, see below)
        const after = await status(edge.send(new HeadObjectCommand({ Bucket: OURS.bucket, Key: c.key })));
        const existed = before(c.key);
        const exists = c.action === 's3:PutObject' ? existed || c.allowed : existed && !c.allowed;
        expect(after).toBe(exists ? 200 : 404);
      }
    });

    test("radosgw: a wake mark the edge wrote is the edge's object; the owner may not read it but deletes it", async () => {
      await markWaking(edgeStore, OTHER, new Date('2030-01-01T00:00:00.000Z'));
      const mark = state(`waking/${OTHER}.json`);
      expect(await status(owner.send(new HeadObjectCommand({ Bucket: OURS.bucket, Key: mark })))).toBe(403);
      expect(await status(owner.send(new DeleteObjectCommand({ Bucket: OURS.bucket, Key: mark })))).toBe(204);
      expect(await wakingUntil(edgeStore, OTHER)).toBeUndefined();
    });

    test("the action's sync keeps its content manifest under the preview, which nobody reads anonymously", async () => {
      const prefix = 'manifest-pr-3/';
      const site = mkdtempSync(join(tmpdir(), 'bucket-policies-'));
      writeFileSync(join(site, 'index.html'), '<h1>3</h1>');
      writeFileSync(join(site, 'app.js'), 'go()');
      const lines: string[] = [];
      const sync = () =>
        syncAssets(s3.connection, {
          bucket: OURS.bucket,
          prefix,
          dir: site,
          includeDotfiles: false,
          cacheControl: 'no-cache',
          cacheControlFingerprinted: 'no-cache',
          concurrency: 2,
          contentManifest: true,
          log: (l) => lines.push(l),
        });
      try {
        await sync();
        expect(await s3.listKeys(prefix)).toEqual([MANIFEST_KEY, 'app.js', 'index.html'].map((k) => prefix + k));
        expect(await sync()).toMatchObject({ uploaded: 0, skipped: 2 });
        expect(lines).toContain('compared 2 file(s) by content id (manifest), 0 by MD5'); // written, read, verified
        expect(lines.filter((l) => l.startsWith('warning'))).toEqual([]);
        expect(await anon(`/${prefix}${MANIFEST_KEY}`)).toBe(403);
      } finally {
        await deletePrefix(s3.connection, OURS.bucket, prefix);
        rmSync(site, { recursive: true, force: true });
      }
    });

    test('the edge user cannot change the bucket policy', async () => {
      expect(
        await status(edge.send(new PutBucketPolicyCommand({ Bucket: OURS.bucket, Policy: withOurNames(anonymous()) }))),
      ).toBe(403);
    });

    test('anonymous requests are refused: GET, a missing key, HEAD, list, PUT, DELETE', async () => {
      expect(await anon(`/${key('index.html')}`)).toBe(403);
      expect(await anon(`/${key('missing.js')}`)).toBe(403);
      expect(await anon(`/${key('index.html')}`, 'HEAD')).toBe(403);
      expect(await anon('/')).toBe(403);
      expect(await anon(`/${key('new.html')}`, 'PUT')).toBe(403);
      expect(await anon(`/${key('index.html')}`, 'DELETE')).toBe(403);
    });

    test('the owner (the action) still writes and deletes files and state', async () => {
      await put(key('new.html'));
      expect(await status(owner.send(new DeleteObjectCommand({ Bucket: OURS.bucket, Key: key('new.html') })))).toBe(
        204,
      );
      await saveSleeping(ownerStore, OTHER, [{ ...spec, service: OTHER } as never], new Date());
      expect(await readSleeping(ownerStore, OTHER)).toBeDefined();
      await deleteSleeping(ownerStore, OTHER);
      expect(await readSleeping(ownerStore, OTHER)).toBeUndefined();
      const listed = await owner.send(new ListObjectsV2Command({ Bucket: OURS.bucket }));
      expect(listed.Contents?.map((o) => o.Key)).toContain(key('index.html'));
    });
  });

  describe('anonymous reads: the bucket policy', () => {
    beforeAll(async () => {
      await put(key('index.html'));
      await saveSleeping(ownerStore, NAME, [spec as never], new Date('2025-01-02T00:00:00.000Z'));
      await applyPolicy(withOurNames(anonymous()));
    });

    test('anyone reads any object, the state included; a missing key is a 403', async () => {
      const res = await fetch(bucketUrl(`/${key('index.html')}`));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`body of ${key('index.html')}`);
      expect(await anon(`/${key('index.html')}`, 'HEAD')).toBe(200);
      expect(await anon(`/${state(`sleeping/${NAME}.json`)}`)).toBe(200);
      expect(await anon(`/${key('missing.js')}`)).toBe(403);
    });

    test('nobody lists, writes or deletes anonymously', async () => {
      expect(await anon('/')).toBe(403);
      expect(await anon(`/?list-type=2&prefix=${NAME}/`)).toBe(403);
      expect(await anon(`/${key('new.html')}`, 'PUT')).toBe(403);
      expect(await anon(`/${key('index.html')}`, 'DELETE')).toBe(403);
      expect(await status(owner.send(new HeadObjectCommand({ Bucket: OURS.bucket, Key: key('index.html') })))).toBe(
        200,
      );
    });

    test('the owner still writes and deletes', async () => {
      await put(key('new.html'));
      expect(await status(owner.send(new DeleteObjectCommand({ Bucket: OURS.bucket, Key: key('new.html') })))).toBe(
        204,
      );
    });
  });

  describe("anonymous reads: the page's narrower resource (the previews' prefix only)", () => {
    beforeAll(async () => {
      const narrower = anonymous().replace(`"arn:aws:s3:::${DOC.bucket}/*"`, JSON.stringify(anonymousPrefixResource()));
      expect(narrower).not.toBe(anonymous());
      await applyPolicy(withOurNames(narrower));
    });

    test("anyone reads the previews' files, not the state nor other prefixes", async () => {
      expect(await anon(`/${key('index.html')}`)).toBe(200);
      expect(await anon(`/${state(`sleeping/${NAME}.json`)}`)).toBe(403);
      expect(await anon(`/${state(`previews/${NAME}.json`)}`)).toBe(403);
      expect(await anon(`/${OTHER}/index.html`)).toBe(403);
      expect(await anon('/')).toBe(403);
      expect(await anon(`/${key('new.html')}`, 'PUT')).toBe(403);
    });
  });
});
