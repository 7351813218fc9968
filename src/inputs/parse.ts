/**
 * Action inputs → one validated Settings object. The only module that reads inputs. Secrets are masked before
 * anything else; then every input is checked before the action does anything, and the first bad one stops the
 * step with one error that names the input, what was wrong and what would be right. The checks live in rules/,
 * shared with the stack file (stack/) and the waker's configuration (waker/config.ts).
 */
import { sanitizeApp } from '../naming.js';
import {
  DEFAULT_UPLOAD_CONCURRENCY,
  type AssetSettings,
  type Builder,
  type BuildSettings,
  type Command,
  type FunctionSettings,
  type GithubSettings,
  type Settings,
  type SweepSettings,
} from '../settings.js';
import { secrets as sharedSecrets } from '../text/run-secrets.js';
import type { Secrets } from '../text/secrets.js';
import { bucket, cacheControl, region } from '../rules/assets.js';
import { bothOrNeither, checkSecret, checkUser, maskSecrets } from '../rules/credentials.js';
import { CONTROL, InputError, show, type Read } from '../rules/errors.js';
import { buildArgs, prebuiltImage, pushRepository, registryInput } from '../rules/image.js';
import { annotations, CPU, envVars, labels, MEMORY, quantity, secretNames } from '../rules/kubernetes.js';
import { apiPath, containedPath, readyPath, realWorkspace, statePrefix } from '../rules/paths.js';
import { bool, choice, duration, IDLE_AFTER, integer, type DurationBounds } from '../rules/scalars.js';
import { previewTemplate, serviceUrl } from '../rules/urls.js';
import { dataSettings } from './data.js';
import { gatewaySettings } from '../rules/gateway.js';
import { stackSettings } from './stack.js';

export { InputError } from '../rules/errors.js';

export type GetInput = (name: string) => string;

export interface InputEnvironment {
  /** `owner/repo` of the workflow run, for defaults. */
  repository: string;
  workspace: string;
  /** Called with every secret before parsing goes on (core.setSecret in the action). */
  mask: (secret: string) => void;
  /** Where secrets are registered for scrubbing; the run's shared registry unless a test brings its own. */
  secrets?: Secrets;
  /**
   * The triggering event, so that paths only a build reads (context, dockerfile) must exist only in runs that can
   * build. Absent: every run is assumed to build, unless the 'command' input says teardown or sweep.
   */
  event?: { name: string; action?: string };
}

const COMMANDS: readonly Command[] = ['deploy', 'teardown', 'sweep'];
const BUILDERS: readonly Builder[] = ['docker', 'buildah', 'podman', 'none'];

/**
 * Bounds of the duration inputs. The timeouts stay far below Node's timer limit (24.8 days, beyond which a timer
 * fires at once); the sweep windows' minimums catch a bare number, which means seconds ('max-age: 7').
 */
const DURATIONS: Record<string, DurationBounds> = {
  'ready-timeout': { min: '1s', max: '1h' },
  'request-timeout': { min: '1s', max: '10m' },
  'idle-after': IDLE_AFTER.bounds,
  'max-age': { min: '1h', max: '365d' },
};

export function parseSettings(get: GetInput, env: InputEnvironment): Settings {
  const read: Read = (name) => get(name).trim();
  const secrets = env.secrets ?? sharedSecrets;
  maskSecrets(read, env.mask, secrets);
  try {
    return settingsFrom(read, env);
  } catch (err) {
    // Checks never quote a secret input; a secret pasted into another input is still scrubbed here.
    if (err instanceof InputError) throw new InputError(err.input, secrets.scrub(err.problem));
    throw err;
  }
}

function settingsFrom(read: Read, env: InputEnvironment): Settings {
  const command = choice(read, 'command', COMMANDS);
  const app = appName(read, env.repository);
  let workspace: string | undefined;
  const realWs = () => (workspace ??= realWorkspace(env.workspace));
  const fn = functionSettings(read);
  const builds = mayBuild(command, env.event);
  const withStack = read('stack-file') !== '';
  const build = buildSettings(read, app, { workspace: realWs, builds, stack: withStack });
  const paths = apiPath(read);
  return {
    command,
    app,
    urlTemplate: previewTemplate(read, app),
    apiPath: paths,
    gateway: gatewaySettings(read),
    build,
    stack: stackSettings(read, {
      workspace: realWs,
      builds,
      registry: registryInput(read),
      env: process.env,
      apiPath: paths,
    }),
    fn,
    assets: assetSettings(read, realWs),
    sweep: sweepSettings(read, app),
    data: dataSettings(read, fn.envVars),
    github: githubSettings(read),
    allowForkBuilds: bool(read, 'allow-fork-builds', false),
    label: gateLabel(read),
    requestTimeoutMs: duration(read, 'request-timeout', '30s', DURATIONS['request-timeout'])!,
  };
}

