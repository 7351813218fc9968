import { describe, expect, test } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { deletePrTags } from '../../src/image/tag-cleanup.js';
import { cleanupBuild } from '../../test/support/registry.js';

describe('deletePrTags on Docker Hub', () => {
  // Any call would go to 127.0.0.1:1 (GitHub) or to Docker Hub and fail within 100 ms.
  const deps = { octokit: getOctokit('unused', { baseUrl: 'http://127.0.0.1:1' }), timeoutMs: 100 };

  test.each(['acme/app', 'docker.io/acme/app', 'index.docker.io/acme/app', 'registry-1.docker.io/acme/app'])(
    '%s: says once that nothing was deleted, without a call',
    async (repository) => {
      expect(await deletePrTags(cleanupBuild(repository), 5, deps)).toEqual({
        registry: 'docker-hub',
        deleted: [],
        kept: [],
        unsupported:
          'Docker Hub cannot delete tags through the registry API (it answers DELETE with 405), so no tag of docker.io/acme/app was deleted; ' +
          "remove this PR's pr-5-* tags on hub.docker.com",
      });
    },
  );
});
