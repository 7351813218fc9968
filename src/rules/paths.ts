/**
 * Paths the action reads from the runner (static-dir, context, dockerfile) and paths it writes into URLs and bucket
 * keys (api-path, ready-path, state-prefix). Local paths must stay inside the workspace with symbolic links
 * followed: a checkout is hostile input, and a link to the runner's home would otherwise be uploaded or built.
 */
import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { prFromName } from '../naming.js';
import { CONTROL, InputError, show, type Read } from './errors.js';

/** Whether `p` is `root` or below it (lexically; symbolic links are the callers' business). */
export function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The workspace with its own links resolved, so that a workspace under a linked /tmp still contains its files. */
export function realWorkspace(workspace: string): string {
  try {
    return realpathSync(workspace);
  } catch (err) {
    throw new Error(`the workspace ${workspace} (GITHUB_WORKSPACE) cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * `value` resolved against `base`, then to its real path, which must be a `kind` inside `workspace` (a real path).
 * Nothing outside the workspace is even looked at: a path that leaves it lexically is refused before any stat.
 * Without `mustExist`, a missing path is returned as resolved (a run that will not read it).
 */
export function containedPath(
  name: string,
  value: string,
  o: { base: string; workspace: string; kind: 'directory' | 'file'; mustExist: boolean },
): string {
  const resolved = path.resolve(o.base, value);
  const outside = `; use a ${o.kind} inside the workspace ${o.workspace}`;
  if (!inside(o.workspace, resolved))
    throw new InputError(name, `${show(value)} is ${resolved}, outside the workspace${outside}`);
  let real: string;
  try {
    real = realpathSync(resolved);
  } catch {
    if (!o.mustExist) return resolved;
    throw new InputError(name, `${show(value)} does not exist (looked for ${resolved})${outside}`);
  }
  if (!inside(o.workspace, real))
    throw new InputError(
      name,
      `${show(value)} resolves through a symbolic link to ${real}, outside the workspace${outside}`,
    );
  const stat = statSync(real);
  if (o.kind === 'directory' ? !stat.isDirectory() : !stat.isFile())
    throw new InputError(name, `${show(value)} is not a ${o.kind} (${real})`);
  return real;
}

/** RFC 3986 segment characters (pchar) without '%': an encoded '..' or '/' would be a way around these checks. */
const PCHAR = {
  pattern: /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/,
  rule: "letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @",
};
/** The api-path also goes into the comment and the edge configs: unreserved characters only. */
const UNRESERVED = { pattern: /^[A-Za-z0-9._~-]+$/, rule: "letters, digits, '-', '.', '_' and '~'" };

function segmentsProblem(segments: string[], chars: { pattern: RegExp; rule: string }): string | undefined {
  if (segments.some((s) => s === '')) return "has an empty segment ('//' or a trailing '/')";
  if (segments.some((s) => s === '.' || s === '..')) return "has a '.' or '..' segment";
  const bad = segments.find((s) => !chars.pattern.test(s));
  if (bad) return `has the segment ${show(bad)}; segments are ${chars.rule}`;
  return undefined;
}

/** A path prefix the edge routes (`api-path`, `functions-path`): a leading '/', unreserved segments, no trailing '/'. */
export function apiPath(read: Read, name = 'api-path', fallback = '/api'): string {
  const value = read(name) || fallback;
  const hint = `use a path like '${fallback}': a leading '/', no trailing '/'`;
  if (!value.startsWith('/') || value === '/')
    throw new InputError(name, `${show(value)} is not a path below '/'; ${hint}`);
  if (value.length > 256) throw new InputError(name, `is ${value.length} characters; at most 256`);
  if (/[?#]/.test(value) || CONTROL.test(value))
    throw new InputError(name, `${show(value)} has a query, fragment or control character; ${hint}`);
  const problem = segmentsProblem(value.slice(1).split('/'), UNRESERVED);
  if (problem) throw new InputError(name, `${show(value)} ${problem}; ${hint}`);
  return value;
}

export function readyPath(read: Read): string {
  const value = read('ready-path') || '/';
  const hint = "use a path under the function like '/' or '/healthz'";
  if (!value.startsWith('/')) throw new InputError('ready-path', `${show(value)} does not start with '/'; ${hint}`);
  if (value.length > 1024) throw new InputError('ready-path', `is ${value.length} characters; at most 1024`);
  if (CONTROL.test(value)) throw new InputError('ready-path', `${show(value)} has a control character; ${hint}`);
  if (/[?#]/.test(value))
    throw new InputError('ready-path', `${show(value)} has a query or fragment; the probe GETs a plain path, ${hint}`);
  const problem = value === '/' ? undefined : segmentsProblem(value.slice(1).replace(/\/$/, '').split('/'), PCHAR);
  if (problem) throw new InputError('ready-path', `${show(value)} ${problem}; ${hint}`);
  return value;
}

/** Bucket-key safe: state lives at `<state-prefix>/sweeper.json`, `…/previews/<name>.json` and `…/sleeping/<name>.json`. */
const STATE_SEGMENT = /^[A-Za-z0-9._-]+$/;

export function statePrefix(read: Read, app: string): string {
  const value = read('state-prefix') || '.faas-preview';
  const prefix = value.replace(/^\/+|\/+$/g, '');
  const hint = "use '/'-separated segments of letters, digits, '.', '_' and '-', like '.faas-preview'";
  if (!prefix) throw new InputError('state-prefix', `${show(value)} is empty once its slashes are removed; ${hint}`);
  if (prefix.length > 256) throw new InputError('state-prefix', `is ${prefix.length} characters; at most 256`);
  const segments = prefix.split('/');
  if (segments.includes(''))
    throw new InputError('state-prefix', `${show(value)} has an empty segment ('//'); ${hint}`);
  if (segments.some((s) => s === '.' || s === '..'))
    throw new InputError('state-prefix', `${show(value)} has a '.' or '..' segment; ${hint}`);
  const bad = segments.find((s) => !STATE_SEGMENT.test(s));
  if (bad) throw new InputError('state-prefix', `${show(value)} has the segment ${show(bad)}; ${hint}`);
  if (prFromName(app, segments[0]) !== undefined) {
    throw new InputError(
      'state-prefix',
      `${show(value)} lies under the assets of preview ${segments[0]}, whose teardown would delete the state; ${hint}`,
    );
  }
  return prefix;
}
