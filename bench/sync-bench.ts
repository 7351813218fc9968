/**
 * The sync comparison on one server: every tool, `runs` times (the order rotated each run so no tool always goes
 * first), each run on a fresh copy of the tree and a prefix of its own:
 *   cold upload → incremental (one file changed, one deleted) → CI rebuild (every file rewritten, one changed)
 *   → teardown of the prefix.
 * Each phase is checked (the objects under the prefix are the tree's) and measured the same way for every tool:
 * spawn-to-exit time, requests and CPU on the server's side (servers.ts), objects written, the tool's CPU and RSS.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fmtMb, fmtMs, median, table, type Row } from './report.js';
import { MANIFEST_KEY } from '../src/assets/manifest.js';
import { written, type BenchServer, type Listing } from './servers.js';
import { TOOL_NAMES, type Op, type Tool, type ToolRunner } from './tools.js';
import { ciRebuild, editTree, type Tree } from './tree.js';

interface Phase {
  ms: number;
  requests: number;
  objectsWritten: number;
  maxRssKb?: number;
  cpuMs?: number;
  serverCpuMs: number;
  /** ours only: time inside the process, without node's start-up */
  innerMs?: number;
}

export interface ToolRun {
  cold: Phase;
  incremental: Phase;
  ci: Phase;
  teardown: Phase;
}

/** The site's objects under `prefix`: without our content manifest (its requests still count). */
async function siteObjects(server: BenchServer, prefix: string): Promise<Listing> {
  const all = await server.list(prefix);
  all.delete(prefix + MANIFEST_KEY);
  return all;
}

async function phase(
  server: BenchServer,
  exec: ToolRunner,
  tool: Tool,
  op: Op,
  prefix: string,
  dir: string,
): Promise<Phase> {
  const before = await siteObjects(server, prefix);
  const c0 = await server.counters();
  const p = await exec(tool, op, prefix, dir);
  const c1 = await server.counters();
  if (p.code !== 0) throw new Error(`${TOOL_NAMES[tool]} ${op} failed (${p.code}): ${p.stderr || p.stdout}`);
  const after = await siteObjects(server, prefix);
  return {
    ms: p.ms,
    requests: c1.requests - c0.requests,
    objectsWritten: written(before, after),
    maxRssKb: p.maxRssKb,
    cpuMs: p.cpuMs,
    serverCpuMs: c1.cpuMs - c0.cpuMs,
    innerMs: p.innerMs,
  };
}

async function expectObjects(server: BenchServer, tool: Tool, prefix: string, what: string, n: number): Promise<void> {
  const found = (await siteObjects(server, prefix)).size;
  if (found !== n) throw new Error(`${TOOL_NAMES[tool]} ${what} left ${found} objects under ${prefix}, expected ${n}`);
}

export async function runToolOnce(
  server: BenchServer,
  exec: ToolRunner,
  tool: Tool,
  tree: Tree,
  work: string,
  runNo: number,
): Promise<ToolRun> {
  const dir = join(work, `tree-${tool}-${runNo}`);
  cpSync(tree.dir, dir, { recursive: true, preserveTimestamps: true });
  const prefix = `bench-${tool}-${runNo}/`;
  try {
    const cold = await phase(server, exec, tool, 'sync', prefix, dir);
    await expectObjects(server, tool, prefix, 'cold upload', tree.files);
    editTree(tree, dir);
    const incremental = await phase(server, exec, tool, 'sync', prefix, dir);
    await expectObjects(server, tool, prefix, 'incremental', tree.files - 1);
    ciRebuild(tree, dir);
    const ci = await phase(server, exec, tool, 'sync', prefix, dir);
    await expectObjects(server, tool, prefix, 'CI rebuild', tree.files - 1);
    const teardown = await phase(server, exec, tool, 'delete', prefix, dir);
    await expectObjects(server, tool, prefix, 'teardown', 0);
    await server.reclaim();
    return { cold, incremental, ci, teardown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runAll(
  server: BenchServer,
  exec: ToolRunner,
  tools: Tool[],
  tree: Tree,
  o: { runs: number; work: string },
): Promise<Record<Tool, ToolRun[]>> {
  const results = Object.fromEntries(tools.map((t) => [t, [] as ToolRun[]])) as Record<Tool, ToolRun[]>;
  for (let r = 1; r <= o.runs; r++) {
    const order = tools.map((_, i) => tools[(i + r - 1) % tools.length]);
    for (const t of order) {
      const res = await runToolOnce(server, exec, t, tree, o.work, r);
      results[t].push(res);
      console.log(
        `${server.kind} run ${r} ${TOOL_NAMES[t].padEnd(17)} cold ${fmtMs(res.cold.ms)} (${res.cold.requests} req)  incremental ${fmtMs(res.incremental.ms)} (${res.incremental.objectsWritten} obj)  CI ${fmtMs(res.ci.ms)} (${res.ci.objectsWritten} obj, ${res.ci.requests} req)  teardown ${fmtMs(res.teardown.ms)}`,
      );
    }
  }
  return results;
}

/** The table: medians per tool, and ours/theirs ratios. */
export function syncTable(results: Record<Tool, ToolRun[]>, tools: Tool[]): string {
  const med = (t: Tool, f: (r: ToolRun) => number | undefined): number | undefined => {
    const xs = results[t].map(f).filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  const int = (n: number): string => String(Math.round(n));
  const row = (
    label: string,
    f: (r: ToolRun) => number | undefined,
    fmt: (n: number) => string,
    ratio = true,
  ): Row => ({
    label,
    values: Object.fromEntries(tools.map((t) => [t, med(t, f)])),
    fmt,
    ratio,
  });
  const rows: Row[] = [
    row('cold upload: time', (r) => r.cold.ms, fmtMs),
    row('cold upload: requests', (r) => r.cold.requests, int),
    row('cold upload: client CPU', (r) => r.cold.cpuMs, fmtMs),
    row('cold upload: server CPU', (r) => r.cold.serverCpuMs, fmtMs),
    row('incremental: time', (r) => r.incremental.ms, fmtMs),
    row('incremental: objects written', (r) => r.incremental.objectsWritten, int, false),
    row('incremental: requests', (r) => r.incremental.requests, int),
    row('CI rebuild: time', (r) => r.ci.ms, fmtMs),
    row('CI rebuild: objects written', (r) => r.ci.objectsWritten, int, false),
    row('CI rebuild: requests', (r) => r.ci.requests, int),
    row('teardown: time', (r) => r.teardown.ms, fmtMs),
    row('teardown: requests', (r) => r.teardown.requests, int),
    row('peak RSS (cold upload)', (r) => r.cold.maxRssKb, fmtMb),
  ];
  return table(
    rows,
    tools.map((t) => ({ key: t, name: TOOL_NAMES[t] })),
    'ours',
  );
}

/** Median of ours inside the process (cold, CI), for the note under the table. */
export function innerTimes(results: Record<Tool, ToolRun[]>): { cold?: number; ci?: number } {
  const ours = results.ours ?? [];
  const xs = (f: (r: ToolRun) => number | undefined): number | undefined => {
    const v = ours.map(f).filter((x): x is number => x !== undefined);
    return v.length ? median(v) : undefined;
  };
  return { cold: xs((r) => r.cold.innerMs), ci: xs((r) => r.ci.innerMs) };
}
