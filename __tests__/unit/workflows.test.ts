/**
 * The workflows ship this action like a first-party one (issue 24): every action they use is pinned to a full commit
 * sha with its version in a comment, every job lists its own `permissions:`, the release workflow checks dist/ with
 * the same bundle command as CI and runs the tests before it releases, its notes come from CHANGELOG.md, and the
 * changelog's latest release is package.json's version. The checkers also run on broken in-memory workflows, so
 * they are shown to report what they look for.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parse, parseDocument, type Node } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

const WORKFLOWS = readdirSync(path.join(ROOT, '.github/workflows'))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => `.github/workflows/${f}`);

/** The packages of .ci/run that GitHub's ubuntu-24.04 image already has, so the workflows do not install them. */
const ON_THE_RUNNER_IMAGE = new Set(['docker.io', 'podman', 'git']);

interface Use {
  job: string;
  value: string;
  line: number;
  comment: string;
}

/** Every `uses:` of a workflow's jobs (a step's action, or a job's reusable workflow), with its line and comment. */
function usesOf(text: string): Use[] {
  const doc = parseDocument(text);
  const lineOf = (node: Node) => text.slice(0, node.range?.[0] ?? 0).split('\n').length;
  const out: Use[] = [];
  const jobs = doc.get('jobs');
  if (!isMap(jobs)) return out;
  for (const pair of jobs.items) {
    const job = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const add = (node: unknown) => {
      if (isScalar(node) && typeof node.value === 'string')
        out.push({ job, value: node.value, line: lineOf(node), comment: node.comment ?? '' });
    };
    if (!isMap(pair.value)) continue;
    add(pair.value.get('uses', true));
    const steps = pair.value.get('steps', true);
    if (isSeq(steps)) for (const step of steps.items) if (isMap(step)) add(step.get('uses', true));
  }
  return out;
}

/** `owner/repo[/path]@<40 hex> # vX.Y.Z`; local actions (`./…`) and `docker://` images are not checked. */
function pinProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const use of usesOf(text)) {
    if (use.value.startsWith('./') || use.value === '.' || use.value.startsWith('docker://')) continue;
    const where = `${file}:${use.line}: job '${use.job}': ${use.value}`;
    const ref = /^[\w.-]+\/[\w.-]+(?:\/[^@\s]+)?@(\S+)$/.exec(use.value)?.[1];
    if (ref === undefined) problems.push(`${where} is not owner/repo@ref`);
    else if (!/^[0-9a-f]{40}$/.test(ref)) problems.push(`${where} is not pinned to a full commit sha`);
    else if (!/^\s*v\d+\.\d+\.\d+(?:\s|$)/.test(use.comment))
      problems.push(`${where} has no version comment (# vX.Y.Z)`);
  }
  return problems;
}

/** Every job lists its own permissions, as a mapping (`{}` for none); `read-all` / `write-all` are not least privilege. */
function permissionProblems(file: string, workflow: Record<string, any>): string[] {
  const problems: string[] = [];
  if (typeof workflow.permissions === 'string')
    problems.push(`${file}: top-level permissions: ${workflow.permissions} grants more than any job needs`);
  for (const [id, job] of Object.entries<any>(workflow.jobs ?? {})) {
    if (!job || !('permissions' in job)) problems.push(`${file}: job '${id}' has no permissions:`);
    else if (typeof job.permissions !== 'object' || job.permissions === null)
      problems.push(`${file}: job '${id}': permissions: ${String(job.permissions)} is not a list of grants`);
  }
  return problems;
}

/** The command .ci/run bundles with: the last command before it compares dist/ with git. */
function ciBundleCommand(ciRun: string): string {
  const lines = ciRun.split('\n').map((l) => l.trim());
  const check = lines.findIndex((l) => l.includes('git status --porcelain -- dist'));
  expect(check).toBeGreaterThan(0);
  const command = lines
    .slice(0, check)
    .filter((l) => l && !l.startsWith('#'))
    .pop();
  expect(command).toBeDefined();
  return command!;
}

