/**
 * The secret scanner every e2e run goes through: each secret the run was given, in every derived form the action
 * itself scrubs (as is, URL-encoded, JSON-escaped, base64/base64url, and base64 of `user:password` for Basic auth),
 * searched for in everything the run left readable: stdout and stderr (minus the runner's `::add-mask::` commands,
 * which the runner consumes), the outputs, the step summary, every PR comment and every deployment status, and the
 * builder's recorded environment when a test records it.
 *
 * Public text (the comment, the deployments, the job summary, the annotations, the outputs but the documented `url`
 * and `image`) must not name an internal address either: the gateway's, the S3 endpoint's, the registry's or the
 * database's, as the run's inputs gave them (src/text/addresses.ts hides them), unless the run opted in with
 * `show-internal-addresses: true`. `assertNoLeaks` checks both.
 */
import { isPublicRegistry, registryHost } from '../../src/text/addresses.js';
import { derivedForms } from '../../src/text/secrets.js';
import type { ActionRun } from './action.js';
import type { GitHubEmulator } from './github.js';

export interface SecretSet {
  values: string[];
  basicAuth?: { username: string; password: string }[];
}

export function secretForms(set: SecretSet): string[] {
  const forms = new Set<string>();
  for (const v of set.values) for (const f of derivedForms(v)) forms.add(f);
  for (const { username, password } of set.basicAuth ?? []) {
    const b64 = Buffer.from(`${username}:${password}`).toString('base64');
    for (const f of [b64, b64.replace(/=+$/, '')]) forms.add(f);
  }
  return [...forms];
}

/** Every readable text of a run, by where it was found. */
export function readableTexts(
  run: ActionRun,
  github?: GitHubEmulator,
  issues: number[] = [],
  extra: Record<string, string> = {},
): Record<string, string> {
  const log = (text: string) =>
    text
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
  const texts: Record<string, string> = {
    stdout: log(run.stdout),
    stderr: log(run.stderr),
    outputs: JSON.stringify(run.outputs),
    summary: run.summary,
    ...extra,
  };
  for (const n of issues) for (const c of github?.comments(n) ?? []) texts[`comment ${c.id} on #${n}`] = c.body;
  for (const d of github?.deployments() ?? []) texts[`deployment ${d.id}`] = JSON.stringify(d);
  return texts;
}

/** `where: form` for every secret form found; empty when the run leaked nothing. */
export function findLeaks(texts: Record<string, string>, forms: string[]): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(texts))
    for (const form of forms) if (text.includes(form)) found.push(`${where}: ${form}`);
  return found;
}

/** Throws, listing where, when any form of any secret is readable after the run. */
export function assertNoLeaks(run: ActionRun, set: SecretSet, github?: GitHubEmulator, issues: number[] = []): void {
  const leaks = findLeaks(readableTexts(run, github, issues), secretForms(set));
  if (leaks.length) throw new Error(`secrets readable after the run:\n${leaks.join('\n')}`);
  const addresses = addressLeaks(run, github, issues);
  if (addresses.length) throw new Error(`internal addresses in public text after the run:\n${addresses.join('\n')}`);
}

/**
 * The forms an address takes in text: `host:port`, and a dotted name or address other than loopback on its own. A
 * single label without a port (a registry named `localhost`) is a word found inside other names (the preview
 * domain `preview.localhost`), so it is not looked for.
 */
function addressForms(address: string): string[] {
  let u: URL;
  try {
    u = new URL(address.includes('://') ? address : `x://${address}`);
  } catch {
    return [];
  }
  const forms = u.port || u.hostname.includes('.') ? [u.host] : [];
  if (u.hostname.includes('.') && !/^(127\.|localhost$)/.test(u.hostname)) forms.push(u.hostname);
  return forms.filter(Boolean);
}

/** The internal addresses a run's inputs name. */
function internalAddressForms(inputs: Record<string, string>): string[] {
  const registries = [inputs.registry, inputs.image]
    .map((i) => (i ? registryHost(i) : undefined))
    .filter((h): h is string => h !== undefined && !isPublicRegistry(h));
  const addresses = [inputs['gateway-url'], inputs['s3-endpoint'], inputs['database-url'], ...registries];
  return [...new Set(addresses.filter(Boolean).flatMap((a) => addressForms(a!)))];
}

/**
 * The annotations of a run: the runner's `::notice`, `::warning` and `::error` commands on stdout (with or without
 * properties), their messages unescaped as the runner does. They are shown on the checks page.
 */
export function annotations(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => /^::(?:notice|warning|error)(?: [^:]*)?::(.*)$/.exec(l)?.[1])
    .filter((m): m is string => m !== undefined)
    .map((m) => m.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'));
}

/** The texts of a run anyone who can read the PR may read: comments, deployments, summary, annotations, outputs but url and image. */
function publicTexts(run: ActionRun, github?: GitHubEmulator, issues: number[] = []): Record<string, string> {
  const { url: _url, image: _image, ...outputs } = run.outputs;
  const texts: Record<string, string> = {
    outputs: JSON.stringify(outputs),
    summary: run.summary,
    annotations: annotations(run.stdout).join('\n'),
  };
  for (const n of issues) for (const c of github?.comments(n) ?? []) texts[`comment ${c.id} on #${n}`] = c.body;
  for (const d of github?.deployments() ?? []) texts[`deployment ${d.id}`] = JSON.stringify(d);
  return texts;
}

/** `where: address` for every internal address of the run's inputs found in its public text; none when it opted in. */
export function addressLeaks(run: ActionRun, github?: GitHubEmulator, issues: number[] = []): string[] {
  if (run.inputs['show-internal-addresses'] === 'true') return [];
  return findLeaks(publicTexts(run, github, issues), internalAddressForms(run.inputs));
}
