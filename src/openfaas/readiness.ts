/**
 * What "ready" means (docs/architecture.md, "What a preview promises"): seen, not assumed.
 * 1. The gateway holds the spec that was sent: image and `faas-preview/sha` label read back. faas-netes answers 202
 *    to an update it did not apply (errors are logged and swallowed), so a mismatch that outlasts the provider's
 *    cache lag is a failure; on faasd an update is delete + recreate, so a function missing after it is gone.
 * 2. An available replica, and a GET through the gateway to `/function/<name><ready-path>` answering below 500:
 *    faasd counts a replica as available before the process listens (it answers 500 meanwhile).
 * 3. That the answer comes from this commit. A function that sends `X-Faas-Preview-Sha` (its FAAS_PREVIEW_SHA)
 *    proves it; on faasd and for a new function there is no older version that could answer. A faas-netes update
 *    rolls (the old pod serves until the new one is ready), so without the header the honest outcome is
 *    "rolling out", never "ready".
 * Everything runs within `ready-timeout`, each request cut to what is left of it.
 */
import { normalReference } from '../image/reference.js';
import type { GatewayClient, Provider } from './client.js';
import type { FunctionStatus } from './types.js';
import { LABELS } from '../naming.js';
import { sanitize } from '../text/untrusted.js';
import type { ReadyCheck } from '../preview.js';

const VERSION_HEADER = 'x-faas-preview-sha';
/** How long a read-back may still show the previous spec (faas-netes answers from an informer cache). */
const SPEC_LAG_MS = 5_000;

export interface ReadinessTarget {
  name: string;
  image: string;
  sha: string;
  readyPath: string;
  /** The deploy created the function (no previous version exists). */
  created: boolean;
}

/** `evidence` is the job log's line (it names the gateway); `checks` what public text may say. */
export type Readiness = { state: 'ready' | 'rolling-out'; evidence: string; checks: ReadyCheck[] };

export class NotReady extends Error {
  constructor(
    message: string,
    /** The provider removed the function (faasd update whose new version could not start). */
    readonly gone: boolean,
    /** The function that did not become ready. */
    readonly fn: string,
  ) {
    super(message);
    this.name = 'NotReady';
  }
}

export interface WaitOptions {
  timeoutMs: number;
  requestTimeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const short = (sha: string) => sha.slice(0, 7);

function specSeen(s: FunctionStatus): string {
  return `image ${s.image}, ${LABELS.sha}=${s.labels?.[LABELS.sha] ?? '(none)'}`;
}

/** One poll's outcome: done (ready or rolling out), or what was seen, to say if time runs out. */
type Poll = Readiness | { seen: string };

/** One wait: the rules of the header comment, one poll at a time, within one deadline. */
class Wait {
  private readonly start: number;
  private readonly deadline: number;
  private readonly probe: string;
  private known = false;

  constructor(
    private readonly gateway: GatewayClient,
    private readonly provider: Provider,
    private readonly t: ReadinessTarget,
    private readonly o: WaitOptions & { now: () => number },
  ) {
    this.start = o.now();
    this.deadline = this.start + o.timeoutMs;
    this.probe = `GET ${gateway.url}/function/${t.name}${t.readyPath}`;
  }

  get over(): boolean {
    return this.o.now() >= this.deadline;
  }

  get remaining(): number {
    return Math.max(0, this.deadline - this.o.now());
  }

