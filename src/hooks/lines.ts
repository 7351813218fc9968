/**
 * A child's output as whole lines, so secrets are scrubbed in one piece (a chunk boundary could split one), and the
 * last of those lines kept for the PR comment.
 */
import { StringDecoder } from 'node:string_decoder';

/** A line that never ends is cut here, so a program printing megabytes without a newline cannot fill memory. */
export const MAX_LINE = 64 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.partial += this.decoder.write(chunk);
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      this.emit(this.partial.slice(0, nl).replace(/\r$/, ''));
      this.partial = this.partial.slice(nl + 1);
    }
    while (this.partial.length > MAX_LINE) {
      this.emit(this.partial.slice(0, MAX_LINE));
      this.partial = this.partial.slice(MAX_LINE);
    }
  }

  /** The unterminated last line, if any. */
  end(): void {
    this.partial += this.decoder.end();
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }
}

/** The last `lines` lines, at most `chars` characters in all: whole lines dropped from the front first, the cut marked. */
export class Tail {
  private readonly kept: string[] = [];

  constructor(
    private readonly lines = 20,
    private readonly chars = 2_000,
  ) {}

  add(line: string): void {
    this.kept.push(line);
    if (this.kept.length > this.lines) this.kept.shift();
  }

  text(): string {
    const lines = [...this.kept];
    let all = lines.join('\n');
    if (all.length <= this.chars) return all;
    // One character of the budget goes to the mark.
    while (all.length > this.chars - 1 && lines.length > 1) {
      lines.shift();
      all = lines.join('\n');
    }
    return `…${all.slice(-(this.chars - 1))}`;
  }
}
