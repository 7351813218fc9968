/**
 * The one-host env file (one-host.env.example): what it may hold, and the host it describes once checked. The edge
 * service's part is checked by the service's own loader (src/waker/config.ts), the router's by
 * deploy/edge/render.ts, so a value either accepts is accepted here; an error names this file's variable, what was
 * wrong and what would be right. Secrets are only ever file paths here: the values stay in root-owned files that
 * systemd hands to the service (LoadCredential), and nothing here prints them.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { edgeVariables, type EdgeConfig } from '../edge/render.js';
import { ConfigError, loadConfig } from '../../src/waker/config.js';
import { show } from '../../src/rules/errors.js';

export class EnvError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'EnvError';
  }
}

/** This file's name of each edge-service variable that is not simply WAKER_<name>. */
const SERVICE_NAMES: Record<string, string> = {
  WAKER_LISTEN: 'SERVICE_LISTEN',
  WAKER_GATEWAY_PASSWORD_FILE: 'GATEWAY_PASSWORD_FILE',
  WAKER_AWS_ACCESS_KEY_ID_FILE: 'S3_ACCESS_KEY_ID_FILE',
  WAKER_AWS_SECRET_ACCESS_KEY_FILE: 'S3_SECRET_ACCESS_KEY_FILE',
  WAKER_GATE_KEY_FILE: 'GATE_KEY_FILE',
  WAKER_GITHUB_CLIENT_SECRET_FILE: 'GITHUB_CLIENT_SECRET_FILE',
  WAKER_BYPASS_TOKEN_FILE: 'BYPASS_TOKEN_FILE',
};

/** Edge-service settings passed through under their WAKER_ name minus the prefix. */
const PASSED = [
  'GATEWAY_URL',
  'GATEWAY_USERNAME',
  'NAMESPACE',
  'BUCKET',
  'S3_ENDPOINT',
  'S3_REGION',
  'STATE_PREFIX',
  'PREVIEW_DOMAIN',
  'REPOSITORIES',
  'READY_PATH',
  'WAKE_TIMEOUT',
  'REQUEST_TIMEOUT',
  'RETRY_AFTER',
  'MAX_PENDING',
  'MAX_BODY_BYTES',
  'GATE',
  'GITHUB_CLIENT_ID',
  'GITHUB_URL',
  'GITHUB_API_URL',
  'GATE_RECHECK',
  'SHARE_DAYS',
  'SHARE_MAX_DAYS',
  'BUCKET_READS',
  'PUBLIC_SCHEME',
];

/** The router's and the check's own. */
const EDGE = [
  'LISTEN',
  'TLS_CERTIFICATE',
  'TLS_CERTIFICATE_KEY',
  'TLS_IN_FRONT',
  'HTTP_REDIRECT_LISTEN',
  'RESOLVER',
  'API_PATH',
  'FUNCTIONS_PATH',
  'RUNNER_HOST',
  'PUBLIC_ADDRESSES',
  'CHECK_OBJECT',
];

const VARIABLES = [...PASSED, ...Object.values(SERVICE_NAMES), ...EDGE];

/** A secret the service reads from a file systemd hands it: its credential name and this file's path. */
export interface Credential {
  /** `gateway-password`: the name under $CREDENTIALS_DIRECTORY. */
  name: string;
  /** The service's variable, e.g. WAKER_GATEWAY_PASSWORD_FILE. */
  variable: string;
  path: string;
}

export interface OneHost {
  domain: string;
  edge: EdgeConfig;
  tls?: { certificate: string; key: string };
  httpRedirectListen?: string;
  runnerHost?: string;
  readyPath: string;
  /** The edge service's environment without secrets: waker.env. */
  service: Record<string, string>;
  credentials: Credential[];
  publicAddresses: string[];
  checkObject?: string;
  /** Everything as read, for the check. */
  values: Record<string, string>;
}

/** `NAME=value` lines; `#` starts a comment line; one pair of surrounding quotes is dropped. No shell expansion. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(trimmed);
    if (!m) throw new EnvError(`${file}:${i + 1}`, `${show(trimmed)} is not NAME=value (names are upper-case)`);
    if (!VARIABLES.includes(m[1]))
      throw new EnvError(
        m[1],
        `is not a variable of the one-host env file (a typo?); it reads ${VARIABLES.join(', ')}`,
      );
    if (m[1] in out) throw new EnvError(m[1], `is set again on line ${i + 1}; keep one`);
    out[m[1]] = m[2].trim().replace(/^(["'])(.*)\1$/, '$2');
  });
  return out;
}

function nameOf(serviceVariable: string): string {
  return SERVICE_NAMES[serviceVariable] ?? serviceVariable.replace(/^WAKER_/, '');
}

/** WAKER_<NAME>_FILE → its credential name: `gateway-password`, `gate-key`… */
function credentialName(serviceVariable: string): string {
  return serviceVariable
    .replace(/^WAKER_(AWS_)?|_FILE$/g, '')
    .toLowerCase()
    .replace(/_/g, '-');
}

