/**
 * Which files of the build context a builder can see, for every builder generation the action may meet, measured
 * here with the real programs (see __tests__/integration/image-digest-context-real.test.ts) and read from their
 * sources:
 *
 * | generation                        | ignore file                                         | compile | match          | prune  |
 * | docker 20.10, classic builder     | `.dockerignore`                                     | old     | legacy         | docker |
 * | docker 20.10, BuildKit            | `<Dockerfile>.dockerignore`, else `.dockerignore`   | old     | legacy         | docker |
 * | docker ≥ 23 CLI, classic builder  | `.dockerignore`                                     | modern  | parent-results | docker |
 * | BuildKit (buildx)                 | `<Dockerfile>.dockerignore`, else `.dockerignore`   | modern  | parent-results | fsutil |
 * | buildah 1.28, podman 4.3          | `<Containerfile>.dockerignore`, `….containerignore`, `.containerignore`, `.dockerignore` (first found) | old | parents | buildah |
 *
 * A file counts when any generation of the chosen builder would send it: a digest that misses a file the builder
 * copies would reuse a stale image, while one extra file only costs a rebuild. Pruning is where a builder's walk stops
 * descending into an excluded directory; it matters because the legacy matcher alone would let files under an
 * excluded directory back in.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  compilePatterns,
  excluded,
  readIgnoreLines,
  type Compiler,
  type IgnoreSyntax,
  type MatchRule,
  type ParentInfo,
  type Pattern,
} from './ignore.js';

type Prune = 'docker' | 'fsutil' | 'buildah';
type IgnoreChoice = 'context' | 'dockerfile-first' | 'containerfile-first';

interface Generation {
  choice: IgnoreChoice;
  syntax: IgnoreSyntax;
  compiler: Compiler;
  rule: MatchRule;
  prune: Prune;
}

const GENERATIONS: Record<'docker' | 'containers', Generation[]> = {
  docker: [
    { choice: 'context', syntax: 'docker', compiler: 'old', rule: 'legacy', prune: 'docker' },
    { choice: 'dockerfile-first', syntax: 'docker', compiler: 'old', rule: 'legacy', prune: 'docker' },
    { choice: 'context', syntax: 'docker', compiler: 'modern', rule: 'parent-results', prune: 'docker' },
    { choice: 'dockerfile-first', syntax: 'docker', compiler: 'modern', rule: 'parent-results', prune: 'fsutil' },
  ],
  containers: [
    { choice: 'containerfile-first', syntax: 'imagebuilder', compiler: 'old', rule: 'parents', prune: 'buildah' },
  ],
};

/** One way of selecting the context's files: a generation with its ignore file read. */
export interface Selection {
  patterns: Pattern[];
  rule: MatchRule;
  prune: Prune;
  /** The ignore file it read, if any. */
  file?: string;
}

/** The ignore file each choice reads, first found wins; paths are absolute. */
function candidates(choice: IgnoreChoice, context: string, dockerfile: string): string[] {
  const ctx = (name: string) => path.join(context, name);
  switch (choice) {
    case 'context':
      return [ctx('.dockerignore')];
    case 'dockerfile-first':
      return [`${dockerfile}.dockerignore`, ctx('.dockerignore')];
    case 'containerfile-first':
      // buildah checks .containerignore, then lets .dockerignore override it, beside the Containerfile.
      return [
        `${dockerfile}.dockerignore`,
        `${dockerfile}.containerignore`,
        ctx('.containerignore'),
        ctx('.dockerignore'),
      ];
  }
}

export type BuilderFamily = keyof typeof GENERATIONS;

export function builderFamily(builder: 'docker' | 'buildah' | 'podman'): BuilderFamily {
  return builder === 'docker' ? 'docker' : 'containers';
}

/**
 * Every selection the builder family may use, with the text of each ignore file read (for the digest: the files'
 * own bytes count even where their effect does not change the selected set). `dockerfile` is absolute.
 */
export async function selectionsFor(
  family: BuilderFamily,
  context: string,
  dockerfile: string,
): Promise<{ selections: Selection[]; ignoreFiles: Map<string, Buffer> }> {
  const ignoreFiles = new Map<string, Buffer>();
  const read = async (file: string): Promise<Buffer | undefined> => {
    if (!ignoreFiles.has(file)) {
      const data = await fs.readFile(file).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
        throw new Error(`cannot read the ignore file ${file}: ${err.message}`);
      });
      if (data) ignoreFiles.set(file, data);
    }
    return ignoreFiles.get(file);
  };
  const selections: Selection[] = [];
  for (const g of GENERATIONS[family]) {
    let file: string | undefined;
    for (const candidate of candidates(g.choice, context, dockerfile)) {
      if (await read(candidate)) {
        file = candidate;
        break;
      }
    }
    const lines = file ? readIgnoreLines(ignoreFiles.get(file)!.toString('utf8'), g.syntax) : [];
    selections.push({ patterns: compilePatterns(lines, g.compiler, file ?? ''), rule: g.rule, prune: g.prune, file });
  }
  return { selections, ignoreFiles };
}

/** What one selection knows of a directory on the way down. */
export interface DirState {
  /** Its walk reached this directory. */
  visible: boolean;
  info: ParentInfo;
}

export const ROOT_STATE: DirState = { visible: true, info: undefined };

/** One selection's verdict on an entry: sent to the builder, and (for a directory) walked into. */
export function judge(
  s: Selection,
  rel: string,
  isDir: boolean,
  parent: DirState,
): { included: boolean; descend: DirState } {
  if (!parent.visible) return { included: false, descend: { visible: false, info: undefined } };
  const r = excluded(s.patterns, s.rule, rel, parent.info);
  const walk = isDir && (!r.excluded || (walksInto(s, rel) && someExceptionBelow(s.patterns, rel)));
  return { included: !r.excluded, descend: { visible: walk, info: r.info } };
}

const WILDCARD = /[*[\]?^\\]/;

/** The builder's own rule for walking into an excluded directory. */
function walksInto(s: Selection, dir: string): boolean {
  const exceptions = s.patterns.filter((p) => p.exclusion);
  if (exceptions.length === 0) return false;
  if (s.prune === 'buildah') return true;
  const trim = s.prune === 'fsutil' ? withoutTrailingGlob : (t: string) => t;
  if (s.prune === 'fsutil' && exceptions.some((p) => WILDCARD.test(withoutTrailingGlob(p.text)))) return true;
  return exceptions.some((p) => (trim(p.text) + '/').startsWith(dir + '/'));
}

function withoutTrailingGlob(text: string): string {
  return text.replace(/\/\*\*$/, '').replace(/\/\*$/, '');
}

/**
 * Whether some exception could match a path below `dir`: its literal start (up to the first wildcard) and `dir/`
 * must agree. Without one, nothing below an excluded directory comes back under the parents and parent-results rules,
 * so skipping it changes nothing but the time spent.
 */
function someExceptionBelow(patterns: Pattern[], dir: string): boolean {
  const prefix = dir + '/';
  return patterns.some((p) => {
    if (!p.exclusion) return false;
    const literal = p.text.split(WILDCARD)[0];
    return prefix.startsWith(literal) || literal.startsWith(prefix);
  });
}
