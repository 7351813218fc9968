/**
 * The waker's configuration: environment variables, checked with the action's own input rules (src/rules/) so that
 * a value the action accepts as an input is accepted here under its WAKER_ name, and refused with the same reason.
 * Secrets may come from files (`<NAME>_FILE`, the Docker and Kubernetes secrets convention); one trailing newline of
 * a file is dropped. An error names the variable, what was wrong and what would be right, never a secret's value.
 */
import { readFileSync } from 'node:fs';
import type { AssetSettings, GatewaySettings } from '../settings.js';
import { bucket, region } from '../rules/assets.js';
import { checkSecret } from '../rules/credentials.js';
import { InputError, show, type Read } from '../rules/errors.js';
import { gatewaySettings, type GatewayNames } from '../rules/gateway.js';
import { readyPath, statePrefix } from '../rules/paths.js';
import { choice, duration, IDLE_AFTER, integer, list } from '../rules/scalars.js';
import { previewTemplate, serviceUrl } from '../rules/urls.js';
import type { GateConfig } from '../gate/routes.js';
import { GATE_SECRETS, GATE_VARIABLES, gateConfig } from './gate-config.js';
import type { Repository } from './specs.js';

export interface WakerConfig {
  listen: { host: string; port: number };
  gateway: GatewaySettings;
  s3: AssetSettings;
  statePrefix: string;
  /** Without a port: the edge compares the Host without its port. */
  previewDomain: string;
  /** The request header that carries the visitor's Host: `host`, or `x-forwarded-host` behind an edge that rewrites Host. */
  hostHeader: 'host' | 'x-forwarded-host';
  repositories: Repository[];
  readyPath: string;
  wakeTimeoutMs: number;
  requestTimeoutMs: number;
  retryAfterMs: number;
  /**
   * The action's `idle-after`: a wake on a full Community Edition gateway puts to sleep only previews nobody used for
   * that long (waker/room.ts).
   */
  idleAfterMs: number;
  maxPending: number;
  maxBodyBytes: number;
  /** How the router reads preview files: anonymously (a public bucket) or with URLs this service signs. */
  bucketReads: 'anonymous' | 'signed';
  /** The sign-in gate (WAKER_GATE=github); absent: previews are public. */
  gate?: GateConfig;
}

/** The action input each variable stands for, where an input rule is reused under its own name. */
const VARIABLE_OF: Record<string, string> = {
  bucket: 'WAKER_BUCKET',
  's3-region': 'WAKER_S3_REGION',
  'state-prefix': 'WAKER_STATE_PREFIX',
  'ready-path': 'WAKER_READY_PATH',
  'preview-domain': 'WAKER_PREVIEW_DOMAIN',
  'idle-after': 'WAKER_IDLE_AFTER',
};

/** Secrets that may be given in a file instead. */
const FILE_SECRETS = [
  'WAKER_GATEWAY_PASSWORD',
  'WAKER_AWS_ACCESS_KEY_ID',
  'WAKER_AWS_SECRET_ACCESS_KEY',
  ...GATE_SECRETS,
];

/** Every variable the waker reads; any other WAKER_* variable is a typo and refused. */
const VARIABLES: readonly string[] = [
  'WAKER_LISTEN',
  'WAKER_GATEWAY_URL',
  'WAKER_GATEWAY_USERNAME',
  'WAKER_NAMESPACE',
  ...FILE_SECRETS.flatMap((name) => [name, `${name}_FILE`]),
  ...Object.values(VARIABLE_OF),
  'WAKER_S3_ENDPOINT',
  'WAKER_REPOSITORIES',
  'WAKER_HOST_HEADER',
  'WAKER_WAKE_TIMEOUT',
  'WAKER_REQUEST_TIMEOUT',
  'WAKER_RETRY_AFTER',
  'WAKER_MAX_PENDING',
  'WAKER_MAX_BODY_BYTES',
  ...GATE_VARIABLES,
  'WAKER_BUCKET_READS',
];

function unknownVariable(env: NodeJS.ProcessEnv): void {
  const unknown = Object.keys(env).find((name) => name.startsWith('WAKER_') && !VARIABLES.includes(name));
  if (unknown)
    throw new ConfigError(unknown, `is not a variable of the waker (a typo?); it reads ${VARIABLES.join(', ')}`);
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** The environment with `<NAME>_FILE` secrets read in. */
function withFiles(env: NodeJS.ProcessEnv, readFile: (path: string) => string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const name of FILE_SECRETS) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigError(`${name}_FILE`, `is set together with ${name}; set one of them`);
    try {
      out[name] = readFile(file).replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(
        `${name}_FILE`,
        `${show(file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give the path of a file that holds the secret`,
      );
    }
  }
  return out;
}

function required(read: Read, name: string, what: string): string {
  const value = read(name);
  if (!value) throw new ConfigError(VARIABLE_OF[name] ?? name, `is required: ${what}`);
  return value;
}

const GATEWAY_VARIABLES: GatewayNames = {
  url: 'WAKER_GATEWAY_URL',
  username: 'WAKER_GATEWAY_USERNAME',
  password: 'WAKER_GATEWAY_PASSWORD',
  namespace: 'WAKER_NAMESPACE',
  show: (name) => name,
  example: 'http://gateway.openfaas:8080',
};

