/**
 * The build digest: a content address of what determines the preview image, so a push that changes nothing the
 * build can see reuses the image it already has. It covers
 * - every file of the build context the builder can see (context-rules.ts: `.dockerignore` / `.containerignore` as
 *   each builder generation reads them): path, type, permission bits, and the content of files or target of symlinks
 *   (symlinks are not followed, as COPY does not follow them); never mtimes, owners or the context's own location;
 * - the Dockerfile's content, wherever it lives (outside the context, or ignored by it), and every ignore file read;
 * - the build args, the target platform, and anything the caller adds (`extra`).
 * It does not cover what the build fetches (a base image tag that moves, `RUN curl …`): `rebuild: always` is for that.
 *
 * Files are read as streams, a bounded number at a time, so a large context neither exhausts file descriptors nor
 * memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { builderFamily, judge, ROOT_STATE, selectionsFor, type DirState, type Selection } from './context-rules.js';

/** Bumped whenever what goes into the digest changes, so old labels never match new digests by accident. */
const FORMAT = 'faas-preview build digest v1';
/** Hex characters kept: 160 bits, and a valid Kubernetes label value (at most 63 characters). */
const LENGTH = 40;
const DEFAULT_CONCURRENCY = 16;
/** Files up to this size are read in one call; larger ones are streamed. */
const WHOLE_READ = 1 << 20;

export interface DigestInput {
  builder: 'docker' | 'buildah' | 'podman';
  /** Absolute path of the build context. */
  context: string;
  /** The Dockerfile, relative to the context (as the `dockerfile` input) or absolute. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  /** `os/arch[/variant]`; default: this machine's, which is what the builders build for without --platform. */
  platform?: string;
  /** Anything else that determines the image (e.g. a template version), as name → value. */
  extra?: Record<string, string>;
}

export interface BuildDigest {
  /** 40 lowercase hex characters. */
  value: string;
  /** Context entries covered (files, directories, symlinks). */
  entries: number;
  /** Bytes of file content read. */
  bytes: number;
  /** The ignore files read, relative to the context. */
  ignoreFiles: string[];
}

interface Entry {
  rel: string;
  abs: string;
  dirent: Dirent;
}

export async function buildDigest(input: DigestInput, o: { concurrency?: number } = {}): Promise<BuildDigest> {
  const context = path.resolve(input.context);
  const dockerfile = path.resolve(context, input.dockerfile);
  const limit = limiter(o.concurrency ?? DEFAULT_CONCURRENCY);
  const { entries, ignoreFiles } = await selectContext(input.builder, context, dockerfile, limit);
  let bytes = 0;
  const lines = await Promise.all(
    entries.map((e) =>
      limit(async () => {
        const line = await describe(e);
        bytes += line.bytes;
        return line.text;
      }),
    ),
  );
  const rel = (file: string) => path.relative(context, file);
  const header = {
    platform: input.platform ?? hostPlatform(),
    buildArgs: sorted(input.buildArgs),
    extra: sorted(input.extra ?? {}),
    dockerfile: await limit(() => hashFile(dockerfile, 'the Dockerfile')),
    ignoreFiles: [...ignoreFiles].map(([file, data]) => [rel(file), sha256(data)]).sort(),
  };
  const hash = createHash('sha256').update(`${FORMAT}\n${JSON.stringify(header)}\n`);
  for (const line of lines) hash.update(line + '\n');
  return {
    value: hash.digest('hex').slice(0, LENGTH),
    entries: entries.length,
    bytes,
    ignoreFiles: [...ignoreFiles.keys()].map(rel).sort(),
  };
}

/**
 * The context entries the builder may send, sorted by path, and the ignore files read. Exported for the tests that
 * compare it with what the real builders copy.
 */
