/**
 * deploy: guards → gateway facts and quota → record → images → PR head re-check → data → functions → readiness →
 * HTML and stale deletes → PR re-check → comment, deployment and outputs. Orchestration only. What does not depend
 * on the new functions runs beside those steps instead of adding to them (issue 14): the build digest while GitHub
 * and the gateway are asked, the building comment and deployment from the start, and the static files but HTML from
 * the start of the build (asset-stages.ts).
 *
 * A preview is one function, or several with a stack file (units.ts); each step covers all of them. Each step that
 * fails tells the PR what is true (pr-status.ts): before the gateway is touched the previous preview is as it was;
 * after, it depends on the provider (faasd replaces a function on update, faas-netes rolls). The PR is asked again
 * just before the functions are deployed and before anything is marked, so a run that a newer push or a close
 * overtook neither overwrites the newer preview's status nor leaves a preview behind a closed PR.
 */
import type { RunContext } from '../context.js';
import { deployGuard } from '../decide/event.js';
import { quotaDecision, refusalText, type QuotaDecision, type QuotaInput, type Refusal } from '../decide/quota.js';
import { getPull } from '../github/pulls.js';
import { anonymousPull } from '../image/public.js';
import { log } from '../log.js';
import {
  bucketPrefix,
  functionsOfPreview,
  isManagedBy,
  previewName,
  previewOfFunction,
  previewUrl,
} from '../naming.js';
import type { Provider } from '../openfaas/client.js';
import { StatusError } from '../http/call.js';
import { NotReady } from '../openfaas/readiness.js';
import type { FunctionDeployment, FunctionStatus } from '../openfaas/types.js';
import { writeOutputs } from '../report.js';
import { deleteClosed } from '../state/closed.js';
import { readRecord, recordRepositories, saveRecord, type PreviewRecord } from '../state/records.js';
import { deleteSleeping } from '../state/sleeping.js';
import { AssetStages } from './asset-stages.js';
import type { DataUndo, FailedStep, ImageSource, Preview } from '../preview.js';
import { functionSpec, untouchedSpec } from './function-spec.js';
import { digestAhead } from './image-source.js';
import { makeRoom, roomPossible } from './make-room.js';
import { PrStatus } from './pr-status.js';
import { prepareData, type PreparedData } from './preview-data.js';
import { awaitReady, prepareImages, sendSpecs, type Sent, type UnitImage } from './rollout.js';
import type { Services } from './services.js';
import { teardownPreview } from './teardown.js';
import { stackNotes, unitsOf, type Unit } from './units.js';

function skip(reason: string): Promise<void> {
  log.notice(reason);
  return writeOutputs({ result: 'skipped' }, 'Preview skipped', [['Reason', reason]]);
}

/** `undefined` when the PR is still open at this run's commit, else why this run must stop. */
async function overtaken(s: Services, pr: { number: number; headSha: string }): Promise<string | undefined> {
  const live = await getPull(s.octokit, s.ctx.repo, pr.number);
  if (live.state !== 'open') return 'closed';
  if (live.headSha !== pr.headSha)
    return `superseded: PR #${pr.number} head is now ${live.headSha.slice(0, 7)}, this run is for ${pr.headSha.slice(0, 7)}; the newer push deploys`;
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
  // The gateway's facts are read and the build digest computed while GitHub is asked about the PR: reads only; a run
  // that stops here waits for the digest before it exits. A stack's build contexts are made later, and digested then.
  const onGateway = gatewayFacts(s);
  onGateway.catch(() => undefined); // awaited in the 'gateway' step
  if (!settings.stack) void digestAhead(settings.build);
  // The event may be minutes old (queued runs, re-runs): deploy only what the PR's head still is.
  const early = await overtaken(s, pr);
  if (early) return skip(early === 'closed' ? `PR #${pr.number} is closed; a closed PR gets no preview` : early);

  const name = previewName(settings.app, pr.number);
  const facts: Preview = {
    name,
    url: previewUrl(settings.urlTemplate, name, pr.number, pr.headSha),
    sha: pr.headSha,
    image: '',
    pr: pr.number,
  };
  if (settings.stack?.problem) return stackRefused(s, facts, settings.stack.problem);
  for (const note of stackNotes(settings)) log.info(note);
  const units = unitsOf(settings, name, pr.number, pr.headSha);
  facts.image = units.find((u) => u.isDefault)!.tag;
  await new DeployRun(s, facts, units, new PrStatus(s, facts), onGateway).run();
}

