/**
 * Where each template comes from: template/<lang>/ beside the stack file when it is there (faas-cli's templates
 * live in ./template/ and a pull never overwrites one), otherwise the repository a `configuration.templates` entry
 * of that name gives as its `source`, cloned once per run into a temporary directory (git.ts). A template found
 * in neither is an error with the one-line fix.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { show } from '../rules/errors.js';
import { containedPath } from '../rules/paths.js';
import { StackError, type Where } from './errors.js';
import { contained } from './files.js';
import { cloneRepo, parseSource, type TemplateRepo } from './git.js';
import type { Stack } from './parse.js';

export interface TemplatesOptions {
  /** Where clones go (the runner's RUNNER_TEMP); default the OS temp directory. */
  tmp?: string;
  /** How long one clone may take; default 120 s. */
  cloneTimeoutMs?: number;
  /** One line per clone started (the job log). */
  log?: (line: string) => void;
  /** The environment git's allow-list picks from; default the action's. */
  parent?: NodeJS.ProcessEnv;
}

export class Templates {
  private readonly clones = new Map<string, Promise<string>>();
  private readonly dirs: string[] = [];

  constructor(
    private readonly stack: Stack,
    private readonly o: TemplatesOptions = {},
  ) {}

  /** The real path of template `lang`'s directory; `where` names the function that needs it. */
  async dir(lang: string, where: Where): Promise<string> {
    if (existsSync(path.join(this.stack.dir, 'template', lang)))
      return contained(path.join('template', lang), 'directory', this.stack, where);
    const entry = this.stack.templates.find((t) => t.name === lang && t.source);
    if (!entry?.source) {
      throw new StackError(
        where,
        `template ${show(lang)} is not in ${path.join(path.dirname(this.stack.display), 'template', lang)} and no configuration.templates entry named ${show(lang)} has a source; run \`faas-cli template store pull ${lang}\` next to ${path.basename(this.stack.display)} and commit template/${lang}`,
      );
    }
    const source: Where = {
      file: this.stack.display,
      field: `configuration.templates.${this.stack.templates.indexOf(entry)}.source`,
    };
    const repo = parseSource(entry.source, this.stack.workspace);
    if (typeof repo === 'string') throw new StackError(source, repo);
    const clone = await this.clone(repo).catch((err: Error) => {
      throw new StackError(source, err.message);
    });
    const dir = path.join(clone, 'template', lang);
    if (!existsSync(dir))
      throw new StackError(where, `template ${show(lang)} is not in ${repo.display}: it has no template/${lang}`);
    try {
      return containedPath('source', dir, { base: clone, workspace: clone, kind: 'directory', mustExist: true });
    } catch {
      throw new StackError(where, `template/${lang} of ${repo.display} is a link out of the repository`);
    }
  }

  private clone(repo: TemplateRepo): Promise<string> {
    const key = `${repo.url}#${repo.ref ?? ''}`;
    let clone = this.clones.get(key);
    if (clone === undefined) {
      clone = this.fetch(repo);
      this.clones.set(key, clone);
    }
    return clone;
  }

  private async fetch(repo: TemplateRepo): Promise<string> {
    const parent = await mkdtemp(path.join(this.o.tmp ?? tmpdir(), 'faas-preview-templates-'));
    this.dirs.push(parent);
    this.o.log?.(`Fetching templates from ${repo.display}`);
    const dir = path.join(parent, 'repo');
    await cloneRepo(repo, dir, { timeoutMs: this.o.cloneTimeoutMs ?? 120_000, parent: this.o.parent });
    return realpathSync(dir);
  }

  /** Removes every clone. */
  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}
