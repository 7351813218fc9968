/**
 * Issue 11 through the bundle: a preview's own PostgreSQL database and its secrets, on a real PostgreSQL server
 * (Debian `postgresql`, started by the test) with a non-superuser admin role, against faasd CE (which mounts secrets
 * by name), s3rver and the GitHub emulator. The hooks run `psql` (postgresql's client) in the workspace.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { commentMarker } from '../../src/naming.js';
import { dispatchPayload, prPayload, runAction, stackInputs, type ActionRun } from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { describeWithPostgres, startPostgres, type Postgres } from '../../test/support/postgres.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';

const PASSWORD = 'gw-data-Pw4';
const ADMIN_PASSWORD = 'admin-Pw-db7';
const API_KEY = 'api-key-value-Zx81';
const sha = (c: string) => c.repeat(7) + '9'.repeat(33);
const name = (pr: number) => `hello-world-pr-${pr}`;
const ident = (pr: number) => `hello_world_pr_${pr}`;
const PSQL = 'psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q';
const MIGRATE = `${PSQL} -c "CREATE TABLE IF NOT EXISTS visits (n int); CREATE TABLE IF NOT EXISTS migrations (at timestamptz DEFAULT now()); INSERT INTO migrations DEFAULT VALUES"`;
const SEED = `${PSQL} -c "INSERT INTO visits VALUES (42)"`;

let db: Postgres;
let admin: string;
let gateway: GatewayEmulator;
let github: GitHubEmulator;
let s3: S3Emulator;
let workspace: string;

describeWithPostgres()('a database and secrets per preview', () => {
  beforeAll(async () => {
    [db, gateway, github, s3] = await Promise.all([
      startPostgres(),
      startGateway({ edition: 'faasd-ce', password: PASSWORD }),
      startGitHub({}),
      startS3(),
    ]);
    const su = await db.connect();
    await su.query(`CREATE ROLE faas_preview LOGIN PASSWORD '${ADMIN_PASSWORD}' CREATEDB CREATEROLE`);
    await su.query('CREATE DATABASE tpl');
    await su.end();
    const tpl = await db.connect({ database: 'tpl' });
    await tpl.query(`CREATE TABLE products (name text); INSERT INTO products VALUES ('from the template')`);
    await tpl.end();
    await (await db.connect()).query('ALTER DATABASE tpl IS_TEMPLATE true').then(() => undefined);
    admin = db.urlFor({ user: 'faas_preview', password: ADMIN_PASSWORD });
    workspace = mkdtempSync(path.join(tmpdir(), 'faas-preview-data-'));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([db?.close(), gateway?.close(), github?.close(), s3?.close()]);
    rmSync(workspace, { recursive: true, force: true });
  });

  async function act(
    event: string,
    payload: Record<string, unknown>,
    pr: number,
    extra: Record<string, string> = {},
  ): Promise<ActionRun> {
    const inputs = stackInputs(
      {
        gateway,
        gatewayPassword: PASSWORD,
        s3,
        github,
        registryNamespace: 'acme',
        prebuiltImage: 'registry.example.com/acme/hello:1.0.0',
      },
      {
        'preview-domain': 'preview.example.com',
        database: 'postgres',
        'database-url': admin,
        'database-migrate': MIGRATE,
        'database-seed': SEED,
        'preview-secrets': `API_KEY=${API_KEY}`,
        'on-deploy': 'echo "$FAAS_PREVIEW_NAME $FAAS_PREVIEW_SHA" > on-deploy.out',
        'on-teardown': 'echo "$FAAS_PREVIEW_NAME" > on-teardown.out',
        ...extra,
      },
    );
    const run = await runAction({ event, payload, inputs, apiUrl: github.url, workspace });
    const url = gateway.secretValue(`${name(pr)}-database-url`);
    assertNoLeaks(
      run,
      {
        values: [PASSWORD, ADMIN_PASSWORD, API_KEY, github.token, ...(url ? [url, new URL(url).password] : [])],
        basicAuth: [{ username: 'admin', password: PASSWORD }],
      },
      github,
      [pr],
    );
    return run;
  }

  const ok = (r: ActionRun) => {
    if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const comment = (pr: number) =>
    github.comments(pr).find((c) => c.body.startsWith(commentMarker(name(pr))))?.body ?? '';
  const count = async (pr: number, table: string) => {
    const c = await db.connect({ database: ident(pr) });
    try {
      return Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    } finally {
      await c.end();
    }
  };
  const exists = async (pr: number) => {
    const c = await db.connect();
    try {
      const q = await c.query(
        'SELECT (SELECT count(*) FROM pg_roles WHERE rolname = $1)::int AS roles, (SELECT count(*) FROM pg_database WHERE datname = $1)::int AS dbs',
        [ident(pr)],
      );
      return q.rows[0] as { roles: number; dbs: number };
    } finally {
      await c.end();
    }
  };

  test('opened: database and role created, migrated, seeded once; the function mounts the secrets; the comment names them, never their values', async () => {
    github.setPull({ number: 1, state: 'open', headSha: sha('a') });
    ok(await act('pull_request', prPayload('opened', { number: 1, sha: sha('a') }), 1));
    expect(await exists(1)).toEqual({ roles: 1, dbs: 1 });
    expect(await count(1, 'migrations')).toBe(1);
    expect(await count(1, 'visits')).toBe(1);

    const fn = gateway.get(name(1))!;
    expect(fn.secrets).toEqual(expect.arrayContaining([`${name(1)}-api-key`, `${name(1)}-database-url`]));
    expect(fn.envVars).toMatchObject({
      API_KEY_FILE: `/var/openfaas/secrets/${name(1)}-api-key`,
      DATABASE_URL_FILE: `/var/openfaas/secrets/${name(1)}-database-url`,
    });
    expect(Object.values(fn.envVars).join(' ')).not.toContain('postgres://');
    expect(gateway.secretValue(`${name(1)}-api-key`)).toBe(API_KEY);
    const client = new pg.Client({ connectionString: gateway.secretValue(`${name(1)}-database-url`) });
    await client.connect();
    await client.query('INSERT INTO visits VALUES (1)');
    await client.end();

    expect(readFileSync(path.join(workspace, 'on-deploy.out'), 'utf8').trim()).toBe(`${name(1)} ${sha('a')}`);
    expect(comment(1)).toContain(`- Database: \`${ident(1)}\`, created, migrated and seeded by this run\n`);
    expect(comment(1)).toContain(`- Secrets: \`${name(1)}-api-key\`, \`${name(1)}-database-url\`\n`);
  });

  test('synchronize: migrated again, never seeded again; the URL in the secret is unchanged', async () => {
    const before = gateway.secretValue(`${name(1)}-database-url`);
    github.setPull({ number: 1, state: 'open', headSha: sha('b') });
    ok(await act('pull_request', prPayload('synchronize', { number: 1, sha: sha('b') }), 1));
    expect(await count(1, 'migrations')).toBe(2);
    expect(await count(1, 'visits')).toBe(2);
    expect(gateway.secretValue(`${name(1)}-database-url`)).toBe(before);
    expect(comment(1)).toContain(`- Database: \`${ident(1)}\`, migrated by this run\n`);
  });

  test('a failing migration: the previous version keeps running, and the comment says so with the hook and its output', async () => {
    github.setPull({ number: 1, state: 'open', headSha: sha('c') });
    const run = await act('pull_request', prPayload('synchronize', { number: 1, sha: sha('c') }), 1, {
      'database-migrate': 'echo "column foo does not exist" >&2; exit 3',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::hook 'database-migrate' exited with code 3/);
    expect(gateway.get(name(1))!.labels['faas-preview/sha']).toBe(sha('b'));
    expect(comment(1)).toMatch(/could not prepare the preview's data/);
    expect(comment(1)).toMatch(/column foo does not exist/);
    expect(comment(1)).toMatch(/the previous version keeps running/);
    expect(await exists(1)).toEqual({ roles: 1, dbs: 1 });
  });

  test('closed: on-teardown ran, database, role and secrets gone, listed in the receipt; closing again is fine', async () => {
    github.setPull({ number: 1, state: 'closed', headSha: sha('c') });
    ok(await act('pull_request', prPayload('closed', { number: 1, sha: sha('c') }), 1));
    expect(await exists(1)).toEqual({ roles: 0, dbs: 0 });
    expect(gateway.secrets().filter((s) => s.startsWith(`${name(1)}-`))).toEqual([]);
    expect(readFileSync(path.join(workspace, 'on-teardown.out'), 'utf8').trim()).toBe(name(1));
    expect(comment(1)).toContain(`- the database \`${ident(1)}\` and its role`);
    expect(comment(1)).toMatch(/- the secrets `hello-world-pr-1-api-key`, `hello-world-pr-1-database-url`/);
    ok(await act('pull_request', prPayload('closed', { number: 1, sha: sha('c') }), 1));
  });

  test('database-template: the new database is a clone of the template', async () => {
    github.setPull({ number: 2, state: 'open', headSha: sha('d') });
    ok(await act('pull_request', prPayload('opened', { number: 2, sha: sha('d') }), 2, { 'database-template': 'tpl' }));
    expect(await count(2, 'products')).toBe(1);
  });

  test('a template with other sessions: one clear error, and nothing half-made (no role, no database, no secrets, no function)', async () => {
    const holder = await db.connect({ database: 'tpl' });
    try {
      github.setPull({ number: 3, state: 'open', headSha: sha('e') });
      const run = await act('pull_request', prPayload('opened', { number: 3, sha: sha('e') }), 3, {
        'database-template': 'tpl',
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /::error::.*source database "tpl" is being accessed by other users.*PostgreSQL copies a template only while nobody else is connected to it/,
      );
      expect(await exists(3)).toEqual({ roles: 0, dbs: 0 });
      expect(gateway.secrets().filter((s) => s.startsWith(`${name(3)}-`))).toEqual([]);
      expect(gateway.get(name(3))).toBeUndefined();
    } finally {
      await holder.end();
    }
  }, 60_000);

  test.each([
    ['an unreachable server', () => 'postgres://faas_preview:x@127.0.0.1:1/postgres', /ECONNREFUSED 127\.0\.0\.1:1/],
    [
      'a wrong password',
      () => db.urlFor({ user: 'faas_preview', password: 'wrong' }),
      /refused the password of role 'faas_preview' \(28P01\)/,
    ],
  ])('%s: one clear error naming database-url, nothing made', async (_what, url, message) => {
    github.setPull({ number: 4, state: 'open', headSha: sha('f') });
    const run = await act('pull_request', prPayload('opened', { number: 4, sha: sha('f') }), 4, {
      'database-url': url(),
    });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toHaveLength(1);
    expect(run.stdout).toMatch(message);
    expect(gateway.get(name(4))).toBeUndefined();
    expect(gateway.secrets().filter((s) => s.startsWith(`${name(4)}-`))).toEqual([]);
  });

  test('the sweeper drops the database and secrets of a closed PR that nothing else would tear down', async () => {
    github.setPull({ number: 5, state: 'open', headSha: sha('1') });
    ok(await act('pull_request', prPayload('opened', { number: 5, sha: sha('1') }), 5));
    // The PR closed and its teardown never ran; its function and record were removed by hand.
    await fetch(`${gateway.url}/system/functions`, {
      method: 'DELETE',
      headers: { authorization: 'Basic ' + Buffer.from(`admin:${PASSWORD}`).toString('base64') },
      body: JSON.stringify({ functionName: name(5) }),
    });
    await (await import('../../src/state/store.js')).deleteJson(s3.state(), `.faas-preview/previews/${name(5)}.json`);
    github.setPull({ number: 5, state: 'closed', headSha: sha('1') });
    const run = ok(await act('workflow_dispatch', dispatchPayload(), 5, { 'idle-after': '1h' }));
    expect(run.stdout).toMatch(/hello-world-pr-5 \(PR #5\): drop orphan database: PR #5 is closed/);
    expect(await exists(5)).toEqual({ roles: 0, dbs: 0 });
    expect(gateway.secrets().filter((s) => s.startsWith(`${name(5)}-`))).toEqual([]);
    expect(existsSync(path.join(workspace, 'on-deploy.out'))).toBe(true);
  });

  test('a failing seed on a first deploy: what it created is removed, and the comment names it as removed', async () => {
    github.setPull({ number: 6, state: 'open', headSha: sha('2') });
    const run = await act('pull_request', prPayload('opened', { number: 6, sha: sha('2') }), 6, {
      'database-seed': 'exit 4',
    });
    expect(run.code).toBe(1);
    expect(await exists(6)).toEqual({ roles: 0, dbs: 0 });
    expect(gateway.secrets().filter((s) => s.startsWith(`${name(6)}-`))).toEqual([]);
    expect(comment(6)).toContain(
      `This was the preview's first deploy: the database \`${ident(6)}\` and the secrets \`${name(6)}-api-key\`, \`${name(6)}-database-url\` were removed, so the next push starts clean.`,
    );
  });

  test('a failing seed on a first deploy whose database cannot be dropped: the comment says it is left, and what removes it', async () => {
    // A superuser session in the new database, which the admin role may not end: DROP … WITH (FORCE) fails.
    const su = db.urlFor({ database: ident(7), ...db.superuser });
    github.setPull({ number: 7, state: 'open', headSha: sha('3') });
    try {
      const run = await act('pull_request', prPayload('opened', { number: 7, sha: sha('3') }), 7, {
        // fails once the session is there (polled for up to 20 s, not slept for: a loaded machine connects late)
        'database-seed': `setsid -f psql "${su}" -q -c "SELECT pg_sleep(60)" </dev/null >/dev/null 2>&1; for i in $(seq 400); do [ "$(psql "${su}" -tAc "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(60)'")" != 0 ] && break; sleep 0.05; done; exit 4`,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`::warning::could not drop database ${ident(7)} after the failure`));
      expect((await exists(7)).dbs).toBe(1);
      expect(gateway.secrets().filter((s) => s.startsWith(`${name(7)}-`))).toEqual([]);
      expect(comment(7)).toContain(
        `This was the preview's first deploy: the secrets \`${name(7)}-api-key\`, \`${name(7)}-database-url\` were removed; the database \`${ident(7)}\` could not be removed (the run's log says why) and is left until the PR is closed: the teardown removes it then, or the sweeper if no teardown does.`,
      );
      expect(comment(7)).not.toMatch(/starts clean/);
    } finally {
      const c = await db.connect();
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [ident(7)]);
      await c.end();
    }
    // What was left goes with the teardown.
    github.setPull({ number: 7, state: 'closed', headSha: sha('3') });
    ok(await act('pull_request', prPayload('closed', { number: 7, sha: sha('3') }), 7));
    expect(await exists(7)).toEqual({ roles: 0, dbs: 0 });
  }, 60_000);
});
