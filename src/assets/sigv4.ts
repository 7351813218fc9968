/**
 * AWS Signature Version 4 for S3 requests, on node:crypto: the Authorization header of the lean calls (lean.ts) and
 * the query of the edge's presigned reads (read-signer.ts). It is the algorithm of AWS's SigV4 documentation, as
 * S3 checks it (the path signed as sent, encoded once; the payload not hashed: UNSIGNED-PAYLOAD). Written here
 * rather than taken from @smithy/signature-v4 because loading that library and what it pulls in took about 50 ms of
 * every run's start-up; a unit test signs the same requests with it and expects the same signatures, and every
 * integration test against radosgw, which checks each signature, goes through this one.
 */
import { createHmac, hash } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface Scope {
  region: string;
  /** `s3`. */
  service: string;
}

export interface RequestToSign {
  method: string;
  /** The path as sent: each segment encoded once. */
  path: string;
  query?: Record<string, string>;
  /** Lower-case names; `host` included. */
  headers: Record<string, string>;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** What proxies and clients change on the way, never signed (as AWS's own SDKs leave them out). */
const UNSIGNED = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

/** RFC 3986 encoding: everything but the unreserved characters, as SigV4 canonicalises a query or path segment. */
function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An object key as a URL path: each segment encoded, `/` kept. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeRfc3986).join('/');
}

/** The canonical query string, which is also what is sent: names and values encoded, sorted by name then value. */
export function canonicalQuery(query: Record<string, string> = {}): string {
  return Object.entries(query)
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The last second formatted, with its text: a sync signs hundreds of requests a second. */
let formatted = { second: NaN, text: '' };

/** `YYYYMMDDTHHMMSSZ`. */
function longDate(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== formatted.second)
    formatted = {
      second,
      text: d
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, ''),
    };
  return formatted.text;
}

export class SigV4 {
  private keys = new Map<string, Buffer>();

  constructor(private readonly scope: Scope) {}

  /** The request's headers with `x-amz-date`, the session token if any, and `authorization` added. */
  sign(r: RequestToSign, creds: Credentials, date: Date): Record<string, string> {
    const amzDate = longDate(date);
    const headers: Record<string, string> = { ...r.headers, 'x-amz-date': amzDate };
    if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
    const payload = headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD';
    const signed = Object.keys(headers)
      .filter((h) => !UNSIGNED.has(h) && !/^(proxy|sec)-/.test(h))
      .sort();
    const { scope, signature } = this.signature(r, { headers, signed, payload, amzDate }, creds);
    headers.authorization = `${ALGORITHM} Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
    return headers;
  }

  /** The query that presigns a GET of `path` (only `host` signed, the payload unsigned), valid `expiresS` seconds. */
  presign(r: Omit<RequestToSign, 'query'>, creds: Credentials, date: Date, expiresS: number): string {
    const amzDate = longDate(date);
    const query: Record<string, string> = {
      'X-Amz-Algorithm': ALGORITHM,
      'X-Amz-Credential': `${creds.accessKeyId}/${this.scopeOf(amzDate)}`,
      'X-Amz-Date': amzDate,
      'X-Amz-Expires': String(expiresS),
      'X-Amz-SignedHeaders': 'host',
      ...(creds.sessionToken ? { 'X-Amz-Security-Token': creds.sessionToken } : {}),
      // in the query, as the SDK's presigner puts it (and so signed with it): the payload is not hashed
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    };
    const { signature } = this.signature(
      { ...r, query },
      { headers: r.headers, signed: ['host'], payload: 'UNSIGNED-PAYLOAD', amzDate },
      creds,
    );
    return canonicalQuery({ ...query, 'X-Amz-Signature': signature });
  }

  private scopeOf(amzDate: string): string {
    return `${amzDate.slice(0, 8)}/${this.scope.region}/${this.scope.service}/aws4_request`;
  }

  private signature(
    r: RequestToSign,
    c: { headers: Record<string, string>; signed: string[]; payload: string; amzDate: string },
    creds: Credentials,
  ): { scope: string; signature: string } {
    const canonicalHeaders = c.signed.map((h) => `${h}:${c.headers[h].replace(/\s+/g, ' ').trim()}\n`).join('');
    const canonical = [r.method, r.path, canonicalQuery(r.query), canonicalHeaders, c.signed.join(';'), c.payload].join(
      '\n',
    );
    const scope = this.scopeOf(c.amzDate);
    const toSign = [ALGORITHM, c.amzDate, scope, hash('sha256', canonical, 'hex')].join('\n');
    return { scope, signature: createHmac('sha256', this.key(creds, c.amzDate)).update(toSign).digest('hex') };
  }

  /** The day's signing key, derived once per day and secret. */
  private key(creds: Credentials, amzDate: string): Buffer {
    const day = amzDate.slice(0, 8);
    const id = `${day}\n${creds.secretAccessKey}`;
    let key = this.keys.get(id);
    if (!key) {
      const { region, service } = this.scope;
      key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), service), 'aws4_request');
      this.keys.clear(); // one day and secret at a time: a long-lived edge service does not collect them
      this.keys.set(id, key);
    }
    return key;
  }
}
