/**
 * Per-preview databases against a real PostgreSQL (Debian's package, started by test/support/postgres.ts), through
 * an admin role that is NOT a superuser (CREATEDB CREATEROLE only), as on managed servers where nobody gets one.
 */
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { DataError } from '../../src/data/errors.js';
import { PreviewDatabases, type PreviewDatabaseOptions } from '../../src/data/databases.js';
import { InputError } from '../../src/inputs/parse.js';
import { secrets } from '../../src/text/run-secrets.js';
import { describeWithPostgres, startPostgres, type Postgres } from '../../test/support/postgres.js';
import { freePort } from '../../test/support/tools.js';

const describe = describeWithPostgres();
const ADMIN_PASSWORD = 'admin-pw-7Jq2';
const FAST_BUSY = { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 };

describe('per-preview PostgreSQL databases, for real', () => {
  let server: Postgres;
  let su: pg.Client;
  let adminUrl: string;
  const opened: PreviewDatabases[] = [];
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    process.stdout.write(
      `PostgreSQL ${server.major}: initdb ${server.timings.initdbMs} ms, start ${server.timings.startMs} ms\n`,
    );
    su = await server.connect();
    await su.query(`CREATE ROLE admin LOGIN PASSWORD '${ADMIN_PASSWORD}' CREATEDB CREATEROLE`);
    await su.query(`CREATE ROLE weak LOGIN PASSWORD 'weak-pw' CREATEROLE`);
    await su.query('CREATE DATABASE tpl IS_TEMPLATE true');
    await su.query('CREATE DATABASE plain');
    const tpl = await server.connect({ database: 'tpl' });
    await tpl.query(
      `CREATE TABLE products (name text); INSERT INTO products VALUES ('seeded from tpl'); GRANT SELECT ON products TO PUBLIC`,
    );
    await tpl.end();
    adminUrl = server.urlFor({ user: 'admin', password: ADMIN_PASSWORD });
  }, 60_000);

  afterEach(async () => {
    await Promise.all([
      ...opened.splice(0).map((d) => d.close()),
      ...clients.splice(0).map((c) => c.end().catch(() => undefined)),
    ]);
  });

  afterAll(async () => {
    await su?.end();
    await server?.close();
  });

  async function open(o: Partial<PreviewDatabaseOptions> = {}): Promise<PreviewDatabases> {
    const dbs = await PreviewDatabases.open({ url: adminUrl, repo: 'acme/shop', busyRetry: FAST_BUSY, ...o });
    opened.push(dbs);
    return dbs;
  }

  async function connectTo(url: string): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    c.on('error', () => undefined);
    clients.push(c);
    await c.connect();
    return c;
  }

  /** Every role and database on the server, to show a failure left nothing behind. */
  async function everything(): Promise<string[]> {
    const { rows } = await su.query(
      `SELECT 'role ' || rolname AS x FROM pg_roles UNION ALL SELECT 'database ' || datname FROM pg_database ORDER BY 1`,
    );
    return rows.map((r) => r.x as string);
  }

  async function exists(name: string): Promise<{ role: boolean; database: boolean }> {
    const { rows } = await su.query(
      'SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS role, EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS database',
      [name],
    );
    return rows[0];
  }

  async function failure(p: Promise<unknown>): Promise<Error> {
    try {
      await p;
    } catch (err) {
      return err as Error;
    }
    throw new Error('expected a failure');
  }

  test('creates a marked role and a database it owns; the URL logs in and can write; other previews cannot connect', async () => {
    const dbs = await open();
    const db = await dbs.ensure('shop-pr-1');
    expect(db).toMatchObject({ name: 'shop_pr_1', created: true });
    const url = new URL(db.url);
    expect([url.hostname, url.port, url.username, url.pathname]).toEqual([
      '127.0.0.1',
      String(server.port),
      'shop_pr_1',
      '/shop_pr_1',
    ]);
    expect(secrets.leaks(db.url)).toContain(decodeURIComponent(url.password));

    const { rows } = await su.query(
      `SELECT pg_get_userbyid(datdba) AS owner, shobj_description((SELECT oid FROM pg_roles WHERE rolname = $1), 'pg_authid') AS mark FROM pg_database WHERE datname = $1`,
      ['shop_pr_1'],
    );
    expect(rows[0]).toEqual({ owner: 'shop_pr_1', mark: 'faas-preview acme/shop' });

    const app = await connectTo(db.url);
    await app.query(`CREATE TABLE orders (id int); INSERT INTO orders VALUES (42)`);
    expect((await app.query('SELECT id FROM orders')).rows).toEqual([{ id: 42 }]);

    const other = await dbs.ensure('shop-pr-2');
    const intruder = new URL(other.url);
    intruder.pathname = '/shop_pr_1';
    const err = await failure(connectTo(intruder.toString()));
    expect((err as { code?: string }).code).toBe('42501');
    expect(err.message).toMatch(/permission denied for database "shop_pr_1"/);
  });

  test('a second ensure creates nothing and keeps the data; the URL stays the same, so running functions keep connecting', async () => {
    const dbs = await open();
    const first = await dbs.ensure('shop-pr-3');
    await (await connectTo(first.url)).query(`CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')`);
    const oid = async () => (await su.query(`SELECT oid FROM pg_database WHERE datname = 'shop_pr_3'`)).rows[0].oid;
    const before = { oid: await oid(), all: await everything() };

    const second = await dbs.ensure('shop-pr-3');
    expect(second.created).toBe(false);
    expect(await oid()).toBe(before.oid);
    expect(await everything()).toEqual(before.all);
    expect((await (await connectTo(second.url)).query('SELECT v FROM t')).rows).toEqual([{ v: 'kept' }]);
    expect(second.url).toBe(first.url);
    expect((await (await connectTo(first.url)).query('SELECT v FROM t')).rows).toEqual([{ v: 'kept' }]);
  });

  test('clones the template; a template with other sessions is refused with what to do, and leaves nothing behind', async () => {
    const dbs = await open({ template: 'tpl' });
    const clone = await dbs.ensure('shop-pr-4');
    expect(clone.created).toBe(true);
    expect((await (await connectTo(clone.url)).query('SELECT name FROM products')).rows).toEqual([
      { name: 'seeded from tpl' },
    ]);

    const before = await everything();
    const holder = await server.connect({ database: 'tpl' });
    clients.push(holder);
    const err = await failure(dbs.ensure('shop-pr-5'));
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('55006');
    expect(err.message).toMatch(
      /^create database shop_pr_5 from template 'tpl' on PostgreSQL at 127\.0\.0\.1:\d+: source database "tpl" is being accessed by other users/,
    );
    expect(err.message).toMatch(/\(after 2 attempts\)/);
    expect(err.message).toMatch(/sessions now: postgres\)/);
    expect(err.message).toMatch(/ALTER DATABASE "tpl" ALLOW_CONNECTIONS false/);
    expect(await everything()).toEqual(before);

    await holder.end();
    expect((await dbs.ensure('shop-pr-5')).created).toBe(true);
  }, 40_000);

  test('a database creation that fails after the role was made drops that role again (missing template)', async () => {
    const before = await everything();
    const dbs = await open({ template: 'no_such_tpl' });
    const err = await failure(dbs.ensure('shop-pr-6'));
    expect(err.message).toMatch(
      /template database "no_such_tpl" does not exist \(3D000\); input 'database-template' names a database that does not exist/,
    );
    expect(await exists('shop_pr_6')).toEqual({ role: false, database: false });
    expect(await everything()).toEqual(before);
  });

  test('a template the admin may not copy (not IS_TEMPLATE, owned by someone else) says how to mark it, nothing left', async () => {
    const before = await everything();
    const dbs = await open({ template: 'plain' });
    const err = await failure(dbs.ensure('shop-pr-7'));
    expect(err.message).toMatch(/permission denied to copy database "plain" \(42501\)/);
    expect(err.message).toMatch(/ALTER DATABASE "plain" IS_TEMPLATE true/);
    expect(await everything()).toEqual(before);
  });

  test('drop ends open sessions and removes database and role; dropping again, or what never existed, is fine', async () => {
    const dbs = await open();
    const db = await dbs.ensure('shop-pr-8');
    const session = await connectTo(db.url);
    expect(await dbs.drop('shop-pr-8')).toEqual({ name: 'shop_pr_8', database: true, role: true, leftAlone: [] });
    expect(await exists('shop_pr_8')).toEqual({ role: false, database: false });
    await expect(session.query('SELECT 1')).rejects.toThrow();
    expect(await dbs.drop('shop-pr-8')).toEqual({ name: 'shop_pr_8', database: false, role: false, leftAlone: [] });
    expect(await dbs.drop('shop-pr-999')).toEqual({ name: 'shop_pr_999', database: false, role: false, leftAlone: [] });
  });

  test("lists only this repository's previews of this app; foreign look-alikes are never listed, used or dropped", async () => {
    const dbs = await open();
    for (const p of ['shop-pr-20', 'shop-pr-21', 'cart-pr-20']) await dbs.ensure(p);
    const otherRepo = await open({ url: server.url, repo: 'other/shop' });
    await otherRepo.ensure('shop-pr-22');
    await su.query('CREATE DATABASE shop_pr_23');
    await su.query('CREATE ROLE shop_pr_24 LOGIN');
    await su.query('CREATE DATABASE shop_pr_025');
    await su.query('CREATE DATABASE shop_pr_26_old');

    const listed = (await dbs.list('shop')).filter((l) => l.pr >= 20);
    expect(listed).toEqual([
      { preview: 'shop-pr-20', pr: 20, name: 'shop_pr_20', database: true, role: true },
      { preview: 'shop-pr-21', pr: 21, name: 'shop_pr_21', database: true, role: true },
    ]);
    expect((await otherRepo.list('shop')).map((l) => l.name)).toEqual(['shop_pr_22']);

    const before = await everything();
    expect((await dbs.drop('shop-pr-22')).leftAlone).toEqual([
      `database shop_pr_22 is owned by role 'shop_pr_22', not by a role faas-preview created for acme/shop: left alone`,
      `role shop_pr_22 was not created by faas-preview for acme/shop (no 'faas-preview acme/shop' comment): left alone`,
    ]);
    expect((await dbs.drop('shop-pr-23')).leftAlone).toEqual([
      `database shop_pr_23 is owned by role 'postgres', not by a role faas-preview created for acme/shop: left alone`,
    ]);
    expect((await dbs.drop('shop-pr-24')).leftAlone).toHaveLength(1);
    await expect(dbs.ensure('shop-pr-23')).rejects.toThrow(
      /a database named shop_pr_23 already exists .*owned by 'postgres', not by the preview's role/,
    );
    await expect(dbs.ensure('shop-pr-24')).rejects.toThrow(
      /a role named shop_pr_24 already exists .*not created by faas-preview for acme\/shop/,
    );
    expect(await everything()).toEqual(before);
  });

  test('an unreachable server names host:port and the OS cause', async () => {
    const port = await freePort();
    const err = await failure(
      PreviewDatabases.open({
        url: `postgres://admin:${ADMIN_PASSWORD}@127.0.0.1:${port}/postgres`,
        repo: 'acme/shop',
      }),
    );
    expect(err.message).toBe(
      `cannot connect to PostgreSQL at 127.0.0.1:${port} (input 'database-url'): connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect((err as DataError).code).toBe('ECONNREFUSED');
  });

  test('a server that accepts but never answers is given up on after the connect timeout, retried', async () => {
    const silent: Server = createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const { port } = silent.address() as { port: number };
    const lines: string[] = [];
    try {
      const err = await failure(
        PreviewDatabases.open({
          url: `postgres://admin:x@127.0.0.1:${port}/postgres`,
          repo: 'acme/shop',
          connectTimeoutMs: 300,
          log: (l) => lines.push(l),
        }),
      );
      expect(err.message).toMatch(
        new RegExp(
          `^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port} \\(input 'database-url'\\): no answer within 0\\.3s \\(after 3 attempts\\)$`,
        ),
      );
      expect((err as DataError).code).toBe('ETIMEDOUT');
      expect(lines).toEqual([expect.stringMatching(/retrying up to 2 more times$/)]);
    } finally {
      silent.close();
    }
  });

  test('a wrong password is 28P01 naming the role, without the password', async () => {
    const err = await failure(
      PreviewDatabases.open({ url: server.urlFor({ user: 'admin', password: 'not-the-password' }), repo: 'acme/shop' }),
    );
    expect(err.message).toBe(
      `cannot connect to PostgreSQL at 127.0.0.1:${server.port} (input 'database-url'): the server refused the password of role 'admin' (28P01); check the password in 'database-url'`,
    );
    expect((err as DataError).code).toBe('28P01');
  });

  test('a malformed URL is an input error that never shows the URL', async () => {
    const err = await failure(
      PreviewDatabases.open({ url: `127.0.0.1:${server.port} admin ${ADMIN_PASSWORD}`, repo: 'acme/shop' }),
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^input 'database-url': is not a URL/);
    expect(err.message).not.toContain(ADMIN_PASSWORD);
  });

  test('an admin role without CREATEDB is refused up front with the statement that fixes it; nothing is made', async () => {
    const before = await everything();
    const err = await failure(
      PreviewDatabases.open({ url: server.urlFor({ user: 'weak', password: 'weak-pw' }), repo: 'acme/shop' }),
    );
    expect(err.message).toBe(
      `role 'weak' of 'database-url' (PostgreSQL at 127.0.0.1:${server.port}) lacks CREATEDB: every preview gets its own role and database, ` +
        `so the role needs both; as a superuser run ALTER ROLE "weak" CREATEDB CREATEROLE, or use another role`,
    );
    expect(await everything()).toEqual(before);
  });

  test('a template name that could break out of its quotes is refused before connecting', async () => {
    await expect(
      PreviewDatabases.open({ url: adminUrl, repo: 'acme/shop', template: 'tpl" OWNER postgres --' }),
    ).rejects.toThrow(/is not a database name this action uses/);
  });
});
