/**
 * The preview's static files in the order a deploy needs them (issue 14). The walk, the listing and the comparison
 * start with the deploy; the upload of everything but HTML waits for the cue that the build command runs (or that
 * nothing is to be built) and goes on while the image builds and the function rolls out: on a new preview it is most
 * of the sync, and before the cue its requests would compete with the steps that start the builder, which is the
 * deploy's critical path (a cold build reached the builder seconds later on the bench). HTML goes only once the
 * functions are ready, so a page never calls an API older than itself; keys no local file needs any more go last,
 * after the new pages replaced the ones that used them.
 *
 * A deploy that ends before its functions are ready (failed build, overtaken, closed) abandons the stages: it waits
 * for the uploads already started, writes no HTML and reports how many files went up, so the PR is told that the
 * previous pages may already load some of this commit's files. Abandoned before the cue, nothing was uploaded.
 */
import type { S3Connection } from '../assets/s3.js';
import { prepareSync, type PreparedSync, type SyncOptions } from '../assets/sync.js';
import type { AssetCounts } from '../preview.js';
import { log } from '../log.js';

export class AssetStages {
  /** Set once the sync is planned; its counts stay readable after a failed upload. */
  private sync?: PreparedSync;
  /** The walk, the listing, the comparison and, after the cue, the upload of everything but HTML. */
  private readonly early: Promise<PreparedSync>;
  /** The cue: true to upload, false when the deploy ended first. The first answer counts. */
  private cue!: (upload: boolean) => void;

  private constructor(s3: S3Connection, opts: SyncOptions) {
    const cued = new Promise<boolean>((resolve) => (this.cue = resolve));
    this.early = prepareSync(s3, opts).then(async (sync) => {
      this.sync = sync;
      if (await cued) await sync.uploadAssets();
      return sync;
    });
    this.early.catch(() => undefined); // awaited by finish() or abandon()
  }

  static start(s3: S3Connection, opts: SyncOptions): AssetStages {
    log.info(
      'Static files: comparing now; all but HTML go up once the build runs (while the image builds and the function rolls out), HTML once it is ready',
    );
    return new AssetStages(s3, opts);
  }

  /** The build command runs, or nothing is to be built: the upload of all but HTML may start. Idempotent. */
  startUploads(): void {
    this.cue(true);
  }

  /** Once the functions are ready: the HTML, then the stale deletes. A failure of the early stage surfaces here. */
  async finish(): Promise<AssetCounts> {
    this.startUploads();
    try {
      const sync = await this.early;
      await sync.uploadHtml();
      await sync.deleteStale();
      const { uploaded, skipped, deleted } = sync.result();
      return { uploaded, skipped, deleted };
    } finally {
      this.sync?.close();
    }
  }

  /**
   * The deploy ends without its pages: waits for the uploads in flight and closes their connections. Returns how many
   * of this commit's files (none of them HTML) went up meanwhile. Idempotent.
   */
  async abandon(): Promise<number> {
    this.cue(false);
    await this.early.catch((err: Error) => log.info(`the early upload of static files stopped: ${err.message}`));
    this.sync?.close();
    return this.sync?.result().uploaded ?? 0;
  }
}
