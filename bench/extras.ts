/** The bench's other measurements: the bundle's start-up with nothing to do, and the sweep decision over 1,000 functions. */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSweep, type ManagedFunction, type Memory } from '../src/sweep/plan.js';
import { fmtMb, fmtMs, median } from './report.js';
import { BUNDLE } from '../test/support/action.js';
import { run, type Proc } from './tools.js';

/**
 * Bundle start-up: `node dist/index.js` with nothing to do (a pull_request `assigned` event), median of
 * `runs`. Skipped with a message when dist/index.js is missing (run `npm run bundle` first).
 */
export async function benchBundleStartup(runs: number): Promise<string> {
  const bundle = BUNDLE;
  if (!existsSync(bundle)) return '_skipped: dist/index.js is missing (run `npm run bundle` first)._';
  const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  try {
    const event = join(work, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({ action: 'assigned', number: 1, pull_request: { number: 1, head: { sha: '0'.repeat(40) } } }),
    );
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_OUTPUT: join(work, 'output'),
      GITHUB_STEP_SUMMARY: join(work, 'summary'),
      RUNNER_TEMP: work,
      // Valid inputs, so the run gets past parsing to the event decision ("nothing to do") like a real one.
      'INPUT_GATEWAY-URL': 'http://127.0.0.1:9',
      'INPUT_PREVIEW-DOMAIN': 'preview.example.com',
      INPUT_REGISTRY: 'ghcr.io/octo',
    };
    // The runner creates these files before a step starts; the toolkit refuses to write to missing ones.
    writeFileSync(env.GITHUB_OUTPUT, '');
    writeFileSync(env.GITHUB_STEP_SUMMARY, '');
    const times: number[] = [];
    let rss: number | undefined;
    let last: Proc | undefined;
    for (let i = 0; i < runs; i++) {
      last = await run(process.execPath, [bundle], env);
      times.push(last.ms);
      rss = last.maxRssKb;
    }
    const note = last && last.code !== 0 ? ` (exit code ${last.code}: ${last.stderr.trim().split('\n')[0] ?? ''})` : '';
    return `\`node dist/index.js\` on a \`pull_request\`/\`assigned\` event (nothing to do): median **${fmtMs(median(times))}** over ${runs} run(s)${rss ? `, peak RSS ${fmtMb(rss)}` : ''}${note}.`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Sweep decision over 1,000 managed functions: the pure planner (src/sweep/plan.ts) on a listing with every
 * kind of case (busy, idle, counter reset, first seen, closed PR, expired), median of `runs` × 20 calls.
 */
export async function benchSweepDecision(runs: number): Promise<string> {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const hour = 3_600_000;
  const functions: ManagedFunction[] = [];
  const previous: Memory = {};
  const openPulls = new Set<number>();
  for (let pr = 1; pr <= 1000; pr++) {
    const name = `app-pr-${pr}`;
    const count = pr * 3;
    functions.push({
      name,
      pr,
      replicas: pr % 7 === 0 ? undefined : 1,
      invocationCount: pr % 5 === 0 ? count + 1 : count,
      deployedAt: now - (pr % 30) * hour,
    });
    if (pr % 11 !== 0)
      previous[name] = {
        count: pr % 13 === 0 ? count + 50 : count,
        changedAt: new Date(now - (pr % 4) * hour).toISOString(),
      };
    if (pr % 9 !== 0) openPulls.add(pr);
  }
  const prefixes = functions.map((f) => `${f.name}/`).concat(['app-pr-5000/', '.faas-preview/']);
  const input = {
    functions,
    previous,
    openPulls,
    prefixes,
    app: 'app',
    edition: 'community' as const,
    now,
    idleAfterMs: hour,
    maxAgeMs: 24 * hour,
  };
  const perCall: number[] = [];
  let acted = 0;
  for (let r = 0; r < Math.max(runs, 5); r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 20; i++)
      acted = planSweep(input).actions.filter((a) => a.decision !== 'keep' && a.decision !== 'already-asleep').length;
    perCall.push(Number(process.hrtime.bigint() - start) / 1e6 / 20);
  }
  return `\`planSweep\` over 1,000 managed functions (${acted} acted on): median **${median(perCall).toFixed(2)} ms** per decision.`;
}
