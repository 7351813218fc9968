/**
 * The anonymous-pull preflight against the real docker-registry: public (anonymous pull tokens), private, missing;
 * and no verdict when the registry cannot be reached (a closed port on 127.0.0.1) or answers 5xx.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { anonymousPull, splitImage } from '../../src/image/public.js';
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

describe('anonymousPull against docker-registry', () => {
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
    anonymousPull(`${r.host}/acme/app:${tag}`, { insecure: true, timeoutMs: 5000 });

  test('a public repository: anonymous token, manifest found', async () => {
    expect(await ask(publicRegistry)).toEqual({ kind: 'public' });
    expect(publicRegistry.tokenScopes).toContain('repository:acme/app:pull');
  });

  test('a tag that does not exist is a problem even where anonymous pulls work', async () => {
    expect(await ask(publicRegistry, 'pr-1-0000000')).toEqual({
      kind: 'denied',
      why: expect.stringMatching(
        /HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/app\/manifests\/pr-1-0000000 answered 404 without credentials/,
      ),
    });
  });

  test('private behind a token service, and private behind Basic auth', async () => {
    expect(await ask(privateToken)).toEqual({
      kind: 'denied',
      why: expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/token\?service=.* answered 401$/),
    });
    expect(await ask(privateBasic)).toEqual({
      kind: 'denied',
      why: expect.stringMatching(
        /^HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/app\/manifests\/pr-1-abcdef0 answered 401$/,
      ),
    });
  });
});

describe('anonymousPull without a verdict', () => {
  const ask = (host: string) => anonymousPull(`${host}/acme/app:pr-1-abcdef0`, { insecure: true, timeoutMs: 5000 });

  test('a registry the runner cannot reach (a closed port on 127.0.0.1) is unverified, not denied', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await ask(`127.0.0.1:${port}`)).toEqual({
      kind: 'unverified',
      why: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}.*(refused|ECONNREFUSED)`)),
    });
  });

  test('a registry that answers 503 said nothing about credentials: unverified', async () => {
    const server = http.createServer((_req, res) => res.writeHead(503).end('maintenance'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(await ask(`127.0.0.1:${port}`)).toEqual({
        kind: 'unverified',
        why: expect.stringMatching(/answered 503/),
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
