/**
 * Per-preview PostgreSQL: a role and a database of the same name (names.ts), the database owned by the role,
 * optionally cloned from a template, on the team's server reached through the admin URL (input `database-url`).
 *
 * Ownership: every role this action creates carries a comment `faas-preview <owner>/<repo>` (readable by anyone, the
 * PostgreSQL counterpart of the function labels). A role without this repository's mark, and a database not owned by
 * the marked role of its own name, is never changed or dropped, even when its name looks like a preview's.
 *
 * Passwords: the only copy of a preview's password is the OpenFaaS secret, which the gateway never returns, and
 * migrations on every deploy need the URL. So every ensure() sets the role's password (password.ts: derived from the
 * admin password, hence the same on every deploy) and returns the URL with it: the caller writes that URL to the
 * secret in the same run.
 */
import { DEFAULT_RETRY, RetriesExhausted, withRetry, type RetryPolicy } from '../retry.js';
import { secrets } from '../text/run-secrets.js';
import { DataError, SQLSTATE } from './errors.js';
import { databaseName, previewOfIdentifier, quoteIdent, quoteTemplate } from './names.js';
import { rolePassword, scramVerifier } from './password.js';
import { AdminSession, type SessionOptions } from './session.js';
import { previewUrl, TEMPLATE_INPUT } from './url.js';

export interface PreviewDatabaseOptions extends SessionOptions {
  /** `owner/repo`: marks the roles this action creates; only roles with this mark are used or dropped. */
  repo: string;
  /** Database to clone (input `database-template`); empty or absent: PostgreSQL's default, template1. */
  template?: string;
  /** Retries of CREATE DATABASE while the template has other sessions (PostgreSQL itself waits 5 s each time). */
  busyRetry?: RetryPolicy;
}

export interface EnsuredDatabase {
  /** Database and role name, e.g. `shop_pr_42`. */
  name: string;
  /** The database was created by this call: run the seed now, and only now. */
  created: boolean;
  /** `postgres://<name>:<password>@<admin host and options>/<name>`; its password is registered as a secret. */
  url: string;
}

export interface DroppedDatabase {
  name: string;
  /** Whether this call dropped them (false: there was nothing, or it was left alone). */
  database: boolean;
  role: boolean;
  /** Why something with the preview's name was not touched: not created by faas-preview for this repository. */
  leftAlone: string[];
}

export interface ListedDatabase {
  /** The preview name (`shop-pr-42`) and its PR. */
  preview: string;
  pr: number;
  /** Database and role name (`shop_pr_42`). */
  name: string;
  database: boolean;
  role: boolean;
}

interface Found {
  role: boolean;
  roleMark: string | null;
  databaseOwner: string | null;
}

export class PreviewDatabases {
  private readonly mark: string;

  private constructor(
    private readonly session: AdminSession,
    private readonly o: PreviewDatabaseOptions,
  ) {
    this.mark = `faas-preview ${o.repo}`;
  }

  /** Connects and checks the server (version, the admin role's privileges); throws a DataError or InputError. */
  static async open(o: PreviewDatabaseOptions): Promise<PreviewDatabases> {
    if (o.template) quoteTemplate(o.template);
    return new PreviewDatabases(await AdminSession.open(o), o);
  }

  close(): Promise<void> {
    return this.session.close();
  }

  /** Creates the role and database when missing, sets the role's password, and returns its URL. */
  async ensure(preview: string): Promise<EnsuredDatabase> {
    const name = databaseName(preview);
    return this.session.locked(name, async () => {
      const found = await this.inspect(name);
      this.refuseForeign(name, found);
      const password = rolePassword(this.session.target.password, this.o.repo, name);
      secrets.add(password);
      const url = previewUrl(this.session.target.url, name, password);
      await this.writeRole(name, password, found.role);
      if (found.databaseOwner !== null) return { name, created: false, url };
      try {
        await this.createDatabase(name);
      } catch (err) {
        // A role made by this very call is dropped with the database that failed; one from earlier runs stays.
        if (!found.role)
          await this.session
            .query(`drop role ${name}`, `DROP ROLE IF EXISTS ${quoteIdent(name)}`)
            .catch((e) => this.session.log(String(e)));
        throw err;
      }
      return { name, created: true, url };
    });
  }

