import { describe, expect, test } from '@jest/globals';
import { createHash, createHmac } from 'node:crypto';
import { newPassword, rolePassword, scramVerifier } from '../../src/data/password.js';
import { parseDatabaseUrl, previewUrl } from '../../src/data/url.js';

const SECRET = 'p@ss:w/rd%';
const ADMIN = `postgres://admin:${encodeURIComponent(SECRET)}@db.example.com:6432/postgres?sslmode=require&application_name=ci`;

describe('parseDatabaseUrl', () => {
  test('reads host:port, user and the decoded password', () => {
    expect(parseDatabaseUrl(ADMIN)).toMatchObject({ server: 'db.example.com:6432', user: 'admin', password: SECRET });
    expect(parseDatabaseUrl('postgresql://u:pw@[::1]/postgres').server).toBe('::1:5432');
    expect(parseDatabaseUrl('postgres://u@%2Fvar%2Frun%2Fpostgresql/postgres').server).toBe('/var/run/postgresql');
    expect(parseDatabaseUrl('postgres://u@localhost/postgres')).toMatchObject({
      server: 'localhost:5432',
      password: '',
    });
  });

  test('names the input and what is wrong, and never prints the URL or its password', () => {
    const cases: [string, RegExp][] = [
      [`not a url ${SECRET}`, /is not a URL/],
      [`mysql://admin:${encodeURIComponent(SECRET)}@db/x`, /scheme 'mysql:'/],
      [`postgres://admin:p%40ss%zz@db/postgres`, /password has a malformed %-escape/],
      [`postgres://:${encodeURIComponent(SECRET)}@db/postgres`, /has no user/],
    ];
    for (const [url, problem] of cases) {
      let message = '';
      try {
        parseDatabaseUrl(url);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^input 'database-url': /);
      expect(message).toMatch(problem);
      expect(message).not.toMatch(/p@ss|p%40ss/);
    }
  });
});

describe('previewUrl', () => {
  test("keeps the admin URL's host, port and options, with the preview's role, password and database", () => {
    const password = 'a/b+c=d%e';
    const url = new URL(previewUrl(ADMIN, 'shop_pr_42', password));
    expect(url.host).toBe('db.example.com:6432');
    expect(url.username).toBe('shop_pr_42');
    expect(decodeURIComponent(url.password)).toBe(password);
    expect(url.pathname).toBe('/shop_pr_42');
    expect(url.searchParams.get('sslmode')).toBe('require');
    expect(url.searchParams.get('application_name')).toBe('ci');
    expect(url.toString()).not.toContain(encodeURIComponent(SECRET));
  });

  test("drops the admin's identity and credentials given as query parameters, which drivers let override the URL", () => {
    const admin =
      'postgres://h/postgres?user=admin&password=sekrit&dbname=postgres&sslkey=/k&sslcert=/c&sslpassword=x&passfile=/p&sslmode=verify-full';
    const url = new URL(previewUrl(admin, 'shop_pr_1', 'pw'));
    expect([...url.searchParams.keys()]).toEqual(['sslmode']);
    expect(url.toString()).not.toContain('sekrit');
  });
});

describe('passwords', () => {
  test('are 32 random bytes, URL-safe', () => {
    const a = newPassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newPassword()).not.toBe(a);
    expect(encodeURIComponent(a)).toBe(a);
  });

  test('become a SCRAM-SHA-256 verifier that checks out against the RFC 7677 exchange', () => {
    // RFC 7677 section 3: user "user", password "pencil"; the proof and signature are the RFC's.
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const verifier = scramVerifier('pencil', salt, 4096);
    const m = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier);
    expect(m).not.toBeNull();
    const [, saltB64, storedB64, serverB64] = m!;
    expect(saltB64).toBe('W22ZaJ0SNY7soEsUEjb6gQ==');
    const authMessage =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const serverSignature = createHmac('sha256', Buffer.from(serverB64, 'base64')).update(authMessage).digest('base64');
    expect(serverSignature).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    const clientSignature = createHmac('sha256', Buffer.from(storedB64, 'base64')).update(authMessage).digest();
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const clientKey = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]));
    expect(createHash('sha256').update(clientKey).digest('base64')).toBe(storedB64);
  });

  test('a verifier never contains the password', () => {
    const password = newPassword();
    expect(scramVerifier(password)).not.toContain(password);
  });
});

describe('rolePassword', () => {
  test('derived from the admin password: stable per repository and role, different elsewhere', () => {
    const a = rolePassword('admin-secret', 'acme/shop', 'shop_pr_1');
    expect(rolePassword('admin-secret', 'acme/shop', 'shop_pr_1')).toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(
      new Set([
        a,
        rolePassword('admin-secret', 'acme/shop', 'shop_pr_2'),
        rolePassword('admin-secret', 'acme/other', 'shop_pr_1'),
        rolePassword('rotated', 'acme/shop', 'shop_pr_1'),
      ]).size,
    ).toBe(4);
    expect(a).not.toContain('admin-secret');
  });

  test('without an admin password (certificate authentication) a new random one each time', () => {
    expect(rolePassword('', 'acme/shop', 'shop_pr_1')).not.toBe(rolePassword('', 'acme/shop', 'shop_pr_1'));
  });
});
