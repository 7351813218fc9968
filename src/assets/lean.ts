/**
 * Lean S3 calls for the sync's hot path: PutObject for its many small objects, multipart uploads, ListObjectsV2,
 * DeleteObjects, and GetObject of the content manifest; and for the state store (state/objects.ts): GetObject,
 * PutObject and DeleteObject of its small JSON objects, ListObjectsV2 with LastModified and delimited. They
 * bypass the SDK's client for what it costs per request (its middleware stack): a cold upload of the bench's 2,000
 * files to radosgw takes 1.4 s this way against 3.4 s through the SDK, 0.9 s of client CPU against 2.4 s (median of
 * 5 each, back to back: `npm run bench -- --server rgw --runs 5 --tools ours`, then the same with createLeanS3
 * declining), and the SDK takes 70–95 ms to list the bench's 2,000 keys from radosgw (two pages, warm) where this
 * takes 15–16 ms.
 *
 * - URL: with a custom endpoint and static credentials in the settings, `<endpoint>/<bucket>` (path-style, as the
 *   SDK's client resolves it then); otherwise the SDK client's own endpoint resolution, run once per sync for the
 *   bucket (virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com`, path-style for dotted buckets; FIPS,
 *   dual-stack, China partitions as the client resolves them). The key is appended with each segment RFC
 *   3986-encoded, `/` kept, encoded once (the canonical URI S3 expects).
 * - Signing: sigv4.ts, as the SDK's S3 client signs (the path signed as sent, not encoded again), with
 *   `x-amz-content-sha256: UNSIGNED-PAYLOAD` (no body hash) but for the small XML bodies, which are hashed;
 *   credentials from the settings, or from the client's own provider chain (env, OIDC web identity, session tokens),
 *   re-resolved before they expire; the clock-skew offset (the client's, when the SDK resolved the target), which an
 *   answer `RequestTimeTooSkewed` corrects for the next attempt (the SDK's too).
 * - Transport: node's http client (lean-http.ts), `maxSockets` keep-alive connections, the request-timeout for
 *   connecting and for silence, bounded answers, `User-Agent: faas-preview`.
 * - A non-2xx answer rejects with an S3ResponseError that carries the status, S3's XML Code and Message (empty
 *   on radosgw) and the headers, in the SDK's error shape (`name`, `$metadata.httpStatusCode`), so s3-call.ts
 *   reads both alike; network errors and timeouts reject with the request and node's `code` (no `$metadata`).
 *   One attempt per call: the caller retries.
 *
 * Everything stays on the SDK when the endpoint needs what only it does (see resolveTarget).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { createLeanHttp, type LeanHttp, type LeanHttpRequest, type LeanHttpResponse } from './lean-http.js';
import { FileChanged } from './local.js';
import { manifestMac, type Mac } from './manifest.js';
import { normalizeEtag } from './plan.js';
import type { S3Connection } from './s3.js';
import { canonicalQuery, encodeKeyPath, SigV4, type Credentials, type RequestToSign } from './sigv4.js';

export { encodeKeyPath };

/** A page of 1,000 keys of up to 1,024 bytes each, XML-escaped, with their metadata, stays well below this. */
const MAX_LISTING = 16 * 1024 * 1024;
/** A PUT's answer: empty, or an S3 error document of a few hundred bytes. */
const MAX_ANSWER = 64 * 1024;

/** An S3 error answer, in the shape of the SDK's service exceptions (name = S3's Code). */
export class S3ResponseError extends Error {
  readonly Code: string;
  /** The body's `<Message>` as it was, possibly empty. */
  readonly Message: string;
  readonly $metadata: { httpStatusCode: number; requestId?: string };
  readonly $fault: 'client' | 'server';

