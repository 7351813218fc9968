/** Medians, formats and markdown tables of the bench's report. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
export const fmtMb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
const fmtRatio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '—');

export interface Row {
  label: string;
  values: Partial<Record<string, number>>;
  fmt: (n: number) => string;
  /** Ratio columns `base/other` for this row. */
  ratio: boolean;
}

/** One column per entry of `columns`, then a `base/<other>` ratio column for every other one. */
export function table(rows: Row[], columns: { key: string; name: string }[], base: string): string {
  const baseName = columns.find((c) => c.key === base)?.name ?? base;
  const others = columns.filter((c) => c.key !== base);
  const head = ['', ...columns.map((c) => c.name), ...others.map((c) => `${baseName}/${c.name}`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const r of rows) {
    const cells = columns.map((c) => (r.values[c.key] === undefined ? 'n/a' : r.fmt(r.values[c.key]!)));
    const b = r.values[base];
    const ratios = others.map((c) =>
      r.ratio && b !== undefined && r.values[c.key] !== undefined ? fmtRatio(b, r.values[c.key]!) : '',
    );
    lines.push(`| ${[r.label, ...cells, ...ratios].join(' | ')} |`);
  }
  return lines.join('\n');
}
