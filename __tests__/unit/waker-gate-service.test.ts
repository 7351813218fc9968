/**
 * Which repository a preview belongs to, for the gate: the one configured repository, or, with several, the one
 * the preview's record in the bucket names — believed only when it is configured, and read once a minute at most.
 */
import { describe, expect, test } from '@jest/globals';
import type { S3Client } from '@aws-sdk/client-s3';
import { repositoryLookup } from '../../src/waker/gate-service.js';

/** A bucket holding the preview records given (key → JSON), counting reads. */
function store(records: Record<string, unknown>) {
  const reads: string[] = [];
  const client = {
    send: async (command: { input: { Key: string } }) => {
      reads.push(command.input.Key);
      const value = records[command.input.Key];
      if (value === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return { Body: { transformToString: async () => JSON.stringify(value) } };
    },
  } as unknown as S3Client;
  return { reads, store: { client, bucket: 'previews', statePrefix: '.faas-preview' } };
}

const repos = [
  { owner: 'Acme', repo: 'Shop' },
  { owner: 'acme', repo: 'blog' },
];

describe('repositoryLookup', () => {
  test('with one repository configured, every preview is its, without reading the bucket', async () => {
    const s = store({});
    const lookup = repositoryLookup([repos[0]], s.store, () => 0);
    expect(await lookup('shop-pr-1')).toBe('acme/shop');
    expect(s.reads).toEqual([]);
  });

  test("with several, the record's repository when it is one of them, lowercased", async () => {
    const s = store({ '.faas-preview/previews/blog-pr-2.json': { githubRepository: 'ACME/Blog' } });
    expect(await repositoryLookup(repos, s.store, () => 0)('blog-pr-2')).toBe('acme/blog');
  });

  test('a record naming a repository that is not configured, or none, or no record: unknown', async () => {
    const s = store({
      '.faas-preview/previews/evil-pr-1.json': { githubRepository: 'mallory/evil' },
      '.faas-preview/previews/old-pr-1.json': { name: 'old-pr-1' },
    });
    const lookup = repositoryLookup(repos, s.store, () => 0);
    expect(await lookup('evil-pr-1')).toBeUndefined();
    expect(await lookup('old-pr-1')).toBeUndefined();
    expect(await lookup('gone-pr-9')).toBeUndefined();
  });

  test('an answer is reused for a minute, then read again', async () => {
    const s = store({ '.faas-preview/previews/blog-pr-2.json': { githubRepository: 'acme/blog' } });
    let now = 0;
    const lookup = repositoryLookup(repos, s.store, () => now);
    await lookup('blog-pr-2');
    now = 59_999;
    await lookup('blog-pr-2');
    expect(s.reads).toHaveLength(1);
    now = 60_000;
    await lookup('blog-pr-2');
    expect(s.reads).toHaveLength(2);
  });
});
