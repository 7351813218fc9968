/**
 * PostgreSQL names of a preview's database and role (both the same identifier), pure.
 *
 * The identifier is the preview name with `-` → `_` (`shop-pr-42` → `shop_pr_42`). Preview names are DNS labels of
 * at most 63 ASCII characters and never contain `_`, so the mapping is one-to-one and fits PostgreSQL's 63-byte
 * identifiers (NAMEDATALEN − 1) without truncation: two previews never share a database, and an identifier maps back
 * to exactly one preview name.
 *
 * Identifiers go into statements only validated AND double-quoted: quoting keeps PostgreSQL from folding case and
 * lets a name start with a digit (an app called `3d-shop`); validation makes the quotes unbreakable.
 */
import { isPreviewName, prFromName } from '../naming.js';

const IDENTIFIER = /^[a-z0-9_]{1,63}$/;
/** A template the team named: letters of either case, digits, `_`, `$` and `-`, as PostgreSQL shows it in `\l`. */
const TEMPLATE = /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$/;

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** The database and role name of a preview; throws for anything that is not a preview name. */
export function databaseName(preview: string): string {
  const ident = preview.replace(/-/g, '_');
  if (!isPreviewName(preview) || !isIdentifier(ident))
    throw new Error(`'${preview}' is not a preview name: a database name needs [a-z0-9-], at most 63 characters`);
  return ident;
}

/** `"name"` for a validated identifier; throws otherwise, so nothing unvalidated reaches a statement. */
export function quoteIdent(ident: string): string {
  if (!isIdentifier(ident))
    throw new Error(`refusing to put '${ident}' into SQL: identifiers here are [a-z0-9_], at most 63 characters`);
  return `"${ident}"`;
}

/** Why `name` cannot be the template input, or undefined when it can. */
export function templateProblem(name: string): string | undefined {
  if (TEMPLATE.test(name)) return undefined;
  return `'${name}' is not a database name this action uses: letters, digits, '_', '$' and '-', at most 63 characters, the exact name as \\l lists it`;
}

/** `"Name"` for a template name that passed templateProblem. */
export function quoteTemplate(name: string): string {
  const problem = templateProblem(name);
  if (problem) throw new Error(problem);
  return `"${name}"`;
}

/** The preview of `app` an identifier belongs to, or undefined when it is not one of this app's previews. */
export function previewOfIdentifier(app: string, ident: string): { name: string; pr: number } | undefined {
  if (!isIdentifier(ident)) return undefined;
  const name = ident.replace(/_/g, '-');
  const pr = prFromName(app, name);
  return pr === undefined ? undefined : { name, pr };
}