  constructor(
    status: number,
    code: string,
    message: string,
    what: string,
    readonly headers: IncomingHttpHeaders = {},
  ) {
    super(`${what} answered HTTP ${status} ${code || '(no S3 error code)'}${message ? `: ${message}` : ''}`);
    this.name = code || `Http${status}`;
    this.Code = code;
    this.Message = message;
    const requestId = headers['x-amz-request-id'];
    this.$metadata = { httpStatusCode: status, requestId: typeof requestId === 'string' ? requestId : undefined };
    this.$fault = status >= 500 ? 'server' : 'client';
  }
}

/** `<Code>` and `<Message>` of an S3 XML error body (empty strings when absent, e.g. HEAD or no body). */
export function parseS3Error(xml: string): { code: string; message: string } {
  const tag = (name: string): string => unescapeXml((elements(xml, name)[0] ?? '').trim());
  return { code: tag('Code'), message: tag('Message') };
}

function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    if (e === 'amp') return '&';
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

interface PutHeaders {
  contentType: string;
  cacheControl: string;
}

/** Where a listing page starts: after a continuation token, or after a key; at the prefix's start without either. */
export interface PageStart {
  token?: string;
  startAfter?: string;
  /** At most this many keys (the server's limit, 1,000, without it). */
  maxKeys?: number;
  /** Keys holding it after the prefix are rolled up into `prefixes` (S3's CommonPrefixes). */
  delimiter?: string;
}

/** One page of a ListObjectsV2 answer. */
export interface ListPage {
  /** `lastModified` when the server sent a date that parses. */
  objects: { key: string; size: number; etag: string; lastModified?: Date }[];
  /** The CommonPrefixes of a delimited listing. */
  prefixes?: string[];
  truncated: boolean;
  nextToken?: string;
}

export interface LeanS3 {
  /**
   * One PUT attempt of `body` (a Buffer, or a function opening a fresh stream of exactly `size` bytes) to
   * `key`. Resolves with the answer's ETag (normalised; empty when there was none) once S3 answered 2xx and the
   * answer was read.
   */
  put(key: string, body: Buffer | (() => Readable), size: number, headers: PutHeaders): Promise<string>;
  /** One GetObject attempt of a small object (at most `maxBytes`): its bytes, or undefined when it does not exist. */
  get(key: string, maxBytes: number): Promise<Buffer | undefined>;
  /** The asset manifest's MAC, keyed from the credentials' secret (manifest.ts). */
  manifestMac(): Promise<Mac>;
  /** One ListObjectsV2 attempt: the page of `prefix` after `from` (a continuation token, or a key to start after). */
  list(prefix: string, from?: PageStart): Promise<ListPage>;
  /** CreateMultipartUpload: the upload's id. */
  createMultipart(key: string, headers: PutHeaders): Promise<string>;
  /** One UploadPart attempt of a fresh stream of exactly `size` bytes: the part's ETag (normalised). */
  putPart(key: string, uploadId: string, partNumber: number, body: () => Readable, size: number): Promise<string>;
  /** CompleteMultipartUpload of the parts (ETags normalised), in order: the object's ETag (normalised). */
  completeMultipart(key: string, uploadId: string, parts: readonly { number: number; etag: string }[]): Promise<string>;
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /** One DeleteObject attempt; S3 answers 204 whether or not the key existed. */
  deleteOne(key: string): Promise<void>;
  /** One DeleteObjects attempt (Quiet, at most 1,000 keys): the keys S3 says it could not delete. */
  deleteMany(keys: readonly string[]): Promise<{ key: string; code: string; message: string }[]>;
  /** HTTP attempts made so far. */
  requests(): number;
  /** Close the keep-alive connections. */
  close(): void;
}

/** The text of every `<name>` element in `xml`, in order (S3 puts no attributes on these). */
function elements(xml: string, name: string): string[] {
  const out: string[] = [];
  const open = `<${name}>`;
  const close = `</${name}>`;
  for (let at = xml.indexOf(open); at !== -1; at = xml.indexOf(open, at)) {
    const end = xml.indexOf(close, at);
    if (end === -1) break;
    out.push(xml.slice(at + open.length, end));
    at = end + close.length;
  }
  return out;
}

