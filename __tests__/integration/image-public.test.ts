/** The anonymous-pull preflight against the real docker-registry: public (anonymous pull tokens), private, missing. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { anonymousPullProblem, splitImage } from '../../src/image/public.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { describeWith } from '../../test/support/tools.js';

test('splitImage: tag, digest, none', () => {
  expect(splitImage('127.0.0.1:5000/acme/app:pr-1-abcdef0')).toEqual({
    repository: '127.0.0.1:5000/acme/app',
    reference: 'pr-1-abcdef0',
  });
  expect(splitImage('127.0.0.1:5000/acme/app')).toEqual({ repository: '127.0.0.1:5000/acme/app', reference: 'latest' });
  expect(splitImage(`ghcr.io/acme/app:1.0@sha256:${'a'.repeat(64)}`)).toEqual({
    repository: 'ghcr.io/acme/app',
    reference: `sha256:${'a'.repeat(64)}`,
  });
});

const { describe } = describeWith(['docker-registry', 'openssl']);

describe('anonymousPullProblem', () => {
  let publicRegistry: Registry;
  let privateToken: Registry;
  let privateBasic: Registry;
  beforeAll(async () => {
    [publicRegistry, privateToken, privateBasic] = await Promise.all([
      startRegistry({ auth: 'token', anonymousPull: true }),
      startRegistry({ auth: 'token' }),
      startRegistry(),
    ]);
    await Promise.all(
      [publicRegistry, privateToken, privateBasic].map((r) => r.pushImage('acme/app', ['pr-1-abcdef0'])),
    );
  });
  afterAll(async () => Promise.all([publicRegistry, privateToken, privateBasic].map((r) => r?.close())));

  const ask = (r: Registry, tag = 'pr-1-abcdef0') =>
    anonymousPullProblem(`${r.host}/acme/app:${tag}`, { insecure: true, timeoutMs: 5000 });

  test('a public repository: anonymous token, manifest found', async () => {
    expect(await ask(publicRegistry)).toBeUndefined();
    expect(publicRegistry.tokenScopes).toContain('repository:acme/app:pull');
  });

  test('a tag that does not exist is a problem even where anonymous pulls work', async () => {
    expect(await ask(publicRegistry, 'pr-1-0000000')).toMatch(
      /HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/app\/manifests\/pr-1-0000000 answered 404 without credentials/,
    );
  });

  test('private behind a token service, and private behind Basic auth', async () => {
    expect(await ask(privateToken)).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/token\?service=.* answered 401$/);
    expect(await ask(privateBasic)).toMatch(
      /^HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/app\/manifests\/pr-1-abcdef0 answered 401$/,
    );
  });
});