/** The service's environment as waker.env has it, and its secrets as files. */
function serviceSide(v: Record<string, string>): { service: Record<string, string>; credentials: Credential[] } {
  const service: Record<string, string> = {
    WAKER_LISTEN: v.SERVICE_LISTEN || '127.0.0.1:8089',
    WAKER_HOST_HEADER: 'host',
  };
  for (const name of PASSED) if (v[name]) service[`WAKER_${name}`] = v[name];
  const credentials = Object.keys(SERVICE_NAMES)
    .filter((variable) => variable.endsWith('_FILE') && v[nameOf(variable)])
    .map((variable) => ({ name: credentialName(variable), variable, path: v[nameOf(variable)] }));
  return { service, credentials };
}

function checkService(service: Record<string, string>, credentials: Credential[]): void {
  const files = Object.fromEntries(credentials.map((c) => [c.variable, c.path]));
  try {
    loadConfig({ ...service, ...files });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new EnvError(
      nameOf(err.variable),
      err.message.slice(err.variable.length + 2).replace(/WAKER_(\w+)/g, (w) => nameOf(w)),
    );
  }
}

const EDGE_NAMES: Record<string, string> = {
  listen: 'LISTEN',
  previewDomain: 'PREVIEW_DOMAIN',
  apiPath: 'API_PATH',
  functionsPath: 'FUNCTIONS_PATH',
  gatewayUrl: 'GATEWAY_URL',
  bucketUrl: 'S3_ENDPOINT',
};

function bucketUrl(v: Record<string, string>): string {
  const endpoint = (v.S3_ENDPOINT || `https://s3.${v.S3_REGION || 'us-east-1'}.amazonaws.com`).replace(/\/+$/, '');
  return `${endpoint}/${v.BUCKET}`;
}

function edgeSide(v: Record<string, string>, service: Record<string, string>, tls: boolean): EdgeConfig {
  const resolver = v.RESOLVER || '127.0.0.53';
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(resolver))
    throw new EnvError(
      'RESOLVER',
      `${show(resolver)} is not an address; use the DNS server nginx asks, like 127.0.0.53`,
    );
  const edge: EdgeConfig = {
    listen: v.LISTEN || (tls ? '0.0.0.0:443' : '0.0.0.0:80'),
    previewDomain: v.PREVIEW_DOMAIN,
    apiPath: v.API_PATH || undefined,
    functionsPath: v.FUNCTIONS_PATH || undefined,
    gatewayUrl: v.GATEWAY_URL,
    bucketUrl: bucketUrl(v),
    resolver,
    wakerUrl: `http://${service.WAKER_LISTEN.replace(/^0\.0\.0\.0:|^\[::\]:/, '127.0.0.1:')}`,
    gate: v.GATE === 'github',
    bucketReads: v.BUCKET_READS === 'signed' ? 'signed' : 'anonymous',
  };
  try {
    edgeVariables(edge);
  } catch (err) {
    const m = /^(\w+): (.*)$/s.exec((err as Error).message);
    if (!m) throw err;
    throw new EnvError(EDGE_NAMES[m[1]] ?? m[1], m[2]);
  }
  return edge;
}

function readable(variable: string, path: string, what: string): void {
  try {
    readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new EnvError(variable, `${show(path)} cannot be read (${code}); give the path of ${what}`);
  }
}

function tlsSide(v: Record<string, string>): OneHost['tls'] {
  if (!v.TLS_CERTIFICATE && !v.TLS_CERTIFICATE_KEY) return undefined;
  for (const [name, pair] of [
    ['TLS_CERTIFICATE', 'TLS_CERTIFICATE_KEY'],
    ['TLS_CERTIFICATE_KEY', 'TLS_CERTIFICATE'],
  ])
    if (!v[name])
      throw new EnvError(name, `is empty while ${pair} is set; set both (TLS here) or neither (TLS in front)`);
  readable('TLS_CERTIFICATE', v.TLS_CERTIFICATE, 'the wildcard certificate chain (fullchain.pem)');
  readable('TLS_CERTIFICATE_KEY', v.TLS_CERTIFICATE_KEY, "the certificate's private key (privkey.pem)");
  return { certificate: v.TLS_CERTIFICATE, key: v.TLS_CERTIFICATE_KEY };
}

