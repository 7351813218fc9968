// What this file proves: the automation bypass header lets a request through only when it carries exactly the
// operator's token: never when no token is configured (not even for an empty header), never for a repeated header,
// and never for a prefix, a suffix, a different case or anything padded around the token.
import { describe, expect, test } from '@jest/globals';
import { BYPASS_HEADER, bypasses } from '../../src/gate/bypass.js';

const TOKEN = 'ci-bypass-7f3a9c1e5b2d4f60';

describe('bypasses', () => {
  test('the header it reads is x-faas-preview-bypass (lowercase, as Node hands headers over)', () => {
    expect(BYPASS_HEADER).toBe('x-faas-preview-bypass');
  });

  test('true for exactly the configured token', () => {
    expect(bypasses(TOKEN, TOKEN)).toBe(true);
    expect(bypasses('x', 'x')).toBe(true);
  });

  test('false when no token is configured, whatever the header says', () => {
    for (const header of [undefined, '', 'anything', [''], ['anything']]) {
      expect(bypasses(header, undefined)).toBe(false);
      expect(bypasses(header, '')).toBe(false);
    }
  });

  test('false without a header, or with an empty one', () => {
    expect(bypasses(undefined, TOKEN)).toBe(false);
    expect(bypasses('', TOKEN)).toBe(false);
  });

  test('false for a repeated header (an array), even when every copy is the token', () => {
    expect(bypasses([TOKEN], TOKEN)).toBe(false);
    expect(bypasses([TOKEN, TOKEN], TOKEN)).toBe(false);
    expect(bypasses(['wrong', TOKEN], TOKEN)).toBe(false);
    expect(bypasses([], TOKEN)).toBe(false);
  });

  test('false for a prefix, a suffix, the token with something added, or in another case', () => {
    for (const guess of [
      TOKEN.slice(0, -1),
      TOKEN.slice(1),
      TOKEN.slice(0, 1),
      `${TOKEN}x`,
      `x${TOKEN}`,
      `${TOKEN}${TOKEN}`,
      ` ${TOKEN}`,
      `${TOKEN} `,
      `${TOKEN}\0`,
      TOKEN.toUpperCase(),
    ]) {
      expect(bypasses(guess, TOKEN)).toBe(false);
    }
  });

  test('false for a token differing only in its last character, or of a similar length', () => {
    expect(bypasses(`${TOKEN.slice(0, -1)}1`, TOKEN)).toBe(false);
    expect(bypasses('x'.repeat(TOKEN.length), TOKEN)).toBe(false);
  });

  test('compares Unicode exactly: a composed and a decomposed accent are different tokens', () => {
    expect(bypasses('caf\u00e9-token', 'caf\u00e9-token')).toBe(true);
    expect(bypasses('cafe\u0301-token', 'caf\u00e9-token')).toBe(false);
  });
});