/** The provider and the functions, read together; when both fail, the provider's error (the first call) is the one. */
async function gatewayFacts(s: Services): Promise<[Provider, FunctionStatus[]]> {
  const [provider, functions] = await Promise.allSettled([s.gateway.provider(), s.gateway.list()]);
  if (provider.status === 'rejected') throw provider.reason;
  if (functions.status === 'rejected') throw functions.reason;
  return [provider.value, functions.value];
}

/**
 * This commit's stack file cannot be deployed: the PR that changed it is told (the job log alone would not reach
 * its author), and nothing is touched.
 */
async function stackRefused(s: Services, facts: Preview, problem: string): Promise<void> {
  throw await new PrStatus(s, facts).failed('stack', new Error(problem), {}, []);
}

function requirePr(ctx: RunContext) {
  if (!ctx.pr)
    throw new Error(`command 'deploy' needs a pull_request or pull_request_target event, got '${ctx.eventName}'`);
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
  private functions: FunctionStatus[] = [];
  /** The record of the deploy before this one, read before this one overwrites it. */
  private previous?: PreviewRecord;
  /** This deploy's record is in the bucket. */
  private recorded = false;
  private assets?: AssetStages;
  /** What the undo of a failed first deploy's data step removed and left. */
  private undone?: DataUndo;
  /** The functions the gateway accepted in the deploy step, so far. */
  private readonly sending: Sent[] = [];
  /** The gateway was full before the build, and idle previews can make room: they sleep just before the create. */
  private roomNeeded = false;

  constructor(
    private readonly s: Services,
    private readonly facts: Preview,
    private readonly units: Unit[],
    private readonly status: PrStatus,
    private readonly gatewayFacts: Promise<[Provider, FunctionStatus[]]>,
  ) {}

  /** Runs `fn`; a failure is reported on the PR as a failed `step` and rethrown. */
  private async step<T>(step: FailedStep, fn: () => Promise<T>, gone?: (err: unknown) => boolean): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (
        AFTER_DEPLOY.has(step) &&
        (await overtaken(this.s, { number: this.facts.pr, headSha: this.facts.sha }).catch(() => undefined)) ===
          'closed'
      ) {
        log.info(`${step} failed (${(err as Error).message}), and the PR was closed meanwhile`);
        throw new ClosedMeanwhile();
      }
      const earlyUploads = step === 'assets' ? 0 : ((await this.assets?.abandon()) ?? 0);
      await this.recordFailure(step);
      const { provider, existed } = this;
      const before = {
        provider,
        existed: provider ? existed : undefined,
        gone: gone?.(err),
        earlyUploads,
        ...(step === 'data' && this.undone ? { undone: this.undone } : {}),
        ...(step === 'deploy' ? { updated: this.sending.filter((x) => x.how === 'updated').length } : {}),
      };
      const functions = this.units.map((u) => u.name);
      throw await this.status.failed(step, err, before, functions);
    }
  }

  async run(): Promise<void> {
    try {
      await this.steps();
    } catch (err) {
      if (err instanceof ClosedMeanwhile) return this.closedMeanwhile();
      throw err;
    } finally {
      await this.assets?.abandon(); // a run that stopped early leaves no upload running; after finish() a no-op
    }
  }

  private readonly running = (name: string) => this.functions.find((f) => f.name === name);

  private async steps(): Promise<void> {
    const { s, facts } = this;
    const [provider, functions] = await this.step('gateway', () => this.gatewayFacts);
    this.provider = provider;
    this.functions = functions;
    this.existed = this.running(facts.name) !== undefined;
    const wanted = this.quotaInput(provider);
    let quota = quotaDecision(wanted);
    // A full Community Edition gateway: idle previews of this repository may make room (make-room.ts). Only asked
    // here, so a deploy no eviction can help is refused before it builds; they sleep in the deploy step (send).
    if (quota.kind === 'refuse' && provider.edition === 'community') {
      quota = await this.step('gateway', () => roomPossible(s, wanted, this.functions));
      this.roomNeeded = quota.kind === 'allow';
    }
    if (quota.kind === 'refuse') return this.refuse(quota);
    const building = this.status.building(this.existed);
    this.assets = this.startAssets();
    await this.record();
    const images = await this.step('build', () =>
      prepareImages(s, this.units, this.running, () => this.assets?.begin()),
    );
    this.assets?.begin(); // nothing was built: reused, retagged or prebuilt
    facts.image = images.find((x) => x.unit.isDefault)!.image;
    // Community Edition on Kubernetes runs public images only, and says nothing when it cannot (see image/public.ts).
    if (provider.edition === 'community' && provider.rolling)
      await this.step('image', () => this.checkPublic(provider, images));
    const before = await overtaken(s, { number: facts.pr, headSha: facts.sha });
    if (before === 'closed' && this.assets) return this.closedMeanwhile(); // its early uploads went to a torn-down prefix
    if (before)
      return this.stop(
        before === 'closed' ? `PR #${facts.pr} was closed while this run built it; not deployed` : before,
      );
    await building;

    const data = await this.step('data', () => prepareData(s, facts, !this.existed, (u) => (this.undone = u)));
    const sent = await this.step('deploy', () => this.send(provider, this.specs(provider, images, data)));
    const started = Date.now();
    const readiness = await this.step(
      'readiness',
      () => awaitReady(s, provider, sent, facts.sha),
      (err) => err instanceof NotReady && err.gone,
    );
    const bookkeeping = Promise.all([this.awake(sent, Date.now() - started), this.prune()]); // both only warn
    const assets = await this.step('assets', async () => this.assets?.finish()).finally(() => bookkeeping);
    // asked after the last write to the bucket: a close meanwhile is seen, and the run tears down what it wrote
    const after = await overtaken(s, { number: facts.pr, headSha: facts.sha });
    if (after === 'closed') return this.closedMeanwhile();
    if (after) return this.stop(`${after} (this run's functions were deployed; the newer run replaces them)`);
    const fns = images.map((x) => ({ name: x.unit.name, route: x.unit.route, image: x.image, backend: x.backend }));
    await this.status.live(
      readiness,
      { assets, data, functions: fns },
      this.s.settings.assets ? bucketPrefix(facts.name) : undefined,
    );
  }

  /**
   * Sends the specs. Room is made first when the gateway was full before the build: only now, with the images built
   * and the data ready, is it certain that this deploy creates functions, so a failed build or data step has put no
   * preview to sleep. On Community Edition the room may still be gone when the specs arrive: something (another
   * deploy, usually) took the freed slot meanwhile, and the gateway refuses the create (400). When the gateway, listed
   * again, is indeed full, room is made once more (the other deploy's new preview is never a candidate: it was
   * deployed within idle-after) and the rest is sent once more; otherwise the error stands.
   */
  private async send(provider: Provider, specs: ReturnType<DeployRun['specs']>): Promise<Sent[]> {
    const { s, facts } = this;
    if (this.roomNeeded) {
      const room = await this.roomNow(
        provider,
        `the gateway is full: making room for ${facts.name} now that it is built`,
      );
      if (room?.kind === 'refuse')
        throw new Error(
          `the gateway is full, and no room can be made now (when the build began, idle previews could have made it): ${refusalText(room)}`,
        );
    }
    try {
      return await sendSpecs(s, specs, this.running, this.sending);
    } catch (err) {
      if (provider.edition !== 'community' || !(err instanceof StatusError && err.status === 400)) throw err;
      const room = await this.roomNow(
        provider,
        this.roomNeeded
          ? `the gateway is full again (the slot made for ${facts.name} was taken meanwhile): making room once more`
          : `the gateway filled up after the check before the build: making room for ${facts.name}`,
      );
      if (!room) throw err;
      if (room.kind === 'refuse')
        throw new Error(`${err.message}; no room could be made again: ${refusalText(room)}`, { cause: err });
      const done = new Set(this.sending.map((x) => x.unit.name));
      return sendSpecs(
        s,
        specs.filter((x) => !done.has(x.unit.name)),
        this.running,
        this.sending,
      );
    }
  }

  /**
   * Lists the gateway again (the listing before the build may be minutes old) and, when this deploy's new functions
   * do not fit, says `why` and makes room: undefined when they fit, else what making room decided.
   */
  private async roomNow(provider: Provider, why: string): Promise<QuotaDecision | undefined> {
    this.functions = await this.s.gateway.list();
    const wanted = this.quotaInput(provider);
    if (quotaDecision(wanted).kind !== 'refuse') return undefined;
    log.info(why);
    return makeRoom(this.s, wanted, this.functions, this.facts.pr);
  }

  /** This repository's previews and how many functions this deploy adds, against max-previews and CE's cap. */
  private quotaInput(provider: Provider): QuotaInput {
    const { settings, ctx } = this.s;
    const managed = this.functions.filter((f) => isManagedBy(f.labels, ctx.repo.owner, ctx.repo.repo));
    const previews = new Map<string, number>();
    for (const f of managed) {
      const name = previewOfFunction(settings.app, f)?.preview ?? f.name;
      previews.set(name, (previews.get(name) ?? 0) + 1);
    }
    return {
      name: this.facts.name,
      app: settings.app,
      previews: [...previews].map(([name, functions]) => ({ name, functions })),
      total: this.functions.length,
      needed: this.units.filter((u) => !this.running(u.name)).length,
      maxPreviews: settings.sweep.maxPreviews,
      edition: provider.edition,
    };
  }

  private async refuse(quota: Refusal): Promise<void> {
    const text = refusalText(quota);
    log.warning(`preview ${this.facts.name} refused: ${text}`);
    const { kind: _, ...decision } = quota;
    await this.status.refused(decision, text);
  }

  private specs(
    provider: Provider,
    images: UnitImage[],
    data: PreparedData,
  ): { unit: Unit; spec: FunctionDeployment; backend: ImageSource }[] {
    const { settings, ctx } = this.s;
    return images.map((x) => ({
      unit: x.unit,
      backend: x.backend,
      spec: functionSpec(settings, {
        unit: x.unit,
        image: x.image,
        data,
        buildDigest: x.backend.how === 'prebuilt' ? undefined : x.backend.digest,
        envProcess: x.envProcess,
        preview: this.facts,
        owner: ctx.repo.owner,
        repo: ctx.repo.repo,
        edition: provider.edition,
        now: this.s.now(),
      }),
    }));
  }

  /** Overtaken by a newer push or a close: say so, retire this run's deployment, report nothing else. */
  private async stop(reason: string): Promise<void> {
    await this.status.overtaken(reason);
    return skip(reason);
  }

  /** Refuses an image the registry itself denies to anonymous pulls; one it could not ask about is only a warning. */
  private async checkPublic(provider: Provider, images: UnitImage[]): Promise<void> {
    const { settings } = this.s;
    for (const { image } of images) {
      const pull = await anonymousPull(image, {
        insecure: settings.build.registryInsecure,
        timeoutMs: settings.requestTimeoutMs,
        log: log.info,
      });
      if (pull.kind === 'unverified') {
        log.warning(
          `could not verify that ${image} can be pulled without credentials, as ${provider.name} (OpenFaaS Community Edition on Kubernetes) needs: the registry gave no answer that decides it (${pull.why}). ` +
            'Deploying anyway: the gateway pulls from where it runs, and the readiness check reports an image it cannot pull',
        );
        continue;
      }
      if (pull.kind === 'public') continue;
      throw new Error(
        `${provider.name} (OpenFaaS Community Edition on Kubernetes) only runs images anyone can pull, and the registry refuses ${image} to a pull without credentials (${pull.why}). ` +
          'Make the image public (GHCR: the package settings → Change visibility → Public), deploy to faasd, which pulls with its own credentials, or use OpenFaaS Pro with image pull secrets',
      );
    }
  }

  /** The preview's record in the bucket, before the first gateway write (teardown finishes from it). */
  private async record(): Promise<void> {
    const store = this.s.state;
    if (!store) return;
    await this.step('state', async () => {
      // Only what this deploy keeps from its predecessor (repositories, untouched specs) comes from it: an unreadable
      // record costs that, not the deploy.
      this.previous = await readRecord(store, this.facts.name).catch((err: Error) => {
        log.warning(`the preview's previous record could not be read (${err.message}); deploying without it`);
        return undefined;
      });
      // A reopened PR's preview is no longer the removed one the edge answers 410 for.
      await Promise.all([saveRecord(store, this.recordOf({})), deleteClosed(store, this.facts.name)]);
      this.recorded = true;
    });
  }

  /**
   * The record says the deploy failed, so the edge does not show "being built" for ever; best effort. Not after
   * readiness (the assets step): the functions were seen ready and the record already says so.
   */
  private async recordFailure(step: FailedStep): Promise<void> {
    const store = this.s.state;
    if (!store || !this.recorded || step === 'assets') return;
    await saveRecord(store, this.recordOf({ failedStep: step })).catch((err: Error) =>
      log.warning(`the preview's record in the bucket does not say that the deploy failed: ${err.message}`),
    );
  }

  /** This deploy's record, with the repositories of every deploy of the PR so far (PreviewRecord.repositories). */
  private recordOf(
    extra: Pick<PreviewRecord, 'specs' | 'readyMs' | 'readyAt' | 'failedStep'>,
  ): Omit<PreviewRecord, 'version'> {
    const { name, pr, sha, image, url } = this.facts;
    const previous = this.previous;
    // Records written before readyAt existed had specs only once a deploy was ready.
    const readyAt = previous?.readyAt ?? (previous?.specs ? previous.updatedAt : undefined);
    const pushed = this.units.flatMap((u) => (u.build ? [u.build.repository] : []));
    const repositories = [...new Set([...recordRepositories(this.previous), ...pushed])];
    return {
      name,
      pr,
      sha,
      image,
      url,
      githubRepository: `${this.s.ctx.repo.owner}/${this.s.ctx.repo.repo}`,
      updatedAt: this.s.now().toISOString(),
      ...(readyAt ? { readyAt } : {}),
      ...extra,
      ...(repositories.length ? { repositories } : {}),
    };
  }

  /**
   * Once the functions are ready: the record gains their specs (what the sweeper saves when the preview sleeps; an
   * untouched function keeps the one it runs) and how long readiness took (what a wake costs), and a saved sleeping
   * spec goes (the preview is awake, on a newer spec). The preview is live either way: a failure here is a warning.
   */
  private async awake(sent: Sent[], readyMs: number): Promise<void> {
    const store = this.s.state;
    if (!store) return;
    const specs = sent.map((x) => (x.how === 'unchanged' ? untouchedSpec(this.previous?.specs, x.running!) : x.spec));
    await Promise.all([
      saveRecord(store, this.recordOf({ specs, readyMs, readyAt: this.s.now().toISOString() })),
      deleteSleeping(store, this.facts.name),
    ]).catch((err: Error) =>
      log.warning(`the preview is live, but its record in the bucket was not updated: ${err.message}`),
    );
  }

  /**
   * Functions of this preview that this deploy no longer has (a stack function removed from the file or from
   * `functions`) go once the rest is ready; their image tags go with the teardown (the record keeps their
   * repositories). The preview is live either way: a failure here is a warning, and the teardown removes what is left.
   */
  private async prune(): Promise<void> {
    const { settings, ctx, gateway } = this.s;
    const keep = new Set(this.units.map((u) => u.name));
    const ours = functionsOfPreview(this.functions, { ...ctx.repo, app: settings.app }, this.facts.name);
    for (const f of ours.filter((f) => !keep.has(f.name))) {
      await gateway.remove(f.name).then(
        () => log.info(`Function ${f.name} is no longer part of this preview: deleted`),
        (err: Error) =>
          log.warning(`function ${f.name} is no longer part of this preview, but deleting it failed: ${err.message}`),
      );
    }
  }

  /** The static files' early stages, when this preview has a static-dir. */
  private startAssets(): AssetStages | undefined {
    const a = this.s.settings.assets;
    if (!a?.staticDir || !this.s.bucket) return undefined;
    return AssetStages.start(this.s.bucket, {
      bucket: a.bucket,
      prefix: bucketPrefix(this.facts.name),
      dir: a.staticDir,
      includeDotfiles: a.includeDotfiles,
      cacheControl: a.cacheControl,
      cacheControlFingerprinted: a.cacheControlFingerprinted,
      concurrency: a.concurrency,
      // Always: a push then proves unchanged files by SHA-256 (manifest.ts). Nothing to opt out of: a manifest that
      // cannot be read, written or verified is a log line, and the files are compared by MD5 as without one.
      contentManifest: true,
      log: (line) => log.info(line),
    });
  }

  /** The PR closed while this run deployed: the teardown run may already be over, so this run tears down itself. */
  private async closedMeanwhile(): Promise<void> {
    await this.assets?.abandon(); // before the teardown empties the prefix, not while uploads still fill it
    await this.status.overtaken(`PR #${this.facts.pr} was closed during the deploy`);
    log.notice(`PR #${this.facts.pr} was closed during this deploy; tearing the preview down again`);
    const report = await teardownPreview(this.s, this.facts.pr, `PR #${this.facts.pr} was closed during a deploy`);
    await writeOutputs({ result: 'torn-down', name: report.name }, 'Preview torn down (PR closed during the deploy)');
  }
}
