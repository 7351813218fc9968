import { describe, expect, test } from '@jest/globals';
import { bearerChallenge } from '../../src/image/distribution-client.js';
import { nextLink, nextPageUrl } from '../../src/image/link.js';

describe('nextLink: RFC 8288 Link header', () => {
  test.each([
    ['</v2/app/tags/list?last=b&n=2>; rel="next"', '/v2/app/tags/list?last=b&n=2'],
    [
      '<https://reg.example.com/v2/app/tags/list?last=b&n=2>; rel="next"',
      'https://reg.example.com/v2/app/tags/list?last=b&n=2',
    ],
    [
      '<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next", <https://api.github.com/x?page=9>; rel="last"',
      'https://api.github.com/x?page=3',
    ],
    ['</v2/app/tags/list?last=b>;rel=next', '/v2/app/tags/list?last=b'],
    ['</v2/a?x=1,2>; title="a, b"; REL="Next"', '/v2/a?x=1,2'],
    ['</v2/a?last=b>; rel="next last"', '/v2/a?last=b'],
  ])('%s', (header, expected) => {
    expect(nextLink(header)).toBe(expected);
  });

  test('no next link', () => {
    expect(nextLink(undefined)).toBeUndefined();
    expect(nextLink('</v2/a?page=1>; rel="prev"')).toBeUndefined();
    expect(nextLink('garbage')).toBeUndefined();
  });
});

describe('nextPageUrl: resolved against the current page, never off the registry', () => {
  const registry = new URL('http://127.0.0.1:5000');
  const current = new URL('http://127.0.0.1:5000/v2/app/tags/list?n=2');

  test('relative and absolute links on the same origin', () => {
    expect(nextPageUrl('/v2/app/tags/list?last=b&n=2', current, registry, 'GET x').href).toBe(
      'http://127.0.0.1:5000/v2/app/tags/list?last=b&n=2',
    );
    expect(nextPageUrl('list?last=b', current, registry, 'GET x').href).toBe(
      'http://127.0.0.1:5000/v2/app/tags/list?last=b',
    );
    expect(nextPageUrl('http://127.0.0.1:5000/v2/app/tags/list?last=b', current, registry, 'GET x').pathname).toBe(
      '/v2/app/tags/list',
    );
  });

  test('user and password in a link are dropped: credentials come from the inputs', () => {
    expect(
      nextPageUrl('http://someone:secret@127.0.0.1:5000/v2/app/tags/list?last=b', current, registry, 'GET x').href,
    ).toBe('http://127.0.0.1:5000/v2/app/tags/list?last=b');
  });

  test('another host, port or scheme is an error naming the call and the origin', () => {
    expect(() =>
      nextPageUrl(
        'http://evil.invalid/v2/app/tags/list?last=b',
        current,
        registry,
        'GET http://127.0.0.1:5000/v2/app/tags/list',
      ),
    ).toThrow(
      'GET http://127.0.0.1:5000/v2/app/tags/list: the Link header sends the next page to http://evil.invalid, not to the registry http://127.0.0.1:5000',
    );
    expect(() => nextPageUrl('http://127.0.0.1:5001/v2/x', current, registry, 'GET x')).toThrow(
      'http://127.0.0.1:5001',
    );
    expect(() => nextPageUrl('https://127.0.0.1:5000/v2/x', current, registry, 'GET x')).toThrow(
      'https://127.0.0.1:5000',
    );
  });
});

describe('bearerChallenge', () => {
  test('realm, service and scope of a Bearer challenge', () => {
    expect(
      bearerChallenge(
        'Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a/b:delete",error="insufficient_scope"',
      ),
    ).toEqual({
      realm: 'https://auth.example.com/token',
      service: 'registry',
      scope: 'repository:a/b:delete',
    });
  });

  test('Basic, a Bearer challenge without a realm, or none: no Bearer challenge', () => {
    expect(bearerChallenge('Basic realm="basic-realm"')).toBeUndefined();
    expect(bearerChallenge('Bearer service="x"')).toBeUndefined();
    expect(bearerChallenge(undefined)).toBeUndefined();
  });
});
