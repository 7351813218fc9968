/**
 * Which image tags a teardown may remove, decided without I/O. A PR owns exactly the tags deploy pushes,
 * `pr-<n>-<sha7>` (naming.ts `imageTag`); anything else (`latest`, `main`, a user's `pr-5-final`) belongs to someone
 * else. Registries delete whole manifests (distribution: by digest) or whole package versions (GHCR), never a single
 * tag, so a manifest that a foreign tag also points at is kept, and the result says which tag keeps it.
 */

interface KeptTag {
  tag: string;
  /** Why it stays; may quote the registry's or GitHub's answer (outside text: render through text/untrusted.ts). */
  reason: string;
}

export interface TagCleanup {
  /** The PR's tags that no longer exist in the registry. */
  deleted: string[];
  /** The PR's tags that still exist, each with the reason. */
  kept: KeptTag[];
  /** Set when the registry cannot delete tags at all (Docker Hub, deletes disabled); not an error for a teardown. */
  unsupported?: string;
}

export function isPrTag(tag: string, pr: number): boolean {
  return new RegExp(`^pr-${pr}-[0-9a-f]{7,40}$`).test(tag);
}

/** `a`, `a and b`, `a, b, c and 2 more`: foreign tags in a reason, quoted, never an unbounded list. */
export function quoteTags(tags: string[], max = 3): string {
  const quoted = tags.slice(0, max).map((t) => `'${t}'`);
  if (tags.length > max) return `${quoted.join(', ')} and ${tags.length - max} more`;
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}` : (quoted[0] ?? '');
}

export interface TagDigest {
  tag: string;
  digest: string;
}

export interface DigestPlan {
  /** One DELETE per digest; `tags` are the PR's tags that go with it. */
  deletes: { digest: string; tags: string[] }[];
  kept: KeptTag[];
}

/** Distribution: delete each of the PR's digests unless a tag outside the PR's set points at it too. */
export function planDigestDeletes(mine: TagDigest[], others: TagDigest[]): DigestPlan {
  const foreign = new Map<string, string[]>();
  for (const o of others) foreign.set(o.digest, [...(foreign.get(o.digest) ?? []), o.tag]);
  const byDigest = new Map<string, string[]>();
  for (const m of mine) byDigest.set(m.digest, [...(byDigest.get(m.digest) ?? []), m.tag]);
  const plan: DigestPlan = { deletes: [], kept: [] };
  for (const [digest, tags] of byDigest) {
    const keepers = foreign.get(digest);
    if (!keepers) {
      plan.deletes.push({ digest, tags });
      continue;
    }
    const reason = `its manifest ${digest} is also tagged ${quoteTags(keepers.sort())}; deleting the manifest would delete those tags too`;
    for (const tag of tags) plan.kept.push({ tag, reason });
  }
  return plan;
}

export interface PackageVersion {
  id: number;
  /** For a container package: the manifest digest. */
  name: string;
  tags: string[];
}

export interface VersionPlan {
  deletes: PackageVersion[];
  kept: KeptTag[];
}

/** GHCR: delete each version that carries the PR's tags and nothing else; the Packages API cannot untag. */
export function planVersionDeletes(versions: PackageVersion[], pr: number): VersionPlan {
  const plan: VersionPlan = { deletes: [], kept: [] };
  for (const v of versions) {
    const mine = v.tags.filter((t) => isPrTag(t, pr));
    if (mine.length === 0) continue;
    const foreign = v.tags.filter((t) => !isPrTag(t, pr));
    if (foreign.length === 0) {
      plan.deletes.push(v);
      continue;
    }
    const reason = `package version ${v.id} (${v.name}) is also tagged ${quoteTags(foreign.sort())}; the Packages API deletes whole versions and cannot remove one tag`;
    for (const tag of mine) plan.kept.push({ tag, reason });
  }
  return plan;
}
