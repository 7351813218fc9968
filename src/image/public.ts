/**
 * Whether anyone can pull an image, asked the way a kubelet without pull secrets would: no credentials, the
 * registry's anonymous Bearer token if it challenges, then HEAD on the manifest. OpenFaaS Community Edition on
 * Kubernetes only runs such images, and tells nobody when it cannot (faas-netes logs the error and answers 202),
 * so the deploy asks first and explains the fix.
 */
import { StatusError } from '../http/call.js';
import { RegistryClient } from './distribution-client.js';
import { MANIFEST_TYPES } from './distribution.js';
import { parseRepository } from './reference.js';

/** `repo:tag`, `repo@digest`, or `repo` (→ `latest`): the repository and the manifest reference. */
export function splitImage(image: string): { repository: string; reference: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { repository: image.slice(0, at).replace(/:[^/:]+$/, ''), reference: image.slice(at + 1) };
  const m = /^(.*[^/]):([\w][\w.-]{0,127})$/.exec(image);
  return m ? { repository: m[1], reference: m[2] } : { repository: image, reference: 'latest' };
}

/** Docker's rule, which the kubelet's container runtimes share: a registry on a loopback address is plain HTTP. */
function loopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || /^127\./.test(name) || name === '[::1]';
}

/** Docker Hub's API lives on registry-1.docker.io; every other registry on its own host. */
export function apiOrigin(host: string, insecure: boolean): URL {
  const scheme = insecure || loopback(host) ? 'http' : 'https';
  return new URL(`${scheme}://${host === 'docker.io' ? 'registry-1.docker.io' : host}`);
}

/** Why `image` cannot be pulled without credentials, or undefined when it can. */
export async function anonymousPullProblem(
  image: string,
  o: { insecure: boolean; timeoutMs: number; log?: (line: string) => void },
): Promise<string | undefined> {
  const { repository, reference } = splitImage(image);
  const repo = parseRepository(repository);
  const client = new RegistryClient({
    origin: apiOrigin(repo.host, o.insecure),
    name: repo.path,
    timeoutMs: o.timeoutMs,
    log: o.log,
  });
  try {
    const res = await client.request(
      'HEAD',
      client.url(`manifests/${reference}`),
      (s) => s === 200 || s === 403 || s === 404,
      { accept: MANIFEST_TYPES },
    );
    if (res.status === 200) return undefined;
    return `${res.call} answered ${res.status} without credentials`;
  } catch (err) {
    // The client's hints are about the action's own credentials, which do not matter to an anonymous pull.
    return err instanceof StatusError ? `${err.call} answered ${err.status}` : (err as Error).message;
  }
}
