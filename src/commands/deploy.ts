/**
 * deploy: guards → gateway facts and quota → record → image → PR head re-check → function → readiness → assets →
 * PR re-check → comment, deployment and outputs. Orchestration only.
 *
 * Each step that fails tells the PR what is true (pr-status.ts): before the gateway is touched the previous preview
 * is as it was; after, it depends on the provider (faasd replaces a function on update, faas-netes rolls). The PR
 * is asked again just before the function deploy and before anything is marked, so a run that a newer push or a
 * close overtook neither overwrites the newer preview's status nor leaves a preview behind a closed PR.
 */
import { syncAssets } from '../assets/sync.js';
import type { RunContext } from '../context.js';
import { deployGuard } from '../decide/event.js';
import { quotaDecision } from '../decide/quota.js';
import type { AssetCounts, FailedStep } from '../github/comment-text.js';
import { getPull } from '../github/pulls.js';
import { SPEC_DIGEST_LABEL, specDigest, unchangedFunction } from '../decide/backend.js';
import { BUILD_DIGEST_LABEL } from '../image/digest.js';
import { anonymousPullProblem } from '../image/public.js';
import { ANNOTATIONS, LABELS, bucketPrefix, imageTag, isManagedBy, previewLabels, previewName, previewUrl } from '../naming.js';
import type { Edition, Provider } from '../openfaas/client.js';
import { NotReady, waitUntilReady, type Readiness } from '../openfaas/readiness.js';
import type { FunctionDeployment, FunctionStatus } from '../openfaas/types.js';
import { writeOutputs } from '../report.js';
import type { Settings } from '../settings.js';
import { saveRecord } from '../state/previews.js';
import { deleteSleeping } from '../state/sleeping.js';
import { prepareImage, type Backend } from './backend.js';
import { PrStatus, type Facts } from './pr-status.js';
import { prepareData, previewEnv, type PreparedData } from './preview-data.js';
import type { Services } from './services.js';
import { teardownPreview } from './teardown.js';
import { log } from '../log.js';

export const SCALE_ZERO_LABEL = 'com.openfaas.scale.zero';

export interface SpecInput {
  /** Secrets and `<KEY>_FILE` variables of the preview's data (preview-data.ts). */
  data?: Pick<PreparedData, 'secrets' | 'env'>;
  /** The image's build digest, carried as a label so the next push can tell whether it changes the backend. */
  buildDigest?: string;
  name: string;
  image: string;
  owner: string;
  repo: string;
  pr: number;
  sha: string;
  url: string;
  edition: Edition;
  now: Date;
}

/** The FunctionDeployment body for a preview: user labels and env first, so ours (the contract) always win. */
export function functionSpec(settings: Settings, o: SpecInput): FunctionDeployment {
  const labels: Record<string, string> = { ...settings.fn.labels, ...previewLabels(o.owner, o.repo, o.pr, o.sha) };
  // Community Edition refuses com.openfaas.scale.zero* with 400; Pro and Edge wake a function at zero on its next request.
  if (o.edition === 'pro') labels[SCALE_ZERO_LABEL] = 'true';
  else delete labels[SCALE_ZERO_LABEL];
  if (o.buildDigest) labels[BUILD_DIGEST_LABEL] = o.buildDigest;
  const spec: FunctionDeployment = {
    service: o.name,
    image: o.image,
    envVars: { ...settings.fn.envVars, ...o.data?.env, ...previewEnv(o) },
    labels,
    annotations: { ...settings.fn.annotations, [ANNOTATIONS.deployedAt]: o.now.toISOString(), [ANNOTATIONS.url]: o.url },
    secrets: [...settings.fn.secrets, ...(o.data?.secrets ?? [])],
    limits: { memory: settings.fn.memoryLimit, cpu: settings.fn.cpuLimit },
  };
  labels[SPEC_DIGEST_LABEL] = specDigest(spec);
  return spec;
}

