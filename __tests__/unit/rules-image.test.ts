import { describe, expect, test } from '@jest/globals';
import { buildArgs, prebuiltImage, pushRepository, referenceProblem } from '../../src/rules/image.js';
import { reader, refusal } from './inputs-support.js';

const SHA256 = 'a'.repeat(64);

describe('image references (distribution reference grammar)', () => {
  test.each([
    'nginx',
    'nginx:1.27',
    'library/nginx:latest',
    'ghcr.io/acme/api:1.2.3',
    'localhost:5000/acme/api',
    '127.0.0.1:5000/a/b:pr-1-abcdef0',
    '[::1]:5000/a:tag',
    'Registry.Example.com/a__b/c--d/e.f_g:T_a.g-1',
    `ghcr.io/acme/api@sha256:${SHA256}`,
    `ghcr.io/acme/api:1.2.3@sha256:${SHA256}`,
    `ghcr.io/acme/api@sha512:${'b'.repeat(128)}`,
    `a:${'t'.repeat(128)}`,
  ])('%j is valid', (ref) => expect(referenceProblem(ref)).toBeUndefined());

  const NAME =
    "has a name that is not [registry/]path components of lowercase letters and digits separated by '.', '_', '__' or '-'";
  const TAG = "has a tag that is not 1 to 128 letters, digits, '_', '.' and '-' (not starting with '.' or '-')";
  const DIGEST = "has a digest that is not 'sha256:' and 64 or 'sha512:' and 128 lowercase hex digits";
  test.each([
    ['ghcr.io/Acme/api:1', NAME],
    ['ghcr.io/acme/api:', TAG],
    ['ghcr.io/acme/api:-x', TAG],
    [`a:${'t'.repeat(129)}`, TAG],
    ['ghcr.io/acme/api:1.0:2', NAME],
    ['ghcr.io/acme//api', NAME],
    ['ghcr.io/acme/api/', NAME],
    ['https://ghcr.io/acme/api', NAME],
    ['acme/a___b', NAME],
    ['acme/-api', NAME],
    ['', NAME],
    ['ghcr.io/acme/api@sha256:abc', DIGEST],
    [`ghcr.io/acme/api@sha256:${'A'.repeat(64)}`, DIGEST],
    [`ghcr.io/acme/api@md5:${'a'.repeat(32)}`, DIGEST],
    ['ghcr.io/acme/api@latest', DIGEST],
    [`ghcr.io/${'a'.repeat(250)}`, 'has a name of 258 characters; at most 255'],
  ])('%j is refused', (ref, problem) => expect(referenceProblem(ref)).toBe(problem));

  test('builder none: image is required and must be a reference', () => {
    expect(prebuiltImage(reader({ image: 'ghcr.io/acme/api:1.2.3' }))).toBe('ghcr.io/acme/api:1.2.3');
    expect(refusal(() => prebuiltImage(reader({})))).toBe(
      "input 'image': is required with builder 'none': the prebuilt image to deploy, like ghcr.io/acme/api:1.2.3",
    );
    expect(refusal(() => prebuiltImage(reader({ image: 'ghcr.io/acme/api:1.2.3 ' + 'x' })))).toBe(
      `input 'image': 'ghcr.io/acme/api:1.2.3 x' ${TAG}; use a reference like 'ghcr.io/acme/api:1.2.3' or 'ghcr.io/acme/api@sha256:<64 hex digits>'`,
    );
  });
});

describe('push repository (with a builder)', () => {
  const repo = (inputs: Record<string, string>) => pushRepository(reader(inputs), 'docker', 'shop');

  test.each([
    [{ registry: 'ghcr.io/acme' }, 'ghcr.io/acme/shop'],
    [{ registry: 'ghcr.io/acme/' }, 'ghcr.io/acme/shop'],
    [{ registry: 'ghcr.io/acme', image: 'web/front' }, 'ghcr.io/acme/web/front'],
    [{ registry: 'localhost:5000' }, 'localhost:5000/shop'],
    [{ registry: 'localhost' }, 'localhost/shop'],
    [{ registry: '127.0.0.1:5000/acme' }, '127.0.0.1:5000/acme/shop'],
    // `ghcr.io/${{ github.repository_owner }}` for an owner with capitals
    [{ registry: 'ghcr.io/Acme' }, 'ghcr.io/acme/shop'],
  ])('%j pushes to %j', (inputs, expected) => expect(repo(inputs)).toBe(expected));

  test.each([
    [{}, "input 'registry': is required with builder 'docker': where to push the preview image, like ghcr.io/acme"],
    [
      { registry: 'acme' },
      "input 'registry': 'acme' does not start with a registry host; use one like 'ghcr.io/acme' or 'docker.io/acme'",
    ],
    [
      { registry: 'https://ghcr.io/acme' },
      "input 'registry': 'https://ghcr.io/acme' has a scheme; give the host and namespace only, like ghcr.io/acme",
    ],
    [
      { registry: 'user:pw@ghcr.io/acme' },
      "input 'registry': contains credentials; remove them and set 'registry-username' and 'registry-password' instead",
    ],
    [
      { registry: 'ghcr.io/acme', image: 'shop:1.0' },
      "input 'image': 'shop:1.0' has a tag or digest; with builder 'docker' it is the repository under 'registry', like 'shop', and the action tags it pr-<number>-<sha7>",
    ],
    [
      { registry: 'ghcr.io/acme', image: `shop@sha256:${SHA256}` },
      `input 'image': 'shop@sha256:${SHA256}' has a tag or digest; with builder 'docker' it is the repository under 'registry', like 'shop', and the action tags it pr-<number>-<sha7>`,
    ],
    [
      { registry: 'ghcr.io/acme', image: 'Shop' },
      "input 'image': 'Shop' is not a repository name: path components of lowercase letters and digits separated by '.', '_', '__' or '-', like 'shop'",
    ],
    [
      { registry: `ghcr.io/${'a'.repeat(250)}` },
      `input 'registry': 'ghcr.io/${'a'.repeat(91)}…' gives the repository 'ghcr.io/${'a'.repeat(91)}…', which has a name of 263 characters; at most 255; use one like 'ghcr.io/acme'`,
    ],
  ])('%j is refused', (inputs, message) => expect(refusal(() => repo(inputs))).toBe(message));
});

describe('build-args', () => {
  test('shell-style names', () => {
    expect(buildArgs(reader({ 'build-args': 'NODE_ENV=production\n_X1=a=b' }))).toEqual({
      NODE_ENV: 'production',
      _X1: 'a=b',
    });
    expect(refusal(() => buildArgs(reader({ 'build-args': 'NODE-ENV=1' })))).toBe(
      "input 'build-args': 'NODE-ENV' is not a build argument name: letters, digits and '_', not starting with a digit",
    );
    expect(refusal(() => buildArgs(reader({ 'build-args': '1X=1' })))).toBe(
      "input 'build-args': '1X' is not a build argument name: letters, digits and '_', not starting with a digit",
    );
    expect(refusal(() => buildArgs(reader({ 'build-args': 'A=1\nA=2' })))).toBe(
      "input 'build-args': key 'A' is set twice (lines 1 and 2); keep one",
    );
  });
});
