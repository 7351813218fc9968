/**
 * Whether anyone can pull an image, asked the way a kubelet without pull secrets would: no credentials, the
 * registry's anonymous Bearer token if it challenges, then HEAD on the manifest. OpenFaaS Community Edition on
 * Kubernetes only runs such images, and tells nobody when it cannot (faas-netes logs the error and answers 202),
 * so the deploy asks first and explains the fix.
 *
 * Only the registry's own answer is a verdict: a runner that cannot reach the registry (name not found, connection
 * refused, timeout) or gets an answer that says nothing about credentials (5xx) has not learnt that the cluster
 * cannot pull (issue 23): the image may sit on a registry only the cluster reaches.
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

/** What an anonymous pull of an image would meet: the manifest, the registry's refusal, or no verdict. */
export type AnonymousPull =
  | { kind: 'public' }
  /** The registry answered 401, 403 or 404 without credentials: a kubelet without pull secrets fails the same way. */
  | { kind: 'denied'; why: string }
  /** No answer that decides it: unreachable from the runner, or an answer about something else (5xx). */
  | { kind: 'unverified'; why: string };

/** Statuses that are the registry's own "no" to an anonymous pull. */
const DENIALS = new Set([401, 403, 404]);

export async function anonymousPull(
  image: string,
  o: { insecure: boolean; timeoutMs: number; log?: (line: string) => void },
): Promise<AnonymousPull> {
  const { repository, reference } = splitImage(image);
  const repo = parseRepository(repository);
  const client = new RegistryClient({
    origin: apiOrigin(repo.host, o.insecure),
    name: repo.path,
    timeoutMs: o.timeoutMs,
    log: o.log,
  });
  try {
    const res = await client.request('HEAD', client.url(`manifests/${reference}`), (s) => s === 200 || DENIALS.has(s), {
      accept: MANIFEST_TYPES,
    });
    if (res.status === 200) return { kind: 'public' };
    return { kind: 'denied', why: `${res.call} answered ${res.status} without credentials` };
  } catch (err) {
    // The client's hints are about the action's own credentials, which do not matter to an anonymous pull.
    if (err instanceof StatusError && DENIALS.has(err.status))
      return { kind: 'denied', why: `${err.call} answered ${err.status}` };
    return { kind: 'unverified', why: (err as Error).message };
  }
}