/** A date S3 sent (ISO 8601); undefined when absent or not a date. */
function dateOf(text: string | undefined): Date | undefined {
  const ms = text === undefined ? NaN : Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** A ListObjectsV2 answer (ListBucketResult) as the sync and the state store need it; throws when it is not one. */
export function parseListPage(xml: string): ListPage {
  if (!xml.includes('<ListBucketResult')) throw new Error('the answer is not a ListBucketResult');
  const objects = elements(xml, 'Contents').map((c) => {
    const [key] = elements(c, 'Key');
    const [size] = elements(c, 'Size');
    if (key === undefined || !/^\d+$/.test(size ?? '')) throw new Error('a <Contents> entry without a Key or a Size');
    const etag = unescapeXml(elements(c, 'ETag')[0] ?? '');
    return { key: unescapeXml(key), size: Number(size), etag, lastModified: dateOf(elements(c, 'LastModified')[0]) };
  });
  const outside = xml.replace(/<Contents>[\s\S]*?<\/Contents>/g, '');
  const prefixes = elements(outside, 'CommonPrefixes').flatMap((c) => elements(c, 'Prefix').map(unescapeXml));
  const truncated = elements(outside, 'IsTruncated')[0]?.trim() === 'true';
  const token = elements(outside, 'NextContinuationToken')[0];
  return { objects, prefixes, truncated, nextToken: token === undefined ? undefined : unescapeXml(token) };
}

/** Where and how a bucket's requests go: the client's own endpoint resolution (for PutObject). */
export interface PutTarget {
  /** Endpoint of the bucket: `https://<bucket>.s3.<region>.amazonaws.com/`, `<endpoint>/<bucket>`, … */
  url: URL;
  signingRegion: string;
  signingName: string;
}

/**
 * `bucket`'s PutObject endpoint as `client` resolves it, or undefined when it needs what only the SDK does:
 * another auth scheme than plain SigV4 (S3 Express, multi-region access points), an endpoint that is
 * neither http nor https, or an endpoint the rules reject (the SDK path then reports it in its own words).
 */
export async function resolveTarget(client: S3Client, bucket: string): Promise<PutTarget | undefined> {
  const { PutObjectCommand, getEndpointFromInstructions } = await import('./sdk.js');
  let endpoint: Awaited<ReturnType<typeof getEndpointFromInstructions>>;
  try {
    endpoint = await getEndpointFromInstructions(
      { Bucket: bucket, Key: 'k' },
      PutObjectCommand,
      client.config as unknown as Parameters<typeof getEndpointFromInstructions>[2],
    );
  } catch {
    return undefined;
  }
  const schemes = (endpoint.properties?.authSchemes ?? []) as {
    name?: string;
    signingName?: string;
    signingRegion?: string;
  }[];
  const scheme = schemes[0];
  if (!scheme || scheme.name !== 'sigv4' || !scheme.signingRegion) return undefined;
  const url = endpoint.url;
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search) return undefined;
  return { url, signingRegion: scheme.signingRegion, signingName: scheme.signingName ?? 's3' };
}

/** The clock's offset from the server's, corrected from a server's Date on a skew error (the SDK's client config). */
type Clock = { systemClockOffset?: number };

/** How a bucket's requests are signed outside the SDK: its endpoint, a SigV4 signer and the clock. */
export interface BucketSigner {
  url: URL;
  /** The bucket's path on the endpoint, with a trailing slash (`/` for a virtual-hosted bucket). */
  base: string;
  signer: SigV4;
  /** The credentials, asked again of the SDK's provider only when they are about to expire. */
  credentials: () => Promise<Credentials>;
  /** The offset is read at each signing; the SDK's client shares it when the SDK resolved the target. */
  clock: Clock;
  signingDate(): Date;
}

