/**
 * `gateway_function_invocation_total` as the list endpoint sees it through Prometheus (gateway
 * metrics/add_metrics.go): one counter per `name.namespace`, so it survives deleting and re-creating a function of the
 * same name; visible only once Prometheus scraped it (every `scrapeIntervalMs`, 0 = at once); gone when the gateway
 * restarts (its in-process counters start again at zero).
 */
export class Invocations {
  private readonly events = new Map<string, { at: number; n: number }[]>();
  private readonly origin = Date.now();
  private forcedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly scrapeIntervalMs: number) {}

  add(key: string, n = 1): void {
    const list = this.events.get(key) ?? [];
    list.push({ at: Date.now(), n });
    this.events.set(key, list);
  }

  /** A counter with history: already scraped. */
  set(key: string, n: number): void {
    this.events.set(key, [{ at: Number.NEGATIVE_INFINITY, n }]);
  }

  /** What the gateway's /metrics says now. */
  live(key: string): number {
    return (this.events.get(key) ?? []).reduce((sum, e) => sum + e.n, 0);
  }

  /** A scrape now, outside the schedule. */
  scrape(): void {
    this.forcedAt = Date.now();
  }

  /** What a Prometheus query answers now: the value at the last scrape. */
  scraped(key: string, now = Date.now()): number {
    const i = this.scrapeIntervalMs;
    const scheduled = this.origin + Math.floor((now - this.origin) / i) * i;
    const seen = (at: number) => i === 0 || at < scheduled || at <= this.forcedAt;
    return (this.events.get(key) ?? []).filter((e) => seen(e.at)).reduce((sum, e) => sum + e.n, 0);
  }

  reset(): void {
    this.events.clear();
  }
}