  async poll(): Promise<Poll> {
    const status = await this.gateway.get(this.t.name, this.deadline).catch((err: Error) => err);
    // A status request that hung or failed (after its retries) counts against ready-timeout like any other wait.
    if (status instanceof Error) return { seen: status.message };
    if (!status) return this.missing();
    this.known = true;
    if (normalReference(status.image) !== normalReference(this.t.image) || status.labels?.[LABELS.sha] !== this.t.sha)
      return this.stale(status);
    if ((status.availableReplicas ?? 0) < 1)
      return { seen: `replicas=${status.replicas ?? 0}, availableReplicas=${status.availableReplicas ?? 0}` };
    const budget = Math.max(1, Math.min(this.o.requestTimeoutMs, this.remaining));
    const res = await this.gateway.invoke(this.t.name, this.t.readyPath, budget).catch((err: Error) => err);
    if (res instanceof Error) return { seen: `available replica, but ${res.message}` };
    if (res.status >= 500)
      return {
        seen: `available replica, but ${this.probe} answered ${res.status}: ${sanitize(res.text, { max: 200 })}`,
      };
    return this.answered(res.status, String(res.headers[VERSION_HEADER] ?? ''));
  }

  private missing(): Poll {
    const { t, provider } = this;
    if (!provider.rolling && !t.created)
      throw new NotReady(
        `function '${t.name}' is gone after the update: faasd replaces a function on update, and the new one (${t.image}) could not be created; the previous version no longer runs`,
        true,
        t.name,
      );
    // Seen, then gone: deleted while this run waited (a teardown, the sweeper), not slow.
    if (this.known)
      throw new NotReady(`function '${t.name}' was deleted while this run waited for it to become ready`, true, t.name);
    return { seen: 'the gateway does not know the function' };
  }

  private stale(status: FunctionStatus): Poll {
    if (this.o.now() - this.start < Math.min(SPEC_LAG_MS, this.o.timeoutMs))
      return { seen: `the gateway still has ${specSeen(status)}` };
    throw new NotReady(
      `the gateway accepted the deploy of ${this.t.image} but did not apply it (it has ${specSeen(status)}); faas-netes answers 202 and logs the error when an update fails (private image on Community Edition, bad quantity, a spec Kubernetes refuses): check the gateway and faas-netes logs`,
      false,
      this.t.name,
    );
  }

  private answered(status: number, version: string): Poll {
    const { t } = this;
    const answered = `${this.probe} answered ${status}`;
    const check = (proof: ReadyCheck['proof']) => [{ name: t.name, path: t.readyPath, status, sha: t.sha, proof }];
    if (version === t.sha)
      return {
        state: 'ready',
        evidence: `${answered} from ${short(t.sha)} (${VERSION_HEADER})`,
        checks: check('header'),
      };
    if (version)
      return {
        seen: `${answered}, but from ${sanitize(short(version))} (${VERSION_HEADER}); waiting for ${short(t.sha)}`,
      };
    if (this.provider.rolling && !t.created) {
      return {
        state: 'rolling-out',
        evidence: `${answered}; the function does not send ${VERSION_HEADER}, so during the rolling update this may still be the previous version`,
        checks: check('unproven'),
      };
    }
    return {
      state: 'ready',
      evidence: `${answered}; no previous version can answer (${t.created ? 'new function' : 'faasd replaces a function on update'})`,
      checks: check(t.created ? 'new-function' : 'replaced'),
    };
  }
}

export async function waitUntilReady(
  gateway: GatewayClient,
  provider: Provider,
  t: ReadinessTarget,
  o: WaitOptions,
): Promise<Readiness> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const wait = new Wait(gateway, provider, t, { ...o, now: o.now ?? Date.now });
  let seen = 'nothing yet';
  // Polls are two small requests: every 500 ms at most, so the end of a rollout is seen 250 ms after it on average
  // (with a 1 s cap, a rollout of 3 s was seen at 3.4 s).
  for (let interval = 200; ; interval = Math.min(interval * 2, 500)) {
    const poll = await wait.poll();
    if ('state' in poll) return poll;
    // A request cut short by the deadline itself says less than what was seen before it.
    if (!wait.over || seen === 'nothing yet') seen = poll.seen;
    if (wait.over)
      throw new NotReady(
        `function '${t.name}' was not ready within ${Math.round(o.timeoutMs / 1000)}s (input 'ready-timeout'); last seen: ${seen}`,
        false,
        t.name,
      );
    await sleep(Math.min(interval, wait.remaining));
  }
}
