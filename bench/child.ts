/**
 * Our sync as a tool of its own, for the bench: one process per phase, like aws-cli and rclone, started with plain
 * `node` on an esbuild bundle of this file (the action ships an ncc bundle). Argument: the job as JSON. Prints
 * `__RESULT__<json>` with the result, the time inside the process and its CPU and peak RSS.
 */
import { s3Connection } from '../src/assets/s3.js';
import { deletePrefix, syncAssets, type SyncResult } from '../src/assets/sync.js';
import type { AssetSettings } from '../src/settings.js';

export interface ChildJob {
  op: 'sync' | 'delete';
  settings: AssetSettings;
  prefix: string;
  dir: string;
}

export interface ChildResult {
  result: SyncResult | { deleted: number; requests: number };
  /** From the S3 client's creation to the end of the job (without node's start-up and the bundle's loading). */
  ms: number;
  maxRssKb: number;
  /** user + system CPU of the process, ms */
  cpuMs: number;
}

const job = JSON.parse(process.argv[2]) as ChildJob;
const s3 = s3Connection(job.settings);
const t0 = performance.now();
const { settings: s } = job;
const result =
  job.op === 'sync'
    ? await syncAssets(s3, {
        bucket: s.bucket,
        prefix: job.prefix,
        dir: job.dir,
        includeDotfiles: false,
        cacheControl: s.cacheControl,
        cacheControlFingerprinted: s.cacheControlFingerprinted,
        concurrency: s.concurrency,
        contentManifest: true,
      })
    : await deletePrefix(s3, s.bucket, job.prefix);
const ru = process.resourceUsage();
const out: ChildResult = {
  result,
  ms: performance.now() - t0,
  maxRssKb: ru.maxRSS,
  cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000,
};
s3.destroy();
process.stdout.write(`\n__RESULT__${JSON.stringify(out)}\n`);
