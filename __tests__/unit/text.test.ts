import { describe, expect, test } from '@jest/globals';
import { derivedForms, Secrets } from '../../src/text/secrets.js';
import { secrets } from '../../src/text/run-secrets.js';
import { codeBlock, htmlText, inlineCode, sanitize } from '../../src/text/untrusted.js';

describe('Secrets', () => {
  test('scrubs a secret in every derived form, and Basic auth of user:password', () => {
    const s = new Secrets();
    s.add('p@ss w/rd+1');
    s.addBasicAuth('admin', 'p@ss w/rd+1');
    const basic = Buffer.from('admin:p@ss w/rd+1').toString('base64');
    const text = [
      'plain p@ss w/rd+1',
      `url ${encodeURIComponent('p@ss w/rd+1')}`,
      `b64 ${Buffer.from('p@ss w/rd+1').toString('base64')}`,
      `header Authorization: Basic ${basic}`,
    ].join('\n');
    const out = s.scrub(text);
    expect(s.leaks(out)).toEqual([]);
    expect(out).toBe(['plain ***', 'url ***', 'b64 ***', 'header Authorization: Basic ***'].join('\n'));
  });

  test('very short values are not treated as secrets', () => {
    const s = new Secrets();
    s.add('abc');
    expect(s.scrub('abc')).toBe('abc');
    expect(derivedForms('abcd')).toContain('YWJjZA==');
  });

  test('every new form reaches the log mask', () => {
    const masked: string[] = [];
    const s = new Secrets((f) => masked.push(f));
    s.add('token-123');
    s.add('token-123');
    expect(masked).toEqual(derivedForms('token-123'));
  });

  test('a mask given later gets the forms registered before it, then each new one', () => {
    const masked: string[] = [];
    const s = new Secrets();
    s.add('early-secret');
    s.maskWith((f) => masked.push(f));
    expect(masked).toEqual(derivedForms('early-secret'));
    s.add('later-secret');
    expect(masked).toEqual([...derivedForms('early-secret'), ...derivedForms('later-secret')]);
  });
});

describe('untrusted text', () => {
  test('a code block cannot be closed from inside, and keeps mentions and HTML inert', () => {
    const body = 'error ```` @team <img src=x onerror=alert(1)> [click](https://evil.example)';
    const block = codeBlock(body);
    const fence = block.split('\n')[0].replace('text', '');
    expect(fence).toBe('`````');
    expect(block.endsWith(`\n${fence}`)).toBe(true);
    expect(block.split('\n').slice(1, -1).join('\n')).toBe(body);
  });

  test('inline code is one line, escapes pipes, survives backticks', () => {
    expect(inlineCode('a|b\nc')).toBe('`a\\|b c`');
    expect(inlineCode('`x`')).toBe('`` `x` ``');
  });

  test('control and bidi characters are dropped, long text is clipped', () => {
    expect(sanitize('a\u0000b\u202ec\u001b[31m')).toBe('a b c [31m');
    expect(sanitize('x'.repeat(50), { max: 10 })).toBe('xxxxxxxxx…');
  });

  test('HTML is entity-escaped and secrets registered for the run are scrubbed', () => {
    secrets.add('sekrit-value-9');
    expect(htmlText('<b>"sekrit-value-9"</b> & co')).toBe('&#60;b&#62;&#34;***&#34;&#60;/b&#62; &#38; co');
  });
});