/** TLS_IN_FRONT=true: this host's listener is plain HTTP because TLS ends in front of it (a load balancer). */
function tlsInFront(v: Record<string, string>, tls: boolean): boolean {
  const value = v.TLS_IN_FRONT || 'false';
  if (value !== 'true' && value !== 'false')
    throw new EnvError(
      'TLS_IN_FRONT',
      `${show(value)} is neither true nor false; true only when TLS ends in front of this host (a load balancer)`,
    );
  if (value === 'true' && tls)
    throw new EnvError(
      'TLS_IN_FRONT',
      'is true while TLS_CERTIFICATE is set: TLS ends here; leave TLS_IN_FRONT empty, or the two TLS variables',
    );
  return value === 'true';
}

function runnerHost(v: Record<string, string>, tls: boolean, inFront: boolean): string | undefined {
  const host = v.RUNNER_HOST;
  if (!host) return undefined;
  // the runners send the gateway's admin password with each /system/* request: never in cleartext
  if (!tls && !inFront)
    throw new EnvError(
      'RUNNER_HOST',
      "needs TLS: the runners send the gateway's admin password (Basic auth) to it; set TLS_CERTIFICATE and TLS_CERTIFICATE_KEY, or TLS_IN_FRONT=true when TLS ends in front of this host",
    );
  const label = host.endsWith(`.${v.PREVIEW_DOMAIN}`) ? host.slice(0, -v.PREVIEW_DOMAIN.length - 1) : '';
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(label) || label === 'login' || /(^|-)pr-\d+(-|$)/.test(label))
    throw new EnvError(
      'RUNNER_HOST',
      `${show(host)} must be one label under PREVIEW_DOMAIN (covered by the wildcard certificate), neither login nor a preview name, like openfaas.${v.PREVIEW_DOMAIN}`,
    );
  if ((v.READY_PATH || '/') === '/')
    throw new EnvError(
      'READY_PATH',
      "is '/': with RUNNER_HOST every function's root would answer anyone through it; set a health path like /healthz (and the action's ready-path input to it)",
    );
  return host;
}

function redirectListen(value: string | undefined, tls: boolean): string | undefined {
  if (!value) return undefined;
  if (!tls)
    throw new EnvError('HTTP_REDIRECT_LISTEN', 'redirects to https, which needs TLS_CERTIFICATE; leave it empty');
  if (!/^[^\s;{}'"]+:\d+$/.test(value))
    throw new EnvError('HTTP_REDIRECT_LISTEN', `${show(value)} is not address:port, like 0.0.0.0:80`);
  return value;
}

function addresses(value: string | undefined): string[] {
  const list = (value ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = list.find((a) => !isIP(a));
  if (bad)
    throw new EnvError(
      'PUBLIC_ADDRESSES',
      `${show(bad)} is not an IP address; list this host's public addresses, comma-separated`,
    );
  return list;
}

/** The host an env file describes; an EnvError names the first bad variable. */
export function loadOneHost(file: string): OneHost {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EnvError(file, `cannot be read (${(err as NodeJS.ErrnoException).code}); give the one-host env file`);
  }
  const values = parseEnvFile(text, file);
  for (const name of ['PREVIEW_DOMAIN', 'GATEWAY_URL', 'BUCKET', 'REPOSITORIES', 'GATEWAY_PASSWORD_FILE'])
    if (!values[name]) throw new EnvError(name, 'is required (see deploy/one-host/one-host.env.example)');
  const { service, credentials } = serviceSide(values);
  checkService(service, credentials);
  const tls = tlsSide(values);
  const inFront = tlsInFront(values, tls !== undefined);
  return {
    domain: values.PREVIEW_DOMAIN,
    edge: edgeSide(values, service, tls !== undefined),
    tls,
    httpRedirectListen: redirectListen(values.HTTP_REDIRECT_LISTEN, tls !== undefined),
    runnerHost: runnerHost(values, tls !== undefined, inFront),
    readyPath: values.READY_PATH || '/',
    service,
    credentials,
    publicAddresses: addresses(values.PUBLIC_ADDRESSES),
    checkObject: values.CHECK_OBJECT || undefined,
    values,
  };
}
