import { describe, expect, test } from '@jest/globals';
import { LineSplitter, MAX_LINE, Tail } from '../../src/hooks/lines.js';
import { workflowLog } from '../../src/hooks/log.js';

function split(chunks: (string | Buffer)[]): string[] {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  for (const c of chunks) s.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  s.end();
  return lines;
}

describe('LineSplitter', () => {
  test('joins lines cut across chunks, so a secret is never seen in halves', () => {
    expect(split(['pass', 'word=hun', 'ter2\nnext', ' line\n'])).toEqual(['password=hunter2', 'next line']);
  });

  test('keeps a multi-byte character split between chunks, drops CR of CRLF, flushes the last unterminated line', () => {
    const euro = Buffer.from('€');
    expect(
      split([
        Buffer.concat([Buffer.from('price '), euro.subarray(0, 1)]),
        Buffer.concat([euro.subarray(1), Buffer.from('5\r\nend')]),
      ]),
    ).toEqual(['price €5', 'end']);
  });

  test('cuts a line that never ends at MAX_LINE characters', () => {
    const lines = split(['x'.repeat(MAX_LINE * 2 + 10)]);
    expect(lines.map((l) => l.length)).toEqual([MAX_LINE, MAX_LINE, 10]);
  });
});

describe('Tail', () => {
  test('keeps the last lines and clips from the front, marking the cut', () => {
    const t = new Tail(3, 12);
    for (const l of ['one', 'two', 'three', 'four']) t.add(l);
    expect(t.text()).toBe('…three\nfour');
    const roomy = new Tail(2, 100);
    for (const l of ['a', 'b', 'c']) roomy.add(l);
    expect(roomy.text()).toBe('b\nc');
    const long = new Tail(5, 10);
    long.add('0123456789abcdef');
    expect(long.text()).toBe('…789abcdef');
  });
});

describe('workflowLog', () => {
  test("switches the runner's command processing off around the hook's lines with a fresh random token", () => {
    const written: string[] = [];
    const log = workflowLog((t) => written.push(t));
    log.begin('database-migrate');
    log.line('::set-output name=url::https://evil.example');
    log.end();
    expect(written[0]).toBe('::group::hook database-migrate');
    const token = /^::stop-commands::(.+)$/.exec(written[1])?.[1];
    expect(token).toMatch(/^faas-preview-[0-9a-f]{32}$/);
    expect(written.slice(2)).toEqual(['::set-output name=url::https://evil.example', `::${token}::`, '::endgroup::']);

    const again: string[] = [];
    const second = workflowLog((t) => again.push(t));
    second.begin('x');
    expect(again[1]).not.toBe(written[1]);
  });
});