  /** Drops the database (ending its sessions) and the role; fine when neither exists. */
  async drop(preview: string): Promise<DroppedDatabase> {
    const name = databaseName(preview);
    return this.session.locked(name, async () => {
      const found = await this.inspect(name);
      const ours = found.role && found.roleMark === this.mark;
      const result: DroppedDatabase = { name, database: false, role: false, leftAlone: [] };
      if (found.databaseOwner !== null) {
        if (ours && found.databaseOwner === name) result.database = await this.dropDatabase(name);
        else
          result.leftAlone.push(
            `database ${name} is owned by role '${found.databaseOwner}', not by a role faas-preview created for ${this.o.repo}: left alone`,
          );
      }
      if (found.role && !ours)
        result.leftAlone.push(
          `role ${name} was not created by faas-preview for ${this.o.repo} (no '${this.mark}' comment): left alone`,
        );
      if (ours) result.role = await this.dropRole(name);
      return result;
    });
  }

  /** This repository's preview databases and roles of `app`, for the sweeper; anything else on the server is ignored. */
  async list(app: string): Promise<ListedDatabase[]> {
    const rows = await this.session.query<{
      name: string;
      kind: 'role' | 'database';
      mark: string | null;
      owner: string | null;
    }>(
      'list preview databases and roles',
      `SELECT rolname AS name, 'role' AS kind, shobj_description(oid, 'pg_authid') AS mark, NULL AS owner FROM pg_roles
       UNION ALL
       SELECT datname, 'database', NULL, pg_get_userbyid(datdba) FROM pg_database`,
    );
    const ours = new Set(rows.filter((r) => r.kind === 'role' && r.mark === this.mark).map((r) => r.name));
    const byName = new Map<string, ListedDatabase>();
    for (const r of rows) {
      const preview = ours.has(r.name) ? previewOfIdentifier(app, r.name) : undefined;
      if (!preview || (r.kind === 'database' && r.owner !== r.name)) continue;
      const entry = byName.get(r.name) ?? {
        preview: preview.name,
        pr: preview.pr,
        name: r.name,
        database: false,
        role: false,
      };
      entry[r.kind] = true;
      byName.set(r.name, entry);
    }
    return [...byName.values()].sort((a, b) => a.pr - b.pr);
  }

  private async inspect(name: string): Promise<Found> {
    const [row] = await this.session.query<Found>(
      `look up role and database ${name}`,
      `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "role",
              (SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1) AS "roleMark",
              (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1) AS "databaseOwner"`,
      [name],
    );
    return row;
  }

  /** A role or database with the preview's name that this action did not make is someone else's: stop before touching it. */
  private refuseForeign(name: string, found: Found): void {
    const change = `rename or drop it, or set the input 'app' so previews get other names`;
    if (found.role && found.roleMark !== this.mark) {
      throw new DataError(
        `a role named ${name} already exists on PostgreSQL at ${this.session.target.server} and was not created by faas-preview for ${this.o.repo}: ${change}`,
      );
    }
    if (found.databaseOwner !== null && found.databaseOwner !== name) {
      throw new DataError(
        `a database named ${name} already exists on PostgreSQL at ${this.session.target.server}, owned by '${found.databaseOwner}', not by the preview's role: ${change}`,
      );
    }
  }

