/**
 * The benchmark script runs end to end on a tiny tree (1 run) and prints its tables: the sync on s3rver and on
 * radosgw, and the deploy pipeline through the bundle. It is never timed here (the machine decides the numbers): the
 * test checks the shape of what it prints and the counts that do not depend on the machine. Missing aws-cli and
 * rclone are reported with install hints and skipped, never a failure.
 */
import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RGW_PROGRAMS } from '../../test/support/rgw.js';
import { describeWith } from '../../test/support/tools.js';

jest.setTimeout(240_000);

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

function bench(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(ROOT, 'bench', 'bench.ts'),
      '--small',
      '--runs',
      '1',
      ...args,
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
      timeout: 230_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The value of `row` in the column of `tool` of the first table with that row. */
function cell(stdout: string, row: string, tool: string): string | undefined {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`| ${row} |`));
  if (at === -1) return undefined;
  let head = at;
  while (head > 0 && !lines[head].startsWith('|  |')) head--;
  const columns = lines[head].split('|').map((c) => c.trim());
  return lines[at].split('|').map((c) => c.trim())[columns.indexOf(tool)];
}

/** What every sync table shows, whatever the tools installed. */
function expectSyncTable(stdout: string): void {
  expect(stdout).toMatch(
    /^\| {2}\| ours( \| aws-cli)?( \| rclone \| rclone --checksum \| rclone tuned)?( \| ours\/\S[^|]*)* \|$/m,
  );
  expect(cell(stdout, 'cold upload: time', 'ours')).toMatch(/^\d+(\.\d+)? m?s$/);
  // The bench's sync keeps a content manifest (src/assets/manifest.ts): one GET and one PUT of it beside the files.
  expect(cell(stdout, 'cold upload: requests', 'ours')).toBe('43'); // 40 PUTs, one listing, the manifest's GET and PUT
  expect(cell(stdout, 'incremental: objects written', 'ours')).toBe('1');
  expect(cell(stdout, 'CI rebuild: objects written', 'ours')).toBe('1');
  expect(cell(stdout, 'CI rebuild: requests', 'ours')).toBe('4'); // one listing, one PUT, the manifest's GET and PUT
  expect(cell(stdout, 'teardown: requests', 'ours')).toBe('2');
  expect(cell(stdout, 'peak RSS (cold upload)', 'ours')).toMatch(/^\d+ MB$/);
}

describe('bench/bench.ts', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'bench-test-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('runs the sync on s3rver on a tiny tree, prints the table and writes it with the other sections', () => {
    const out = join(work, 'results.md');
    const r = bench(['--server', 's3rver', '--out', out]);
    expect(r.stderr).not.toMatch(/Error:/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^## Asset sync on s3rver$/m);
    expectSyncTable(r.stdout);
    expect(r.stdout).toMatch(/^Machine: \d+ CPU\(s\) .*load average [\d.]+, [\d.]+, [\d.]+ at the start/m);
    expect(r.stdout).toMatch(/## Bundle start-up/);
    expect(r.stdout).toMatch(/## Sweep decision over 1,000 functions/);
    expect(r.stdout).not.toMatch(/## Deploy pipeline/);
    const aws = spawnSync('aws', ['--version']).status === 0;
    const rclone = spawnSync('rclone', ['version']).status === 0;
    if (!aws) expect(r.stdout).toMatch(/apt-get install awscli/);
    if (!rclone) expect(r.stdout).toMatch(/apt-get install rclone/);
    const md = readFileSync(out, 'utf8');
    expect(md).toMatch(/^# faas-preview benchmark/);
    expect(md).toContain('| cold upload: time |');
  });

  it('reports missing tools with install hints and still measures ours', () => {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'));
    // a PATH with node only: aws and rclone are "not installed"
    const r = bench(['--server', 's3rver', '--no-write'], { PATH: bin });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/apt-get install awscli/);
    expect(r.stdout).toMatch(/apt-get install rclone/);
    expect(r.stdout).toMatch(/^\| {2}\| ours \|$/m);
    expect(cell(r.stdout, 'CI rebuild: objects written', 'ours')).toBe('1');
  });

  describeWith(RGW_PROGRAMS).describe('on radosgw', () => {
    it('runs the sync against radosgw, counting requests with its own counters', () => {
      const r = bench(['--server', 'rgw', '--no-write']);
      expect(r.stderr).not.toMatch(/Error:/);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^## Asset sync on radosgw$/m);
      expect(r.stdout).toMatch(/^Server: Ceph radosgw [\d.]+ /m);
      expectSyncTable(r.stdout);
    });
  });

  describeWith(['buildah', 'docker-registry']).describe('the deploy pipeline', () => {
    it('deploys a cold build, a front-end-only push and a cached rebuild through the bundle: wall time, critical path and overhead of each', () => {
      if (!existsSync(join(ROOT, 'dist', 'index.js')))
        throw new Error('dist/index.js is missing: run `npm run bundle` first');
      const r = bench(['--pipeline', '--rollout-ms', '500', '--no-write']);
      expect(r.stderr).not.toMatch(/Error:/);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^## Deploy pipeline$/m);
      const cases = ['cold build', 'front-end-only push', 'cached rebuild'];
      expect(r.stdout).toMatch(/^\| {2}\| cold build \| front-end-only push \| cached rebuild \|$/m);
      expect(r.stdout).toMatch(/^pipeline run 1, cold build: wall .*\(buildah [^)]*\bbud\b[^)]*\bpush\b[^)]*\)/m);
      expect(r.stdout).toMatch(/^pipeline run 1, front-end-only push: wall .*\(buildah not run\)/m);
      const row = (label: string): string[] => cases.map((c) => cell(r.stdout, label, c) ?? `no row ${label}`);
      expect(row('backend')).toEqual(['built', 'reused', 'built']);
      expect(row('static files uploaded')).toEqual(['40', '2', '0']); // the whole site, then only the two changed files
      // the cold build finds nothing in the cache; the rebuild takes the package.json and dependency steps from it
      expect(row('build steps from the layer cache')).toEqual(['0', '—', '2']);
      // nothing built, pushed or rolled out for the front-end-only push
      expect(row("build + push (the builder's own time)")[1]).toBe('0 ms');
      expect(row("rollout (the gateway's delay)")).toEqual(['500 ms', '0 ms', '500 ms']);
      expect(row('… of which before the build starts')[1]).toBe('—');
      const ms = (label: string): number[] =>
        row(label).map((v) => {
          const m = /^\**([\d.]+) (m?s)\**$/.exec(v);
          if (!m) throw new Error(`${label}: ${v} is no duration`);
          return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
        });
      const [wall, critical, overhead] = [
        'wall: start → "Preview ready"',
        'critical path = build + push + rollout',
        '**overhead = wall − critical path**',
      ].map(ms);
      expect(critical[0]).toBeGreaterThan(500);
      expect(critical[1]).toBe(0);
      expect(critical[2]).toBeGreaterThan(500);
      // each column adds up (rounding aside)
      for (const i of [0, 1, 2]) expect(Math.abs(wall[i] - critical[i] - overhead[i])).toBeLessThanOrEqual(20);
      expect(r.stdout).not.toMatch(/## Asset sync on/);
    });
  });
});