export async function selectContext(
  builder: DigestInput['builder'],
  context: string,
  dockerfile: string,
  limit: Limit = limiter(DEFAULT_CONCURRENCY),
) {
  const { selections, ignoreFiles } = await selectionsFor(builderFamily(builder), context, dockerfile);
  const entries: Entry[] = [];
  await walk(
    context,
    '',
    selections.map(() => ROOT_STATE),
    selections,
    entries,
    limit,
  );
  entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { entries, ignoreFiles };
}

/** Collects the entries some selection includes; returns how many it collected under `dir`. */
async function walk(
  dir: string,
  rel: string,
  states: DirState[],
  selections: Selection[],
  out: Entry[],
  limit: Limit,
): Promise<number> {
  const dirents = await limit(() => fs.readdir(dir, { withFileTypes: true }));
  const counts = await Promise.all(
    dirents.map(async (d) => {
      const childRel = rel ? `${rel}/${d.name}` : d.name;
      if (d.name.includes('\uFFFD')) await requireUtf8Name(path.join(dir, d.name));
      const verdicts = selections.map((s, i) => judge(s, childRel, d.isDirectory(), states[i]));
      const included = verdicts.some((v) => v.included);
      const entry = { rel: childRel, abs: path.join(dir, d.name), dirent: d };
      if (!d.isDirectory()) {
        if (included) out.push(entry);
        return included ? 1 : 0;
      }
      const below = verdicts.some((v) => v.descend.visible)
        ? await walk(
            entry.abs,
            childRel,
            verdicts.map((v) => v.descend),
            selections,
            out,
            limit,
          )
        : 0;
      // An excluded directory with files sent from below still reaches the builder (BuildKit sends its metadata).
      if (included || below > 0) out.push(entry);
      return below + (included || below > 0 ? 1 : 0);
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** readdir decodes names as UTF-8, so a name that is not UTF-8 comes back with U+FFFD and cannot be opened. */
async function requireUtf8Name(file: string): Promise<void> {
  const exists = await fs.lstat(file).then(
    () => true,
    () => false,
  );
  if (!exists)
    throw new Error(
      `${file}: a file name that is not valid UTF-8 has no stable digest; rename it or add it to .dockerignore`,
    );
}

/** `[path, type, permission bits, content hash | link target]` as one JSON line; never opens anything but a file. */
async function describe(e: Entry): Promise<{ text: string; bytes: number }> {
  const st = await fs.lstat(e.abs);
  const mode = (st.mode & 0o7777).toString(8);
  if (e.dirent.isSymbolicLink())
    return { text: JSON.stringify([e.rel, 'symlink', mode, await fs.readlink(e.abs)]), bytes: 0 };
  if (st.isDirectory()) return { text: JSON.stringify([e.rel, 'dir', mode, '']), bytes: 0 };
  if (!st.isFile()) return { text: JSON.stringify([e.rel, 'special', mode, String(st.rdev)]), bytes: 0 };
  return { text: JSON.stringify([e.rel, 'file', mode, await hashFile(e.abs, e.rel, st.size)]), bytes: st.size };
}

async function hashFile(file: string, what: string, size?: number): Promise<string> {
  try {
    if (size !== undefined && size <= WHOLE_READ) return sha256(await fs.readFile(file));
    const hash = createHash('sha256');
    await pipeInto(file, hash);
    return hash.digest('hex');
  } catch (err) {
    throw new Error(`cannot read ${what} (${file}) for the build digest: ${(err as Error).message}`, { cause: err });
  }
}

function pipeInto(file: string, hash: Hash): Promise<void> {
  return new Promise((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve());
  });
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Node's architecture names → the OCI platform names the builders use. */
const OCI_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

export function hostPlatform(): string {
  return `linux/${OCI_ARCH[process.arch] ?? process.arch}`;
}

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/** At most `n` of the given tasks run at once; the others wait in order. */
function limiter(n: number): Limit {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    // A finishing task hands its slot straight to the next waiting one, so no newcomer can slip in between.
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
