/**
 * The shell commands of the guides (docs/one-host.md, docs/kubernetes.md), and which test runs each, so that a guide
 * cannot rot: guide-commands.test.ts fails unless every command of a guide's ```sh blocks is either run by the test
 * RUN_BY names (which takes it from the guide through `guideCommands`, so it runs what the guide says) or marked in
 * the guide as not run, with why.
 *
 * The mark is a comment line in the block, `# not run by a test: <why>`; it covers the commands after it, up to the
 * next blank line or the end of the block. A command is one line of the block, its `\` continuations joined.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './action.js';

export const GUIDES = ['docs/one-host.md', 'docs/kubernetes.md'] as const;
type Guide = (typeof GUIDES)[number];

export interface GuideCommand {
  guide: string;
  /** 1-based, counting the guide's ```sh blocks. */
  block: number;
  text: string;
  /** The reason given by a `# not run by a test:` mark above it. */
  notRun?: string;
}

const MARK = /^#\s*not run by a test\b:?\s*(.*)$/i;

/** Every command of `guide`'s ```sh blocks, with the not-run mark that covers it. */
export function commandsOf(guide: string, text = readFileSync(path.join(ROOT, guide), 'utf8')): GuideCommand[] {
  const commands: GuideCommand[] = [];
  [...text.matchAll(/^```sh\n([\s\S]*?)^```/gm)].forEach((m, i) => {
    let notRun: string | undefined;
    for (const raw of m[1].replace(/\s*\\\n\s*/g, ' ').split('\n')) {
      const line = raw.trim();
      if (line === '') notRun = undefined;
      else if (MARK.test(line)) notRun = MARK.exec(line)![1].trim();
      else if (!line.startsWith('#')) commands.push({ guide, block: i + 1, text: line, notRun });
    }
  });
  return commands;
}

interface Runner {
  guide: Guide;
  /** The guide's commands this entry covers. */
  match: RegExp;
  /** The test that runs them (it calls `guideCommands('<id>')`), or `.ci/run` for what every CI run does. */
  test: string;
  /** How, in a few words: what stands in for what the test machine does not have. */
  how: string;
}

/** id → the commands it covers and the test that runs them. */
export const RUN_BY = {
  'one-host certbot': {
    guide: 'docs/one-host.md',
    match: /^certbot certonly --dns-<provider> /,
    test: '__tests__/integration/one-host-certbot.test.ts',
    how: 'the rfc2136 plugin against BIND on 127.0.0.1, Let’s Encrypt’s test CA pebble as the ACME server',
  },
  'one-host secrets': {
    guide: 'docs/one-host.md',
    match: /^openssl rand -base64 48 > \/etc\/faas-preview\//,
    test: '__tests__/integration/one-host-setup.test.ts',
    how: 'into a temporary directory in place of /etc/faas-preview/',
  },
  'one-host set-up': {
    guide: 'docs/one-host.md',
    match: /^npx tsx deploy\/one-host\/setup\.ts /,
    test: '__tests__/integration/one-host-setup.test.ts',
    how: 'with a temporary env file, and --root to write below a temporary directory',
  },
  'one-host check': {
    guide: 'docs/one-host.md',
    match: /^npx tsx deploy\/one-host\/check\.ts /,
    test: '__tests__/integration/one-host-check.test.ts',
    how: 'with a temporary env file and --dns-server, against local servers',
  },
  'kubernetes bundle': {
    guide: 'docs/kubernetes.md',
    match: /^npm ci && npm run bundle$/,
    test: '.ci/run',
    how: 'every CI run starts with npm ci and checks dist/ against npm run bundle',
  },
  'kubernetes namespace and DNS token': {
    guide: 'docs/kubernetes.md',
    match: /^kubectl (create namespace |-n faas-preview create secret generic dns-api-token )/,
    test: '__tests__/unit/kubernetes-guide.test.ts',
    how: 'kubectl with --dry-run=client -o yaml: the objects it would create, checked against the manifests',
  },
  'kubernetes gateway password': {
    guide: 'docs/kubernetes.md',
    match: /^kubectl -n openfaas get secret basic-auth /,
    test: '__tests__/unit/kubernetes-guide.test.ts',
    how: 'kubectl’s jsonpath on a Secret of the chart’s shape made with --dry-run=client, not a cluster’s',
  },
  'kubernetes edge service secrets': {
    guide: 'docs/kubernetes.md',
    match: /^(openssl rand -base64 48 > |kubectl -n faas-preview create secret generic faas-preview-waker )/,
    test: '__tests__/unit/kubernetes-guide.test.ts',
    how: 'in a temporary directory; kubectl with --dry-run=client -o yaml, its inner `get` as above',
  },
  'kubernetes set env': {
    guide: 'docs/kubernetes.md',
    match: /^kubectl -n faas-preview set env deployment\//,
    test: '__tests__/unit/kubernetes-guide.test.ts',
    how: 'kubectl set env --local on the manifest’s Deployment: the environment it would give, checked',
  },
} satisfies Record<string, Runner>;

export type RunnerId = keyof typeof RUN_BY;

/** The guide's commands entry `id` covers, as the guide has them; throws when there are none. */
export function guideCommands(id: RunnerId): string[] {
  const r: Runner = RUN_BY[id];
  const found = commandsOf(r.guide)
    .filter((c) => r.match.test(c.text))
    .map((c) => c.text);
  if (found.length === 0) throw new Error(`${r.guide} has no command for '${id}' (${r.match})`);
  return found;
}
