/**
 * What a deploy tells the PR: the comment, the GitHub deployment, the outputs and the job summary, always from the
 * same facts. The rules that keep it truthful live here:
 * - a failure says which step failed and what is still true of the previous version, and never claims more;
 * - when GitHub itself fails, the run fails but nothing claims the preview failed (it may be live);
 * - a comment that cannot be written is a warning on the failure path (the run fails anyway, with the first error).
 */
import { whatToDo } from '../decide/advice.js';
import { renderComment, type Before, type CommentView } from '../github/comment-text.js';
import type { AssetCounts, DataFacts, DataUndo, FailedStep, FunctionFacts, Preview, ReadyCheck } from '../preview.js';
import { PreviewComment } from '../github/comment.js';
import { finishDeployment, markDeployment, startDeployment, type FinalState } from '../github/deployments.js';
import { environmentName } from '../naming.js';
import type { Provider } from '../openfaas/client.js';
import type { Readiness } from '../openfaas/readiness.js';
import { writeOutputs } from '../report.js';
import { publicText } from '../text/untrusted.js';
import type { Services } from './services.js';
import { troubleFor } from './trouble.js';
import { log } from '../log.js';

/** What deploy.ts knows of the preview before the run when a step fails (comment-text.ts `Before`). */
export interface Previously {
  provider?: Provider;
  existed?: boolean;
  gone?: boolean;
  earlyUploads?: number;
  /** The deploy step: functions whose update the gateway had accepted before it failed. */
  updated?: number;
  /** The data step of a first deploy: what its undo removed and left. */
  undone?: DataUndo;
}

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
  /** When the run began to deploy: a comment says how long it took, which stays true, unlike "2 minutes ago". */
  private readonly since: number;

  constructor(
    private readonly s: Services,
    private readonly facts: Preview,
  ) {
    if (s.settings.github.comment)
      this.comment = new PreviewComment(s.octokit, s.ctx.repo, facts.pr, facts.name, (line) => log.info(line));
    this.since = s.now().getTime();
  }

  private view<T extends CommentView['state']>(state: T) {
    const { name, url, sha } = this.facts;
    const now = this.s.now();
    return {
      state,
      name,
      url,
      sha,
      runUrl: this.s.ctx.runUrl,
      time: now.toISOString(),
      tookMs: now.getTime() - this.since,
    };
  }

  /**
   * The run starts: the comment says this commit is being built (with the run link) and the deployment is in
   * progress, written together while the build goes on; every later write waits for them, so none is overtaken by
   * "building". They only inform, so a failure here is a warning; the run's later writes report it.
   */
  building(existed: boolean): Promise<unknown> {
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
      ?.write(
        renderComment({
          ...this.view('building'),
          existed,
          staticFiles: this.s.settings.assets?.staticDir !== undefined,
        }),
      )
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

  /** `text`: the refusal in one line (decide/quota.ts), for the job summary as for the log. */
  async refused(
    decision: Omit<Extract<CommentView, { state: 'refused' }>, 'state' | 'name' | 'runUrl' | 'time' | 'tookMs'>,
    text: string,
  ): Promise<void> {
    await this.comment?.write(renderComment({ ...this.view('refused'), ...decision }));
    await writeOutputs({ result: 'refused', name: this.facts.name }, 'Preview refused', [['Why', text]]);
  }

  /**
   * The deploy failed at `step`; `previously` is what the run knew of the preview before it. Tells the PR and returns
   * the error to throw: the same error, its message ending with what to do, so the run's annotation carries the whole
   * advice the comment gives. Never throws.
   */
  async failed(step: FailedStep, err: unknown, previously: Previously, functions: string[]): Promise<Error> {
    await this.started;
    const provider = previously.provider && (previously.provider.rolling ? 'faas-netes' : 'faasd');
    const trouble = troubleFor(step, err, { settings: this.s.settings, provider, functions });
    const advice = whatToDo(trouble);
    const error = err instanceof Error ? err.message : String(err);
    const before: Before = { ...previously, provider };
    const writes: Promise<unknown>[] = [];
    if (this.comment)
      writes.push(this.comment.write(renderComment({ ...this.view('failed'), step, error, trouble, before })));
    if (this.s.settings.github.deployment) writes.push(this.finish(`Failed: ${error}`, DEPLOYMENT_STATE[step]));
    for (const r of await Promise.allSettled(writes)) {
      if (r.status === 'rejected')
        log.warning(`could not tell the PR about the failure: ${(r.reason as Error).message}`);
    }
    await writeOutputs({ result: 'failed', name: this.facts.name, image: this.facts.image }, 'Preview failed', [
      ['Step', step],
      ['What to do', advice],
    ]).catch(() => undefined);
    const thrown = err instanceof Error ? err : new Error(error);
    thrown.message = `${error.replace(/\.$/, '')}. What to do: ${advice}`;
    return thrown;
  }

  /** The preview is live; GitHub failures here fail the run (thrown) but are never reported as a failed preview. */
  async live(
    readiness: Readiness,
    extra: { assets?: AssetCounts; data?: DataFacts; functions: FunctionFacts[] },
    bucketPrefix: string | undefined,
  ): Promise<void> {
    await this.started;
    const { name, url, sha, image, pr } = this.facts;
    const ready = readiness.state === 'ready';
    const writes: Promise<unknown>[] = [];
    if (this.comment)
      writes.push(
        this.comment.write(renderComment({ ...this.view(readiness.state), checks: readiness.checks, ...extra })),
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
        ...readiness.checks.map((c): [string, string] => ['Checked', checkLine(c)]),
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
      // A description is public (the PR's deployments): no internal address in it.
      description: publicText(description),
    };
  }
}

/** One ready check for the job summary: the path, the status, the commit. */
function checkLine(c: ReadyCheck): string {
  return `${c.name}: GET ${c.path} answered ${c.status} from ${c.sha.slice(0, 7)}${c.proof === 'unproven' ? ' (not proven this commit)' : ''}`;
}
