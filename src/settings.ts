/** The one typed view of the action's configuration; built and validated by inputs/parse.ts, read everywhere else. */
import type { Stack } from './stack/parse.js';

/**
 * Parallel S3 requests of the asset sync, tuned with `npm run bench -- --server rgw|s3rver --tools ours
 * --concurrency N` (2,000 files, 2 CPUs, median of 5 each): cold upload to radosgw 1.64 s at 16, 1.57 s at 32,
 * 1.45 s at 64, 1.45 s at 128 (more client CPU); to s3rver 1.46, 1.42, 1.25 and 1.32 s. Real S3, tens of
 * milliseconds a round trip, is latency-bound and gains even more from requests in flight.
 */
export const DEFAULT_UPLOAD_CONCURRENCY = 64;

export type Command = 'deploy' | 'teardown' | 'sweep';
export type Builder = 'docker' | 'buildah' | 'podman' | 'none';

export interface GatewaySettings {
  url: string;
  username: string;
  password: string;
  /** Empty means the gateway's default namespace. */
  namespace: string;
}

export interface BuildSettings {
  builder: Builder;
  /** Real path of the build context, inside the workspace. Empty with builder none. */
  context: string;
  /** As given, relative to the context; it exists inside the workspace. Empty with builder none. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  /** `<registry>/<image>` without a tag; the tag is derived per PR. Empty with builder none. */
  repository: string;
  /** With builder none: the image to deploy as it is. */
  prebuiltImage: string;
  registryUsername: string;
  registryPassword: string;
  /** Plain-HTTP or self-signed registry: buildah/podman get --tls-verify=false, the registry API uses http. */
  registryInsecure: boolean;
  deleteImage: boolean;
  /** 'auto': skip the build when the backend did not change (digests); 'always': build every push (input `rebuild`). */
  rebuild: 'auto' | 'always';
}

export interface FunctionSettings {
  envVars: Record<string, string>;
  secrets: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  memoryLimit: string;
  cpuLimit: string;
  readyTimeoutMs: number;
  /** Path under `/function/<name>` the readiness probe GETs; starts with '/'. */
  readyPath: string;
}

export interface AssetSettings {
  /** Real path inside the workspace. Absent: no static front end, nothing is synced. */
  staticDir?: string;
  bucket: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  includeDotfiles: boolean;
  cacheControl: string;
  cacheControlFingerprinted: string;
  concurrency: number;
}

export interface SweepSettings {
  idleAfterMs: number;
  /** Without credentials, query string or fragment. */
  prometheusUrl?: string;
  /** Basic auth for `prometheusUrl` (inputs prometheus-username / prometheus-password); absent: no auth. */
  prometheusAuth?: { username: string; password: string };
  /** Without leading or trailing '/'; safe as a bucket key prefix. */
  statePrefix: string;
  /** Absent: previews never expire by age. */
  maxAgeMs?: number;
  /** 0 means unlimited; the default is 15 on Community Edition, unlimited elsewhere, decided when the edition is known. */
  maxPreviews?: number;
  /** The edge sends sleeping previews' API calls to the waker (input `waker`): a sleeping preview wakes on its next visit. */
  waker: boolean;
  dryRun: boolean;
}

/** A faas-cli stack file (issue 12): several functions per preview, built from their handlers and templates. */
export interface StackSettings {
  file: string;
  /** The `functions` input: the subset to deploy; empty: all. */
  functions: string[];
  /** Deployed as `<name>` at `api-path`; default: the first function of the file. */
  defaultFunction?: string;
  /** Where the others answer: `<functionsPath>/<fn>/…` → function `<name>-<fn>`. */
  functionsPath: string;
  /** The variables `${VAR}` in the file may read (input `stack-variables`). */
  variables: string[];
  /** The parsed file: on deploy runs only (teardown and sweep take the functions from the gateway). */
  parsed?: Stack;
  /** Instead of `parsed`, why the file (or `functions` / `default-function` against it) cannot be deployed: deploy tells the PR. */
  problem?: string;
}

/** Per-preview data (issue 11): secrets, a PostgreSQL database, hooks. */
export interface DataSettings {
  /** KEY → value: each becomes the OpenFaaS secret `<name>-<key>` (lowercase, `_` → `-`); the function gets `<KEY>_FILE`. */
  previewSecrets: Record<string, string>;
  /** Absent: no database per preview. */
  database?: { url: string; template?: string };
  hooks: { migrate?: string; seed?: string; onDeploy?: string; onTeardown?: string; timeoutMs: number };
}

export interface GithubSettings {
  token: string;
  comment: boolean;
  deployment: boolean;
  /** `show-internal-addresses`: public text (comment, summary, deployments, annotations) names them as they are. */
  showInternalAddresses: boolean;
}

export interface Settings {
  /** Explicit `command` input; otherwise the event decides (main.ts). */
  command?: Command;
  app: string;
  /** Contains `{name}`; may contain `{pr}` and `{sha}`. */
  urlTemplate: string;
  apiPath: string;
  gateway: GatewaySettings;
  build: BuildSettings;
  fn: FunctionSettings;
  /** Absent when no bucket is configured. */
  assets?: AssetSettings;
  sweep: SweepSettings;
  data: DataSettings;
  /** Absent without `stack-file`. */
  stack?: StackSettings;
  github: GithubSettings;
  allowForkBuilds: boolean;
  /** When set, only PRs carrying this label get a preview. */
  label?: string;
  /** Budget of one network request (gateway, GitHub, registry, S3); the readiness wait is bounded by `fn.readyTimeoutMs`. */
  requestTimeoutMs: number;
}