const runLines = (step: any): string[] =>
  typeof step?.run === 'string' ? (step.run as string).split('\n').map((l) => l.trim()) : [];

/**
 * A job of `workflow` compares dist/ with git after running exactly `bundle` (after `npm ci`), as .ci/run does.
 * Returns the problems, or none when such a job exists.
 */
function distCheckProblems(file: string, workflow: Record<string, any>, bundle: string): string[] {
  for (const job of Object.values<any>(workflow.jobs ?? {})) {
    const lines = (job?.steps ?? []).flatMap(runLines);
    const check = lines.findIndex((l: string) => l.includes('git status --porcelain -- dist'));
    if (check === -1) continue;
    const bundled = lines.lastIndexOf(bundle, check);
    if (bundled === -1) return [`${file}: dist/ is compared without running '${bundle}' first (as .ci/run does)`];
    if (lines.lastIndexOf('npm ci', bundled) === -1) return [`${file}: '${bundle}' runs before 'npm ci'`];
    return [];
  }
  return [`${file}: no job compares dist/ with a fresh bundle (git status --porcelain -- dist)`];
}

/** The packages an `apt-get install` line of the workflow installs. */
function aptPackages(workflow: Record<string, any>): string[] {
  const lines = Object.values<any>(workflow.jobs ?? {}).flatMap((job) => (job?.steps ?? []).flatMap(runLines));
  const install = lines.find((l: string) => /apt-get install/.test(l));
  if (!install) return [];
  return (install.split(/apt-get install/)[1] as string).split(/\s+/).filter((w) => w && !w.startsWith('-'));
}

