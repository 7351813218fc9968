/**
 * The run's internal addresses (gateway, S3 endpoint, registry, database, Prometheus), kept out of public text: the
 * PR comment, the job summary, the deployment descriptions and the annotations (the checks page) are read by everyone
 * who can read the PR, which on a public repository is everyone, and the gateway's address is its admin API. The job
 * log keeps them (log.ts writes an annotation's whole line before it): an operator reading it needs them, and on a
 * private repository it is no more public than the workflow file that names them. `show-internal-addresses: true`
 * registers none, so every text names them.
 *
 * An address the preview URL itself uses (a `url-template` on the gateway's host) is public by the user's choice and
 * is not registered. A registry that is a public service (GHCR, Docker Hub…) is not an internal address either.
 */
import type { Settings } from '../settings.js';

type AddressKind = 'gateway' | 's3-endpoint' | 'registry' | 'database' | 'prometheus';

/** Registries that are public services: naming them reveals nothing about the user's network. */
const PUBLIC_REGISTRIES = [
  /^ghcr\.io$/,
  /^(index\.|registry-1\.)?docker\.io$/,
  /^quay\.io$/,
  /^([a-z0-9-]+\.)?gcr\.io$/,
  /^[a-z0-9-]+-docker\.pkg\.dev$/,
  /^public\.ecr\.aws$/,
  /^registry\.gitlab\.com$/,
];

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `host[:port]` of a URL, or undefined when it is not one. */
function hostOf(url: string): { host: string; hostname: string } | undefined {
  try {
    const u = new URL(url);
    return u.host ? { host: u.host, hostname: u.hostname } : undefined;
  } catch {
    return undefined;
  }
}

/** The registry host of an image reference, when it names one (Docker's rule: a dot, a colon or `localhost`). */
export function registryHost(image: string): string | undefined {
  const first = image.split('/')[0];
  return image.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first.toLowerCase() : undefined;
}

export function isPublicRegistry(host: string): boolean {
  return PUBLIC_REGISTRIES.some((re) => re.test(host.toLowerCase()));
}

export class InternalAddresses {
  /** Text form → placeholder, longest first when matched. */
  private readonly forms = new Map<string, string>();
  private pattern: RegExp | undefined;

  /** Registers `address` (a URL or a `host[:port]`) under `kind`; `publicHost` (the preview URL's) is never hidden. */
  add(kind: AddressKind, address: string | undefined, publicHost?: string): void {
    if (!address) return;
    const parsed = hostOf(address.includes('://') ? address : `x://${address}`);
    if (!parsed || parsed.host.toLowerCase() === publicHost?.toLowerCase()) return;
    const placeholder = `<${kind}>`;
    const origin = address.includes('://') ? new URL(address).origin : undefined;
    if (origin && origin !== 'null') this.forms.set(origin.toLowerCase(), placeholder);
    this.forms.set(parsed.host.toLowerCase(), placeholder);
    // A bare name is found on its own too, when it is a dotted one: a single label (`gateway`) is an ordinary word,
    // and a loopback address would hide every other local service.
    if (parsed.hostname.includes('.') && !LOOPBACK.test(parsed.hostname))
      this.forms.set(parsed.hostname.toLowerCase(), placeholder);
    this.pattern = undefined;
  }

  /** `text` with every registered address replaced by its placeholder, `<gateway>` for example. */
  redact(text: string): string {
    if (this.forms.size === 0) return text;
    // Not inside a longer host name: a gateway at example.com must not cut into pr-1.example.com.
    this.pattern ??= new RegExp(
      `(?<![\\w.-])(${[...this.forms.keys()]
        .sort((a, b) => b.length - a.length)
        .map(escape)
        .join('|')})(?![\\w-]|\\.[\\w-])`,
      'gi',
    );
    return text.replace(this.pattern, (m) => this.forms.get(m.toLowerCase()) ?? m);
  }
}

/** Every internal address a run's settings name. */
function internalAddresses(s: Settings): [AddressKind, string][] {
  const images = [s.build.repository, s.build.prebuiltImage, ...(s.stack?.parsed?.functions.map((f) => f.image) ?? [])];
  const registries = [...new Set(images.map(registryHost))].filter(
    (h): h is string => h !== undefined && !isPublicRegistry(h),
  );
  return [
    ['gateway', s.gateway.url],
    ['s3-endpoint', s.assets?.endpoint ?? ''],
    ['database', s.data.database?.url ?? ''],
    ['prometheus', s.sweep.prometheusUrl ?? ''],
    ...registries.map((h): [AddressKind, string] => ['registry', h]),
  ];
}

/** The host of the preview URLs a `url-template` makes (its placeholders filled with a label). */
function previewHost(urlTemplate: string): string | undefined {
  return hostOf(urlTemplate.replace(/\{(name|pr|sha)\}/g, 'x'))?.host;
}

/** The run's addresses; empty in the edge service, which writes no public text. */
export const internal = new InternalAddresses();

/**
 * Registers the addresses of `s` (main.ts, once the settings are parsed); none when the user opted in to showing them
 * (`show-internal-addresses: true`, for a repository whose readers may know the network).
 */
export function registerInternalAddresses(s: Settings): void {
  if (s.github.showInternalAddresses) return;
  const publicHost = previewHost(s.urlTemplate);
  for (const [kind, address] of internalAddresses(s)) internal.add(kind, address, publicHost);
}
