import { describe, expect, test } from '@jest/globals';
import { ownerPath } from '../../src/image/ghcr.js';
import { ghcrPackage, normalReference, parseRepository } from '../../src/image/reference.js';

describe('parseRepository: registry kind by Docker’s reference rule', () => {
  test.each([
    ['ghcr.io/acme/app', { kind: 'ghcr', host: 'ghcr.io', path: 'acme/app' }],
    ['GHCR.io/acme/tools/app', { kind: 'ghcr', host: 'ghcr.io', path: 'acme/tools/app' }],
    ['docker.io/acme/app', { kind: 'docker-hub', host: 'docker.io', path: 'acme/app' }],
    ['index.docker.io/acme/app', { kind: 'docker-hub', host: 'docker.io', path: 'acme/app' }],
    ['registry-1.docker.io/acme/app', { kind: 'docker-hub', host: 'docker.io', path: 'acme/app' }],
    ['acme/app', { kind: 'docker-hub', host: 'docker.io', path: 'acme/app' }],
    ['app', { kind: 'docker-hub', host: 'docker.io', path: 'library/app' }],
    ['docker.io/app', { kind: 'docker-hub', host: 'docker.io', path: 'library/app' }],
    ['localhost/app', { kind: 'distribution', host: 'localhost', path: 'app' }],
    ['127.0.0.1:5000/acme/app', { kind: 'distribution', host: '127.0.0.1:5000', path: 'acme/app' }],
    ['registry.example.com/app', { kind: 'distribution', host: 'registry.example.com', path: 'app' }],
    ['myhost:5000/app', { kind: 'distribution', host: 'myhost:5000', path: 'app' }],
  ])('%s', (repository, expected) => {
    expect(parseRepository(repository)).toEqual(expected);
  });

  test('an empty path component is an error that names the repository', () => {
    expect(() => parseRepository('registry.example.com//app')).toThrow(
      "image repository 'registry.example.com//app' has an empty path component",
    );
  });
});

describe('ghcrPackage', () => {
  test('the owner is the first component; the package name is the rest, slashes included', () => {
    expect(ghcrPackage(parseRepository('ghcr.io/acme/tools/app'))).toEqual({ owner: 'acme', name: 'tools/app' });
    expect(ghcrPackage(parseRepository('ghcr.io/acme/app'))).toEqual({ owner: 'acme', name: 'app' });
  });

  test('ghcr.io/<owner> alone has no package', () => {
    expect(() => ghcrPackage(parseRepository('ghcr.io/acme'))).toThrow(
      'has no package name; expected ghcr.io/<owner>/<package>',
    );
  });
});

describe('ownerPath: org and user endpoint families', () => {
  test('an organization uses /orgs/{org}', () => {
    expect(ownerPath('acme', 'Organization', 'acme')).toEqual({ path: '/orgs/{org}', params: { org: 'acme' } });
  });

  test("a user's own token uses /user; any other token /users/{username}", () => {
    expect(ownerPath('Octo-User', 'User', 'octo-user')).toEqual({ path: '/user', params: {} });
    expect(ownerPath('octo-user', 'User', undefined)).toEqual({
      path: '/users/{username}',
      params: { username: 'octo-user' },
    });
    expect(ownerPath('octo-user', 'User', 'someone-else')).toEqual({
      path: '/users/{username}',
      params: { username: 'octo-user' },
    });
  });
});

describe("normalReference: Docker's normal form, as faasd reports an image", () => {
  test.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['acme/app:pr-1-abcdef0', 'docker.io/acme/app:pr-1-abcdef0'],
    ['docker.io/library/nginx:1', 'docker.io/library/nginx:1'],
    ['index.docker.io/acme/app:x', 'docker.io/acme/app:x'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['Registry.Example.com:5000/team/app:v2', 'registry.example.com:5000/team/app:v2'],
    [`ghcr.io/o/app@sha256:${'a'.repeat(64)}`, `ghcr.io/o/app@sha256:${'a'.repeat(64)}`],
    [`ghcr.io/o/app:v1@sha256:${'a'.repeat(64)}`, `ghcr.io/o/app:v1@sha256:${'a'.repeat(64)}`],
    ['a//b', 'a//b'],
  ])('%s → %s', (image, normal) => {
    expect(normalReference(image)).toBe(normal);
  });
});