/** Room for `-pr-` and a 9-digit PR number in a 63-character name, so an explicit app is never cut short. */
const APP_MAX = 50;
/** faas-netes creates a Service named after the function, and Kubernetes refuses Service names starting with a digit. */
const LEADING_DIGIT =
  "and faas-netes names a Kubernetes Service after the function (a Service name must start with a letter); set 'app' to a name that starts with a letter, like 'app-2048'";

function appName(read: Read, repository: string): string {
  const explicit = read('app');
  if (!explicit) {
    const repo = repository.split('/')[1] ?? '';
    const app = sanitizeApp(repo);
    if (!app)
      throw new InputError(
        'app',
        `is needed: the repository name ${show(repo)} has no letter or digit; set it to a name like 'shop'`,
      );
    if (/^[0-9]/.test(app))
      throw new InputError('app', `is needed: the repository name ${show(repo)} starts with a digit, ${LEADING_DIGIT}`);
    return app;
  }
  const sanitized = sanitizeApp(explicit);
  if (sanitized !== explicit) {
    throw new InputError(
      'app',
      `${show(explicit)} is not a name prefix: lowercase letters, digits and single '-', starting and ending with a letter or digit${sanitized ? `, like '${sanitized}'` : ''}`,
    );
  }
  if (/^[0-9]/.test(explicit)) throw new InputError('app', `${show(explicit)} starts with a digit, ${LEADING_DIGIT}`);
  if (explicit.length > APP_MAX)
    throw new InputError(
      'app',
      `is ${explicit.length} characters; at most ${APP_MAX}, so that <app>-pr-<number> fits in a 63-character DNS label`,
    );
  return explicit;
}

/** Inputs that only a build uses: with builder none they would be silently ignored, so they are refused. */
const BUILD_ONLY = ['registry', 'registry-username', 'registry-password', 'build-args'];
const BUILD_ONLY_FLAGS = ['registry-insecure', 'delete-image'];

/**
 * Only deploy builds, and only pull request events other than `closed` deploy (decide/event.ts): teardown and sweep
 * runs, often without a checkout, need no context or Dockerfile on disk.
 */
function mayBuild(command: Command | undefined, event: InputEnvironment['event']): boolean {
  if (command) return command === 'deploy';
  if (!event) return true;
  return ['pull_request', 'pull_request_target'].includes(event.name) && event.action !== 'closed';
}

/** `stack`: a stack file names each function's handler and image, so `context`, `dockerfile` and `image` are unused. */
function buildSettings(
  read: Read,
  app: string,
  o: { workspace: () => string; builds: boolean; stack: boolean },
): BuildSettings {
  const builder = choice(read, 'builder', BUILDERS) ?? 'docker';
  if (builder === 'none') {
    // With a stack, builder none deploys each function's `image` as the file writes it (stack/function.ts).
    const image = o.stack ? '' : prebuiltImage(read);
    const unused = BUILD_ONLY.find((name) => read(name)) ?? BUILD_ONLY_FLAGS.find((name) => bool(read, name, false));
    if (unused)
      throw new InputError(
        unused,
        "has no use with builder 'none', which deploys 'image' as it is; remove it, or choose a builder",
      );
    return {
      builder,
      context: '',
      dockerfile: '',
      buildArgs: {},
      repository: '',
      prebuiltImage: image,
      registryUsername: '',
      registryPassword: '',
      registryInsecure: false,
      deleteImage: false,
      rebuild: 'always',
    };
  }
  const repository = pushRepository(read, builder, app);
  const registryUsername = checkUser(read, 'registry-username');
  const registryPassword = checkSecret(read, 'registry-password', { spaces: true });
  bothOrNeither(
    read,
    'registry-username',
    'registry-password',
    'the builder logs in with both; with neither it pushes without a login',
  );
  const ws = o.workspace();
  const mustExist = o.builds && !o.stack;
  const context = containedPath('context', read('context') || '.', {
    base: ws,
    workspace: ws,
    kind: 'directory',
    mustExist,
  });
  const dockerfile = read('dockerfile') || 'Dockerfile';
  containedPath('dockerfile', dockerfile, { base: context, workspace: ws, kind: 'file', mustExist });
  return {
    builder,
    context,
    dockerfile,
    buildArgs: buildArgs(read),
    repository,
    prebuiltImage: '',
    registryUsername,
    registryPassword,
    registryInsecure: bool(read, 'registry-insecure', false),
    deleteImage: bool(read, 'delete-image', false),
    rebuild: choice(read, 'rebuild', ['auto', 'always'] as const) ?? 'auto',
  };
}

