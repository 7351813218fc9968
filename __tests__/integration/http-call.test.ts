/** The one HTTP call helper against real sockets on 127.0.0.1: refused, reset, hung, transient then fine. */
import { afterAll, describe, expect, test } from '@jest/globals';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { call, callWithRetry, NetworkError, StatusError } from '../../src/http/call.js';

const servers: (Server | NetServer)[] = [];
afterAll(() => servers.forEach((s) => s.close()));

async function listen<T extends Server | NetServer>(s: T): Promise<string> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  s.unref();
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('call', () => {
  test('a refused connection names the address and port, even port 1', async () => {
    await expect(call({ method: 'GET', url: 'http://user:pw@127.0.0.1:1/system/info' })).rejects.toThrow(
      'GET http://127.0.0.1:1/system/info: ECONNREFUSED 127.0.0.1:1',
    );
  });

  test('a dropped connection is a socket hang up', async () => {
    const url = await listen(createServer((c) => c.destroy()));
    const err = await call({ method: 'GET', url: `${url}/system/functions` }).catch((e: NetworkError) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/system\/functions: socket hang up/);
  });

  test('a server that never answers is cut at the timeout', async () => {
    const url = await listen(createServer(() => undefined));
    await expect(call({ method: 'PUT', url, timeoutMs: 200 })).rejects.toThrow(
      /PUT http:\/\/127\.0\.0\.1:\d+\/: no answer within 0\.2s/,
    );
  });
});

describe('callWithRetry', () => {
  test('retries a 502 and returns the accepted answer; logs one line', async () => {
    let n = 0;
    const url = await listen(createHttpServer((_q, res) => res.writeHead(++n < 2 ? 502 : 200).end('fine')));
    const log: string[] = [];
    const res = await callWithRetry({
      method: 'GET',
      url,
      accept: (s) => s === 200,
      log: (l) => log.push(l),
      policy: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    expect(res.text).toBe('fine');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/ answered 502: fine; retrying up to 2 more times$/);
  });

  test('a 401 is not retried and carries the hint', async () => {
    let n = 0;
    const url = await listen(createHttpServer((_q, res) => (n++, res.writeHead(401).end('invalid credentials'))));
    const err = await callWithRetry({
      method: 'GET',
      url,
      accept: (s) => s === 200,
      hint: () => ' (check the password)',
    }).catch((e: StatusError) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).message).toMatch(/answered 401: invalid credentials \(check the password\)$/);
    expect(n).toBe(1);
  });
});