/** The released versions of CHANGELOG.md, newest first, and whether an Unreleased section leads. */
function changelogVersions(text: string): { unreleased: boolean; versions: { version: string; date?: string }[] } {
  const headings = [...text.matchAll(/^## \[([^\]]+)\](?: - (\S+))?\s*$/gm)].map((m) => ({ name: m[1], date: m[2] }));
  return {
    unreleased: headings[0]?.name === 'Unreleased',
    versions: headings.filter((h) => h.name !== 'Unreleased').map((h) => ({ version: h.name, date: h.date })),
  };
}

const semver = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
const newer = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
};

/** Runs the release workflow's "notes" step as GitHub does (bash -e) on `changelog`; its outputs and notes. */
function releaseNotes(
  changelog: string,
  tag: string,
): { status: number; outputs: Record<string, string>; notes: string } {
  const release = parse(read('.github/workflows/release.yml'));
  const step = Object.values<any>(release.jobs)
    .flatMap((job) => job.steps ?? [])
    .find((s: any) => s.id === 'notes');
  expect(step).toBeDefined();
  const dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-notes-'));
  try {
    writeFileSync(path.join(dir, 'CHANGELOG.md'), changelog);
    writeFileSync(path.join(dir, 'outputs'), '');
    let status = 0;
    try {
      execFileSync('bash', ['-e', '-c', step.run], {
        cwd: dir,
        stdio: 'pipe',
        env: { PATH: process.env.PATH, VERSION: tag, RUNNER_TEMP: dir, GITHUB_OUTPUT: path.join(dir, 'outputs') },
      });
    } catch (error) {
      status = (error as { status?: number }).status ?? 1;
    }
    const outputs = Object.fromEntries(
      readFileSync(path.join(dir, 'outputs'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    let notes = '';
    try {
      notes = readFileSync(path.join(dir, 'notes.md'), 'utf8');
    } catch {
      // no notes written
    }
    return { status, outputs, notes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pkg = JSON.parse(read('package.json')) as { version: string };
const changelog = read('CHANGELOG.md');

describe('.github/workflows', () => {
  test('the release, audit and CodeQL workflows exist', () => {
    expect(WORKFLOWS).toEqual(
      expect.arrayContaining([
        '.github/workflows/release.yml',
        '.github/workflows/audit.yml',
        '.github/workflows/codeql.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/check-dist.yml',
      ]),
    );
  });

  test.each(WORKFLOWS)('%s: every action is pinned to a commit sha with its version in a comment', (file) => {
    expect(usesOf(read(file)).length).toBeGreaterThan(0);
    expect(pinProblems(file, read(file))).toEqual([]);
  });

  test.each(WORKFLOWS)('%s: every job lists its own permissions', (file) => {
    expect(permissionProblems(file, parse(read(file)))).toEqual([]);
  });

  test('release.yml and check-dist.yml check dist/ with the bundle command of .ci/run', () => {
    const bundle = ciBundleCommand(read('.ci/run'));
    expect(bundle).toBe('npm run bundle');
    for (const file of ['.github/workflows/release.yml', '.github/workflows/check-dist.yml'])
      expect(distCheckProblems(file, parse(read(file)), bundle)).toEqual([]);
  });

  test('release.yml: the tests run, as in .ci/run, before the release is created', () => {
    const release = parse(read('.github/workflows/release.yml'));
    const jobs = Object.entries<any>(release.jobs);
    const commands = (job: any) => (job.steps ?? []).flatMap(runLines);
    const [verifyId, verify] = jobs.find(([, job]) => commands(job).includes('npm test'))!;
    expect(commands(verify)).toEqual(expect.arrayContaining(['npm ci', 'npm run check', 'npm test']));
    const [, creates] = jobs.find(([, job]) => commands(job).some((l: string) => l.startsWith('gh release create')))!;
    expect([creates.needs].flat()).toContain(verifyId);
    // The only job that may write.
    for (const [id, job] of jobs)
      if (job !== creates)
        expect({ id, permissions: job.permissions }).toEqual({ id, permissions: { contents: 'read' } });
  });

  test('the runners get the packages .ci/run installs (ci.yml, release.yml)', () => {
    const ciRun = /packages=\(([^)]*)\)/.exec(read('.ci/run'))![1].split(/\s+/).filter(Boolean);
    const ci = aptPackages(parse(read('.github/workflows/ci.yml')));
    const release = aptPackages(parse(read('.github/workflows/release.yml')));
    expect(release.sort()).toEqual(ci.sort());
    expect(ciRun.filter((p) => !ci.includes(p) && !ON_THE_RUNNER_IMAGE.has(p))).toEqual([]);
  });

  test('audit.yml fails on high and critical advisories of the production dependencies; CodeQL scans JS/TS', () => {
    const audit = parse(read('.github/workflows/audit.yml'));
    const lines = Object.values<any>(audit.jobs).flatMap((job) => (job.steps ?? []).flatMap(runLines));
    expect(lines).toContain('npm audit --omit=dev --audit-level=high');
    const codeql = parse(read('.github/workflows/codeql.yml'));
    const init = Object.values<any>(codeql.jobs)
      .flatMap((job) => job.steps ?? [])
      .find((s: any) => String(s.uses).startsWith('github/codeql-action/init@'));
    expect(init.with.languages).toBe('javascript-typescript');
    for (const workflow of [audit, codeql])
      expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push', 'schedule']);
  });

  test('Dependabot updates npm and the actions weekly, grouped', () => {
    const config = parse(read('.github/dependabot.yml'));
    const updates = config.updates as any[];
    expect(updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const update of updates) {
      expect(update.schedule.interval).toBe('weekly');
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0);
    }
  });

  test('the examples in the README and docs use this action at @v1 or a commit sha', () => {
    const docs = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    const files = ['README.md', ...docs.map((f) => `docs/${f}`)];
    const pins = files.flatMap((f) =>
      [...read(f).matchAll(/^\s*-?\s*uses:\s*faas-preview\/faas-preview@(\S+)/gm)].map((m) => m[1]),
    );
    expect(pins.length).toBeGreaterThan(0);
    expect(pins.filter((ref) => ref !== 'v1' && !/^[0-9a-f]{40}$/.test(ref))).toEqual([]);
  });
});

describe('CHANGELOG.md', () => {
  const { unreleased, versions } = changelogVersions(changelog);

  test("the latest release is package.json's version", () => {
    expect(versions[0]?.version).toBe(pkg.version);
  });

  test('Keep a Changelog: Unreleased first, then releases newest first, each with its date', () => {
    expect(unreleased).toBe(true);
    for (const { version, date } of versions) {
      expect({ version, semver: /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version) }).toEqual({ version, semver: true });
      expect({ version, date: /^\d{4}-\d{2}-\d{2}$/.test(date ?? '') }).toEqual({ version, date: true });
    }
    for (let i = 1; i < versions.length; i++) expect(newer(versions[i - 1].version, versions[i].version)).toBe(true);
  });

  test("the release notes are the version's section; breaking is its '### Breaking' heading", () => {
    const current = releaseNotes(changelog, `v${pkg.version}`);
    expect(current.status).toBe(0);
    expect(current.outputs.breaking).toBe('false');
    expect(current.notes).toContain('### Added');
    expect(current.notes).not.toMatch(/^## /m);
    expect(current.notes).not.toMatch(/^\[[^\]]+\]: /m);
    expect(changelog).toContain(current.notes.trim());
  });
});

describe('the checkers report what they look for', () => {
  const workflow = [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-24.04',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020',
    '      - uses: github/codeql-action/init@2892aa5e19bbd11bc0cff5427e3b750a04d9e3c2 # v4.38.2',
    '      - uses: ./',
    '      - uses: docker://alpine:3.20',
    '      - run: npm run build',
    '      - run: git status --porcelain -- dist',
    '  reuse:',
    '    uses: octo/workflows/.github/workflows/release.yml@main',
    '    permissions: write-all',
    '  fine:',
    '    runs-on: ubuntu-24.04',
    '    permissions: {}',
    '    steps:',
    '      - uses: "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1" # v7.0.1',
  ].join('\n');

  test('unpinned actions, a sha without its version, jobs without least-privilege permissions', () => {
    expect(pinProblems('w.yml', workflow)).toEqual([
      "w.yml:6: job 'build': actions/checkout@v4 is not pinned to a full commit sha",
      "w.yml:7: job 'build': actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 has no version comment (# vX.Y.Z)",
      "w.yml:14: job 'reuse': octo/workflows/.github/workflows/release.yml@main is not pinned to a full commit sha",
    ]);
    expect(permissionProblems('w.yml', parse(workflow))).toEqual([
      "w.yml: job 'build' has no permissions:",
      "w.yml: job 'reuse': permissions: write-all is not a list of grants",
    ]);
  });

  test('a dist check after another build command, and none at all', () => {
    expect(distCheckProblems('w.yml', parse(workflow), 'npm run bundle')).toEqual([
      "w.yml: dist/ is compared without running 'npm run bundle' first (as .ci/run does)",
    ]);
    expect(
      distCheckProblems('w.yml', { jobs: { a: { steps: [{ run: 'npm run bundle' }] } } }, 'npm run bundle'),
    ).toEqual(['w.yml: no job compares dist/ with a fresh bundle (git status --porcelain -- dist)']);
  });

  test('notes of a breaking release; a version without a section fails the step', () => {
    const fixture = [
      '# Changelog',
      '## [Unreleased]',
      '## [2.0.0] - 2027-01-01',
      '### Breaking',
      '- `app` is required.',
      '### Added',
      '- x',
      '## [1.0.0] - 2026-12-24',
      '- y',
      '[2.0.0]: https://example.com',
    ].join('\n');
    const breaking = releaseNotes(fixture, 'v2.0.0');
    expect(breaking).toMatchObject({ status: 0, outputs: { breaking: 'true' } });
    expect(breaking.notes).toBe('### Breaking\n- `app` is required.\n### Added\n- x\n');
    const last = releaseNotes(fixture, 'v1.0.0');
    expect(last).toMatchObject({ status: 0, outputs: { breaking: 'false' }, notes: '- y\n' });
    expect(releaseNotes(fixture, 'v1.0.1').status).not.toBe(0);
    expect(changelogVersions(fixture).versions.map((v) => v.version)).toEqual(['2.0.0', '1.0.0']);
  });
});