/** What is still true of the preview that ran before, when the deploy failed at `step`. */
export function previousVersion(step: FailedStep, provider: Provider | undefined, existed: boolean, gone = false): string {
  if (step === 'gateway' || step === 'state' || step === 'build' || step === 'image') return 'The function was not touched: the previous preview of this PR, if any, runs as it did.';
  if (step === 'data') {
    return existed
      ? 'The function was not touched: the previous version keeps running, with the database as the failed step left it.'
      : "This was the preview's first deploy: what it had created (database, secrets) was removed, so the next push starts clean.";
  }
  if (!existed) return 'This PR had no preview before, so nothing else answers at its URL.';
  if (step === 'assets') return "The function of this commit runs, but the pages may still be the previous commit's, or incomplete.";
  if (gone || !provider?.rolling) return 'faasd replaces a function on update, so the previous version of this preview no longer runs.';
  return 'faas-netes rolls updates out: the previous version of this preview keeps answering until a new one is ready.';
}

function skip(reason: string): Promise<void> {
  log.notice(reason);
  return writeOutputs({ result: 'skipped' }, 'Preview skipped', [['Reason', reason]]);
}

/** `undefined` when the PR is still open at this run's commit, else why this run must stop. */
async function overtaken(s: Services, pr: { number: number; headSha: string }): Promise<'closed' | string | undefined> {
  const live = await getPull(s.octokit, s.ctx.repo, pr.number);
  if (live.state !== 'open') return 'closed';
  if (live.headSha !== pr.headSha) return `superseded: PR #${pr.number} head is now ${live.headSha.slice(0, 7)}, this run is for ${pr.headSha.slice(0, 7)}; the newer push deploys`;
  return undefined;
}

export async function deploy(s: Services): Promise<void> {
  const pr = requirePr(s.ctx);
  const { settings, ctx } = s;
  const guard = deployGuard({
    eventName: ctx.eventName,
    baseRepo: `${ctx.repo.owner}/${ctx.repo.repo}`,
    headRepo: pr.headRepo,
    labels: pr.labels,
    gateLabel: settings.label,
    allowForkBuilds: settings.allowForkBuilds,
  });
  if (guard.kind === 'skip') {
    if (guard.level === 'warning') log.warning(guard.reason);
    return skip(guard.reason);
  }
  // The event may be minutes old (queued runs, re-runs): deploy only what the PR's head still is.
  const early = await overtaken(s, pr);
  if (early) return skip(early === 'closed' ? `PR #${pr.number} is closed; a closed PR gets no preview` : early);

  const name = previewName(settings.app, pr.number);
  const facts: Facts = {
    name,
    url: previewUrl(settings.urlTemplate, name, pr.number, pr.headSha),
    sha: pr.headSha,
    image: settings.build.builder === 'none' ? settings.build.prebuiltImage : imageTag(settings.build.repository, pr.number, pr.headSha),
    pr: pr.number,
  };
  await new DeployRun(s, facts, new PrStatus(s, facts)).run();
}

function requirePr(ctx: RunContext) {
  if (!ctx.pr) throw new Error(`command 'deploy' needs a pull_request or pull_request_target event, got '${ctx.eventName}'`);
  return ctx.pr;
}

/** Thrown by a step that failed because the PR was closed meanwhile (the teardown removed what it deployed). */
class ClosedMeanwhile extends Error {}

/** Steps that run after the gateway was written to: a close in the meantime explains their failure. */
const AFTER_DEPLOY = new Set<FailedStep>(['deploy', 'readiness', 'assets']);

/** One deploy after the guards: the steps in order, each failure reported as what it is. */
class DeployRun {
  private provider?: Provider;
  private existed = false;

  constructor(
    private readonly s: Services,
    private readonly facts: Facts,
    private readonly status: PrStatus,
  ) {}

