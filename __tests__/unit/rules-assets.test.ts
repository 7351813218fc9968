import { describe, expect, test } from '@jest/globals';
import { bucket, bucketProblem, cacheControl, region } from '../../src/rules/assets.js';
import { reader, refusal } from './inputs-support.js';

describe('bucket names (AWS general purpose bucket rules)', () => {
  test.each(['previews', 'abc', 'my.previews-2', 'a'.repeat(63), '1-2-3', 'xn-a', 'sthree', 'a-s3alias-b'])(
    '%j is accepted',
    (name) => {
      expect(bucketProblem(name)).toBeUndefined();
      expect(bucket(reader({ bucket: name }))).toBe(name);
    },
  );

  test.each([
    ['b', 'is 1 characters; a bucket name has 3 to 63'],
    ['a'.repeat(64), 'is 64 characters; a bucket name has 3 to 63'],
    ['My_Bucket', "has characters other than lowercase letters, digits, '.' and '-'"],
    ['previews/x', "has characters other than lowercase letters, digits, '.' and '-'"],
    ['-previews', 'must start and end with a letter or digit'],
    ['previews.', 'must start and end with a letter or digit'],
    ['my..previews', 'has two adjacent periods'],
    ['192.168.5.4', 'is formatted as an IP address'],
    ['xn--previews', "starts with 'xn--', which S3 reserves"],
    ['sthree-previews', "starts with 'sthree-', which S3 reserves"],
    ['amzn-s3-demo-previews', "starts with 'amzn-s3-demo-', which S3 reserves"],
    ['previews-s3alias', "ends with '-s3alias', which S3 reserves"],
    ['previews--ol-s3', "ends with '--ol-s3', which S3 reserves"],
    ['previews.mrap', "ends with '.mrap', which S3 reserves"],
    ['previews--x-s3', "ends with '--x-s3', which S3 reserves"],
    ['previews--table-s3', "ends with '--table-s3', which S3 reserves"],
  ])('%j is refused', (name, problem) => {
    expect(bucketProblem(name)).toBe(problem);
  });

  test('the error names the input and says what is allowed', () => {
    expect(refusal(() => bucket(reader({ bucket: 'My_Bucket' })))).toBe(
      "input 'bucket': 'My_Bucket' has characters other than lowercase letters, digits, '.' and '-'; S3 bucket names are 3 to 63 lowercase letters, digits, '.' and '-', like 'previews'",
    );
    expect(bucket(reader({}))).toBe('');
  });
});

describe('s3-region', () => {
  test.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-northwest-1', 'us-isob-east-1', 'eusc-de-east-1'])(
    'AWS region %j',
    (value) => {
      expect(region(reader({ 's3-region': value }), false)).toBe(value);
    },
  );
  test.each(['auto', 'garage', 'default', 'us-east-1', 'nyc3', 'fr-par', 'my_zone'])(
    'S3-compatible region %j',
    (value) => {
      expect(region(reader({ 's3-region': value }), true)).toBe(value);
    },
  );
  test('default', () => expect(region(reader({}), false)).toBe('us-east-1'));

  test.each(['auto', 'us-east', 'US-EAST-1', 'us-east-1.evil.com', 'us-east-1/x'])(
    '%j is not an AWS region',
    (value) => {
      expect(refusal(() => region(reader({ 's3-region': value }), false))).toBe(
        `input 's3-region': '${value}' is not an AWS region like 'us-east-1' or 'eu-central-1'; for another S3-compatible store set 's3-endpoint' too`,
      );
    },
  );
  test.each(['us-east-1.evil.com', 'a b', '-x', 'x'.repeat(64), 'r\nx'])('%j is not a region anywhere', (value) => {
    expect(refusal(() => region(reader({ 's3-region': value }), true))).toMatch(
      /^input 's3-region': '.*' is not a region name: up to 63 letters, digits, '-' and '_', like 'us-east-1' or 'auto'$/,
    );
  });
});

describe('Cache-Control values', () => {
  const check = (value: string) => cacheControl(reader({ 'cache-control': value }), 'cache-control', 'no-cache');
  test.each([
    'no-cache',
    'public, max-age=31536000, immutable',
    'private="set-cookie, x", max-age=0',
    'max-age=60,must-revalidate',
  ])('%j is accepted', (value) => {
    expect(check(value)).toBe(value);
  });
  test('default', () => expect(check('')).toBe('no-cache'));

  const hint = "use comma-separated directives, like 'no-cache' or 'public, max-age=31536000, immutable'";
  test.each([
    [
      'no-cache\r\nX-Evil: 1',
      `'no-cache\\r\\nX-Evil: 1' has a line break or other control character; a header value is one line, ${hint}`,
    ],
    ['no-cache\nx', `'no-cache\\nx' has a line break or other control character; a header value is one line, ${hint}`],
    [
      'no-cache\x00',
      `'no-cache\\u{0}' has a line break or other control character; a header value is one line, ${hint}`,
    ],
    ['no-cäche', `'no-cäche' has characters outside printable ASCII; ${hint}`],
    ['max-age=60; immutable', `'max-age=60; immutable' is not a list of Cache-Control directives; ${hint}`],
    ['public,,max-age=1', `'public,,max-age=1' is not a list of Cache-Control directives; ${hint}`],
    ['max-age="unterminated', `'max-age="unterminated' is not a list of Cache-Control directives; ${hint}`],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => check(value))).toBe(`input 'cache-control': ${problem}`);
  });

  test('the fingerprinted variant names its own input', () => {
    expect(
      refusal(() =>
        cacheControl(reader({ 'cache-control-fingerprinted': 'a\rb' }), 'cache-control-fingerprinted', 'x'),
      ),
    ).toMatch(/^input 'cache-control-fingerprinted': 'a\\rb' has a line break/);
  });
});
