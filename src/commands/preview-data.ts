/**
 * A preview's data around its function (issue 11): its OpenFaaS secrets, its PostgreSQL database, and the hooks.
 * Deploy calls `prepareData` before the function is updated; teardown calls `removeData`.
 *
 * Order on deploy: the database (created on first deploy) → the secrets (preview-secrets and the database URL, as
 * `<name>-<key>`) → `database-migrate` → `database-seed` (only right after the database was created) → `on-deploy`.
 * A failure on a preview's first deploy removes what this run created, so the next push starts clean (and seeds
 * again); what it could not remove is reported (`DataUndo`), and the teardown or the sweeper removes it once the PR is
 * closed. A later failure leaves the database and secrets as they were, and the previous function running.
 */
import type { DroppedDatabase, EnsuredDatabase } from '../data/databases.js';
import { PreviewDatabases } from '../data/databases.js';
import type { DataFacts, DataUndo, Preview } from '../preview.js';
import { runHook } from '../hooks/run.js';
import { log } from '../log.js';
import { DATABASE_KEY, previewOfSecret, secretName, secretPath } from '../naming.js';
import type { Services } from './services.js';

/** What the data step needs of the preview: not its image, which is decided after the data is ready. */
type PreviewIdentity = Pick<Preview, 'name' | 'url' | 'pr' | 'sha'>;

/** What the function spec and the PR comment need from the data step. */
export interface PreparedData {
  /** OpenFaaS secrets the function mounts. */
  secrets: string[];
  /** `<KEY>_FILE` → the mounted path. */
  env: Record<string, string>;
  database?: DataFacts['database'];
}

export function previewEnv(p: PreviewIdentity): Record<string, string> {
  return { FAAS_PREVIEW_NAME: p.name, FAAS_PREVIEW_URL: p.url, FAAS_PREVIEW_PR: String(p.pr), FAAS_PREVIEW_SHA: p.sha };
}

/** The preview databases' admin connection, when input `database-url` is set. */
async function openDatabases(s: Services): Promise<PreviewDatabases | undefined> {
  const db = s.settings.data.database;
  if (!db) return undefined;
  return PreviewDatabases.open({
    url: db.url,
    repo: `${s.ctx.repo.owner}/${s.ctx.repo.repo}`,
    template: db.template,
    log: log.info,
  });
}

/** `fn` over an open admin connection, closed afterwards; undefined without `database-url`. */
export async function withDatabases<T>(s: Services, fn: (dbs: PreviewDatabases) => Promise<T>): Promise<T | undefined> {
  const dbs = await openDatabases(s);
  if (!dbs) return undefined;
  try {
    return await fn(dbs);
  } finally {
    await dbs.close();
  }
}

/** Drops `preview`'s database and role (teardown and the sweeper); what went, or undefined when nothing was left. */
export async function dropPreviewDatabase(
  dbs: PreviewDatabases,
  preview: string,
): Promise<DroppedDatabase | undefined> {
  const dropped = await dbs.drop(preview);
  for (const why of dropped.leftAlone) log.warning(why);
  return dropped.database || dropped.role ? dropped : undefined;
}

/**
 * The data step. On a first deploy that fails, `undone` is told what the undo removed and what it could not, before
 * the error is thrown: the comment says "removed" only of what was.
 */
export async function prepareData(
  s: Services,
  p: PreviewIdentity,
  firstDeploy: boolean,
  undone?: (u: DataUndo) => void,
): Promise<PreparedData> {
  let dbs: PreviewDatabases | undefined;
  const written: string[] = [];
  let db: EnsuredDatabase | undefined;
  try {
    dbs = await openDatabases(s);
    db = dbs ? await dbs.ensure(p.name) : undefined;
    const values: Record<string, string> = {
      ...s.settings.data.previewSecrets,
      ...(db ? { [DATABASE_KEY]: db.url } : {}),
    };
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
      const secret = secretName(p.name, key);
      await s.gateway.putSecret(secret, value);
      written.push(secret);
      env[`${key}_FILE`] = secretPath(secret);
    }
    const seeded = await runDeployHooks(s, p, db);
    return {
      secrets: written,
      env,
      database: db && { name: db.name, created: db.created, migrated: Boolean(s.settings.data.hooks.migrate), seeded },
    };
  } catch (err) {
    if (firstDeploy) undone?.(await undo(s, dbs, p.name, written, db));
    throw err;
  } finally {
    await dbs?.close();
  }
}

/** `database-migrate`, then `database-seed` when the database is new, then `on-deploy`; true when the seed ran. */
async function runDeployHooks(s: Services, p: PreviewIdentity, db: EnsuredDatabase | undefined): Promise<boolean> {
  const { hooks } = s.settings.data;
  const env = { ...previewEnv(p), ...(db ? { DATABASE_URL: db.url } : {}) };
  const run = (name: string, command: string | undefined) =>
    command
      ? runHook({ name, command, cwd: s.ctx.workspace, env, timeoutMs: hooks.timeoutMs })
      : Promise.resolve(undefined);
  await run('database-migrate', hooks.migrate);
  const seeded = Boolean(db?.created && hooks.seed);
  if (seeded) await run('database-seed', hooks.seed);
  await run('on-deploy', hooks.onDeploy);
  return seeded;
}

/**
 * A first deploy that failed: remove what this run created, so the next push starts clean and seeds again. Each
 * removal that fails is a warning, and is reported as left.
 */
async function undo(
  s: Services,
  dbs: PreviewDatabases | undefined,
  name: string,
  secrets: string[],
  db: EnsuredDatabase | undefined,
): Promise<DataUndo> {
  const result: DataUndo = { removed: { secrets: [] }, left: { secrets: [] } };
  for (const secret of secrets) {
    const gone = await s.gateway.deleteSecret(secret).then(
      () => true,
      (err: Error) => {
        log.warning(`could not remove secret ${secret} after the failure: ${err.message}`);
        return false;
      },
    );
    (gone ? result.removed : result.left).secrets.push(secret);
  }
  if (db && !db.created) result.kept = db.name;
  if (dbs && db?.created) {
    const dropped = await dbs.drop(name).then(
      (d) => {
        for (const why of d.leftAlone) log.warning(why);
        return d.database || d.leftAlone.length === 0; // not found: gone already
      },
      (err: Error) => {
        log.warning(`could not drop database ${db.name} after the failure: ${err.message}`);
        return false;
      },
    );
    if (dropped) log.info(`dropped database ${db.name} created by this failed first deploy`);
    (dropped ? result.removed : result.left).database = db.name;
  }
  return result;
}

/** Teardown's part: `on-teardown`, then the preview's secrets and database. Returns receipt lines (Markdown). */
export async function removeData(s: Services, p: PreviewIdentity): Promise<string[]> {
  const removed: string[] = [];
  const { hooks } = s.settings.data;
  if (hooks.onTeardown)
    await runHook({
      name: 'on-teardown',
      command: hooks.onTeardown,
      cwd: s.ctx.workspace,
      env: previewEnv(p),
      timeoutMs: hooks.timeoutMs,
    });
  const mine = (await s.gateway.secretNames()).filter((n) => previewOfSecret(s.settings.app, n)?.preview === p.name);
  for (const secret of mine) await s.gateway.deleteSecret(secret);
  if (mine.length) removed.push(`the secret${mine.length === 1 ? '' : 's'} ${mine.map((n) => `\`${n}\``).join(', ')}`);
  const dropped = await withDatabases(s, (dbs) => dropPreviewDatabase(dbs, p.name));
  if (dropped) removed.push(`the database \`${dropped.name}\`${dropped.role ? ' and its role' : ''}`);
  return removed;
}
