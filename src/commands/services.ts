/** The clients every command works through, built once from Settings; tests and the sweeper build their own. */
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Connection, type S3Connection } from '../assets/s3.js';
import { createS3Client } from '../assets/s3-client.js';
import type { RunContext } from '../context.js';
import { createOctokit, type Octokit } from '../github/client.js';
import { GatewayClient } from '../openfaas/client.js';
import type { Settings } from '../settings.js';
import type { StateStore } from '../state/store.js';
import { log } from '../log.js';

export interface Services {
  settings: Settings;
  ctx: RunContext;
  gateway: GatewayClient;
  octokit: Octokit;
  /** Present when a bucket is configured: the SDK's client, for the state store. */
  s3?: S3Client;
  /** The same bucket for the asset calls, which sign without the SDK where they can (assets/s3.ts). */
  bucket?: S3Connection;
  now: () => Date;
}

/** The bucket's state objects (records, sleeping specs, the sweeper's memory), when a bucket is configured. */
export function stateStore(s: Pick<Services, 'settings' | 's3'>): StateStore | undefined {
  const { assets, sweep } = s.settings;
  return assets && s.s3 ? { client: s.s3, bucket: assets.bucket, statePrefix: sweep.statePrefix } : undefined;
}

export function createServices(settings: Settings, ctx: RunContext, o: { pacedWrites?: boolean } = {}): Services {
  const s3 = settings.assets
    ? createS3Client(settings.assets, { requestTimeoutMs: settings.requestTimeoutMs })
    : undefined;
  return {
    settings,
    ctx,
    gateway: new GatewayClient(settings.gateway, { timeoutMs: settings.requestTimeoutMs, log: log.info }),
    octokit: createOctokit(settings.github.token, {
      timeoutMs: settings.requestTimeoutMs,
      log: log.info,
      pacedWrites: o.pacedWrites,
    }),
    s3,
    bucket: s3 && s3Connection(settings.assets!, { requestTimeoutMs: settings.requestTimeoutMs, client: s3 }),
    now: () => new Date(),
  };
}
