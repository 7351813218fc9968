/**
 * Removes a PR's image tags (`pr-<n>-<sha7>`) wherever the registry allows it, and says truthfully what happened:
 * - GHCR: through the GitHub Packages REST API (ghcr.ts), because GHCR answers the registry API's DELETE with 405;
 * - Docker Hub: nothing, said once: it answers the registry API's DELETE with 405 and has no API this action uses;
 * - any other registry: the distribution API, by manifest digest (distribution.ts).
 * No registry can delete one tag of a manifest that has others, so such a tag is kept and the result says which
 * other tag keeps it.
 */
import type { Octokit } from '../github/client.js';
import type { BuildSettings } from '../settings.js';
import type { TagCleanup } from './tag-cleanup-plan.js';
import { deleteDistributionPrTags } from './distribution.js';
import { RegistryClient } from './distribution-client.js';
import { deleteGhcrPrTags } from './ghcr.js';
import { ghcrPackage, parseRepository, type ImageRepository, type RegistryKind } from './reference.js';

export interface RegistryCleanup extends TagCleanup {
  /** Which way the tags were (or could not be) deleted. */
  registry: RegistryKind;
}

export interface CleanupDeps {
  /** The action's GitHub client (GITHUB_API_URL); GHCR is cleaned through it. */
  octokit: Octokit;
  /** Settings.requestTimeoutMs: the budget of each registry request. */
  timeoutMs: number;
  /** Where retries are reported (the job log in the action). */
  log?: (line: string) => void;
}

export async function deletePrTags(b: BuildSettings, pr: number, deps: CleanupDeps): Promise<RegistryCleanup> {
  const repo = parseRepository(b.repository);
  switch (repo.kind) {
    case 'ghcr':
      return { registry: repo.kind, ...(await deleteGhcrPrTags(deps.octokit, ghcrPackage(repo), pr)) };
    case 'docker-hub':
      return { registry: repo.kind, deleted: [], kept: [], unsupported: dockerHubNotice(repo, pr) };
    case 'distribution':
      return { registry: repo.kind, ...(await deleteDistributionPrTags(distributionClient(b, repo, deps), pr)) };
  }
}

function dockerHubNotice(repo: ImageRepository, pr: number): string {
  return (
    `Docker Hub cannot delete tags through the registry API (it answers DELETE with 405), so no tag of docker.io/${repo.path} was deleted; ` +
    `remove this PR's pr-${pr}-* tags on hub.docker.com`
  );
}

function distributionClient(b: BuildSettings, repo: ImageRepository, deps: CleanupDeps): RegistryClient {
  return new RegistryClient({
    origin: new URL(`${b.registryInsecure ? 'http' : 'https'}://${repo.host}`),
    name: repo.path,
    username: b.registryUsername,
    password: b.registryPassword,
    timeoutMs: deps.timeoutMs,
    log: deps.log,
  });
}
