/**
 * sigv4.ts against the SDK's own signer (@smithy/signature-v4, the oracle): the same requests, credentials and
 * dates give the same Authorization header and the same presigned query, including keys and queries that need
 * encoding, session tokens and header values with runs of spaces. Real servers check the signatures too
 * (assets-lean, assets-read-signer and bucket-policies against radosgw).
 */
import { describe, expect, it } from '@jest/globals';
import { Sha256 } from '@smithy/core/checksum';
import { buildQueryString } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { canonicalQuery, encodeKeyPath, SigV4, type Credentials } from '../../src/assets/sigv4.js';

const KEYS: Credentials[] = [
  { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  { accessKeyId: 'ASIATEMP', secretAccessKey: 's3cr3t', sessionToken: 'FwoGZXIvYXdzEJr//////////token==' },
];
const DATES = [new Date('2026-12-07T10:44:28Z'), new Date('2027-01-01T00:00:00.999Z')];
const PATHS = ['/previews/pr-1/index.html', `/previews/${encodeKeyPath("a b/ünï/!'()*~/p%q.txt")}`, '/'];
const QUERIES: Record<string, string>[] = [
  {},
  { 'list-type': '2', prefix: 'pr 1/', 'continuation-token': 'tok/+=' },
  { delete: '' },
];

function oracle(region: string, creds: Credentials): SignatureV4 {
  return new SignatureV4({
    credentials: creds,
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

describe('SigV4 signs as the SDK signs', () => {
  const cases = KEYS.flatMap((creds) =>
    DATES.flatMap((date) => PATHS.flatMap((path) => QUERIES.map((query) => ({ creds, date, path, query })))),
  );

  it.each(cases)('header signature: $path $query', async ({ creds, date, path, query }) => {
    const headers = {
      host: '127.0.0.1:9000',
      'content-type': 'text/html;  charset=utf-8',
      'cache-control': 'no-cache',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    };
    const ours = new SigV4({ region: 'eu-west-1', service: 's3' }).sign(
      { method: 'PUT', path, query, headers },
      creds,
      date,
    );
    const theirs = await oracle('eu-west-1', creds).sign(
      { method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', path, query, headers },
      { signingDate: date },
    );
    expect(ours.authorization).toBe(theirs.headers.authorization);
    expect(ours['x-amz-date']).toBe(theirs.headers['x-amz-date']);
    expect(ours['x-amz-security-token']).toBe(theirs.headers['x-amz-security-token']);
    expect(ours.authorization).not.toContain('cache-control'); // never signed: proxies may change it
  });

  it.each(cases.filter((c) => Object.keys(c.query).length === 0))(
    'presigned query: $path',
    async ({ creds, date, path }) => {
      const ours = new SigV4({ region: 'us-east-1', service: 's3' }).presign(
        { method: 'GET', path, headers: { host: 's3.example.com' } },
        creds,
        date,
        60,
      );
      const theirs = await oracle('us-east-1', creds).presign(
        {
          method: 'GET',
          protocol: 'https:',
          hostname: 's3.example.com',
          path,
          query: {},
          headers: { host: 's3.example.com', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        },
        { expiresIn: 60, signingDate: date, unsignableHeaders: new Set(['x-amz-content-sha256']) },
      );
      expect(ours).toBe(buildQueryString(theirs.query ?? {}));
    },
  );

  it('a wrong secret gives another signature (the comparison above can fail)', () => {
    const sign = (secretAccessKey: string) =>
      new SigV4({ region: 'us-east-1', service: 's3' }).sign(
        { method: 'GET', path: '/b/k', headers: { host: 'h' } },
        { accessKeyId: 'A', secretAccessKey },
        DATES[0],
      ).authorization;
    expect(sign('one')).not.toBe(sign('two'));
  });

  it('encodes a query as SigV4 canonicalises it: RFC 3986, sorted by name then value', () => {
    expect(canonicalQuery({ b: 'x y', a: "!'()*", 'c~': '/+=' })).toBe('a=%21%27%28%29%2A&b=x%20y&c~=%2F%2B%3D');
    expect(encodeKeyPath("a b/ü/!'()*~")).toBe('a%20b/%C3%BC/%21%27%28%29%2A~');
  });
});