/** The target and credentials from the SDK's client: its endpoint rules and provider chain. */
async function fromSdk(
  s3: S3Connection,
  bucket: string,
): Promise<{ url: URL; region: string; credentials: () => Promise<Credentials>; clock: Clock } | undefined> {
  const client = await s3.client();
  const config = client.config as unknown as Clock & { credentials?: () => Promise<Credentials> };
  if (typeof config.credentials !== 'function') return undefined;
  const resolved = await resolveTarget(client, bucket);
  if (!resolved || resolved.signingName !== 's3') return undefined;
  const provider = config.credentials;
  let creds: Credentials | undefined;
  const credentials = async (): Promise<Credentials> => {
    // the provider memoises and refreshes by itself; asking it again only when ours is about to expire
    if (!creds || (creds.expiration && creds.expiration.getTime() - Date.now() < 5 * 60_000)) creds = await provider();
    return creds;
  };
  return { url: resolved.url, region: resolved.signingRegion, credentials, clock: config };
}

/**
 * `bucket`'s endpoint and a signer for it (for the lean calls and the edge's presigned reads): from the settings alone
 * when they allow it (s3.ts), else as the SDK's client resolves them; undefined when only the SDK can sign for it.
 */
export async function bucketSigner(s3: S3Connection, bucket: string): Promise<BucketSigner | undefined> {
  const direct = s3.direct(bucket);
  const target = direct
    ? { ...direct, credentials: () => Promise.resolve(direct.credentials), clock: {} as Clock }
    : await fromSdk(s3, bucket);
  if (!target) return undefined;
  const { url, clock } = target;
  const base = url.pathname.endsWith('/') ? url.pathname : url.pathname + '/';
  const signingDate = () => new Date(Date.now() + (clock.systemClockOffset ?? 0));
  const signer = new SigV4({ region: target.region, service: 's3' });
  return { url, base, signer, credentials: target.credentials, clock, signingDate };
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** A DeleteObjects body: the keys XML-escaped (control characters as character references, as the SDK sends them). */
function deleteBody(keys: readonly string[]): Buffer {
  const escape = (k: string) =>
    k.replace(/[&<>"'\p{Cc}\u2028]/gu, (c) => XML_ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16)};`);
  const objects = keys.map((k) => `<Object><Key>${escape(k)}</Key></Object>`).join('');
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>${objects}</Delete>`);
}

/** The keys a DeleteObjects answer (DeleteResult) says failed, with S3's code and message; throws when it is not one. */
export function parseDeleteResult(xml: string): { key: string; code: string; message: string }[] {
  if (!xml.includes('<DeleteResult')) throw new Error('the answer is not a DeleteResult');
  return elements(xml, 'Error').map((e) => {
    const tag = (name: string) => unescapeXml(elements(e, name)[0] ?? '');
    return { key: tag('Key'), code: tag('Code'), message: tag('Message') };
  });
}

type Call = Pick<LeanHttpRequest, 'method' | 'path' | 'body' | 'size' | 'sizeMismatch' | 'maxBody'> & {
  query?: Record<string, string>;
  headers?: Record<string, string>;
};
/** One attempt; resolves with a 2xx answer, rejects with S3ResponseError or a network error naming the request. */
type Send = (r: Call) => Promise<LeanHttpResponse>;

/** Signs each call, sends it once, and turns a non-2xx answer into an S3ResponseError; counts the attempts. */
function sender(signing: BucketSigner, http: LeanHttp, attempts: { n: number }): Send {
  const { url, signer, clock } = signing;
  return async (r) => {
    const query = canonicalQuery(r.query);
    const target = query ? `${r.path}?${query}` : r.path;
    const what = `${r.method} ${url.protocol}//${url.host}${target}`;
    const toSign: RequestToSign = {
      method: r.method,
      path: r.path,
      query: r.query,
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...r.headers },
    };
    const signed = signer.sign(toSign, await signing.credentials(), signing.signingDate());
    attempts.n++;
    let res: LeanHttpResponse;
    try {
      res = await http.request({ ...r, path: target, headers: { ...signed, 'user-agent': 'faas-preview' } });
    } catch (err) {
      if (err instanceof FileChanged) throw err;
      const e = err as Error & { code?: string };
      throw Object.assign(new Error(`${what}: ${e.message}`, { cause: err }), { code: e.code });
    }
    if (res.status >= 200 && res.status < 300) return res;
    const { code, message } = parseS3Error(res.body.toString('utf8'));
    if (code === 'RequestTimeTooSkewed' || code === 'RequestExpired') {
      // the SDK's own skew correction, shared with it: the next attempt is signed with the server's time
      const serverTime = Date.parse(typeof res.headers.date === 'string' ? res.headers.date : '');
      if (!Number.isNaN(serverTime)) clock.systemClockOffset = serverTime - Date.now();
    }
    throw new S3ResponseError(res.status, code, message, what, res.headers);
  };
}

/** A body that must be `size` bytes: the file changed since the walk when it is not (lean-http.ts checks). */
function sizeCheck(what: string, size: number): Pick<Call, 'size' | 'sizeMismatch'> {
  return {
    size,
    sizeMismatch: (sent) =>
      new FileChanged(
        what,
        sent > size
          ? `it grew past the ${size} bytes the walk saw`
          : `it shrank to ${sent} of the ${size} bytes the walk saw`,
      ),
  };
}

/** The headers of a small XML body (DeleteObjects, CompleteMultipartUpload): its hash is signed, not UNSIGNED-PAYLOAD. */
const xmlBody = (body: Buffer): Record<string, string> => ({
  'content-type': 'application/xml',
  'x-amz-content-sha256': hash('sha256', body, 'hex'),
});

/** The answer's ETag header, normalised (empty when there was none). */
const etagOf = (res: LeanHttpResponse): string =>
  normalizeEtag(typeof res.headers.etag === 'string' ? res.headers.etag : undefined);

/**
 * A multipart upload's calls (when the target is signed here, the SDK is not needed for large files either). S3 may
 * answer CompleteMultipartUpload with 200 and an error document: that rejects like an error status.
 */
function multipartCalls(
  send: Send,
  signing: BucketSigner,
): Pick<LeanS3, 'createMultipart' | 'putPart' | 'completeMultipart' | 'abortMultipart'> {
  const { url, base } = signing;
  const path = (key: string) => base + encodeKeyPath(key);
  return {
    async createMultipart(key, h) {
      const headers = { 'content-type': h.contentType, 'cache-control': h.cacheControl };
      const res = await send({
        method: 'POST',
        path: path(key),
        query: { uploads: '' },
        headers,
        size: 0,
        maxBody: MAX_ANSWER,
      });
      const id = elements(res.body.toString('utf8'), 'UploadId')[0];
      if (!id) throw new Error(`POST ${url.protocol}//${url.host}${path(key)}?uploads: the answer holds no UploadId`);
      return unescapeXml(id);
    },
    async putPart(key, uploadId, partNumber, body, size) {
      const query = { partNumber: String(partNumber), uploadId };
      const what = `PUT ${url.protocol}//${url.host}${path(key)} part ${partNumber}`;
      return etagOf(
        await send({ method: 'PUT', path: path(key), query, body, ...sizeCheck(what, size), maxBody: MAX_ANSWER }),
      );
    },
    async completeMultipart(key, uploadId, parts) {
      const list = parts.map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>"${p.etag}"</ETag></Part>`);
      const body = Buffer.from(`<CompleteMultipartUpload>${list.join('')}</CompleteMultipartUpload>`);
      const res = await send({
        method: 'POST',
        path: path(key),
        query: { uploadId },
        headers: xmlBody(body),
        body,
        size: body.length,
        maxBody: MAX_ANSWER,
      });
      const xml = res.body.toString('utf8');
      if (!xml.includes('<CompleteMultipartUploadResult')) {
        const { code, message } = parseS3Error(xml);
        throw new S3ResponseError(
          res.status,
          code,
          message,
          `POST ${url.protocol}//${url.host}${path(key)}?uploadId`,
          res.headers,
        );
      }
      return normalizeEtag(unescapeXml(elements(xml, 'ETag')[0] ?? ''));
    },
    async abortMultipart(key, uploadId) {
      await send({ method: 'DELETE', path: path(key), query: { uploadId }, size: 0, maxBody: MAX_ANSWER });
    },
  };
}