function functionSettings(read: Read): FunctionSettings {
  return {
    envVars: envVars(read),
    secrets: secretNames(read),
    labels: labels(read),
    annotations: annotations(read),
    memoryLimit: quantity(read, 'memory-limit', MEMORY),
    cpuLimit: quantity(read, 'cpu-limit', CPU),
    readyTimeoutMs: duration(read, 'ready-timeout', '2m', DURATIONS['ready-timeout'])!,
    readyPath: readyPath(read),
  };
}

/** Everything is checked even without a bucket, so a typo is reported now rather than on the day a bucket is added. */
function assetSettings(read: Read, workspace: () => string): AssetSettings | undefined {
  const name = bucket(read);
  const dir = read('static-dir');
  if (dir && !name)
    throw new InputError('bucket', "is required when 'static-dir' is set: the bucket the static assets go to");
  const staticDir = dir
    ? containedPath('static-dir', dir, {
        base: workspace(),
        workspace: workspace(),
        kind: 'directory',
        mustExist: true,
      })
    : undefined;
  const endpoint = serviceUrl(read, 's3-endpoint', {
    credentials: "'aws-access-key-id' and 'aws-secret-access-key'",
    example: 'https://s3.example.com',
  });
  bothOrNeither(
    read,
    'aws-access-key-id',
    'aws-secret-access-key',
    "with neither, the AWS SDK's default chain (environment, OIDC role) is used",
  );
  const assets: AssetSettings = {
    staticDir,
    bucket: name,
    endpoint,
    region: region(read, endpoint !== undefined),
    accessKeyId: checkSecret(read, 'aws-access-key-id', { spaces: false }) || undefined,
    secretAccessKey: checkSecret(read, 'aws-secret-access-key', { spaces: false }) || undefined,
    includeDotfiles: bool(read, 'include-dotfiles', false),
    cacheControl: cacheControl(read, 'cache-control', 'no-cache'),
    cacheControlFingerprinted: cacheControl(read, 'cache-control-fingerprinted', 'public, max-age=31536000, immutable'),
    concurrency: integer(read, 'upload-concurrency', DEFAULT_UPLOAD_CONCURRENCY, 1, 256),
  };
  return name ? assets : undefined;
}

function sweepSettings(read: Read, app: string): SweepSettings {
  const prometheusUrl = serviceUrl(read, 'prometheus-url', {
    credentials: "'prometheus-username' and 'prometheus-password'",
    example: 'http://prometheus.openfaas:9090',
  });
  const username = checkUser(read, 'prometheus-username');
  const password = checkSecret(read, 'prometheus-password', { spaces: true });
  bothOrNeither(read, 'prometheus-username', 'prometheus-password', 'Prometheus gets them as Basic auth');
  if (username && !prometheusUrl)
    throw new InputError(
      'prometheus-username',
      "is set without 'prometheus-url'; set the URL too, or remove the credentials",
    );
  return {
    idleAfterMs: duration(read, 'idle-after', IDLE_AFTER.fallback, DURATIONS['idle-after'])!,
    prometheusUrl,
    prometheusAuth: username ? { username, password } : undefined,
    statePrefix: statePrefix(read, app),
    maxAgeMs: duration(read, 'max-age', '', DURATIONS['max-age']),
    maxPreviews: read('max-previews') ? integer(read, 'max-previews', 0, 0, 100000) : undefined,
    dryRun: bool(read, 'dry-run', false),
    waker: bool(read, 'waker', false),
  };
}

function githubSettings(read: Read): GithubSettings {
  const token = checkSecret(read, 'github-token', { spaces: false });
  const settings = {
    token,
    comment: bool(read, 'comment', true),
    deployment: bool(read, 'deployment', true),
    showInternalAddresses: bool(read, 'show-internal-addresses', false),
  };
  if (!token) {
    // Every command reads pull requests with it (deploy: the PR's head; sweep: the open PRs), not only the writes.
    throw new InputError(
      'github-token',
      'is empty; the action reads pull requests and writes the PR comment and deployment with it: pass ${{ github.token }} (the default) or a token with pull-requests and deployments write access',
    );
  }
  return settings;
}

/** GitHub refuses label names over 50 characters, so a longer gate label could never be on a PR. */
function gateLabel(read: Read): string | undefined {
  const label = read('label');
  if (!label) return undefined;
  if (CONTROL.test(label))
    throw new InputError('label', `${show(label)} has a control character; use the label's name as GitHub shows it`);
  if ([...label].length > 50)
    throw new InputError(
      'label',
      `${show(label)} is ${[...label].length} characters; GitHub label names have at most 50`,
    );
  return label;
}
