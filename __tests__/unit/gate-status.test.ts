/**
 * What the edge says when it has nothing to serve: the preview's state from its record and tombstone, the status
 * code, Retry-After, and the page or the line of text; and which requests count as a person opening a page.
 */
import { describe, expect, test } from '@jest/globals';
import { isNavigation } from '../../src/gate/navigation.js';
import {
  BUILDING_RETRY_S,
  MAX_DEPLOY_MS,
  previewState,
  statusAnswer,
  WAKING_RETRY_S,
  wakingAnswer,
  type PreviewState,
} from '../../src/gate/status.js';
import type { ClosedPreview } from '../../src/state/closed.js';
import type { PreviewRecord } from '../../src/state/records.js';

const record = (extra: Partial<PreviewRecord> = {}): PreviewRecord => ({
  version: 1,
  name: 'shop-pr-5',
  pr: 5,
  sha: 'a'.repeat(40),
  image: 'registry/shop:pr-5',
  url: 'https://shop-pr-5.preview.example.com/',
  updatedAt: '2026-12-07T08:00:00.000Z',
  ...extra,
});

const closed = (extra: Partial<ClosedPreview> = {}): ClosedPreview => ({
  version: 1,
  name: 'shop-pr-5',
  pr: 5,
  githubRepository: 'acme/shop',
  reason: 'PR #5 was merged',
  closedAt: '2026-12-01T10:00:00.000Z',
  ...extra,
});

/** Ten minutes after the record's deploy began. */
const NOW = Date.parse('2026-12-07T08:10:00Z');

describe('previewState', () => {
  test('a first deploy whose record is older than a job may run, never ready nor failed: it did not finish', () => {
    const began = Date.parse('2026-12-07T08:00:00Z');
    expect(previewState(record(), undefined, began + MAX_DEPLOY_MS - 1).kind).toBe('building');
    expect(previewState(record(), undefined, began + MAX_DEPLOY_MS)).toEqual({ kind: 'failed', pr: 5 });
    expect(previewState(record({ updatedAt: 'not a date' }), undefined, NOW).kind).toBe('failed');
  });

  test('a record without readyAt, specs or a failed step: the first deploy is running', () => {
    expect(previewState(record(), undefined, NOW)).toEqual({ kind: 'building', pr: 5 });
  });

  test('a failed step and never ready: the first deploy failed', () => {
    expect(previewState(record({ failedStep: 'build' }), undefined, NOW)).toEqual({ kind: 'failed', pr: 5 });
  });

  test('ready once seen ready, also when a later deploy failed or runs; records from before readyAt by their specs', () => {
    expect(previewState(record({ readyAt: '2026-12-07T08:01:00Z' }), undefined, NOW)).toEqual({ kind: 'ready' });
    expect(previewState(record({ readyAt: '2026-12-07T08:01:00Z', failedStep: 'readiness' }), undefined, NOW)).toEqual({
      kind: 'ready',
    });
    expect(previewState(record({ specs: [] }), undefined, NOW)).toEqual({ kind: 'ready' });
  });

  test('the record wins over a tombstone (a reopened PR); a tombstone alone: removed; nothing: unknown', () => {
    expect(previewState(record(), closed(), NOW).kind).toBe('building');
    expect(previewState(undefined, closed(), NOW)).toEqual({
      kind: 'closed',
      reason: 'PR #5 was merged',
      closedAt: '2026-12-01T10:00:00.000Z',
    });
    expect(previewState(undefined, undefined, NOW)).toEqual({ kind: 'unknown' });
  });

  test('a PR number that is not a positive integer is not repeated', () => {
    const hostile = record({ pr: '5<script>' as unknown as number });
    expect(previewState(hostile, undefined, NOW)).toEqual({ kind: 'building', pr: undefined });
  });
});

