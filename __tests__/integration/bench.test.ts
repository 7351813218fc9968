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

function bench(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bench', 'bench.ts'), '--small', '--runs', '1', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    timeout: 230_000,
  });
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
  expect(stdout).toMatch(/^\| {2}\| ours( \| aws-cli)?( \| rclone \| rclone --checksum \| rclone tuned)?( \| ours\/\S[^|]*)* \|$/m);
  expect(cell(stdout, 'cold upload: time', 'ours')).toMatch(/^\d+(\.\d+)? m?s$/);
  expect(cell(stdout, 'cold upload: requests', 'ours')).toBe('41'); // 40 PUTs and one listing
  expect(cell(stdout, 'incremental: objects written', 'ours')).toBe('1');
  expect(cell(stdout, 'CI rebuild: objects written', 'ours')).toBe('1');
  expect(cell(stdout, 'CI rebuild: requests', 'ours')).toBe('2'); // one listing, one PUT
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
    it('deploys through the bundle and prints wall time, critical path and overhead', () => {
      if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run bundle` first');
      const r = bench(['--pipeline', '--rollout-ms', '500', '--no-write']);
      expect(r.stderr).not.toMatch(/Error:/);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^## Deploy pipeline$/m);
      expect(r.stdout).toMatch(/^pipeline run 1: wall .*\(buildah [^)]*\bbud\b[^)]*\bpush\b[^)]*\)/m);
      expect(r.stdout).toMatch(/^\| wall: start → "Preview ready" \| \d/m);
      expect(r.stdout).toMatch(/^\| rollout \(the gateway's delay\) \| 500 ms \|$/m);
      const ms = (row: string): number => {
        const v = new RegExp(`^\\| \\**${row.replace(/[()+]/g, '\\$&')}\\** \\| \\**([\\d.]+) (m?s)\\**`, 'm').exec(r.stdout);
        if (!v) throw new Error(`no row ${row}`);
        return Number(v[1]) * (v[2] === 's' ? 1000 : 1);
      };
      expect(ms('critical path = build + push + rollout')).toBeGreaterThanOrEqual(500);
      // the table adds up (rounding aside)
      expect(Math.abs(ms('wall: start → "Preview ready"') - ms('critical path = build + push + rollout') - ms('overhead = wall − critical path'))).toBeLessThanOrEqual(20);
      expect(r.stdout).not.toMatch(/## Asset sync on/);
    });
  });
});
