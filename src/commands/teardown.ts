/**
 * teardown: the saved sleeping spec (read, then forgotten, so no waker brings it back) → function → data
 * (on-teardown hook, secrets, database) → assets → image tags → deployments → comment → the preview's record, which
 * becomes a tombstone the edge answers 410 from (state/closed.ts). Every step tolerates "already gone", so it
 * succeeds when nothing was deployed and when it runs twice. A step that fails does not stop
 * the others (a registry that refuses deletes must not keep a deployment active); the run then fails naming every
 * failed step, and the record stays, so the sweeper finishes the job later (sweep.ts).
 * The comment ends as a receipt of what this teardown removed, and of what it kept and why.
 */
import { deletePrefix } from '../assets/sync.js';
import { renderComment } from '../github/comment-text.js';
import { PreviewComment } from '../github/comment.js';
import { markInactive } from '../github/deployments.js';
import { deletePrTags } from '../image/tag-cleanup.js';
import { bucketPrefix, environmentName, functionsOfPreview, previewName, previewUrl } from '../naming.js';
import { writeOutputs } from '../report.js';
import { saveClosed } from '../state/closed.js';
import { deleteMadeRoom } from '../state/made-room.js';
import { deleteRecord, readRecord, recordRepositories } from '../state/records.js';
import type { StateStore } from '../state/store.js';
import { clearWaking, deleteSleeping, readSleeping } from '../state/sleeping.js';
import { deleteVisit } from '../state/visits.js';
import { inlineCode } from '../text/untrusted.js';
import { removeData } from './preview-data.js';
import type { FunctionDeployment, FunctionStatus } from '../openfaas/types.js';
import type { Services } from './services.js';
import { log } from '../log.js';

export interface TeardownReport {
  name: string;
  /** Every function of the preview that this teardown deleted: `<name>`, and `<name>-<fn>` for a stack's others. */
  functionsDeleted: string[];
  objectsDeleted: number;
  tagsDeleted: string[];
  deploymentsInactivated: number;
  commented: boolean;
  /** The receipt: one line per thing removed (Markdown). */
  removed: string[];
  /** What was left on purpose, with why (Markdown). */
  kept: string[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `listed`: the gateway's functions when the caller has just listed them (the sweeper lists once per run). */
export async function teardownPreview(
  s: Services,
  pr: number,
  reason: string,
  listed?: FunctionStatus[],
): Promise<TeardownReport> {
  const { settings, ctx, octokit } = s;
  const name = previewName(settings.app, pr);
  const r: TeardownReport = {
    name,
    functionsDeleted: [],
    objectsDeleted: 0,
    tagsDeleted: [],
    deploymentsInactivated: 0,
    commented: false,
    removed: [],
    kept: [],
  };
  const failures: string[] = [];
  const step = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      failures.push(`${what}: ${(err as Error).message}`);
      log.error(`teardown of ${name}: ${what} failed: ${(err as Error).message}`);
    }
  };

  const store = s.state;
  // What a sleeping preview saved is read before it is forgotten: its images name the repositories to clean.
  let saved: Saved = { specs: [], repositories: [] };
  if (store) await step('reading the saved specs', async () => void (saved = await savedSpecs(store, name)));
  // Then forgotten, so that a waker can no longer bring a closed PR's preview back while the rest goes.
  if (store) await step('forgetting the sleeping preview', () => deleteSleeping(store, name));
  // What the edge service wrote of the preview (a wake's mark, its last visit, a note that it was put to sleep to make
  // room for a wake) goes with it: the sweeper would only delete a closed PR's note anyway.
  if (store)
    await step("forgetting the edge's marks", async () => {
      await Promise.all([clearWaking(store, name), deleteVisit(store, name), deleteMadeRoom(store, name)]);
    });
  const images = saved.specs.map((x) => x.image);
  await step(
    'deleting the functions',
    async () => void images.push(...(await removeFunctions(s, saved.specs, r, listed))),
  );
  await step('removing the preview data', async () => {
    const sha = s.ctx.pr?.number === pr ? s.ctx.pr.headSha : '';
    r.removed.push(...(await removeData(s, { name, pr, sha, url: previewUrl(settings.urlTemplate, name, pr, sha) })));
  });
  const s3 = s.bucket;
  if (settings.assets && s3) {
    const { bucket } = settings.assets;
    await step('deleting the static assets', async () => {
      r.objectsDeleted = (await deletePrefix(s3, bucket, bucketPrefix(name))).deleted;
      log.info(`Deleted ${r.objectsDeleted} objects under s3://${bucket}/${bucketPrefix(name)}`);
      if (r.objectsDeleted)
        r.removed.push(`${plural(r.objectsDeleted, 'static asset')} under \`${bucketPrefix(name)}\``);
    });
  }
  if (settings.build.deleteImage && settings.build.builder !== 'none')
    await step('deleting the image tags', () =>
      deleteTags(s, pr, tagRepositories(settings.build.repository, images, pr, saved.repositories), r),
    );
  if (settings.github.deployment) {
    await step('marking the deployment inactive', async () => {
      r.deploymentsInactivated = await markInactive(octokit, ctx.repo, environmentName(name), ctx.runUrl);
      if (r.deploymentsInactivated) r.removed.push(`the deployment \`${environmentName(name)}\` (marked inactive)`);
    });
  }
  if (settings.github.comment) {
    await step('updating the PR comment', async () => {
      // Only edit an existing comment: a PR that never had a preview gets no comment on close.
      const body = renderComment({
        state: 'torn-down',
        name,
        runUrl: ctx.runUrl,
        time: s.now().toISOString(),
        reason,
        removed: r.removed,
        kept: r.kept,
      });
      r.commented =
        (await new PreviewComment(octokit, ctx.repo, pr, name, (line) => log.info(line)).write(body, {
          updateOnly: true,
        })) !== undefined;
    });
  }
  if (failures.length)
    throw new Error(
      `teardown of ${name} is incomplete (the sweeper finishes it from its record): ${failures.join('; ')}`,
    );
  if (store) {
    // The edge answers the preview's address with 410 and this reason from now on (state/closed.ts).
    const githubRepository = `${ctx.repo.owner}/${ctx.repo.repo}`;
    await saveClosed(store, { name, pr, githubRepository, reason, closedAt: s.now().toISOString() });
    await deleteRecord(store, name);
  }
  return r;
}

