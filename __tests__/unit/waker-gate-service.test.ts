/**
 * Which repository a preview belongs to, for the gate: the one configured repository, or, with several, the one
 * the preview's record (or, once removed, its tombstone) in the bucket names — believed only when it is configured,
 * and read once per FACTS_TTL_MS at most.
 */
import { describe, expect, test } from '@jest/globals';
import type { StateStore } from '../../src/state/store.js';
import { repositoryLookup } from '../../src/waker/gate-service.js';
import { FACTS_TTL_MS, storedFactsLookup } from '../../src/waker/stored-facts.js';

/** A bucket holding the preview records given (key → JSON), counting reads. */
function store(records: Record<string, unknown>) {
  const reads: string[] = [];
  const get = async (key: string): Promise<Buffer | undefined> => {
    reads.push(key);
    const value = records[key];
    if (value === 'denied') throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    return value === undefined ? undefined : Buffer.from(JSON.stringify(value));
  };
  return { reads, store: { bucket: 'previews', statePrefix: '.faas-preview', objects: { get } } as StateStore };
}

const tombstone = (name: string, githubRepository: string) => ({
  version: 1,
  name,
  pr: 3,
  githubRepository,
  reason: 'PR #3 was closed',
  closedAt: '2026-12-01T00:00:00Z',
});

const repos = [
  { owner: 'Acme', repo: 'Shop' },
  { owner: 'acme', repo: 'blog' },
];

describe('repositoryLookup', () => {
  test('with one repository configured, every preview is its, without reading the bucket', async () => {
    const s = store({});
    const lookup = repositoryLookup(
      [repos[0]],
      storedFactsLookup(
        s.store,
        () => 0,
        () => undefined,
      ),
    );
    expect(await lookup('shop-pr-1')).toBe('acme/shop');
    expect(s.reads).toEqual([]);
  });

  test("with several, the record's repository when it is one of them, lowercased", async () => {
    const s = store({ '.faas-preview/previews/blog-pr-2.json': { githubRepository: 'ACME/Blog' } });
    expect(
      await repositoryLookup(
        repos,
        storedFactsLookup(
          s.store,
          () => 0,
          () => undefined,
        ),
      )('blog-pr-2'),
    ).toBe('acme/blog');
  });

  test('a record naming a repository that is not configured, or none, or no record: unknown', async () => {
    const s = store({
      '.faas-preview/previews/evil-pr-1.json': { githubRepository: 'mallory/evil' },
      '.faas-preview/previews/old-pr-1.json': { name: 'old-pr-1' },
    });
    const lookup = repositoryLookup(
      repos,
      storedFactsLookup(
        s.store,
        () => 0,
        () => undefined,
      ),
    );
    expect(await lookup('evil-pr-1')).toBeUndefined();
    expect(await lookup('old-pr-1')).toBeUndefined();
    expect(await lookup('gone-pr-9')).toBeUndefined();
  });

  test("a removed preview's tombstone names its repository once the record is gone", async () => {
    const s = store({
      '.faas-preview/closed/blog-pr-3.json': tombstone('blog-pr-3', 'acme/blog'),
      '.faas-preview/closed/evil-pr-3.json': tombstone('evil-pr-3', 'mallory/evil'),
    });
    const lookup = repositoryLookup(
      repos,
      storedFactsLookup(
        s.store,
        () => 0,
        () => undefined,
      ),
    );
    expect(await lookup('blog-pr-3')).toBe('acme/blog');
    expect(await lookup('evil-pr-3')).toBeUndefined();
  });

  test('an answer is reused for FACTS_TTL_MS, then read again (a live preview: its record alone)', async () => {
    const s = store({ '.faas-preview/previews/blog-pr-2.json': { githubRepository: 'acme/blog' } });
    let now = 0;
    const lookup = repositoryLookup(
      repos,
      storedFactsLookup(
        s.store,
        () => now,
        () => undefined,
      ),
    );
    await lookup('blog-pr-2');
    now = FACTS_TTL_MS - 1;
    await lookup('blog-pr-2');
    expect(s.reads).toEqual(['.faas-preview/previews/blog-pr-2.json']);
    now = FACTS_TTL_MS;
    await lookup('blog-pr-2');
    expect(s.reads).toHaveLength(2);
  });

  test("a tombstone that cannot be read (a bucket granting no listing answers a missing key 403) is no tombstone, logged; the record's failure is not hidden", async () => {
    const s = store({
      '.faas-preview/closed/blog-pr-5.json': 'denied',
      '.faas-preview/previews/blog-pr-6.json': 'denied',
    });
    const lines: string[] = [];
    const facts = storedFactsLookup(
      s.store,
      () => 0,
      (l) => lines.push(l),
    );
    expect(await facts('blog-pr-5')).toEqual({ record: undefined, closed: undefined });
    expect(lines).toEqual(['tombstone of blog-pr-5 could not be read: Access Denied']);
    await expect(facts('blog-pr-6')).rejects.toThrow('Access Denied');
  });
});
