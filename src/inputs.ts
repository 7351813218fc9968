/**
 * Action inputs → one validated Settings object. The only module that reads inputs: every error names the input,
 * what was wrong and what would be right, and secrets are masked before anything can log them.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_UPLOAD_CONCURRENCY, type Builder, type Command, type Settings } from './settings.js';
import { sanitizeApp } from './naming.js';

export class InputError extends Error {
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`input '${input}': ${problem}`);
    this.name = 'InputError';
  }
}

export type GetInput = (name: string) => string;

export interface InputEnvironment {
  /** `owner/repo` of the workflow run, for defaults. */
  repository: string;
  workspace: string;
  /** Called with every secret before parsing goes on (core.setSecret in the action). */
  mask: (secret: string) => void;
}

const COMMANDS: readonly Command[] = ['deploy', 'teardown', 'sweep'];
const BUILDERS: readonly Builder[] = ['docker', 'buildah', 'podman', 'none'];
const SECRET_INPUTS = ['gateway-password', 'registry-password', 'aws-access-key-id', 'aws-secret-access-key', 'github-token'];

export function parseSettings(get: GetInput, env: InputEnvironment): Settings {
  const read = (name: string) => get(name).trim();
  for (const name of SECRET_INPUTS) {
    const value = read(name);
    if (value) env.mask(value);
  }

  const command = optionalChoice(read, 'command', COMMANDS);
  const repoName = env.repository.split('/')[1] ?? '';
  const app = sanitizeApp(read('app') || repoName);
  if (!app) throw new InputError('app', `'${read('app') || repoName}' has no letter or digit left after sanitizing; set it to a name like 'shop'`);

  const urlTemplate = parseUrlTemplate(read);
  const apiPath = read('api-path') || '/api';
  if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(apiPath)) {
    throw new InputError('api-path', `'${apiPath}' is not a path; use a path like '/api' (leading slash, no trailing slash)`);
  }

  const gatewayUrl = read('gateway-url');
  if (!gatewayUrl) throw new InputError('gateway-url', 'is required: the OpenFaaS gateway base URL, like https://gateway.example.com');
  const gateway = {
    url: httpUrl('gateway-url', gatewayUrl),
    username: read('gateway-username') || 'admin',
    password: read('gateway-password'),
    namespace: read('namespace'),
  };
  if (gateway.namespace && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(gateway.namespace)) {
    throw new InputError('namespace', `'${gateway.namespace}' is not a Kubernetes namespace name (lowercase letters, digits, '-')`);
  }

  const builder = (optionalChoice(read, 'builder', BUILDERS) ?? 'docker') as Builder;
  const prebuiltImage = read('image');
  const registry = read('registry').replace(/\/+$/, '');
  let repository = '';
  if (builder === 'none') {
    if (!prebuiltImage) throw new InputError('image', "is required with builder 'none': the prebuilt image to deploy, like ghcr.io/acme/api:1.2.3");
  } else {
    if (!registry) throw new InputError('registry', `is required with builder '${builder}': where to push the preview image, like ghcr.io/acme`);
    repository = `${registry}/${prebuiltImage || app}`;
    if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/.test(repository)) {
      throw new InputError(prebuiltImage ? 'image' : 'registry', `'${repository}' is not a valid image repository (lowercase, like ghcr.io/acme/shop, no tag)`);
    }
  }

  const staticDirInput = read('static-dir');
  const bucket = read('bucket');
  if (staticDirInput && !bucket) throw new InputError('bucket', "is required when 'static-dir' is set: the bucket the static assets go to");
  let staticDir: string | undefined;
  if (staticDirInput) {
    staticDir = path.resolve(env.workspace, staticDirInput);
    const stat = statSync(staticDir, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) throw new InputError('static-dir', `'${staticDirInput}' is not a directory (resolved to ${staticDir})`);
  }

  const endpoint = read('s3-endpoint');
  // Parsed even without a bucket, so a typo is reported now rather than on the day a bucket is added.
  const concurrency = integer(read, 'upload-concurrency', DEFAULT_UPLOAD_CONCURRENCY, 1, 256);
  const assets = bucket
    ? {
        staticDir,
        bucket,
        endpoint: endpoint ? httpUrl('s3-endpoint', endpoint) : undefined,
        region: read('s3-region') || 'us-east-1',
        accessKeyId: read('aws-access-key-id') || undefined,
        secretAccessKey: read('aws-secret-access-key') || undefined,
        includeDotfiles: bool(read, 'include-dotfiles', false),
        cacheControl: read('cache-control') || 'no-cache',
        cacheControlFingerprinted: read('cache-control-fingerprinted') || 'public, max-age=31536000, immutable',
        concurrency,
      }
    : undefined;

  const prometheusUrl = read('prometheus-url');
  const sweep = {
    idleAfterMs: duration(read, 'idle-after', '30m')!,
    prometheusUrl: prometheusUrl ? httpUrl('prometheus-url', prometheusUrl) : undefined,
    statePrefix: (read('state-prefix') || '.faas-preview').replace(/^\/+|\/+$/g, ''),
    maxAgeMs: duration(read, 'max-age', ''),
    maxPreviews: read('max-previews') ? integer(read, 'max-previews', 0, 0, 100000) : undefined,
    dryRun: bool(read, 'dry-run', false),
  };

  return {
    command,
    app,
    urlTemplate,
    apiPath,
    gateway,
    build: {
      builder,
      context: path.resolve(env.workspace, read('context') || '.'),
      dockerfile: read('dockerfile') || 'Dockerfile',
      buildArgs: keyValues(read, 'build-args'),
      repository,
      prebuiltImage: builder === 'none' ? prebuiltImage : '',
      registryUsername: read('registry-username'),
      registryPassword: read('registry-password'),
      registryInsecure: bool(read, 'registry-insecure', false),
      deleteImage: bool(read, 'delete-image', false),
    },
    fn: {
      envVars: keyValues(read, 'env'),
      secrets: list(read('secrets')),
      labels: keyValues(read, 'labels'),
      annotations: keyValues(read, 'annotations'),
      memoryLimit: quantity(read, 'memory-limit', '128Mi', /^(\d+(\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/, "like '128Mi' or '1Gi'"),
      cpuLimit: quantity(read, 'cpu-limit', '200m', /^(\d+(\.\d+)?)(m)?$/, "like '200m' or '0.5'"),
      readyTimeoutMs: duration(read, 'ready-timeout', '2m')!,
      readyPath: read('ready-path') || '/',
    },
    assets,
    sweep,
    github: {
      token: read('github-token'),
      comment: bool(read, 'comment', true),
      deployment: bool(read, 'deployment', true),
    },
    allowForkBuilds: bool(read, 'allow-fork-builds', false),
    label: read('label') || undefined,
    requestTimeoutMs: duration(read, 'request-timeout', '30s')!,
  };
}

function optionalChoice<T extends string>(read: GetInput, name: string, allowed: readonly T[]): T | undefined {
  const value = read(name);
  if (!value) return undefined;
  if (!allowed.includes(value as T)) throw new InputError(name, `'${value}' is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  return value as T;
}

function parseUrlTemplate(read: GetInput): string {
  const template = read('url-template');
  const domain = read('preview-domain').replace(/^\.+|\.+$/g, '');
  if (template) {
    if (!template.includes('{name}')) {
      throw new InputError('url-template', `'${template}' has no '{name}'; every preview needs its own URL, like 'https://{name}.preview.example.com'`);
    }
    httpUrl('url-template', template.replaceAll(/\{(name|pr|sha)\}/g, 'x'));
    return template;
  }
  if (!domain) throw new InputError('preview-domain', "is required unless 'url-template' is set: the wildcard domain of the edge, like preview.example.com");
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?$/i.test(domain)) throw new InputError('preview-domain', `'${domain}' is not a domain name like preview.example.com`);
  return `https://{name}.${domain}`;
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(name, `'${value}' is not a URL; use an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(name, `'${value}' must use http or https`);
  return value.replace(/\/+$/, '');
}

function bool(read: GetInput, name: string, fallback: boolean): boolean {
  const value = read(name).toLowerCase();
  if (!value) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(name, `'${value}' is not a boolean; use 'true' or 'false'`);
}

function integer(read: GetInput, name: string, fallback: number, min: number, max: number): number {
  const value = read(name);
  if (!value) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(name, `'${value}' is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses '90s', '30m', '2h', '1d', '500ms' or a bare number of seconds. */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']);
}

function duration(read: GetInput, name: string, fallback: string): number | undefined {
  const value = read(name) || fallback;
  if (!value) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InputError(name, `'${value}' is not a positive duration; use a number with a unit, like '90s', '30m', '2h' or '1d'`);
  return ms;
}

function quantity(read: GetInput, name: string, fallback: string, pattern: RegExp, example: string): string {
  const value = read(name) || fallback;
  if (!pattern.test(value) || Number(pattern.exec(value)![1]) <= 0) {
    throw new InputError(name, `'${value}' is not a positive Kubernetes quantity; use one ${example}`);
  }
  return value;
}

function list(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Multiline `KEY=VALUE` pairs; blank lines and lines starting with '#' are ignored. */
function keyValues(read: GetInput, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of read(name).split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) throw new InputError(name, `line '${line}' is not KEY=VALUE`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}
