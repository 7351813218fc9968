import { describe, expect, test } from '@jest/globals';
import { previewFromHost } from '../../src/naming.js';
import { gatewayStatus, parseTarget } from '../../src/waker/request.js';

const DOMAIN = 'preview.example.com';
const A = 'shop-pr-1';

describe('previewFromHost: the edge rule (lowercased, port removed, one valid label before the domain)', () => {
  test.each([
    [`${A}.${DOMAIN}`, A],
    [`SHOP-PR-1.PREVIEW.EXAMPLE.COM`, A],
    [`${A}.${DOMAIN}:8443`, A],
    [`${'a'.repeat(63)}.${DOMAIN}`, 'a'.repeat(63)],
    ['x.preview.example.com', 'x'],
  ])('%s → %s', (host, name) => {
    expect(previewFromHost(host, DOMAIN)).toBe(name);
  });

  test.each([
    ['no Host', undefined],
    ['empty', ''],
    ['the bare domain', DOMAIN],
    ['an empty label', `.${DOMAIN}`],
    ['a nested subdomain', `x.${A}.${DOMAIN}`],
    ['a label of 64 characters', `${'a'.repeat(64)}.${DOMAIN}`],
    ['an underscore', `shop_pr_1.${DOMAIN}`],
    ['a leading dash', `-shop.${DOMAIN}`],
    ['a trailing dash', `shop-.${DOMAIN}`],
    ['another domain', `${A}.${DOMAIN}.evil.example`],
    ['the domain without its dot', `${A}preview.example.com`],
    ['a suffix that only ends like the domain', `${A}.xpreview.example.com`],
    ['an IPv4 address', '127.0.0.1'],
    ['an IPv4 address with a port', '127.0.0.1:8080'],
    ['an IPv6 literal', '[::1]:8080'],
    ['a path in the Host', `${A}.${DOMAIN}/..`],
    ['an encoded dot', `${A}%2e${DOMAIN}`],
    ['a traversal label', `..%2f.${DOMAIN}`],
    ['a port that is not a number', `${A}.${DOMAIN}:x`],
    ['a trailing dot', `${A}.${DOMAIN}.`],
    ['a space', `${A} .${DOMAIN}`],
    ['user info', `evil@${A}.${DOMAIN}`],
  ])('refuses %s', (_what, host) => {
    expect(previewFromHost(host, DOMAIN)).toBeUndefined();
  });
});

describe("parseTarget: only the preview's own functions, only paths the edge lets through", () => {
  test.each([
    [`/function/${A}`, A],
    [`/function/${A}/`, A],
    [`/function/${A}/orders/7?lang=en&x=%2F`, A],
    [`/function/${A}-api/hello`, `${A}-api`],
    [`/function/${A}/my%20file`, A],
    [`/function/${A}/a..b/.well-known`, A],
  ])('%s → %s, target kept byte for byte', (url, fn) => {
    expect(parseTarget(url, A)).toEqual({ fn, raw: url });
  });

  test.each([
    ['no path', undefined],
    ['the root', '/'],
    ['another route of the gateway', `/system/functions`],
    ['an absolute-form target', `http://evil.example/function/${A}/`],
    ['no function', '/function/'],
    ['an empty function', `/function//${A}`],
    ['another preview', '/function/shop-pr-2/hello'],
    ['a preview whose name extends this one', `/function/${A}0/hello`],
    ['a function with a namespace', `/function/${A}.openfaas-fn/hello`],
    ['a function with a trailing dash', `/function/${A}-/hello`],
    ['an upper-case function', `/function/SHOP-PR-1/hello`],
    ['a function name over 63 characters', `/function/${A}-${'x'.repeat(60)}/`],
    ['an encoded function name', `/function/shop%2dpr-1/`],
    ['a dot-dot segment', `/function/${A}/../shop-pr-2/`],
    ['a dot-dot function', '/function/../system/functions'],
    ['a trailing dot-dot', `/function/${A}/..`],
    ['a dot segment', `/function/${A}/./x`],
    ['an encoded slash', `/function/${A}%2f..%2fshop-pr-2/`],
    ['an encoded dot', `/function/${A}/%2e%2e/shop-pr-2/`],
    ['an upper-case encoded dot', `/function/${A}/%2E%2E/x`],
    ['an encoded backslash', `/function/${A}/..%5cx`],
    ['an encoded NUL', `/function/${A}/x%00`],
    ['a backslash', `/function/${A}\\..\\shop-pr-2`],
  ])('refuses %s', (_what, url) => {
    expect(parseTarget(url, A)).toBeUndefined();
  });
});

describe("gatewayStatus: the gateway's status as the edge passes it on (nginx $upstream_status)", () => {
  test.each([
    ["the gateway's 404", '404', 404],
    ['its 502', '502', 502],
    ['its 503', '503', 503],
    ['a list of servers tried, the last one answered', '502, 404', 404],
    ['an internal redirect between groups', '502 : 503', 503],
    ['surrounding spaces', ' 404 ', 404],
  ])('%s (%s) → %s', (_what, value, status) => {
    expect(gatewayStatus(value)).toBe(status);
  });

  test.each([
    ['absent', undefined],
    ['empty', ''],
    ['a status the edge does not hand over (a function error)', '500'],
    ['a time-out', '504'],
    ['success', '200'],
    ['a status the visitor made up', '418'],
    ['a list whose last status is not handed over', '404, 500'],
    ['nginx without an answer', '-'],
    ['four digits', '4040'],
    ['a number inside text', 'x404'],
    ['twice', ['404', '404']],
  ])('%s → undefined', (_what, value) => {
    expect(gatewayStatus(value)).toBeUndefined();
  });
});
