import { describe, expect, test } from '@jest/globals';
import { show, showUrl, userinfoOf } from '../../src/rules/errors.js';
import { bool, choice, duration, integer, keyValues, list, parseDuration } from '../../src/rules/scalars.js';
import { reader, refusal } from './inputs-support.js';

describe('show', () => {
  test('quotes, makes control characters and bidi overrides visible, clips', () => {
    expect(show('plain')).toBe("'plain'");
    expect(show('a\r\nb\tc\x1b[31m')).toBe("'a\\r\\nb\\tc\\u{1b}[31m'");
    expect(show('evil\u202etxt')).toBe("'evil\\u{202e}txt'");
    expect(show('x'.repeat(150))).toBe(`'${'x'.repeat(99)}…'`);
  });

  test('URL userinfo never shows, with or without a scheme', () => {
    expect(showUrl('https://admin:hunter22@gw.example.com/x')).toBe("'https://***@gw.example.com/x'");
    expect(showUrl('admin:hunter22@gw.example.com')).toBe("'***@gw.example.com'");
    expect(showUrl('https://gw.example.com/a@b')).toBe("'https://gw.example.com/a@b'");
    expect(userinfoOf('https://u:p@w@h/x')).toBe('u:p@w');
    expect(userinfoOf('https://h/x?u=a@b')).toBeUndefined();
  });
});

describe('choice and bool', () => {
  test('choice accepts the listed values only', () => {
    expect(choice(reader({ c: 'b' }), 'c', ['a', 'b'])).toBe('b');
    expect(choice(reader({}), 'c', ['a', 'b'])).toBeUndefined();
    expect(
      refusal(() => choice(reader({ builder: 'kaniko' }), 'builder', ['docker', 'buildah', 'podman', 'none'])),
    ).toBe("input 'builder': 'kaniko' is not one of 'docker', 'buildah', 'podman', 'none'");
  });

  test("bool takes the toolkit's YAML 1.2 booleans", () => {
    for (const t of ['true', 'True', 'TRUE']) expect(bool(reader({ b: t }), 'b', false)).toBe(true);
    for (const f of ['false', 'False', 'FALSE']) expect(bool(reader({ b: f }), 'b', true)).toBe(false);
    expect(bool(reader({}), 'b', true)).toBe(true);
    for (const bad of ['yes', '1', 'on', 'tRUE']) {
      expect(refusal(() => bool(reader({ 'dry-run': bad }), 'dry-run', false))).toBe(
        `input 'dry-run': '${bad}' is not a boolean; use 'true' or 'false'`,
      );
    }
  });
});

describe('integer', () => {
  test.each([
    ['1', 1],
    ['256', 256],
    ['', 64],
  ])('%j is %d', (value, expected) => expect(integer(reader({ n: value }), 'n', 64, 1, 256)).toBe(expected));

  test.each(['0', '257', '-1', '1.5', 'many', '1e2', '99999999999999999999999'])('%j is refused', (value) => {
    expect(refusal(() => integer(reader({ 'upload-concurrency': value }), 'upload-concurrency', 64, 1, 256))).toBe(
      `input 'upload-concurrency': '${value}' is not a whole number from 1 to 256`,
    );
  });
});

describe('durations', () => {
  test('parseDuration', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('-5m')).toBeUndefined();
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('9'.repeat(400))).toBe(Infinity);
  });

  const bounds = { min: '1h', max: '365d' };
  const hint = "use a number with a unit from 1h to 365d, like '90s', '30m', '2h' or '7d'";
  const check = (value: string) => duration(reader({ 'max-age': value }), 'max-age', '', bounds);

  test('accepted at both bounds; empty without a fallback is absent', () => {
    expect(check('1h')).toBe(3_600_000);
    expect(check('365d')).toBe(365 * 86_400_000);
    expect(check('')).toBeUndefined();
    expect(duration(reader({}), 'idle-after', '30m', { min: '1m', max: '30d' })).toBe(1_800_000);
  });

  test.each([
    ['forever', `'forever' is not a duration; ${hint}`],
    ['-1h', `'-1h' is not a duration; ${hint}`],
    ['1 h', `'1 h' is not a duration; ${hint}`],
    ['0', `'0' is zero; ${hint}`],
    ['0.0001s', `'0.0001s' is zero; ${hint}`],
    ['7', `'7' is below the minimum 1h (a number without a unit is seconds); ${hint}`],
    ['59m', `'59m' is below the minimum 1h (a number without a unit is seconds); ${hint}`],
    ['366d', `'366d' is above the maximum 365d; ${hint}`],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => check(value))).toBe(`input 'max-age': ${problem}`);
  });

  test('a number too big for a double (Infinity) is above the maximum', () => {
    expect(refusal(() => check(`${'9'.repeat(400)}d`))).toBe(
      `input 'max-age': '${'9'.repeat(99)}…' is above the maximum 365d; ${hint}`,
    );
  });
});

describe('lists and KEY=VALUE lines', () => {
  test('list splits on commas and newlines and refuses duplicates', () => {
    expect(list(reader({ s: 'a, b\nc,,' }), 's')).toEqual(['a', 'b', 'c']);
    expect(refusal(() => list(reader({ secrets: 'a, b\na' }), 'secrets'))).toBe(
      "input 'secrets': 'a' is listed twice; list each once",
    );
  });

  test('keyValues keeps order, trims, skips blanks and comments, keeps = in values', () => {
    expect(keyValues(reader({ env: 'A=1\n# comment\n\n B = two=2 \nEMPTY=' }), 'env')).toEqual([
      ['A', '1'],
      ['B', 'two=2'],
      ['EMPTY', ''],
    ]);
  });

  test('a key named __proto__ is kept as data, not swallowed by the prototype', () => {
    expect(Object.fromEntries(keyValues(reader({ env: '__proto__=x' }), 'env'))).toHaveProperty('__proto__', 'x');
  });

  test.each([
    ['NOEQUALS', "input 'env': line 1 'NOEQUALS' is not KEY=VALUE"],
    ['A=1\n=2', "input 'env': line 2 '=2' is not KEY=VALUE"],
    ['A=1\nB=2\n# x\nA=3', "input 'env': key 'A' is set twice (lines 1 and 4); keep one"],
    ['A=1\n A =2', "input 'env': key 'A' is set twice (lines 1 and 2); keep one"],
  ])('%j is refused', (value, message) => {
    expect(refusal(() => keyValues(reader({ env: value }), 'env'))).toBe(message);
  });
});
