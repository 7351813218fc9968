import { describe, expect, test } from '@jest/globals';
import { permissionFor } from '../../src/github/client.js';

describe("the permissions: entry a GitHub call needs (for GitHub's bare 403)", () => {
  test.each([
    ['POST', '/repos/o/r/issues/7/comments', 'pull-requests: write'],
    ['PATCH', '/repos/o/r/issues/comments/9', 'pull-requests: write'],
    ['GET', '/repos/o/r/issues/7/comments', 'pull-requests: read'],
    ['POST', '/repos/o/r/deployments', 'deployments: write'],
    ['POST', '/repos/o/r/deployments/3/statuses', 'deployments: write'],
    ['GET', '/repos/o/r/deployments', 'deployments: read'],
    ['DELETE', '/user/packages/container/api/versions/5', 'packages: write'],
    ['GET', '/orgs/acme/packages/container/api/versions', 'packages: read'],
    ['GET', '/repos/o/r/pulls/7', 'pull-requests: read'],
    ['GET', '/repos/o/r/commits/abc', 'contents: read'],
  ])('%s %s needs %s', (method, path, need) => expect(permissionFor(method, path)).toBe(need));

  test('a route it does not know names nothing', () => expect(permissionFor('GET', '/repos/o/r')).toBeUndefined());
});
