import { describe, expect, test } from '@jest/globals';
import { previewTemplate, serviceUrl } from '../../src/rules/urls.js';
import { reader, refusal } from './inputs-support.js';

describe('service URLs', () => {
  const gateway = (value: string) =>
    serviceUrl(reader({ 'gateway-url': value }), 'gateway-url', {
      credentials: "'gateway-username' and 'gateway-password'",
      example: 'https://gateway.example.com',
    });

  test.each([
    ['https://gw.example.com/', 'https://gw.example.com'],
    ['http://10.0.0.5:8080', 'http://10.0.0.5:8080'],
    ['http://gateway.openfaas:8080/prefix//', 'http://gateway.openfaas:8080/prefix'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('%j is accepted as %j', (value, expected) => expect(gateway(value)).toBe(expected));

  test('empty is absent', () => expect(gateway('')).toBeUndefined());

  test.each([
    [
      'https://admin:hunter22@gw.example.com',
      "'https://***@gw.example.com' contains credentials; remove them from the URL and set 'gateway-username' and 'gateway-password' instead",
    ],
    [
      'https://admin@gw.example.com',
      "'https://***@gw.example.com' contains credentials; remove them from the URL and set 'gateway-username' and 'gateway-password' instead",
    ],
    [
      'admin:hunter22@gw.example.com',
      "'***@gw.example.com' contains credentials; remove them from the URL and set 'gateway-username' and 'gateway-password' instead",
    ],
    ['gateway.local', "'gateway.local' is not an absolute URL; use one like https://gateway.example.com"],
    ['ftp://gw', "'ftp://gw' must use http or https, like https://gateway.example.com"],
    [
      'https://gw.example.com/?token=x',
      "'https://gw.example.com/?token=x' has a query string; give the base URL only, like https://gateway.example.com",
    ],
    [
      'https://gw.example.com/?',
      "'https://gw.example.com/?' has a query string; give the base URL only, like https://gateway.example.com",
    ],
    [
      'https://gw.example.com/#x',
      "'https://gw.example.com/#x' has a fragment ('#'); give the base URL only, like https://gateway.example.com",
    ],
    [
      'https://gw.exa\nmple.com',
      "'https://gw.exa\\nmple.com' contains a space or a control character; use a URL like https://gateway.example.com",
    ],
    [
      'https://gw.example.com/a b',
      "'https://gw.example.com/a b' contains a space or a control character; use a URL like https://gateway.example.com",
    ],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => gateway(value))).toBe(`input 'gateway-url': ${problem}`);
  });

  test('the password never appears in the error, however the URL is broken', () => {
    for (const value of [
      'https://admin:hunter22@gw.example.com',
      'admin:hunter22@gw',
      'https://admin:hunter22@gw exa mple',
      'ftp://admin:hunter22@gw',
    ]) {
      expect(refusal(() => gateway(value))).not.toContain('hunter22');
    }
  });
});

describe('preview URL template', () => {
  const template = (inputs: Record<string, string>, app = 'shop') => previewTemplate(reader(inputs), app);

  test('preview-domain gives https://{name}.<domain>, lowercased, with an optional port', () => {
    expect(template({ 'preview-domain': 'preview.example.com' })).toBe('https://{name}.preview.example.com');
    expect(template({ 'preview-domain': 'Preview.Example.COM:8443' })).toBe('https://{name}.preview.example.com:8443');
    expect(template({ 'preview-domain': 'localhost' })).toBe('https://{name}.localhost');
    expect(template({ 'preview-domain': `${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(61)}` })).toBe(
      `https://{name}.${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(61)}`,
    );
  });

  test.each([
    [
      'https://preview.example.com',
      "'https://preview.example.com' has a scheme; give the domain only, like preview.example.com",
    ],
    [
      'preview.example.com/pr',
      "'preview.example.com/pr' has a path, query or user; give the domain only, like preview.example.com",
    ],
    [
      '*.preview.example.com',
      "'*.preview.example.com' is a wildcard; give the domain without '*.', like preview.example.com",
    ],
    [
      '.preview.example.com',
      "'.preview.example.com' has an empty label (a leading, trailing or doubled '.'); like preview.example.com",
    ],
    [
      'preview..example.com',
      "'preview..example.com' has an empty label (a leading, trailing or doubled '.'); like preview.example.com",
    ],
    [
      'preview.example.com.',
      "'preview.example.com.' has an empty label (a leading, trailing or doubled '.'); like preview.example.com",
    ],
    [
      `${'l'.repeat(64)}.example.com`,
      "'" + 'l'.repeat(64) + ".example.com' has a label of 64 characters; a DNS label has at most 63",
    ],
    ['bad domain', "'bad domain' contains a space or a control character; use a URL like preview.example.com"],
    [
      'under_score.example.com',
      "'under_score.example.com' has the label 'under_score'; a label is letters, digits and '-', starting and ending with a letter or digit (an international name in its xn-- form)",
    ],
    [
      '-x.example.com',
      "'-x.example.com' has the label '-x'; a label is letters, digits and '-', starting and ending with a letter or digit (an international name in its xn-- form)",
    ],
    ['preview.example.com:0', "'preview.example.com:0' has a port outside 1 to 65535"],
    ['preview.example.com:70000', "'preview.example.com:70000' has a port outside 1 to 65535"],
  ])('preview-domain %j is refused', (value, problem) => {
    expect(refusal(() => template({ 'preview-domain': value }))).toBe(`input 'preview-domain': ${problem}`);
  });

  test('a domain that leaves no room for a 63-character name is refused', () => {
    const domain = `${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(62)}`;
    expect(refusal(() => template({ 'preview-domain': domain }))).toBe(
      `input 'preview-domain': '${domain.slice(0, 99)}…' is 190 characters; at most 189, so that <name>.<preview-domain> fits in a 253-character host name with a 63-character preview name`,
    );
  });

  test('preview-domain is required without url-template, and they do not go together', () => {
    expect(refusal(() => template({}))).toBe(
      "input 'preview-domain': is required unless 'url-template' is set: the wildcard domain of the edge, like preview.example.com",
    );
    expect(
      refusal(() => template({ 'preview-domain': 'p.example.com', 'url-template': 'https://{name}.p.example.com' })),
    ).toBe(
      "input 'url-template': is set together with 'preview-domain'; set one of them: 'preview-domain' gives https://<name>.<preview-domain>, 'url-template' any other shape",
    );
  });

  test.each([
    'https://{name}.preview.example.com/',
    'http://{name}.preview.localhost:8080/',
    'https://previews.example.com/{name}/?pr={pr}&sha={sha}#top',
    'https://{name}-{pr}.example.com',
  ])('url-template %j is accepted as it is', (value) => expect(template({ 'url-template': value })).toBe(value));

  test.each([
    [
      'https://preview.example.com/pr',
      "'https://preview.example.com/pr' has no '{name}'; every preview needs its own URL, like 'https://{name}.preview.example.com'",
    ],
    [
      'https://{app}.example.com/{name}',
      "'https://{app}.example.com/{name}' has the unknown placeholder '{app}'; only {name}, {pr} and {sha} exist",
    ],
    [
      'https://{NAME}.example.com',
      "'https://{NAME}.example.com' has the unknown placeholder '{NAME}'; only {name}, {pr} and {sha} exist",
    ],
    [
      'https://{}.example.com/{name}',
      "'https://{}.example.com/{name}' has the unknown placeholder '{}'; only {name}, {pr} and {sha} exist",
    ],
    [
      'https://{name.example.com',
      "'https://{name.example.com' has an unmatched '{' or '}'; only {name}, {pr} and {sha} exist",
    ],
    [
      'https://{name}}.example.com',
      "'https://{name}}.example.com' has an unmatched '{' or '}'; only {name}, {pr} and {sha} exist",
    ],
    [
      'https://user:pw@{name}.example.com',
      "'https://***@{name}.example.com' contains credentials; a preview URL is public and has none",
    ],
    [
      '{name}.example.com',
      "'{name}.example.com' does not expand to an absolute URL; use one like 'https://{name}.preview.example.com'",
    ],
    [
      'ftp://{name}.example.com',
      "'ftp://{name}.example.com' must use http or https, like 'https://{name}.preview.example.com'",
    ],
    [
      'https://{name}.exa mple.com',
      "'https://{name}.exa mple.com' contains a space or a control character; use a URL like 'https://{name}.preview.example.com'",
    ],
  ])('url-template %j is refused', (value, problem) => {
    expect(refusal(() => template({ 'url-template': value }))).toBe(`input 'url-template': ${problem}`);
  });

  test('a template whose host outgrows DNS limits for the app is refused; the same template fits a shorter app', () => {
    const value = 'https://{name}-{sha}.example.com';
    expect(template({ 'url-template': value }, 'shop')).toBe(value);
    expect(refusal(() => template({ 'url-template': value }, 'storefront-web'))).toBe(
      `input 'url-template': '${value}' expands to the host 'storefront-web-pr-99999-${'f'.repeat(40)}.example.com' for PR 99999, which has a label of 64 characters; a DNS label has at most 63`,
    );
  });
});