interface Saved {
  specs: FunctionDeployment[];
  /** Repositories the PR's deploys pushed to (PreviewRecord.repositories). */
  repositories: string[];
}

/** What the preview's record and its sleeping state hold (a stack's functions; a sleeping preview has no other trace). */
async function savedSpecs(store: StateStore, name: string): Promise<Saved> {
  const [record, sleeping] = await Promise.all([readRecord(store, name), readSleeping(store, name)]);
  return { specs: [...(record?.specs ?? []), ...(sleeping?.specs ?? [])], repositories: recordRepositories(record) };
}

/**
 * This preview's functions: `<name>` always (removing a function that is not there is harmless), the stack's
 * `<name>-<fn>` the gateway lists with this repository's labels, and any other the saved specs name. The gateway and
 * the record are asked, not the stack file: a close event's checkout may lack the file, or hold a later version.
 */
function previewFunctions(
  s: Services,
  name: string,
  saved: FunctionDeployment[],
  all: FunctionStatus[],
): { name: string; image: string }[] {
  const { settings, ctx } = s;
  const listed = functionsOfPreview(all, { ...ctx.repo, app: settings.app }, name);
  const names = new Set([
    name,
    ...listed.map((f) => f.name),
    ...saved.map((x) => x.service).filter((n) => n.startsWith(`${name}-`)),
  ]);
  return [...names].map((n) => ({ name: n, image: listed.find((f) => f.name === n)?.image ?? '' }));
}

/** Deletes the preview's functions, noting each in the receipt; returns the images they ran. */
async function removeFunctions(
  s: Services,
  saved: FunctionDeployment[],
  r: TeardownReport,
  listed?: FunctionStatus[],
): Promise<string[]> {
  const fns = previewFunctions(s, r.name, saved, listed ?? (await s.gateway.list()));
  for (const f of fns) {
    const deleted = await s.gateway.remove(f.name);
    log.info(deleted ? `Function ${f.name} deleted` : `Function ${f.name} was not on the gateway`);
    if (!deleted) continue;
    r.functionsDeleted.push(f.name);
    r.removed.push(`the function \`${f.name}\``);
  }
  return fns.map((f) => f.image);
}

/**
 * The build repository, every other repository a function of this PR ran a `pr-<n>-` tag of (a stack's), and the
 * repositories the PR's deploys recorded pushing to (`pushed`: functions that never ran or were dropped since).
 */
export function tagRepositories(
  buildRepository: string,
  images: string[],
  pr: number,
  pushed: string[] = [],
): string[] {
  const tagged = images
    .map((image) => image.match(new RegExp(`^(.+):pr-${pr}-[0-9a-f]{7}$`))?.[1])
    .filter((r): r is string => r !== undefined);
  return [...new Set([buildRepository, ...tagged, ...pushed].filter(Boolean))];
}

/** This PR's tags in each repository; named with their repository when several repositories had some. */
async function deleteTags(s: Services, pr: number, repositories: string[], r: TeardownReport): Promise<void> {
  const deleted: { repository: string; tag: string }[] = [];
  for (const repository of repositories) {
    const cleanup = await deletePrTags({ ...s.settings.build, repository }, pr, {
      octokit: s.octokit,
      timeoutMs: s.settings.requestTimeoutMs,
      log: (line) => log.info(line),
    });
    deleted.push(...cleanup.deleted.map((tag) => ({ repository, tag })));
    if (cleanup.unsupported) {
      log.warning(cleanup.unsupported);
      r.kept.push(`image tags: ${inlineCode(cleanup.unsupported, 400)}`);
    }
    for (const k of cleanup.kept) r.kept.push(`image tag \`${k.tag}\`: ${inlineCode(k.reason, 300)}`);
  }
  const several = new Set(deleted.map((d) => d.repository)).size > 1;
  r.tagsDeleted = deleted.map((d) => (several ? `${d.repository}:${d.tag}` : d.tag));
  log.info(`Deleted image tags: ${r.tagsDeleted.join(', ') || 'none'}`);
  if (r.tagsDeleted.length)
    r.removed.push(`${plural(r.tagsDeleted.length, 'image tag')} ${r.tagsDeleted.map((t) => `\`${t}\``).join(', ')}`);
}

export async function teardown(s: Services): Promise<void> {
  const pr = s.ctx.pr;
  if (!pr)
    throw new Error(`command 'teardown' needs a pull_request or pull_request_target event, got '${s.ctx.eventName}'`);
  const report = await teardownPreview(
    s,
    pr.number,
    pr.merged ? `PR #${pr.number} was merged` : `PR #${pr.number} was closed`,
  );
  await writeOutputs(
    { result: 'torn-down', name: report.name, bucketPrefix: s.settings.assets ? bucketPrefix(report.name) : undefined },
    'Preview torn down',
    [
      ['Functions deleted', report.functionsDeleted.join(', ') || 'none (already gone)'],
      ['Objects deleted', String(report.objectsDeleted)],
      ['Image tags deleted', report.tagsDeleted.join(', ') || 'none'],
      ['Deployments marked inactive', String(report.deploymentsInactivated)],
    ],
  );
}
