import { describe, expect, test } from '@jest/globals';
import { endToEnd } from '../../src/waker/proxy.js';

describe('endToEnd: what the waker forwards of a request or an answer', () => {
  test('drops hop-by-hop fields, those the Connection header names, Host and Expect; keeps the rest as it is', () => {
    expect(
      endToEnd({
        host: 'shop-pr-1.preview.example.com',
        connection: 'keep-alive, X-Trace-Hop',
        'keep-alive': 'timeout=5',
        'x-trace-hop': 'one hop only',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        trailer: 'x-checksum',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic eDp5',
        'proxy-connection': 'keep-alive',
        expect: '100-continue',
        'content-type': 'application/json',
        authorization: 'Bearer visitor-token',
        cookie: 'session=1',
        'x-forwarded-for': '203.0.113.7',
        'set-cookie': ['a=1', 'b=2'],
      }),
    ).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer visitor-token',
      cookie: 'session=1',
      'x-forwarded-for': '203.0.113.7',
      'set-cookie': ['a=1', 'b=2'],
    });
  });

  test('header names are matched without regard to case', () => {
    expect(endToEnd({ Connection: 'X-A', 'X-A': '1', 'Transfer-Encoding': 'chunked', 'X-B': '2' })).toEqual({
      'x-b': '2',
    });
  });
});
