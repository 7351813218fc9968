/**
 * Fetching a template repository named by `configuration.templates[].source`, as faas-cli's `template pull`
 * does: `git clone <url> <dir> --depth=1 --config core.autocrlf=false [-b <ref>]` (versioncontrol/git.go), with the
 * ref pinned by `<url>#<ref>` (versioncontrol/parse.go: the pin character is '#'; a branch or tag, since `-b`
 * takes no commit SHA).
 *
 * The URL comes from the pull request, so: only https, http, ssh, git and `git@host:path` remotes (the schemes
 * faas-cli recognises) plus `file://` inside the workspace (faas-cli also clones a local path); git runs with the
 * allow-listed child environment, no terminal prompt, only those protocols (GIT_ALLOW_PROTOCOL, which also covers
 * redirects), outside any repository (so no checkout's credential config applies), bounded in time; and the URL's
 * userinfo never reaches an error or the log.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputError, show, showUrl } from '../rules/errors.js';
import { containedPath } from '../rules/paths.js';
import { childEnv } from '../process/env.js';
import { killGroup } from '../process/group.js';
import { sanitize } from '../text/untrusted.js';

export interface TemplateRepo {
  /** What git clones. */
  url: string;
  /** Branch or tag from `#<ref>`. */
  ref?: string;
  /** The URL as errors and logs show it: userinfo replaced by `***`. */
  display: string;
}

const REMOTE = /^(?:(?:https?|ssh|git):\/\/|git@[-\w.]+:)[^\s#]+$/;
const REF = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)(?!.*\/$)[-\w./]+$/;
const ACCEPTED =
  "a git URL (https://, ssh://, git://, git@host:path, or file:// inside the workspace), optionally pinned with '#<branch or tag>'";

/** The repository and ref of a `source`; a message (without the URL's credentials) when it is not one. */
export function parseSource(source: string, workspace: string): TemplateRepo | string {
  const hash = source.indexOf('#');
  const url = hash < 0 ? source : source.slice(0, hash);
  const ref = hash < 0 ? undefined : source.slice(hash + 1);
  const display = `${showUrl(url).slice(1, -1)}${ref === undefined ? '' : `#${ref}`}`;
  if (ref !== undefined && !REF.test(ref)) return `${show(ref)} is not a branch or tag name git accepts; ${ACCEPTED}`;
  const pinned = ref === undefined ? {} : { ref };
  if (url.startsWith('file://')) {
    let local: string;
    try {
      local = containedPath('source', fileURLToPath(url), {
        base: workspace,
        workspace,
        kind: 'directory',
        mustExist: true,
      });
    } catch (err) {
      return `${showUrl(url)}: ${err instanceof InputError ? err.problem : (err as Error).message}`;
    }
    return { url: pathToFileURL(local).href, display, ...pinned };
  }
  if (!REMOTE.test(url)) return `${showUrl(url)} is not ${ACCEPTED}`;
  return { url, display, ...pinned };
}

export interface CloneOptions {
  /** Give up after this long (the clone is killed). */
  timeoutMs: number;
  /** The environment the allow-list picks from (tests pass their own). */
  parent?: NodeJS.ProcessEnv;
}

/**
 * Clones `repo` into `dir` (which must not exist yet); rejects with a message naming the display URL. git runs in
 * its own process group, so the timeout also ends the transport helper it starts (git-remote-http).
 */
export function cloneRepo(repo: TemplateRepo, dir: string, o: CloneOptions): Promise<void> {
  const args = [
    'clone',
    '--depth=1',
    '--config',
    'core.autocrlf=false',
    ...(repo.ref ? ['-b', repo.ref] : []),
    '--',
    repo.url,
    dir,
  ];
  const env = childEnv({ GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: 'https:http:ssh:git:file' }, o.parent);
  const what = `git clone of ${repo.display}`;
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env, cwd: '/', detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL)));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid!, 'SIGKILL'); // an empty group would throw from this timer and end the run
    }, o.timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(err.code === 'ENOENT' ? `${what} failed: git is not installed` : `${what} failed: ${err.message}`),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut)
        return reject(new Error(`${what} did not finish within ${Math.round(o.timeoutMs / 1000)} s and was stopped`));
      if (code === 0) return resolve();
      const said = sanitize(redact(stderr).split('\n').filter(Boolean).slice(-3).join(' | '), { max: 500 });
      reject(new Error(`${what} failed (exit code ${code}): ${said || 'no message'}`));
    });
  });
}

const STDERR_TAIL = 8_192;

/** userinfo in any URL git may echo. */
function redact(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1***@');
}
