/**
 * Which repositories a teardown cleans of this PR's tags (src/commands/teardown.ts tagRepositories): the build
 * repository, every other repository a function of the preview ran one of this PR's `pr-<n>-<sha7>` tags of, and the
 * repositories the preview's record says its deploys pushed to.
 */
import { describe, expect, test } from '@jest/globals';
import { tagRepositories } from '../../src/commands/teardown.js';
import { recordRepositories, type PreviewRecord } from '../../src/state/records.js';

const BUILD = '127.0.0.1:5000/acme/shop';

describe('tagRepositories', () => {
  test('the build repository always, and first, even when no function ran it', () => {
    expect(tagRepositories(BUILD, [], 7)).toEqual([BUILD]);
    expect(tagRepositories(BUILD, ['127.0.0.1:5000/acme/api:pr-7-abcdef1'], 7)).toEqual([
      BUILD,
      '127.0.0.1:5000/acme/api',
    ]);
  });

  test("each stack function's repository once, in the order the images came", () => {
    const images = [
      '127.0.0.1:5000/acme/hello:pr-7-1234567',
      '127.0.0.1:5000/acme/api:pr-7-abcdef1',
      '127.0.0.1:5000/acme/hello:pr-7-abcdef1',
      `${BUILD}:pr-7-abcdef1`,
    ];
    expect(tagRepositories(BUILD, images, 7)).toEqual([BUILD, '127.0.0.1:5000/acme/hello', '127.0.0.1:5000/acme/api']);
  });

  test("only this PR's pr-<n>-<sha7> tags count: other PRs', other tags, digests and prebuilt images are ignored", () => {
    const images = [
      'ghcr.io/acme/api:pr-71-abcdef1',
      'ghcr.io/acme/web:pr-17-abcdef1',
      'ghcr.io/acme/tool:1.2.3',
      'ghcr.io/acme/cli:pr-7-abcdef1-debug',
      'ghcr.io/acme/db:pr-7-ABCDEF1',
      'ghcr.io/acme/job:pr-7-abcdef',
      'ghcr.io/acme/pinned@sha256:' + 'a'.repeat(64),
      'docker.io/library/busybox',
      '',
    ];
    expect(tagRepositories(BUILD, images, 7)).toEqual([BUILD]);
  });

  test("without a build repository (builder none) only the functions' repositories", () => {
    expect(tagRepositories('', ['ghcr.io/acme/api:pr-7-abcdef1', 'ghcr.io/acme/tool:1.2.3'], 7)).toEqual([
      'ghcr.io/acme/api',
    ]);
    expect(tagRepositories('', [], 7)).toEqual([]);
  });
});

describe('with the repositories the record kept', () => {
  test('they are added after the ones the images name, each once', () => {
    const pushed = ['127.0.0.1:5000/acme/api', '127.0.0.1:5000/acme/dropped', BUILD];
    expect(tagRepositories(BUILD, ['127.0.0.1:5000/acme/api:pr-7-abcdef1'], 7, pushed)).toEqual([
      BUILD,
      '127.0.0.1:5000/acme/api',
      '127.0.0.1:5000/acme/dropped',
    ]);
  });

  test("a record's repositories: only its strings, whatever else the bucket object holds", () => {
    const record = (repositories: unknown) =>
      ({
        version: 1,
        name: 'shop-pr-7',
        pr: 7,
        sha: '',
        image: '',
        url: '',
        updatedAt: '',
        repositories,
      }) as PreviewRecord;
    expect(recordRepositories(record(['a/b', 3, '', null, 'c/d']))).toEqual(['a/b', 'c/d']);
    expect(recordRepositories(record('a/b'))).toEqual([]);
    expect(recordRepositories(record(undefined))).toEqual([]);
    expect(recordRepositories(undefined)).toEqual([]);
  });
});
