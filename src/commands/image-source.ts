/**
 * The image a deploy runs (issue 15): prebuilt (`builder: none`), reused (the function already runs an image with
 * this push's build digest: no build, no push), retagged (another commit of the PR built this digest: its manifest
 * gets this commit's tag, no build), or built (with the registry layer cache; a fork PR reads it but never writes
 * it, so it cannot poison layers that trusted builds reuse). `rebuild: always` skips the digest and builds.
 */
import { reusableImage } from '../decide/backend-change.js';
import type { ImageSource } from '../preview.js';
import { isFork } from '../decide/event.js';
import { buildImage } from '../image/build.js';
import { BUILD_DIGEST_LABEL } from '../naming.js';
import { buildDigest, type BuildDigest } from '../image/digest.js';
import { retagByDigest } from '../image/retag.js';
import { log } from '../log.js';
import type { FunctionStatus } from '../openfaas/types.js';
import type { BuildSettings } from '../settings.js';
import type { Templates } from '../stack/templates.js';
import type { Services } from './services.js';
import type { Unit } from './units.js';

type Built = BuildSettings & { builder: Exclude<BuildSettings['builder'], 'none'> };

const digestWanted = (b: BuildSettings): b is Built => b.rebuild !== 'always' && b.builder !== 'none';

const computeDigest = (b: Built): Promise<BuildDigest> =>
  buildDigest({ builder: b.builder, context: b.context, dockerfile: b.dockerfile, buildArgs: b.buildArgs });

/** Digests started before the image is decided, by the build settings they are of. */
const ahead = new WeakMap<BuildSettings, Promise<BuildDigest>>();

/**
 * Starts `b`'s digest now, for the image decision to use: the deploy starts it while GitHub and the gateway are
 * asked (about 60 ms of reading and hashing on the bench, seconds for a large context). It only reads the context;
 * its outcome is logged when the decision takes it, so a run that stops before says nothing about it. Resolves once
 * it is computed (or failed), never rejects.
 */
export function digestAhead(b: BuildSettings): Promise<void> {
  if (!digestWanted(b)) return Promise.resolve();
  const digest = ahead.get(b) ?? computeDigest(b);
  ahead.set(b, digest);
  return digest.then(
    () => undefined,
    () => undefined, // taken by digestOf
  );
}

/** The digest, or undefined (and a log line) when it cannot be computed: the build then runs as before. */
async function digestOf(b: BuildSettings): Promise<string | undefined> {
  if (!digestWanted(b)) return undefined;
  try {
    const d = await (ahead.get(b) ?? computeDigest(b));
    log.info(
      `Build digest ${d.value}: ${d.entries} context entries, ${d.bytes} bytes${d.ignoreFiles.length ? `, ignore files ${d.ignoreFiles.join(', ')}` : ''}`,
    );
    return d.value;
  } catch (err) {
    log.warning(`no build digest (${(err as Error).message}); building as usual`);
    return undefined;
  }
}

export interface PreparedImage {
  backend: ImageSource;
  /** The image the function should run: this commit's tag, or the running image when it is reused. */
  image: string;
  /** A template's fprocess, for a stack function that sets none. */
  envProcess?: string;
}

/** Decides and makes one function's image (stack functions get their build context made, and removed, here). */
export async function prepareImage(
  s: Services,
  unit: Unit,
  running: FunctionStatus | undefined,
  templates: Templates,
  building?: () => void,
): Promise<PreparedImage> {
  if (!unit.build) return { backend: { how: 'prebuilt' }, image: unit.tag };
  const made = unit.context ? await unit.context(templates) : undefined;
  try {
    const b = made
      ? { ...unit.build, context: made.context, dockerfile: made.dockerfile, buildArgs: made.buildArgs }
      : unit.build;
    return {
      ...(await imageFor(s, b, unit.tag, running, building)),
      ...(made?.fprocess ? { envProcess: made.fprocess } : {}),
    };
  } finally {
    await made?.cleanup();
  }
}

async function imageFor(
  s: Services,
  b: BuildSettings,
  tag: string,
  running: FunctionStatus | undefined,
  building?: () => void,
): Promise<PreparedImage> {
  const digest = await digestOf(b);
  if (digest) {
    const reuse = reusableImage(running, digest);
    if (reuse) {
      log.info(
        `Backend unchanged since ${reuse.since.slice(0, 7)}: the function already runs ${reuse.image}, built from digest ${digest}; no build, no push`,
      );
      return { backend: { how: 'reused', digest, since: reuse.since }, image: reuse.image };
    }
    const retag = await retagByDigest(b, s.ctx.pr!.number, tag, digest, {
      timeoutMs: s.settings.requestTimeoutMs,
      log: log.info,
    }).catch((err: Error) => {
      log.warning(`could not look for an image of this digest in the registry (${err.message}); building`);
      return undefined;
    });
    if (retag?.retagged) {
      log.info(
        `Retagged ${retag.from} as ${tag}: commit ${retag.sha.slice(0, 7)} built the same digest ${digest}; no build`,
      );
      return { backend: { how: 'retagged', digest, from: retag.sha }, image: tag };
    }
    if (retag) log.info(retag.reason);
  }
  const fork = isFork(`${s.ctx.repo.owner}/${s.ctx.repo.repo}`, s.ctx.pr!.headRepo);
  log.info(`Building ${tag} with ${b.builder}`);
  const result = await buildImage(b, tag, {
    labels: digest ? { [BUILD_DIGEST_LABEL]: digest } : {},
    cache: { write: !fork },
    log: log.info,
    building,
  });
  for (const w of result.warnings) log.warning(w);
  return { backend: { how: 'built', digest, cache: result.cache }, image: tag };
}
