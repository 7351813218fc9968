/**
 * Where an image repository lives, by Docker's own rule for references: the first path component is a registry host
 * only when it contains `.` or `:` or is `localhost`; otherwise the image is on Docker Hub (`acme/app`, `app`). Which
 * kind of registry it is decides how its tags can be deleted (see registry.ts).
 */

export type RegistryKind = 'ghcr' | 'docker-hub' | 'distribution';

export interface ImageRepository {
  kind: RegistryKind;
  /** As written (lowercased), e.g. `ghcr.io`, `registry.example.com:5000`; `docker.io` for Docker Hub. */
  host: string;
  /** The repository inside the registry: `acme/app`; `library/app` for an official Docker Hub image. */
  path: string;
}

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function parseRepository(repository: string): ImageRepository {
  const parts = repository.split('/');
  const first = parts[0].toLowerCase();
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'docker.io';
  const rest = hasHost ? parts.slice(1) : parts;
  if (rest.length === 0 || rest.some((p) => p === ''))
    throw new Error(`image repository '${repository}' has an empty path component; expected <registry>/<name>`);
  if (DOCKER_HUB_HOSTS.has(host))
    return { kind: 'docker-hub', host: 'docker.io', path: rest.length === 1 ? `library/${rest[0]}` : rest.join('/') };
  return { kind: host === 'ghcr.io' ? 'ghcr' : 'distribution', host, path: rest.join('/') };
}

export interface GhcrPackage {
  /** The user or organization that owns the package. */
  owner: string;
  /** The package name: the repository path after the owner, which may itself contain `/`. */
  name: string;
}

/** `ghcr.io/<owner>/<package…>` → owner and package name, as the GitHub Packages API names them. */
export function ghcrPackage(repo: ImageRepository): GhcrPackage {
  const [owner, ...name] = repo.path.split('/');
  if (name.length === 0)
    throw new Error(`image repository 'ghcr.io/${repo.path}' has no package name; expected ghcr.io/<owner>/<package>`);
  return { owner, name: name.join('/') };
}

/**
 * Docker's normal form of an image reference: `nginx` → `docker.io/library/nginx:latest`. faasd reports a function's
 * image in this form (containerd pulls it so), whatever was sent; comparing normal forms tells whether the gateway
 * runs what was sent. A reference that does not parse is returned as it is.
 */
export function normalReference(image: string): string {
  const [nameTag, digest] = image.split('@', 2);
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.lastIndexOf(':');
  const tagged = colon > slash;
  const tag = tagged ? nameTag.slice(colon + 1) : digest ? '' : 'latest';
  try {
    const repo = parseRepository(tagged ? nameTag.slice(0, colon) : nameTag);
    return `${repo.host}/${repo.path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  } catch {
    return image;
  }
}
