/**
 * The preview's static files in the order a deploy needs them (issue 14). Nothing starts before the cue that the
 * build command runs (its first output) or that nothing is to be built: the walk is synchronous work on the event
 * loop, the comparison takes it in slices of a few milliseconds, and the upload of a new preview is thousands of
 * requests; before the cue any of them would hold up the steps that start the builder, the deploy's critical path
 * (on the bench the walk alone delayed the builder by about 100 ms, the uploads by seconds). Then the comparison and
 * the upload of everything but HTML go on while the image builds and the function rolls out. HTML goes only once the
 * functions are ready, so a page never calls an API older than itself; keys no local file needs any more go last,
 * after the new pages replaced the ones that used them.
 *
 * A deploy that ends before its functions are ready (failed build, overtaken, closed) abandons the stages: it waits
 * for the uploads already started, writes no HTML and reports how many files went up, so the PR is told that the
 * previous pages may already load some of this commit's files. Abandoned before the cue, nothing was read or sent.
 */
import type { S3Connection } from '../assets/s3.js';
import { prepareSync, type PreparedSync, type SyncOptions } from '../assets/sync.js';
import type { AssetCounts } from '../preview.js';
import { log } from '../log.js';

export class AssetStages {
  /** Set once the sync is planned; its counts stay readable after a failed upload. */
  private sync?: PreparedSync;
  /** After the cue: the walk, the listing, the comparison and the upload of everything but HTML; none without it. */
  private readonly early: Promise<PreparedSync | undefined>;
  /** The cue: true to go, false when the deploy ended first. The first answer counts. */
  private cue!: (go: boolean) => void;

  private constructor(s3: S3Connection, opts: SyncOptions) {
    const cued = new Promise<boolean>((resolve) => (this.cue = resolve));
    this.early = cued.then(async (go) => {
      if (!go) return undefined;
      this.sync = await prepareSync(s3, opts);
      await this.sync.uploadAssets();
      return this.sync;
    });
    this.early.catch(() => undefined); // awaited by finish() or abandon()
  }

  static start(s3: S3Connection, opts: SyncOptions): AssetStages {
    log.info(
      'Static files: compared and uploaded but HTML once the build runs (while the image builds and the function rolls out) or at once when nothing is built; HTML once the function is ready',
    );
    return new AssetStages(s3, opts);
  }

  /** The build command runs, or nothing is to be built: the comparison and the upload but HTML start. Idempotent. */
  begin(): void {
    this.cue(true);
  }

  /** Once the functions are ready: the HTML, then the stale deletes. A failure of the early stage surfaces here. */
  async finish(): Promise<AssetCounts> {
    this.begin();
    try {
      const sync = await this.early;
      if (!sync) throw new Error('static files: finish() after abandon()');
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
