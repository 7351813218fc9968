/**
 * The S3 client for the asset bucket.
 * - Custom endpoint (MinIO, R2, Ceph, s3rver…): path-style addressing, and checksums only when an
 *   operation requires them: with the SDK's default checksums some S3-compatible servers reject uploads and
 *   s3rver stores streamed bodies with their aws-chunked framing (silent corruption).
 * - Credentials from the settings when given, else the SDK default chain (env, OIDC web identity, …).
 * - Keep-alive connections, at most `concurrency` sockets: the sync never has more requests in flight.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AssetSettings } from '../settings.js';

export function createS3Client(a: AssetSettings): S3Client {
  const sockets = Math.max(1, Math.floor(a.concurrency) || 1);
  const agent = { keepAlive: true, maxSockets: sockets };
  const config: S3ClientConfig = {
    region: a.region || 'us-east-1',
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agent),
      httpsAgent: new https.Agent(agent),
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
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
