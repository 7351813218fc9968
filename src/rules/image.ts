/**
 * Image references by the distribution reference grammar (github.com/distribution/reference, reference.go):
 *   reference := name [ ":" tag ] [ "@" digest ];  name := [domain "/"] path-component ["/" path-component]*
 * with names of at most 255 characters, and digests as opencontainers/go-digest validates them.
 */
import { InputError, show, type Read } from './errors.js';
import { keyValues } from './scalars.js';

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const PATH = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME = new RegExp(`^(?:${DOMAIN}/)?${PATH}$`);
const PATH_ONLY = new RegExp(`^${PATH}$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGESTS: Record<string, RegExp> = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };
const NAME_MAX = 255;

const PATH_RULE = "path components of lowercase letters and digits separated by '.', '_', '__' or '-'";

function nameProblem(name: string): string | undefined {
  if (name.length > NAME_MAX) return `has a name of ${name.length} characters; at most ${NAME_MAX}`;
  if (!NAME.test(name)) return `has a name that is not [registry/]${PATH_RULE}`;
  return undefined;
}

/** A full reference: name, an optional tag, an optional digest. */
export function referenceProblem(ref: string): string | undefined {
  const at = ref.indexOf('@');
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  const rest = at < 0 ? ref : ref.slice(0, at);
  if (digest !== undefined) {
    const [algorithm, hex] = digest.split(':');
    if (!DIGESTS[algorithm ?? '']?.test(hex ?? ''))
      return "has a digest that is not 'sha256:' and 64 or 'sha512:' and 128 lowercase hex digits";
  }
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined;
  const name = tag === undefined ? rest : rest.slice(0, colon);
  if (tag !== undefined && !TAG.test(tag))
    return "has a tag that is not 1 to 128 letters, digits, '_', '.' and '-' (not starting with '.' or '-')";
  return nameProblem(name);
}

/** With builder none: the image deployed as it is. */
export function prebuiltImage(read: Read): string {
  const image = read('image');
  if (!image)
    throw new InputError(
      'image',
      "is required with builder 'none': the prebuilt image to deploy, like ghcr.io/acme/api:1.2.3",
    );
  const problem = referenceProblem(image);
  if (problem)
    throw new InputError(
      'image',
      `${show(image)} ${problem}; use a reference like 'ghcr.io/acme/api:1.2.3' or 'ghcr.io/acme/api@sha256:<64 hex digits>'`,
    );
  return image;
}

/**
 * With a builder: `<registry>/<image>` without a tag (the action tags `pr-<n>-<sha7>`). The registry must start
 * with a host, recognised the way Docker does (a '.' or a port, or localhost), because login and cleanup talk to it.
 */
/**
 * Input `registry` as images are named under it: no trailing slash, lower case (repository names are lowercase by
 * the reference grammar, and GHCR lowercases owners: so the quick start's `ghcr.io/${{ github.repository_owner }}`
 * works for owners with capitals).
 */
export function registryInput(read: Read): string {
  return read('registry').replace(/\/+$/, '').toLowerCase();
}

export function pushRepository(read: Read, builder: string, app: string): string {
  const registry = registryInput(read);
  const image = read('image');
  if (!registry)
    throw new InputError(
      'registry',
      `is required with builder '${builder}': where to push the preview image, like ghcr.io/acme`,
    );
  if (registry.includes('@'))
    throw new InputError(
      'registry',
      "contains credentials; remove them and set 'registry-username' and 'registry-password' instead",
    );
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(registry))
    throw new InputError(
      'registry',
      `${show(registry)} has a scheme; give the host and namespace only, like ghcr.io/acme`,
    );
  const host = registry.split('/')[0];
  if (!host.includes('.') && !host.includes(':') && host !== 'localhost') {
    throw new InputError(
      'registry',
      `${show(registry)} does not start with a registry host; use one like 'ghcr.io/acme' or 'docker.io/acme'`,
    );
  }
  if (/[:@]/.test(image))
    throw new InputError(
      'image',
      `${show(image)} has a tag or digest; with builder '${builder}' it is the repository under 'registry', like 'shop', and the action tags it pr-<number>-<sha7>`,
    );
  if (image && !PATH_ONLY.test(image))
    throw new InputError('image', `${show(image)} is not a repository name: ${PATH_RULE}, like 'shop'`);
  const repository = `${registry}/${image || app}`;
  const problem = nameProblem(repository);
  if (problem)
    throw new InputError(
      'registry',
      `${show(registry)} gives the repository ${show(repository)}, which ${problem}; use one like 'ghcr.io/acme'`,
    );
  return repository;
}

/** Build args become `ARG` names in the Dockerfile, which are shell-style variable names. */
/** Why `name` cannot be a build argument's name (input or stack file), or undefined. */
export function buildArgNameProblem(name: string): string | undefined {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? undefined
    : `${show(name)} is not a build argument name: letters, digits and '_', not starting with a digit`;
}

export function buildArgs(read: Read): Record<string, string> {
  const pairs = keyValues(read, 'build-args');
  const problem = pairs.map(([key]) => buildArgNameProblem(key)).find(Boolean);
  if (problem) throw new InputError('build-args', problem);
  return Object.fromEntries(pairs);
}
