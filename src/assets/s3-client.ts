/**
 * The S3 client for the asset bucket.
 * - Custom endpoint (MinIO, R2, Ceph, s3rver…): path-style addressing, and checksums only when an
 *   operation requires them: with the SDK's default checksums some S3-compatible servers reject uploads and
 *   s3rver stores streamed bodies with their aws-chunked framing (silent corruption).
 * - Credentials from the settings when given, else the SDK default chain (env, OIDC web identity, …).
 * - Keep-alive connections, at most `concurrency` sockets: the sync never has more requests in flight.
 * - Time limits from the `request-timeout` input: connecting, and silence on the socket (smithy's `socketTimeout`;
 *   its `requestTimeout` only logs a warning unless `throwOnRequestTimeout`, and a whole-request limit would cut a
 *   large part upload on a slow link that is still making progress). The lean calls (lean.ts) take the same limit
 *   from the connection (s3.ts).
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as http from 'node:http';
import * as https from 'node:https';
import { DEFAULT_TIMEOUT_MS } from '../http/call.js';
import type { AssetSettings } from '../settings.js';

export interface S3ClientOptions {
  /** `Settings.requestTimeoutMs`. */
  requestTimeoutMs?: number;
}

export function createS3Client(a: AssetSettings, o: S3ClientOptions = {}): S3Client {
  const sockets = Math.max(1, Math.floor(a.concurrency) || 1);
  const agent = { keepAlive: true, maxSockets: sockets };
  const timeout = o.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const config: S3ClientConfig = {
    region: a.region || 'us-east-1',
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agent),
      httpsAgent: new https.Agent(agent),
      connectionTimeout: timeout,
      socketTimeout: timeout,
    }),
  };
  if (a.endpoint) {
    config.endpoint = a.endpoint;
    config.forcePathStyle = true;
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  if (a.accessKeyId && a.secretAccessKey) {
    config.credentials = { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
  }
  return new S3Client(config);
}
