/**
 * The facts of one preview that a deploy gathers and every report of it (the PR comment, the GitHub deployment, the
 * outputs, the job summary) reads: one set of types, pure, so the renderer and the commands agree on them.
 */

/** Who the preview is, where it answers, and what it runs. */
export interface Preview {
  /** The naming contract's name: function, bucket prefix, DNS label (naming.ts). */
  name: string;
  url: string;
  pr: number;
  /** The PR head commit the run deploys. */
  sha: string;
  /** The image the preview's main function runs; empty until the image step decided it. */
  image: string;
}

/** How the image came to be (commands/image-source.ts). */
export type ImageSource =
  | { how: 'prebuilt' }
  | { how: 'reused'; digest: string; since: string }
  | { how: 'retagged'; digest: string; from: string }
  | { how: 'built'; digest?: string; cache?: string };

/** One function of a preview with several (a stack file). */
export interface FunctionFacts {
  name: string;
  /** Its path on the preview's origin. */
  route: string;
  image: string;
  backend?: ImageSource;
}

/** The preview's data as the deploy left it (commands/preview-data.ts). */
export interface DataFacts {
  secrets: string[];
  database?: { name: string; created: boolean; migrated: boolean; seeded: boolean };
}

/**
 * What a failed first deploy's data step undid (commands/preview-data.ts): what this run had created and removed,
 * what it had created and could not remove (the log says why), and a database found from an earlier deploy, which is
 * not this run's to remove.
 */
export interface DataUndo {
  removed: DataItems;
  left: DataItems;
  /** The database's name, when it was there before this run. */
  kept?: string;
}

/** Secrets and a database, by name. */
export interface DataItems {
  secrets: string[];
  database?: string;
}

/** What the asset sync did. */
export interface AssetCounts {
  uploaded: number;
  skipped: number;
  deleted: number;
}

/**
 * What one function's ready check saw, as public text may say it: the path, the status and the commit, never the
 * gateway's address. `proof` says why the answer is this commit's: its `X-Faas-Preview-Sha` header, no other version
 * existing (a new function; faasd, which replaces a function on update), or nothing (a faas-netes rollout without
 * the header).
 */
export interface ReadyCheck {
  name: string;
  path: string;
  status: number;
  sha: string;
  proof: 'header' | 'new-function' | 'replaced' | 'unproven';
}

/** The step a deploy failed in, which decides what is still true of the previous preview. */
export type FailedStep = 'stack' | 'gateway' | 'state' | 'build' | 'image' | 'data' | 'deploy' | 'readiness' | 'assets';