describe('statusAnswer', () => {
  const cases: [PreviewState, number, number | undefined][] = [
    [{ kind: 'building', pr: 5 }, 503, BUILDING_RETRY_S],
    [{ kind: 'failed', pr: 5 }, 503, undefined],
    [{ kind: 'ready' }, 404, undefined],
    [{ kind: 'closed', reason: 'PR #5 was closed', closedAt: '2026-12-01T10:00:00Z' }, 410, undefined],
    [{ kind: 'unknown' }, 404, undefined],
  ];
  test.each(cases)('%j: status %i, Retry-After %s, the same status on the page', (state, status, retry) => {
    const a = statusAnswer(state, 'shop-pr-5');
    expect([a.status, a.page.status, a.retryAfterS]).toEqual([status, status, retry]);
    expect(a.text).toMatch(/\n$/);
    expect(a.page.html).toMatch(/^<!doctype html><html lang="en">/);
    expect(a.page.html).toContain('<meta name="robots" content="noindex">');
    // Self-contained: no script, no external asset.
    expect(a.page.html).not.toMatch(/<script|src=|href="http/);
  });

  test('only the pages of a state that changes by itself reload themselves', () => {
    expect(statusAnswer({ kind: 'building', pr: 5 }, 'shop-pr-5').page.html).toContain(
      `<meta http-equiv="refresh" content="${BUILDING_RETRY_S}">`,
    );
    for (const state of cases.map((c) => c[0]).filter((s) => s.kind !== 'building'))
      expect(statusAnswer(state, 'shop-pr-5').page.html).not.toContain('http-equiv="refresh"');
  });

  test('building names the PR; removed says when and why, in UTC', () => {
    expect(statusAnswer({ kind: 'building', pr: 5 }, 'shop-pr-5').page.html).toContain(
      'The first deploy of PR #5 began and has not finished',
    );
    const removed = statusAnswer(
      { kind: 'closed', reason: 'PR #5 was merged', closedAt: '2026-12-01T23:30:00-02:00' },
      'shop-pr-5',
    );
    expect(removed.page.html).toContain('was removed on 2 Dec 2026: PR #5 was merged. Its pages and its API are gone.');
  });

  test("the bucket's words are escaped and bounded; a date that is not one is left out", () => {
    const a = statusAnswer(
      { kind: 'closed', reason: `<img src=x onerror=alert(1)>${'x'.repeat(500)}`, closedAt: 'yesterday' },
      'shop-pr-5',
    );
    expect(a.page.html).not.toContain('<img');
    expect(a.page.html).toContain('&#60;img');
    expect(a.page.html).toContain('was removed: ');
    expect(a.page.html.length).toBeLessThan(2000);
  });
});

describe('wakingAnswer', () => {
  test('503 with Retry-After, a page that reloads, and a line for scripts', () => {
    const a = wakingAnswer('shop-pr-5');
    expect([a.status, a.retryAfterS]).toEqual([503, WAKING_RETRY_S]);
    expect(a.page.html).toContain(`<meta http-equiv="refresh" content="${WAKING_RETRY_S}">`);
    expect(a.page.html).toContain('role="status"');
    expect(a.text).toBe(`preview shop-pr-5 is waking up; try again in ${WAKING_RETRY_S} s\n`);
  });
});

describe('isNavigation', () => {
  test('Sec-Fetch-Mode decides when a browser sends it', () => {
    expect(isNavigation({ 'sec-fetch-mode': 'navigate' }, 'GET')).toBe(true);
    expect(isNavigation({ 'sec-fetch-mode': 'cors', accept: 'text/html' }, 'GET')).toBe(false);
    expect(isNavigation({ 'sec-fetch-mode': ['navigate', 'cors'] }, 'GET')).toBe(true);
  });

  test('without it, a GET asking for HTML', () => {
    expect(isNavigation({ accept: 'text/html,application/xhtml+xml' }, 'GET')).toBe(true);
    expect(isNavigation({ accept: 'text/html' }, 'POST')).toBe(false);
    expect(isNavigation({ accept: 'application/json' }, 'GET')).toBe(false);
    expect(isNavigation({}, 'GET')).toBe(false);
  });
});
