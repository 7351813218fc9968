/** The clients every command works through, built once from Settings; tests and the sweeper build their own. */
import { s3Connection, type S3Connection } from '../assets/s3.js';
import type { RunContext } from '../context.js';
import { createOctokit, type Octokit } from '../github/client.js';
import { GatewayClient } from '../openfaas/client.js';
import type { Settings } from '../settings.js';
import { createStateStore, type StateStore } from '../state/store.js';
import { log } from '../log.js';

export interface Services {
  settings: Settings;
  ctx: RunContext;
  gateway: GatewayClient;
  octokit: Octokit;
  /**
   * Present when a bucket is configured: its connection, for the asset calls and the state store alike, which sign
   * without the SDK where they can (assets/s3.ts); its SDK client is made on first use, if ever.
   */
  bucket?: S3Connection;
  /** The bucket's state objects (records, sleeping specs, the sweeper's memory), when a bucket is configured. */
  state?: StateStore;
  now: () => Date;
}

export function createServices(settings: Settings, ctx: RunContext, o: { pacedWrites?: boolean } = {}): Services {
  const { assets } = settings;
  const bucket = assets && s3Connection(assets, { requestTimeoutMs: settings.requestTimeoutMs });
  return {
    settings,
    ctx,
    gateway: new GatewayClient(settings.gateway, { timeoutMs: settings.requestTimeoutMs, log: log.info }),
    octokit: createOctokit(settings.github.token, {
      timeoutMs: settings.requestTimeoutMs,
      log: log.info,
      pacedWrites: o.pacedWrites,
    }),
    bucket,
    state: bucket && createStateStore(bucket, assets.bucket, settings.sweep.statePrefix, { log: log.info }),
    now: () => new Date(),
  };
}
