/**
 * One wake per preview at a time, and no second attempt right after a failed one (pure, clock injected).
 * - Single flight: every request for a preview that arrives while its wake runs joins that wake and gets its result.
 * - Hold: a result the caller calls a failure (quota full, gateway refused, timed out) is remembered for `holdMs`;
 *   requests meanwhile get it back with the time left, without touching the bucket or the gateway.
 * Memory stays bounded: running wakes are bounded by the waker's pending requests, remembered failures by `maxHolds`
 * (the oldest is forgotten first) and by expiry.
 */

export interface FlightOptions<T> {
  now: () => number;
  holdMs: number;
  /** Results to remember as failures. */
  held: (result: T) => boolean;
  maxHolds?: number;
}

export type Admission<T> = { joined: Promise<T>; started: boolean } | { held: T; retryAfterMs: number };

const MAX_HOLDS = 4096;

export class Flights<T> {
  private readonly running = new Map<string, Promise<T>>();
  private readonly holds = new Map<string, { result: T; until: number }>();

  constructor(private readonly o: FlightOptions<T>) {}

  /** Joins the running wake of `key`, or starts one with `start`, unless a failure of `key` is still remembered. */
  admit(key: string, start: () => Promise<T>): Admission<T> {
    const hold = this.hold(key);
    if (hold) return { held: hold.result, retryAfterMs: hold.until - this.o.now() };
    const running = this.running.get(key);
    if (running) return { joined: running, started: false };
    const flight = start().then(
      (result) => this.finish(key, result),
      (err: unknown) => {
        this.running.delete(key);
        throw err;
      },
    );
    this.running.set(key, flight);
    return { joined: flight, started: true };
  }

  /** Wakes running now. */
  get size(): number {
    return this.running.size;
  }

  private finish(key: string, result: T): T {
    this.running.delete(key);
    if (this.o.held(result)) {
      this.holds.delete(key);
      this.holds.set(key, { result, until: this.o.now() + this.o.holdMs });
      const max = this.o.maxHolds ?? MAX_HOLDS;
      for (const oldest of this.holds.keys()) {
        if (this.holds.size <= max) break;
        this.holds.delete(oldest);
      }
    }
    return result;
  }

  private hold(key: string): { result: T; until: number } | undefined {
    const hold = this.holds.get(key);
    if (hold && hold.until > this.o.now()) return hold;
    this.holds.delete(key);
    return undefined;
  }
}
