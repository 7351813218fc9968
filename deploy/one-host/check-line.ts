/**
 * One line of the check: what was looked at, and either "ok", a problem with what to do, or "not checked" with why.
 * Text from servers is clipped and shown inert (src/rules/errors.ts show) before it reaches a line.
 */
export type Outcome = 'ok' | 'problem' | 'not checked';

export interface Line {
  name: string;
  outcome: Outcome;
  text: string;
}

/** What the checks may be handed instead of the host's own (tests: a DNS server on 127.0.0.1, no other address). */
export interface CheckDeps {
  /** The addresses `name` resolves to; rejects with the resolver's error code. */
  resolve(name: string): Promise<string[]>;
  /** This host's addresses other than loopback. */
  interfaceAddresses(): string[];
  now: () => number;
}

/** A server's Date header and the local clock when it came, for the clock check. */
export interface Dated {
  source: string;
  date: string | undefined;
  at: number;
}

/** The Date headers seen on the way, each with the (injectable) local clock at its arrival. */
export class DateLog {
  readonly entries: Dated[] = [];
  constructor(private readonly now: () => number) {}
  record(source: string, date: string | undefined): void {
    this.entries.push({ source, date, at: this.now() });
  }
}

export const ok = (name: string, text: string): Line => ({ name, outcome: 'ok', text });
export const problem = (name: string, text: string): Line => ({ name, outcome: 'problem', text });
export const notChecked = (name: string, text: string): Line => ({ name, outcome: 'not checked', text });

export function formatLine(l: Line): string {
  return `${l.outcome.padEnd(11)} ${l.name}: ${l.text}`;
}

/** The error code or message of a failed call, one short line. */
export function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code ?? e.message ?? String(err)).slice(0, 200);
}