/** Lean calls to `bucket` with `s3`'s endpoint, credentials and clock; undefined: use the SDK. */
export async function createLeanS3(
  s3: S3Connection,
  bucket: string,
  opts: { maxSockets: number },
): Promise<LeanS3 | undefined> {
  const signing = await bucketSigner(s3, bucket);
  if (!signing) return undefined;
  const { url, base } = signing;
  await signing.credentials(); // fail early (no credentials at all) rather than once per file

  const http = createLeanHttp({ origin: url, connections: opts.maxSockets, timeoutMs: s3.requestTimeoutMs });
  const attempts = { n: 0 };
  const send = sender(signing, http, attempts);
  const bucketPath = base === '/' ? base : base.slice(0, -1); // the bucket itself: `/<bucket>` path-style, `/` virtual-hosted

  return {
    ...multipartCalls(send, signing),
    async put(key, body, size, h): Promise<string> {
      const path = base + encodeKeyPath(key);
      const res = await send({
        method: 'PUT',
        path,
        headers: { 'content-type': h.contentType, 'cache-control': h.cacheControl },
        body,
        ...sizeCheck(`PUT ${url.protocol}//${url.host}${path}`, size),
        maxBody: MAX_ANSWER,
      });
      return etagOf(res);
    },
    async get(key, maxBytes): Promise<Buffer | undefined> {
      try {
        return (await send({ method: 'GET', path: base + encodeKeyPath(key), size: 0, maxBody: maxBytes })).body;
      } catch (err) {
        if (err instanceof S3ResponseError && err.$metadata.httpStatusCode === 404) return undefined;
        throw err;
      }
    },
    manifestMac: async () => manifestMac((await signing.credentials()).secretAccessKey),
    async list(prefix, from = {}): Promise<ListPage> {
      const query: Record<string, string> = {
        'list-type': '2',
        prefix,
        ...(from.token ? { 'continuation-token': from.token } : {}),
        ...(from.startAfter ? { 'start-after': from.startAfter } : {}),
        ...(from.maxKeys ? { 'max-keys': String(from.maxKeys) } : {}),
        ...(from.delimiter ? { delimiter: from.delimiter } : {}),
      };
      const res = await send({ method: 'GET', path: bucketPath, query, size: 0, maxBody: MAX_LISTING });
      return parseListPage(res.body.toString('utf8'));
    },
    async deleteOne(key) {
      await send({ method: 'DELETE', path: base + encodeKeyPath(key), size: 0, maxBody: MAX_ANSWER });
    },
    async deleteMany(keys) {
      const body = deleteBody(keys);
      const res = await send({
        method: 'POST',
        path: bucketPath,
        query: { delete: '' },
        // S3 requires the body's MD5 (or a checksum) on DeleteObjects; the payload hash is signed too
        headers: {
          ...xmlBody(body),
          'content-md5': hash('md5', body, 'base64'),
        },
        body,
        size: body.length,
        maxBody: MAX_LISTING,
      });
      return parseDeleteResult(res.body.toString('utf8'));
    },
    requests: () => attempts.n,
    close: () => http.close(),
  };
}