  /**
   * Creates the marked role (or sets the existing one's password) in one transaction, and makes the admin a member
   * of it: a non-superuser may create a database owned by another role, and drop it later, only as its member.
   */
  private async writeRole(name: string, password: string, exists: boolean): Promise<void> {
    const role = quoteIdent(name);
    const secret = this.session.literal(scramVerifier(password));
    const statements = exists
      ? [`ALTER ROLE ${role} WITH LOGIN PASSWORD ${secret}`]
      : [
          `CREATE ROLE ${role} WITH LOGIN PASSWORD ${secret}`,
          `COMMENT ON ROLE ${role} IS ${this.session.literal(this.mark)}`,
        ];
    const sql = ['BEGIN', ...statements, `GRANT ${role} TO CURRENT_USER`, 'COMMIT'].join(';\n');
    try {
      await this.session.query(`${exists ? 'set the password of' : 'create'} role ${name}`, sql);
    } catch (err) {
      await this.session.query('roll back', 'ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async createDatabase(name: string): Promise<void> {
    const template = this.o.template ? ` TEMPLATE ${quoteTemplate(this.o.template)}` : '';
    const what = `create database ${name}${this.o.template ? ` from template '${this.o.template}'` : ''}`;
    try {
      await withRetry(
        () => this.session.query(what, `CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(name)}${template}`),
        {
          what,
          transient: (err) => (err instanceof DataError && err.code === SQLSTATE.objectInUse ? {} : false),
          log: this.session.log,
          policy: this.o.busyRetry ?? { ...DEFAULT_RETRY, baseDelayMs: 1_000 },
        },
      );
    } catch (err) {
      throw await this.explainCreate(err);
    }
    // PostgreSQL grants CONNECT on every new database to PUBLIC: other previews' roles could log in to this one.
    await this.session
      .query(`restrict connections to ${name}`, `REVOKE CONNECT, TEMPORARY ON DATABASE ${quoteIdent(name)} FROM PUBLIC`)
      .catch(async (err) => {
        await this.dropDatabase(name).catch((e) => this.session.log(String(e)));
        throw err;
      });
  }

  /** The template's problems in words a team can act on. */
  private async explainCreate(err: unknown): Promise<unknown> {
    const last = err instanceof RetriesExhausted ? err.last : err;
    const tpl = this.o.template;
    if (!(last instanceof DataError) || !tpl) return err;
    if (last.code === SQLSTATE.invalidCatalogName) {
      return new DataError(
        `${last.message}; input '${TEMPLATE_INPUT}' names a database that does not exist on this server (names are case-sensitive)`,
        last.code,
      );
    }
    if (last.code === SQLSTATE.insufficientPrivilege) {
      return new DataError(
        `${last.message}; a role that is not superuser can clone only a database marked as a template or one it owns: as its owner run ALTER DATABASE ${quoteTemplate(tpl)} IS_TEMPLATE true`,
        last.code,
      );
    }
    if (last.code !== SQLSTATE.objectInUse) return err;
    const sessions = await this.templateSessions(tpl);
    return new DataError(
      `${(err as Error).message}; PostgreSQL copies a template only while nobody else is connected to it${sessions}: ` +
        `keep applications, migrations and the seed off the template, or run ALTER DATABASE ${quoteTemplate(tpl)} ALLOW_CONNECTIONS false while nobody updates it`,
      last.code,
    );
  }

  /** ` (sessions now: alice ×2, postgres)`: who is connected to the template, as far as this role may see. */
  private async templateSessions(tpl: string): Promise<string> {
    const rows = await this.session
      .query<{ user: string | null; n: number }>(
        'list template sessions',
        'SELECT usename AS user, count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY usename ORDER BY 2 DESC',
        [tpl],
      )
      .catch(() => []);
    if (rows.length === 0) return '';
    return ` (sessions now: ${rows.map((r) => `${r.user ?? '?'}${r.n > 1 ? ` ×${r.n}` : ''}`).join(', ')})`;
  }

  private async dropDatabase(name: string): Promise<boolean> {
    await this.session.query(`drop database ${name}`, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`, [], {
      [SQLSTATE.insufficientPrivilege]:
        `WITH (FORCE) ends the database's sessions, which needs the right to signal them: a superuser's sessions must be ended by a superuser, ` +
        `other roles' need GRANT pg_signal_backend TO the admin role; "must be owner" means the admin role is no longer a member of role ${name} (GRANT ${quoteIdent(name)} TO it)`,
    });
    return true;
  }

  private async dropRole(name: string): Promise<boolean> {
    await this.session.query(`drop role ${name}`, `DROP ROLE IF EXISTS ${quoteIdent(name)}`, [], {
      [SQLSTATE.dependentObjects]: `the role still owns objects or holds privileges in the databases named above: in each, run REASSIGN OWNED BY ${quoteIdent(name)} TO <admin role>; DROP OWNED BY ${quoteIdent(name)}`,
    });
    return true;
  }
}
