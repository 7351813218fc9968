/**
 * The asset bucket's S3 access, in two parts that load apart:
 * - the lean calls (lean.ts: PUT, multipart, GET, listing, DeleteObjects, on node's http client and sigv4.ts), which sign with
 *   the settings alone when those name a custom endpoint (MinIO, R2, Ceph, s3rver…) and static credentials (inputs,
 *   or the `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` variables the SDK would read first);
 * - the SDK's S3 client (s3-client.ts), made on first use: for AWS's own endpoints (its endpoint rules) and for
 *   credentials only its provider chain finds (web identity, profiles, instance roles), and for every call when the
 *   endpoint needs what only the SDK can sign for (lean.ts resolveTarget).
 * A sync that needs neither never loads the SDK: loading it took about 150 ms of a run's start-up on the bench
 * machine, more than an incremental sync's own requests.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_TIMEOUT_MS } from '../http/call.js';
import type { AssetSettings } from '../settings.js';
import type { Credentials } from './sigv4.js';

/** What the lean calls need to sign without the SDK. */
interface DirectTarget {
  /** The bucket's URL, path-style: `<endpoint>/<bucket>`. */
  url: URL;
  region: string;
  credentials: Credentials;
}

export interface S3Connection {
  readonly settings: AssetSettings;
  /** Connect and idle-socket limit (input `request-timeout`). */
  readonly requestTimeoutMs: number;
  /** The SDK client, loaded and made on first use. */
  client(): Promise<S3Client>;
  /** Signing without the SDK for `bucket`, when the settings allow it. */
  direct(bucket: string): DirectTarget | undefined;
  /** Closes the SDK client's connections, if it was made. */
  destroy(): void;
}

export interface S3ConnectionOptions {
  /** `Settings.requestTimeoutMs`. */
  requestTimeoutMs?: number;
  /** An SDK client made already (tests, the bench's server helpers): used instead of making one. */
  client?: S3Client;
  env?: NodeJS.ProcessEnv;
}

/** Static credentials: the settings', else the variables the SDK's chain reads first; none when incomplete. */
function staticCredentials(a: AssetSettings, env: NodeJS.ProcessEnv): Credentials | undefined {
  if (a.accessKeyId && a.secretAccessKey) return { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
  const { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token } = env;
  // with a profile named, the SDK's chain skips these variables: so does this
  if (!id || !secret || env.AWS_PROFILE) return undefined;
  return { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
}

/** `<endpoint>/<bucket>` as the SDK resolves a custom endpoint with path-style addressing; undefined otherwise. */
function pathStyleUrl(endpoint: string | undefined, bucket: string): URL | undefined {
  if (!endpoint) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined; // the SDK reports it in its own words
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username)
    return undefined;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${bucket}`;
  return url;
}

export function s3Connection(settings: AssetSettings, o: S3ConnectionOptions = {}): S3Connection {
  const requestTimeoutMs = o.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const env = o.env ?? process.env;
  let made: Promise<S3Client> | undefined = o.client && Promise.resolve(o.client);
  return {
    settings,
    requestTimeoutMs,
    client: () => (made ??= import('./sdk.js').then((m) => m.createS3Client(settings, { requestTimeoutMs }))),
    direct(bucket) {
      const url = pathStyleUrl(settings.endpoint, bucket);
      const credentials = url && staticCredentials(settings, env);
      return url && credentials ? { url, region: settings.region || 'us-east-1', credentials } : undefined;
    },
    destroy: () => void made?.then((c) => c.destroy()),
  };
}
