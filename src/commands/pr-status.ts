/**
 * What a deploy tells the PR: the comment, the GitHub deployment, the outputs and the job summary, always from the
 * same facts. The rules that keep it truthful live here:
 * - a failure says which step failed and what is still true of the previous version, and never claims more;
 * - when GitHub itself fails, the run fails but nothing claims the preview failed (it may be live);
 * - a comment that cannot be written is a warning on the failure path (the run fails anyway, with the first error).
 */
import { renderComment, type CommentView, type FailedStep } from '../github/comment-text.js';
import type { AssetCounts, DataFacts, FunctionFacts, ImageSource, Preview } from '../preview.js';
import { PreviewComment } from '../github/comment.js';
import { finishDeployment, markDeployment, startDeployment, type FinalState } from '../github/deployments.js';
import { environmentName } from '../naming.js';
import type { Readiness } from '../openfaas/readiness.js';
import { writeOutputs } from '../report.js';
import type { Services } from './services.js';
import { log } from '../log.js';

/** GitHub deployment state of a failed step: `failure` when the change itself is at fault, `error` otherwise. */
const DEPLOYMENT_STATE: Record<FailedStep, 'failure' | 'error'> = {
  stack: 'failure',
  gateway: 'error',
  state: 'error',
  build: 'failure',
  image: 'failure',
  data: 'failure',
  deploy: 'error',
  readiness: 'failure',
  assets: 'error',
};

export class PrStatus {
  private readonly comment?: PreviewComment;
  /** The deployment `building()` started, when it could. */
  private deployment?: Promise<number | undefined>;
  /** `building()`'s writes: the deploy goes on while they are on their way, and every later write waits for them. */
  private started: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly s: Services,
    private readonly facts: Preview,
  ) {
    if (s.settings.github.comment)
      this.comment = new PreviewComment(s.octokit, s.ctx.repo, facts.pr, facts.name, (line) => log.info(line));
  }

  private view<T extends CommentView['state']>(state: T) {
    const { name, url, sha, image } = this.facts;
    return { state, name, url, sha, image, runUrl: this.s.ctx.runUrl, time: this.s.now().toISOString() };
  }

  /**
   * The run starts: the comment says this commit is being built (with the run link) and the deployment is in
   * progress, written together while the build goes on; every later write waits for them, so none is overtaken by
   * "building". They only inform, so a failure here is a warning; the run's later writes report it.
   */
  building(): Promise<unknown> {
    const { sha } = this.facts;
    if (this.s.settings.github.deployment) {
      this.deployment = startDeployment(
        this.s.octokit,
        this.s.ctx.repo,
        this.mark(`Building #${this.facts.pr} at ${sha.slice(0, 7)}`),
      ).catch((err: Error) => {
        log.warning(`could not start the GitHub deployment: ${err.message}`);
        return undefined;
      });
    }
    const comment = this.comment
      ?.write(renderComment({ ...this.view('building'), staticFiles: this.s.settings.assets?.staticDir !== undefined }))
      .catch((err: Error) => log.warning(`could not post the building comment: ${err.message}`));
    this.started = Promise.all([this.deployment, comment]);
    return this.started;
  }

  /** Ends the deployment started by `building()`, or makes a finished one when none was started. */
  private finish(description: string, state: FinalState): Promise<unknown> {
    const mark = this.mark(description);
    return (async () => {
      const id = await this.deployment;
      if (id === undefined) return markDeployment(this.s.octokit, this.s.ctx.repo, mark, state);
      return finishDeployment(this.s.octokit, this.s.ctx.repo, id, mark, state);
    })();
  }

  /** A newer push or a close overtook the run: its own deployment is retired, the newer run reports. */
  async overtaken(reason: string): Promise<void> {
    await this.started;
    if ((await this.deployment) === undefined) return;
    await this.finish(reason, 'inactive').catch((err: Error) =>
      log.warning(`could not retire this run's deployment: ${err.message}`),
    );
  }

  async refused(
    decision: Omit<Extract<CommentView, { state: 'refused' }>, 'state' | 'name' | 'runUrl' | 'time'>,
  ): Promise<void> {
    await this.comment?.write(renderComment({ ...this.view('refused'), ...decision }));
    await writeOutputs({ result: 'refused', name: this.facts.name }, 'Preview refused');
  }

  /** The deploy failed at `step`; `previous` says what is true of the preview that ran before. Never throws. */
  async failed(step: FailedStep, err: unknown, previous: string): Promise<void> {
    await this.started;
    const error = err instanceof Error ? err.message : String(err);
    const writes: Promise<unknown>[] = [];
    if (this.comment) writes.push(this.comment.write(renderComment({ ...this.view('failed'), step, error, previous })));
    if (this.s.settings.github.deployment) writes.push(this.finish(`Failed: ${error}`, DEPLOYMENT_STATE[step]));
    for (const r of await Promise.allSettled(writes)) {
      if (r.status === 'rejected')
        log.warning(`could not tell the PR about the failure: ${(r.reason as Error).message}`);
    }
    await writeOutputs({ result: 'failed', name: this.facts.name, image: this.facts.image }, 'Preview failed', [
      ['Step', step],
      ['Previous version', previous],
    ]).catch(() => undefined);
  }

  /** The preview is live; GitHub failures here fail the run (thrown) but are never reported as a failed preview. */
  async live(
    readiness: Readiness,
    extra: { assets?: AssetCounts; data?: DataFacts; backend?: ImageSource; functions?: FunctionFacts[] },
    bucketPrefix: string | undefined,
  ): Promise<void> {
    await this.started;
    const { name, url, sha, image, pr } = this.facts;
    const ready = readiness.state === 'ready';
    const writes: Promise<unknown>[] = [];
    if (this.comment)
      writes.push(
        this.comment.write(renderComment({ ...this.view(readiness.state), evidence: readiness.evidence, ...extra })),
      );
    if (this.s.settings.github.deployment)
      writes.push(this.finish(`Preview of #${pr} at ${sha.slice(0, 7)}${ready ? '' : ', rolling out'}`, 'success'));
    const failures = (await Promise.allSettled(writes)).filter(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    log.info(`${ready ? 'Preview ready' : 'Preview deployed, rolling out'}: ${url} (${readiness.evidence})`);
    await writeOutputs(
      { result: ready ? 'deployed' : 'rolling-out', name, url, image, bucketPrefix },
      ready ? 'Preview ready' : 'Preview rolling out',
      [
        ['Commit', { code: sha.slice(0, 7) }],
        ['Checked', readiness.evidence],
      ],
    );
    if (failures.length) {
      throw new Error(
        `the preview is live at ${url}, but telling the PR failed: ${failures.map((f) => (f.reason as Error).message).join('; ')}`,
      );
    }
  }

  private mark(description: string) {
    return {
      environment: environmentName(this.facts.name),
      sha: this.facts.sha,
      url: this.facts.url,
      logUrl: this.s.ctx.runUrl,
      description,
    };
  }
}
