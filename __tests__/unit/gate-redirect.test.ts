// What this file proves: the sign-in host sends a visitor back only to a preview page directly under the preview
// domain, on the edge's own scheme and port, with no credentials in the URL, and always as the URL parser's own
// normalised form; every open-redirect trick (other and look-alike domains, the bare or sign-in host, nested hosts,
// userinfo, other schemes, protocol-relative and relative URLs, backslashes, IDN look-alikes) is refused. It also
// proves which hosts name a preview, and what the sign-in host is.
import { describe, expect, test } from '@jest/globals';
import { loginHost, previewOfHost, safeNext, type PublicOrigin } from '../../src/gate/redirect.js';

const DOMAIN = 'preview.example.com';
const https: PublicOrigin = { protocol: 'https:', domain: DOMAIN, port: '' };
const local: PublicOrigin = { protocol: 'http:', domain: DOMAIN, port: '8080' };
const httpsOnPort: PublicOrigin = { protocol: 'https:', domain: DOMAIN, port: '8443' };

describe('safeNext', () => {
  test.each([
    ['https://pr-1.preview.example.com/a?b#c', 'https://pr-1.preview.example.com/a?b#c'],
    ['https://pr-1.preview.example.com', 'https://pr-1.preview.example.com/'],
    [
      'https://pr-42.preview.example.com/deep/path/?x=1&y=%2F',
      'https://pr-42.preview.example.com/deep/path/?x=1&y=%2F',
    ],
    ['https://feature-x.preview.example.com/', 'https://feature-x.preview.example.com/'],
  ])('accepts a preview page: %s', (next, expected) => {
    expect(safeNext(next, https)).toBe(expected);
  });

  test('accepts an uppercase host and scheme, answering the normalised lowercase host (the path keeps its case)', () => {
    expect(safeNext('HTTPS://PR-1.Preview.EXAMPLE.COM/Path', https)).toBe('https://pr-1.preview.example.com/Path');
  });

  test('answers the parsed URL, not the text given: an explicit default port, backslashes, escapes are normalised', () => {
    expect(safeNext('https://pr-1.preview.example.com:443/x', https)).toBe('https://pr-1.preview.example.com/x');
    expect(safeNext('https:\\\\pr-1.preview.example.com\\x', https)).toBe('https://pr-1.preview.example.com/x');
    expect(safeNext('https://pr-1%2epreview.example.com/x', https)).toBe('https://pr-1.preview.example.com/x');
    expect(safeNext('https://pr-1.preview.exa\nmple.com/x\t', https)).toBe('https://pr-1.preview.example.com/x');
    expect(safeNext('https://:@pr-1.preview.example.com/x', https)).toBe('https://pr-1.preview.example.com/x');
  });

  test('an IDN label directly under the domain stays on the domain, in its punycode form', () => {
    // A Cyrillic "е" in the preview label: not a look-alike of our domain, just a (non-existent) preview name.
    expect(safeNext('https://pr\u0435-1.preview.example.com/', https)).toBe(
      'https://xn--pr-1-w4d.preview.example.com/',
    );
  });

  test.each([
    ['undefined', undefined],
    ['empty', ''],
    ['another domain', 'https://evil.example/'],
    ['the domain as a prefix of another', 'https://preview.example.com.evil.example/'],
    ['a preview host as a prefix of another', 'https://pr-1.preview.example.com.evil.example/'],
    ['a look-alike suffix without the dot', 'https://evilpreview.example.com/'],
    ['a look-alike suffix with a dash', 'https://pr-1.evil-preview.example.com/'],
    ['the parent domain', 'https://example.com/'],
    ['the bare preview domain', 'https://preview.example.com/'],
    ['a nested subdomain', 'https://a.b.preview.example.com/'],
    ['the sign-in host', 'https://login.preview.example.com/'],
    ['the sign-in host in capitals', 'https://LOGIN.preview.example.com/'],
    ['a trailing-dot host', 'https://pr-1.preview.example.com./'],
    ['a label with an underscore', 'https://pr_1.preview.example.com/'],
    ['a label starting with a dash', 'https://-pr.preview.example.com/'],
    ['a user in the URL', 'https://x@pr-1.preview.example.com/'],
    ['a user and password in the URL', 'https://x:y@pr-1.preview.example.com/'],
    ['a password alone in the URL', 'https://:y@pr-1.preview.example.com/'],
    ['our host as userinfo before another', 'https://pr-1.preview.example.com@evil.example/'],
    ['our host in the fragment of another', 'https://evil.example#@pr-1.preview.example.com'],
    ['our domain in the query of another', 'https://evil.example?.preview.example.com'],
    ['our host after a backslash in another', 'https://evil.example\\@pr-1.preview.example.com/'],
    ['an encoded dot joining our host to another', 'https://pr-1.preview.example.com%2eevil.example/'],
    ['http when the edge is https', 'http://pr-1.preview.example.com/'],
    ['javascript:', 'javascript:alert(1)'],
    ['javascript: with our host', 'javascript://pr-1.preview.example.com/%0aalert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['ftp:', 'ftp://pr-1.preview.example.com/'],
    ['wss:', 'wss://pr-1.preview.example.com/'],
    ['another port', 'https://pr-1.preview.example.com:8443/'],
    ['port 80 on https', 'https://pr-1.preview.example.com:80/'],
    ['protocol-relative to another host', '//evil.example/'],
    ['protocol-relative to our host', '//pr-1.preview.example.com/'],
    ['a relative path', '/a/b'],
    ['a relative path without slash', 'a/b'],
    ['a query alone', '?next=https://evil.example'],
    ['backslashes to another host', 'https:\\\\evil.example'],
    ['mixed slashes to another host', 'https:/\\evil.example/'],
    ['a backslash protocol-relative URL', '\\\\evil.example'],
    ['an IPv4 address', 'https://127.0.0.1/'],
    ['an IPv6 address', 'https://[::1]/'],
    ['a Cyrillic look-alike of the domain', 'https://pr-1.preview.ex\u0430mple.com/'],
    ['a Ukrainian look-alike of the domain', 'https://pr-1.prev\u0456ew.example.com/'],
    ['a punycode look-alike of the domain', 'https://pr-1.preview.xn--exmple-4nf.com/'],
    ['a full-width dot joining our host to another', 'https://pr-1.preview.example.com\uff0eevil.example/'],
  ])('refuses %s', (_name, next) => {
    expect(safeNext(next, https)).toBeUndefined();
  });

  describe('on a local http edge with a port', () => {
    test('accepts the same scheme and port', () => {
      expect(safeNext('http://pr-1.preview.example.com:8080/x', local)).toBe('http://pr-1.preview.example.com:8080/x');
    });

    test('refuses another port, no port, or https', () => {
      expect(safeNext('http://pr-1.preview.example.com/x', local)).toBeUndefined();
      expect(safeNext('http://pr-1.preview.example.com:80/x', local)).toBeUndefined();
      expect(safeNext('http://pr-1.preview.example.com:8081/x', local)).toBeUndefined();
      expect(safeNext('https://pr-1.preview.example.com:8080/x', local)).toBeUndefined();
    });
  });

  test('on an https edge with a port: that port only, not the default one', () => {
    expect(safeNext('https://pr-1.preview.example.com:8443/', httpsOnPort)).toBe(
      'https://pr-1.preview.example.com:8443/',
    );
    expect(safeNext('https://pr-1.preview.example.com/', httpsOnPort)).toBeUndefined();
    expect(safeNext('https://pr-1.preview.example.com:443/', httpsOnPort)).toBeUndefined();
  });
});

describe('previewOfHost', () => {
  test.each([
    ['pr-1.preview.example.com', 'pr-1'],
    ['pr-1.preview.example.com:8443', 'pr-1'],
    ['pr-1.preview.example.com:443', 'pr-1'],
    ['PR-1.Preview.Example.COM', 'pr-1'],
    ['PR-1.PREVIEW.EXAMPLE.COM:8080', 'pr-1'],
    ['a.preview.example.com', 'a'],
    ['0.preview.example.com', '0'],
    ['xn--pr-1-w4d.preview.example.com', 'xn--pr-1-w4d'],
    [`${'a'.repeat(63)}.preview.example.com`, 'a'.repeat(63)],
  ])('%s is the preview %s', (host, preview) => {
    expect(previewOfHost(host, DOMAIN)).toBe(preview);
  });

  test.each([
    ['no host', undefined],
    ['an empty host', ''],
    ['the bare domain', 'preview.example.com'],
    ['the bare domain with a port', 'preview.example.com:8443'],
    ['an empty label', '.preview.example.com'],
    ['the sign-in host', 'login.preview.example.com'],
    ['the sign-in host in capitals with a port', 'LOGIN.preview.example.com:443'],
    ['a nested subdomain', 'a.b.preview.example.com'],
    ['a look-alike suffix', 'evilpreview.example.com'],
    ['the domain followed by another', 'pr-1.preview.example.com.evil.example'],
    ['a trailing dot', 'pr-1.preview.example.com.'],
    ['a label starting with a dash', '-pr.preview.example.com'],
    ['a label ending with a dash', 'pr-.preview.example.com'],
    ['an underscore', 'pr_1.preview.example.com'],
    ['a space', 'pr 1.preview.example.com'],
    ['a 64-character label', `${'a'.repeat(64)}.preview.example.com`],
    ['a non-numeric port', 'pr-1.preview.example.com:abc'],
    ['an empty port', 'pr-1.preview.example.com:'],
    ['two ports', 'pr-1.preview.example.com:80:80'],
    ['another domain', 'pr-1.staging.example.com'],
  ])('%s is no preview', (_name, host) => {
    expect(previewOfHost(host, DOMAIN)).toBeUndefined();
  });
});

describe('loginHost', () => {
  test('login.<domain> without a port for the default one', () => {
    expect(loginHost(https)).toBe('login.preview.example.com');
  });

  test('login.<domain>:<port> with one', () => {
    expect(loginHost(local)).toBe('login.preview.example.com:8080');
    expect(loginHost(httpsOnPort)).toBe('login.preview.example.com:8443');
  });

  test('the sign-in host is never taken for a preview', () => {
    for (const o of [https, local, httpsOnPort]) expect(previewOfHost(loginHost(o), o.domain)).toBeUndefined();
  });
});