function gateway(read: Read): GatewaySettings {
  const settings = gatewaySettings(read, GATEWAY_VARIABLES);
  if (!settings.password)
    throw new ConfigError(
      'WAKER_GATEWAY_PASSWORD',
      'is required (or WAKER_GATEWAY_PASSWORD_FILE): the password of the gateway Basic auth (user WAKER_GATEWAY_USERNAME)',
    );
  return settings;
}

function s3(read: Read): AssetSettings {
  const endpoint = serviceUrl(read, 'WAKER_S3_ENDPOINT', {
    credentials: 'WAKER_AWS_ACCESS_KEY_ID and WAKER_AWS_SECRET_ACCESS_KEY',
    example: 'https://s3.example.com',
  });
  const accessKeyId = checkSecret(read, 'WAKER_AWS_ACCESS_KEY_ID', { spaces: false }) || undefined;
  const secretAccessKey = checkSecret(read, 'WAKER_AWS_SECRET_ACCESS_KEY', { spaces: false }) || undefined;
  if (!accessKeyId !== !secretAccessKey) {
    const unset = accessKeyId ? 'WAKER_AWS_SECRET_ACCESS_KEY' : 'WAKER_AWS_ACCESS_KEY_ID';
    throw new ConfigError(
      unset,
      "is empty while its pair is set; set both or neither (with neither, the AWS SDK's default chain is used: AWS_* variables, web identity, instance role)",
    );
  }
  required(read, 'bucket', 'the bucket the action keeps its state in (its bucket input)');
  return {
    bucket: bucket(read),
    endpoint,
    region: region(read, endpoint !== undefined),
    accessKeyId,
    secretAccessKey,
    includeDotfiles: false,
    cacheControl: 'no-cache',
    cacheControlFingerprinted: 'no-cache',
    concurrency: 4,
  };
}

const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

function repositories(read: Read): Repository[] {
  const items = list(read, 'WAKER_REPOSITORIES');
  if (items.length === 0)
    throw new ConfigError(
      'WAKER_REPOSITORIES',
      'is required: the owner/repo of every repository whose previews this waker may wake, comma-separated',
    );
  return items.map((item) => {
    const m = REPOSITORY.exec(item);
    if (!m || m[2] === '.' || m[2] === '..')
      throw new ConfigError('WAKER_REPOSITORIES', `${show(item)} is not owner/repo, like octo-org/shop`);
    return { owner: m[1], repo: m[2] };
  });
}

function listen(read: Read): { host: string; port: number } {
  const value = read('WAKER_LISTEN') || '127.0.0.1:8089';
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
    throw new ConfigError('WAKER_LISTEN', `${show(value)} is not address:port, like 0.0.0.0:8089 or [::]:8089`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** The preview domain as visitors use it, with the port when it is not the scheme's. */
function previewDomainWithPort(read: Read): string {
  required(read, 'preview-domain', "the action's preview-domain input, like preview.example.com");
  return previewTemplate(read, 'waker').slice('https://{name}.'.length);
}

function parse(read: Read): WakerConfig {
  return {
    listen: listen(read),
    gateway: gateway(read),
    s3: s3(read),
    statePrefix: statePrefix(read, ''),
    previewDomain: previewDomainWithPort(read).replace(/:\d+$/, ''),
    hostHeader: choice(read, 'WAKER_HOST_HEADER', ['host', 'x-forwarded-host'] as const) ?? 'host',
    repositories: repositories(read),
    readyPath: readyPath(read),
    wakeTimeoutMs: duration(read, 'WAKER_WAKE_TIMEOUT', '50s', { min: '1s', max: '10m' })!,
    requestTimeoutMs: duration(read, 'WAKER_REQUEST_TIMEOUT', '30s', { min: '1s', max: '10m' })!,
    retryAfterMs: duration(read, 'WAKER_RETRY_AFTER', '30s', { min: '1s', max: '1h' })!,
    idleAfterMs: duration(read, 'idle-after', IDLE_AFTER.fallback, IDLE_AFTER.bounds)!,
    maxPending: integer(read, 'WAKER_MAX_PENDING', 256, 1, 100_000),
    maxBodyBytes: integer(read, 'WAKER_MAX_BODY_BYTES', 1024 * 1024, 0, 100 * 1024 * 1024),
    bucketReads: choice(read, 'WAKER_BUCKET_READS', ['anonymous', 'signed'] as const) ?? 'anonymous',
    gate: gateConfig(read, previewDomainWithPort(read)),
  };
}

/** The configuration from `env`; a ConfigError names the first bad variable. */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): WakerConfig {
  unknownVariable(env);
  const vars = withFiles(env, readFile);
  const read: Read = (name) => (vars[VARIABLE_OF[name] ?? name] ?? '').trim();
  try {
    return parse(read);
  } catch (err) {
    if (err instanceof InputError) throw new ConfigError(VARIABLE_OF[err.input] ?? err.input, err.problem);
    throw err;
  }
}
