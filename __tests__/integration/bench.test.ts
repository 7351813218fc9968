/**
 * The benchmark script runs end to end on a tiny tree (1 run) and prints its table. It must pass whether
 * or not aws-cli and rclone are installed: missing tools are reported with install hints and skipped.
 */
import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(180_000);

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

describe('bench/bench.ts', () => {
  let work: string;
  const nodeOnly = (): string => {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'));
    return bin;
  };
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'bench-test-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('runs on a tiny tree and prints a markdown table with our rows', () => {
    const out = join(work, 'results.md');
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bench', 'bench.ts'), '--small', '--runs', '1', '--out', out],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' }, timeout: 170_000 },
    );
    expect(r.stderr).not.toMatch(/Error:/);
    expect(r.status).toBe(0);
    const stdout = r.stdout;
    expect(stdout).toMatch(/^\| {2}\| ours( \| aws-cli)?( \| rclone)?/m);
    expect(stdout).toMatch(/^\| cold upload: time \| \d/m);
    expect(stdout).toMatch(/^\| incremental: objects sent \| 1 \|/m);
    expect(stdout).toMatch(/^\| incremental: requests \| [1-4] \|/m);
    expect(stdout).toMatch(/^\| teardown: requests \| 2 \|/m);
    expect(stdout).toMatch(/^\| peak RSS \(cold upload\) \| \d+ MB/m);
    expect(stdout).toMatch(/## Bundle start-up/);
    expect(stdout).toMatch(/## Sweep decision over 1,000 functions/);
    // a missing tool is reported with how to install it, never fails the run
    const aws = spawnSync('aws', ['--version']).status === 0;
    const rclone = spawnSync('rclone', ['version']).status === 0;
    if (!aws) expect(stdout).toMatch(/apt-get install awscli/);
    if (!rclone) expect(stdout).toMatch(/apt-get install rclone/);
    const md = readFileSync(out, 'utf8');
    expect(md).toMatch(/^# faas-preview asset sync benchmark/);
    expect(md).toContain('| cold upload: time |');
  });

  it('reports missing tools with install hints and still measures ours', () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bench', 'bench.ts'), '--small', '--runs', '1', '--no-write'],
      // a PATH with node only: aws and rclone are "not installed"
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1', PATH: nodeOnly() }, timeout: 170_000 },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/apt-get install awscli/);
    expect(r.stdout).toMatch(/apt-get install rclone/);
    expect(r.stdout).toMatch(/^\| {2}\| ours \|$/m);
    expect(r.stdout).toMatch(/^\| cold upload: time \| \d/m);
  });
});
