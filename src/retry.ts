/**
 * The one retry policy of the action: a few attempts with exponential backoff and full jitter, for failures the
 * caller classifies as transient, never past a deadline. A retry is logged once per call (the first one), not per
 * attempt, so a flaky minute does not flood the log; the final error says how many attempts were made.
 *
 * Octokit's own plugins (plugin-retry, plugin-throttling) retry GitHub calls; everything else comes through here.
 */

export interface RetryPolicy {
  /** Total attempts, the first one included. */
  attempts: number;
  /** Backoff before the second attempt; it doubles each time, capped at maxDelayMs, then a random share of it is waited. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 4000 };

/** What the classifier says about a failure: not worth repeating, or worth it (optionally not before `afterMs`). */
export type Verdict = false | { afterMs?: number };

export interface RetryOptions {
  /** Names the call in the retry log line, e.g. "PUT http://gateway:8080/system/functions". */
  what: string;
  transient: (err: unknown) => Verdict;
  log?: (line: string) => void;
  policy?: RetryPolicy;
  /** Epoch ms: no attempt starts after it, and no backoff runs past it. */
  deadline?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    readonly last: unknown,
  ) {
    super(`${last instanceof Error ? last.message : String(last)} (after ${attempts} attempts)`);
    this.name = 'RetriesExhausted';
  }
}

/** The error as one line that names the call once, whether or not the error's message already does. */
function describe(what: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith(what) ? message : `${what}: ${message}`;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before attempt `attempt + 1` (attempt counts from 1): full jitter over the capped exponential. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * Runs `fn` until it succeeds, fails with a non-transient error (rethrown as it is), or the attempts or the deadline
 * run out (then a RetriesExhausted wrapping the last error, whose message ends with the attempt count).
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const policy = o.policy ?? DEFAULT_RETRY;
  const sleep = o.sleep ?? realSleep;
  const now = o.now ?? Date.now;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const verdict = o.transient(err);
      if (verdict === false) throw err;
      const wait = Math.max(verdict.afterMs ?? 0, backoffMs(policy, attempt, o.random));
      const outOfTime = o.deadline !== undefined && now() + wait >= o.deadline;
      if (attempt >= policy.attempts || outOfTime) {
        if (attempt === 1) throw err;
        throw new RetriesExhausted(attempt, err);
      }
      if (attempt === 1) o.log?.(`${describe(o.what, err)}; retrying up to ${policy.attempts - 1} more times`);
      await sleep(wait);
    }
  }
}