  /** Runs `fn`; a failure is reported on the PR as a failed `step` and rethrown. */
  private async step<T>(step: FailedStep, fn: () => Promise<T>, gone?: (err: unknown) => boolean): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (AFTER_DEPLOY.has(step) && (await overtaken(this.s, { number: this.facts.pr, headSha: this.facts.sha }).catch(() => undefined)) === 'closed') {
        log.info(`${step} failed (${(err as Error).message}), and the PR was closed meanwhile`);
        throw new ClosedMeanwhile();
      }
      await this.status.failed(step, err, previousVersion(step, this.provider, this.existed, gone?.(err)));
      throw err;
    }
  }

  async run(): Promise<void> {
    try {
      await this.steps();
    } catch (err) {
      if (err instanceof ClosedMeanwhile) return this.closedMeanwhile();
      throw err;
    }
  }

  private async steps(): Promise<void> {
    const { s, facts } = this;
    const { settings, ctx } = s;
    const { provider, functions } = await this.step('gateway', async () => ({ provider: await s.gateway.provider(), functions: await s.gateway.list() }));
    this.provider = provider;
    const managed = functions.filter((f) => isManagedBy(f.labels, ctx.repo.owner, ctx.repo.repo)).map((f) => f.name);
    this.existed = managed.includes(facts.name);
    const quota = quotaDecision({ name: facts.name, app: settings.app, managed, total: functions.length, maxPreviews: settings.sweep.maxPreviews, edition: provider.edition });
    if (quota.kind === 'refuse') {
      log.warning(`preview ${facts.name} refused: ${quota.why === 'community-edition' ? `the gateway runs ${functions.length} functions, Community Edition's limit is ${quota.limit}` : `${quota.holders.length} previews hold the ${quota.limit} slots (input 'max-previews')`}`);
      return this.status.refused({ limit: quota.limit, holders: quota.holders, foreign: quota.foreign, why: quota.why });
    }
    await this.status.building();
    await this.record();
    const running = functions.find((f) => f.name === facts.name);
    const { backend, image } = await this.step('build', () => prepareImage(s, facts.image, running));
    facts.image = image;
    // Community Edition on Kubernetes runs public images only, and says nothing when it cannot (see image/public.ts).
    if (provider.edition === 'community' && provider.rolling) await this.step('image', () => this.checkPublic(provider));
    const before = await overtaken(s, { number: facts.pr, headSha: facts.sha });
    if (before) return this.stop(before === 'closed' ? `PR #${facts.pr} was closed while this run built it; not deployed` : before);

    const data = await this.step('data', () => prepareData(s, facts, !this.existed));
    const readiness = await this.deployFunction(provider, data, backend, running);
    const assets = await this.step('assets', () => this.syncAssets());
    const after = await overtaken(s, { number: facts.pr, headSha: facts.sha });
    if (after === 'closed') return this.closedMeanwhile();
    if (after) return this.stop(`${after} (this run's function was deployed; the newer run replaces it)`);
    await this.status.live(readiness, { assets, data, backend }, settings.assets ? bucketPrefix(facts.name) : undefined);
  }

  /** Overtaken by a newer push or a close: say so, retire this run's deployment, report nothing else. */
  private async stop(reason: string): Promise<void> {
    await this.status.overtaken(reason);
    return skip(reason);
  }

  private async checkPublic(provider: Provider): Promise<void> {
    const { settings } = this.s;
    const problem = await anonymousPullProblem(this.facts.image, { insecure: settings.build.registryInsecure, timeoutMs: settings.requestTimeoutMs, log: (line) => log.info(line) });
    if (!problem) return;
    throw new Error(
      `${provider.name} (OpenFaaS Community Edition on Kubernetes) only runs images anyone can pull, and ${this.facts.image} cannot be pulled without credentials (${problem}). ` +
        'Make the image public (GHCR: the package settings → Change visibility → Public), deploy to faasd, which pulls with its own credentials, or use OpenFaaS Pro with image pull secrets',
    );
  }

  private store() {
    const { settings, s3 } = this.s;
    return settings.assets && s3 ? { client: s3, bucket: settings.assets.bucket, statePrefix: settings.sweep.statePrefix } : undefined;
  }

  /** The preview's record in the bucket, before the first gateway write (teardown finishes from it). */
  private async record(): Promise<void> {
    const store = this.store();
    if (!store) return;
    const { name, pr, sha, image, url } = this.facts;
    await this.step('state', () => saveRecord(store, { name, pr, sha, image, url, updatedAt: this.s.now().toISOString() }));
  }

  /**
   * Once the function is ready: the record gains the spec (what the sweeper saves when the preview sleeps) and how
   * long readiness took (what a wake costs), and a saved sleeping spec goes (the preview is awake, on a newer spec).
   * The preview is live either way: a failure here is a warning.
   */
  private async awake(spec: FunctionDeployment | undefined, readyMs: number | undefined): Promise<void> {
    const store = this.store();
    if (!store) return;
    const { name, pr, sha, image, url } = this.facts;
    // An untouched function keeps the spec its last deploy recorded.
    const record = spec ? saveRecord(store, { name, pr, sha, image, url, updatedAt: this.s.now().toISOString(), specs: [spec], readyMs }) : undefined;
    await Promise.all([record, deleteSleeping(store, name)]).catch((err: Error) =>
      log.warning(`the preview is live, but its record in the bucket was not updated: ${err.message}`),
    );
  }

  private async deployFunction(provider: Provider, data: PreparedData, backend: Backend, running: FunctionStatus | undefined): Promise<Readiness> {
    const { s, facts } = this;
    const { settings, ctx } = s;
    const buildDigest = backend.how === 'prebuilt' ? undefined : backend.digest;
    const spec = functionSpec(settings, { ...facts, data, buildDigest, owner: ctx.repo.owner, repo: ctx.repo.repo, edition: provider.edition, now: s.now() });
    if (unchangedFunction(running, spec)) return this.confirmRunning(provider, running!);
    // faasd pulls the image inside the deploy request, so it may take as long as the readiness wait.
    const started = Date.now();
    const how = await this.step('deploy', () => s.gateway.deploy(spec, Math.max(settings.requestTimeoutMs, settings.fn.readyTimeoutMs)));
    log.info(`Function ${facts.name} ${how} on the gateway (${provider.name || 'unknown provider'}); waiting until ${settings.fn.readyPath} answers`);
    const readiness = await this.step(
      'readiness',
      () =>
        waitUntilReady(s.gateway, provider, { ...facts, readyPath: settings.fn.readyPath, created: how === 'created' }, { timeoutMs: settings.fn.readyTimeoutMs, requestTimeoutMs: settings.requestTimeoutMs }),
      (err) => err instanceof NotReady && err.gone,
    );
    await this.awake(spec, Date.now() - started);
    return readiness;
  }

  /** Neither the image nor the spec changed: the function is not touched, only asked whether it still answers. */
  private async confirmRunning(provider: Provider, running: FunctionStatus): Promise<Readiness> {
    const { settings } = this.s;
    const since = running.labels?.[LABELS.sha] ?? '';
    log.info(`Function ${this.facts.name} already runs this spec and image (deployed for ${since.slice(0, 7)}): not updated`);
    const target = { name: this.facts.name, image: running.image, sha: since, readyPath: settings.fn.readyPath, created: false };
    const readiness = await this.step('readiness', () => waitUntilReady(this.s.gateway, provider, target, { timeoutMs: settings.fn.readyTimeoutMs, requestTimeoutMs: settings.requestTimeoutMs }));
    await this.awake(undefined, undefined);
    return readiness;
  }

  private async syncAssets(): Promise<AssetCounts | undefined> {
    const a = this.s.settings.assets;
    if (!a?.staticDir || !this.s.s3) return undefined;
    const result = await syncAssets(this.s.s3, {
      bucket: a.bucket,
      prefix: bucketPrefix(this.facts.name),
      dir: a.staticDir,
      includeDotfiles: a.includeDotfiles,
      cacheControl: a.cacheControl,
      cacheControlFingerprinted: a.cacheControlFingerprinted,
      concurrency: a.concurrency,
      log: (line) => log.info(line),
    });
    return { uploaded: result.uploaded, skipped: result.skipped, deleted: result.deleted };
  }

  /** The PR closed while this run deployed: the teardown run may already be over, so this run tears down itself. */
  private async closedMeanwhile(): Promise<void> {
    await this.status.overtaken(`PR #${this.facts.pr} was closed during the deploy`);
    log.notice(`PR #${this.facts.pr} was closed during this deploy; tearing the preview down again`);
    const report = await teardownPreview(this.s, this.facts.pr, `PR #${this.facts.pr} was closed during a deploy`);
    await writeOutputs({ result: 'torn-down', name: report.name }, 'Preview torn down (PR closed during the deploy)');
  }
}
