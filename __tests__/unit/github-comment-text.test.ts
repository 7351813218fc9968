import { describe, expect, test } from '@jest/globals';
import type { Trouble } from '../../src/decide/advice.js';
import { humanTime, renderComment, type Before, type CommentView } from '../../src/github/comment-text.js';
import type { DataUndo, FailedStep, FunctionFacts, ReadyCheck } from '../../src/preview.js';
import { internal } from '../../src/text/addresses.js';

const facts = {
  name: 'shop-pr-2',
  url: 'https://shop-pr-2.preview.example.com',
  sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  runUrl: 'https://github.com/acme/shop/actions/runs/7',
  time: '2026-11-23T20:00:00.000Z',
  tookMs: 42_000,
};
const OLD = 'aaaaaaa1111111111111111111111111111111111';
const fn: FunctionFacts = {
  name: 'shop-pr-2',
  route: '/api',
  image: 'ghcr.io/acme/shop:pr-2-ec26c3e',
  backend: { how: 'built', digest: 'b'.repeat(64) },
};
const check = (proof: ReadyCheck['proof'], o: Partial<ReadyCheck> = {}): ReadyCheck => ({
  name: 'shop-pr-2',
  path: '/healthz',
  status: 200,
  sha: facts.sha,
  proof,
  ...o,
});
const failure = (step: FailedStep, trouble: Trouble, before: Before = { existed: true, provider: 'faasd' }) =>
  renderComment({ state: 'failed', ...facts, step, error: 'boom', trouble, before });
const refusal = {
  name: facts.name,
  runUrl: facts.runUrl,
  time: facts.time,
  limit: 1,
  used: 1,
  needed: 1,
  holders: [{ name: 'shop-pr-1', pr: 1, functions: 1 }],
  foreign: 0,
  why: 'max-previews' as const,
};

describe('renderComment', () => {
  test('every state starts with the marker, so the next run finds and edits it', () => {
    const views = [
      renderComment({ state: 'ready', ...facts, checks: [check('header')], functions: [fn] }),
      renderComment({ state: 'rolling-out', ...facts, checks: [check('unproven')], functions: [fn] }),
      failure('build', { kind: 'step', step: 'build' }),
      renderComment({
        state: 'torn-down',
        name: facts.name,
        runUrl: facts.runUrl,
        time: facts.time,
        reason: 'PR #2 was merged',
        removed: [],
      }),
      renderComment({
        state: 'sleeping',
        name: facts.name,
        url: facts.url,
        runUrl: facts.runUrl,
        time: facts.time,
        idleFor: '30m',
      }),
      renderComment({ state: 'refused', ...refusal }),
    ];
    for (const body of views) expect(body.startsWith('<!-- faas-preview:shop-pr-2 -->\n')).toBe(true);
  });

  test('ready: a heading with the link, one row, the details folded', () => {
    const body = renderComment({
      state: 'ready',
      ...facts,
      checks: [check('header')],
      functions: [fn],
      assets: { uploaded: 3, skipped: 10, deleted: 1 },
    });
    expect(body).toContain('### Preview is ready: https://shop-pr-2.preview.example.com\n');
    expect(body).toContain(
      '| `shop-pr-2` | ✅ Ready | [Visit preview](https://shop-pr-2.preview.example.com) | `ec26c3e` | 23 Nov 2026, 20:00 UTC, took 42 s |',
    );
    const [top, folded] = body.split('<details>');
    expect(top).not.toMatch(/ghcr\.io|digest|healthz/);
    expect(folded).toContain(`- Image: \`ghcr.io/acme/shop:pr-2-ec26c3e\`, built (build digest \`${'b'.repeat(12)}\`)`);
    expect(folded).toContain(
      '- Ready check: `GET /healthz` answered 200 from `ec26c3e` (it sent `X-Faas-Preview-Sha`)',
    );
    expect(folded).toContain('- Static assets: 3 uploaded, 10 unchanged, 1 removed');
    expect(body).toContain('[this run](https://github.com/acme/shop/actions/runs/7)');
    expect(body).not.toContain('2026-11-23T20:00');
  });

  test('rolling out never says ready', () => {
    const body = renderComment({ state: 'rolling-out', ...facts, checks: [check('unproven')], functions: [fn] });
    expect(body).not.toMatch(/is ready|ready at|✅/i);
    expect(body).toMatch(/of `ec26c3e` is deployed and rolling out/);
    expect(body).toMatch(/previous version may still answer/);
    expect(body).toContain('🔄 Rolling out');
  });

  test('a failure names the step, says what to do, quotes the error inert, and says what is true of the previous version', () => {
    const body = renderComment({
      state: 'failed',
      ...facts,
      step: 'readiness',
      error: 'line1\n```\n@team <img src=x> [x](https://evil.example)',
      trouble: { kind: 'never-ready', provider: 'faas-netes', functions: ['shop-pr-2'], namespace: 'openfaas-fn' },
      before: { existed: true, provider: 'faas-netes' },
    });
    expect(body).toContain('### Preview of `ec26c3e` failed: deployed the function, but it did not become ready.');
    expect(body).toContain(
      "**What to do:** read the function's log: on faas-netes `kubectl logs -n openfaas-fn deploy/shop-pr-2`",
    );
    expect(body).toContain('````text\nline1\n```\n@team <img src=x> [x](https://evil.example)\n````');
    expect(body).toContain('the previous version of this preview keeps answering until a new one is ready');
    expect(body).toContain('| `shop-pr-2` | ❌ Failed; the previous version answers |');
  });

  test('a gateway that refused the credentials is not "out of reach"', () => {
    const body = failure('gateway', { kind: 'credentials', target: 'gateway' }, {});
    expect(body).toContain('failed: the OpenFaaS gateway refused the credentials.');
    expect(body).not.toMatch(/could not reach/);
    expect(body).toMatch(/\*\*What to do:\*\* check the `gateway-username` and `gateway-password` inputs/);
    expect(failure('gateway', { kind: 'unreachable', target: 'gateway' }, {})).toContain(
      'failed: could not reach the OpenFaaS gateway.',
    );
  });

  test('a missing bucket says to check the bucket input', () => {
    expect(failure('state', { kind: 'bucket-missing' })).toContain('**What to do:** check the `bucket` input');
  });

  test('times are absolute, in UTC, in a human form', () => {
    expect(humanTime('2026-12-07T08:15:59.999Z')).toBe('7 Dec 2026, 08:15 UTC');
    expect(humanTime('not a date')).toBe('not a date');
  });

  test('torn down lists what was removed, sleeping and refused say what to do', () => {
    const torn = renderComment({
      state: 'torn-down',
      name: 'shop-pr-2',
      runUrl: 'r',
      time: 't',
      reason: 'PR #2 was closed',
      removed: ['the function `shop-pr-2`', '3 static assets'],
    });
    expect(torn).toMatch(/torn down: PR #2 was closed/);
    expect(torn).toContain('Removed:\n- the function `shop-pr-2`\n- 3 static assets');
    expect(
      renderComment({ state: 'torn-down', name: 'shop-pr-2', runUrl: 'r', time: 't', reason: 'x', removed: [] }),
    ).toContain('Nothing of it was left to remove.');
    const sleeping = renderComment({
      state: 'sleeping',
      name: 'shop-pr-2',
      url: facts.url,
      runUrl: 'r',
      time: 't',
      idleFor: '2h',
    });
    expect(sleeping).toMatch(/asleep.*2h/);
    expect(sleeping).toMatch(/push a commit or re-run/);
    const refused = renderComment({
      state: 'refused',
      ...refusal,
      limit: 2,
      used: 2,
      holders: [
        { name: 'shop-pr-1', pr: 1, functions: 1 },
        { name: 'shop-pr-5', pr: 5, functions: 1 },
      ],
    });
    expect(refused).toMatch(/already has 2 previews on this gateway and the limit is 2 \(input `max-previews`\)/);
    expect(refused).toContain('- #1 (`shop-pr-1`)');
    expect(refused).toContain('- #5 (`shop-pr-5`)');
  });

  test('a Community Edition refusal counts functions: used of the cap, what the preview needs, whose they are', () => {
    // Issue 23, measured on faasd-ce: a two-function stack and 13 other functions; the old text said "14 … 13".
    const body = renderComment({
      state: 'refused',
      ...refusal,
      limit: 15,
      used: 15,
      needed: 2,
      holders: [{ name: 'shop-pr-1', pr: 1, functions: 2 }],
      foreign: 13,
      why: 'community-edition',
    });
    expect(body).toContain(
      'runs 15 of the 15 functions it allows, and this preview needs 2 free slots (one per function). Every function counts: 2 of the 15 are previews of this repository, 13 are not.',
    );
    expect(body).toContain('- #1 (`shop-pr-1`, 2 functions)');
  });
});

describe('making room on a full Community Edition gateway (issue 23)', () => {
  test('an evicted preview says for which PR, how long it was idle, and how it wakes', () => {
    const view = {
      state: 'sleeping' as const,
      name: 'shop-pr-2',
      url: facts.url,
      runUrl: 'r',
      time: 't',
      idleFor: '2h',
      madeRoomFor: 7,
    };
    const body = renderComment(view);
    expect(body).toContain('is asleep: it was put to sleep to make room for #7');
    expect(body).toContain('nobody had called it for 2h');
    expect(body).toMatch(/push a commit or re-run/);
    expect(renderComment({ ...view, wake: { seconds: 3 } })).toMatch(/wakes on the next visit/);
  });

  test('a refusal after trying names when each holder was last used and why it stays', () => {
    const body = renderComment({
      state: 'refused',
      ...refusal,
      why: 'community-edition',
      limit: 15,
      used: 15,
      needed: 1,
      foreign: 13,
      holders: [
        {
          name: 'shop-pr-1',
          pr: 1,
          functions: 2,
          lastUsedAt: '2026-03-01T11:55:00Z',
          stays: 'used less than idle-after (30m) ago',
        },
      ],
    });
    expect(body).toContain(
      '- #1 (`shop-pr-1`, 2 functions): last used 1 Mar 2026, 11:55 UTC; used less than idle-after (30m) ago',
    );
    expect(body).toMatch(/is put to sleep to make room for a new one, least recently used first/);
  });
});

describe('the sleeping comment', () => {
  const base = {
    state: 'sleeping' as const,
    name: 'shop-pr-2',
    url: 'https://shop-pr-2.preview.example.com',
    runUrl: 'r',
    time: 't',
    idleFor: '2h',
  };
  test('with the waker: wakes on the next visit, and roughly how long the last deploy took', () => {
    expect(renderComment({ ...base, wake: { seconds: 7 } })).toMatch(
      /It wakes on the next visit to https:\/\/shop-pr-2\.preview\.example\.com: .* \(its last deploy took about 7s\); pages load at once/,
    );
    expect(renderComment({ ...base, wake: {} })).not.toMatch(/took about/);
  });
  test('without it: push or re-run', () => {
    expect(renderComment(base)).toMatch(/push a commit or re-run the preview workflow/);
  });
});

/**
 * Every state × first deploy / update × provider × one function / a stack, each sentence held against the facts it
 * was rendered from: no comment may contradict itself or the run.
 */
describe('every comment is true of its facts', () => {
  // Addresses the run keeps out of public text, quoted by the errors below the way gateway errors quote them.
  internal.add('gateway', 'http://10.1.2.3:8080');
  internal.add('registry', 'registry.internal:5000');
  const GATEWAY_ERROR = 'GET http://10.1.2.3:8080/system/function/shop-pr-2: no answer; image registry.internal:5000/x';

  const hello = (rebuilt: boolean): FunctionFacts => ({
    name: 'shop-pr-2-hello',
    route: '/fn/hello',
    image: 'registry.internal:5000/acme/hello:pr-2-ec26c3e',
    backend: rebuilt ? { how: 'built', digest: 'c'.repeat(64) } : { how: 'reused', digest: 'c'.repeat(64), since: OLD },
  });

  interface Case {
    label: string;
    view: CommentView;
    existed: boolean;
    provider: 'faasd' | 'faas-netes';
    stack: boolean;
    rebuilt: boolean;
  }

  const STEPS: FailedStep[] = ['stack', 'gateway', 'state', 'build', 'image', 'data', 'deploy', 'readiness', 'assets'];
  const TROUBLES = (step: FailedStep, provider: 'faasd' | 'faas-netes', fns: string[]): Trouble[] => [
    { kind: 'step', step },
    { kind: 'credentials', target: 'gateway' },
    { kind: 'unreachable', target: 'gateway' },
    { kind: 'timeout', target: 'gateway' },
    { kind: 'permission', need: 'pull-requests: write' },
    { kind: 'bucket-missing' },
    { kind: 'image-pull' },
    { kind: 'never-ready', provider, functions: fns, namespace: 'openfaas-fn' },
    { kind: 'input', input: 'builder' },
  ];

  // What the undo of a failed first deploy's data step may have done (commands/preview-data.ts).
  const UNDONE: [string, DataUndo | undefined][] = [
    ['all removed', { removed: { database: 'shop_pr_2', secrets: ['shop-pr-2-api-key'] }, left: { secrets: [] } }],
    ['database left', { removed: { secrets: ['shop-pr-2-api-key'] }, left: { database: 'shop_pr_2', secrets: [] } }],
    [
      'all left',
      {
        removed: { secrets: [] },
        left: { database: 'shop_pr_2', secrets: ['shop-pr-2-api-key', 'shop-pr-2-database-url'] },
      },
    ],
    ['nothing created', { removed: { secrets: [] }, left: { secrets: [] } }],
    ['database kept', { removed: { secrets: ['shop-pr-2-api-key'] }, left: { secrets: [] }, kept: 'shop_pr_2' }],
    ['undo unknown', undefined],
  ];

  /** The facts a failure at `step` may come with: gone or not, functions already updated, what the undo did. */
  function befores(step: FailedStep, existed: boolean, stack: boolean): { label: string; facts: Partial<Before> }[] {
    if (step === 'data' && !existed)
      return UNDONE.map(([label, undone]) => ({ label: `, ${label}`, facts: undone ? { undone } : {} }));
    if (!existed || (step !== 'deploy' && step !== 'readiness')) return [{ label: '', facts: {} }];
    const out: { label: string; facts: Partial<Before> }[] = [];
    for (const gone of [false, true])
      for (const updated of step === 'deploy' ? (stack ? [0, 1] : [0]) : [undefined])
        out.push({
          label: `${gone ? ', gone' : ''}${updated ? `, ${updated} updated before` : ''}`,
          facts: { gone, ...(updated === undefined ? {} : { updated }) },
        });
    return out;
  }

  /**
   * Whether the previous version still runs after a failure, from the facts alone: untouched before the gateway is
   * written to; faas-netes rolls; faasd replaces a function only when the gateway accepts its update, so a deploy
   * request refused (401) or that never reached it changed nothing, and one left unanswered may or may not have.
   */
  function previousRuns(
    v: Extract<CommentView, { state: 'failed' }>,
    provider: 'faasd' | 'faas-netes',
  ): 'yes' | 'no' | 'maybe' | 'partly' {
    const b = v.before;
    if (!b.existed || b.gone || v.step === 'assets') return 'no';
    if (!['deploy', 'readiness'].includes(v.step) || provider === 'faas-netes') return 'yes';
    if (v.step === 'readiness') return 'no';
    if (v.trouble.kind === 'timeout') return 'maybe';
    if (v.trouble.kind !== 'credentials' && v.trouble.kind !== 'unreachable') return 'no';
    return b.updated === 0 ? 'yes' : 'partly';
  }

  function cases(): Case[] {
    const out: Case[] = [];
    for (const existed of [false, true])
      for (const provider of ['faasd', 'faas-netes'] as const)
        for (const stack of [false, true])
          for (const rebuilt of existed && stack ? [false, true] : [true]) {
            const functions = stack ? [fn, hello(rebuilt)] : [fn];
            const names = functions.map((f) => f.name);
            const label = `${existed ? 'update' : 'first deploy'}, ${provider}, ${stack ? `stack${rebuilt ? '' : ' (hello reused)'}` : 'one function'}`;
            const proof: ReadyCheck['proof'] = !existed ? 'new-function' : provider === 'faasd' ? 'replaced' : 'header';
            const checks = functions.map((f) =>
              check(proof, { name: f.name, sha: f.backend?.how === 'reused' ? OLD : facts.sha }),
            );
            const add = (view: CommentView, what: string) =>
              out.push({ label: `${what}, ${label}`, view, existed, provider, stack, rebuilt });
            add({ state: 'building', ...facts, existed, staticFiles: true }, 'building');
            add(
              { state: 'ready', ...facts, checks, functions, assets: { uploaded: 1, skipped: 0, deleted: 0 } },
              'ready',
            );
            if (existed && provider === 'faas-netes')
              add(
                { state: 'rolling-out', ...facts, checks: checks.map((c) => ({ ...c, proof: 'unproven' })), functions },
                'rolling-out',
              );
            for (const step of STEPS)
              for (const trouble of TROUBLES(step, provider, names))
                for (const before of befores(step, existed, stack))
                  add(
                    {
                      state: 'failed',
                      ...facts,
                      step,
                      error: GATEWAY_ERROR,
                      trouble,
                      before: { existed, provider, earlyUploads: step === 'assets' ? 0 : 2, ...before.facts },
                    },
                    `failed at ${step} (${trouble.kind}${before.label})`,
                  );
          }
    return out;
  }

  test.each(cases().map((c) => [c.label, c] as const))('%s', (_label, c) => {
    const body = renderComment(c.view);
    const [top] = body.split('<details>');
    // Only the preview and the run are linked or named by address: never the gateway or the registry.
    for (const url of body.match(/https?:\/\/[^\s)`|]+/g) ?? [])
      expect(url.startsWith(facts.url) || url.startsWith(facts.runUrl)).toBe(true);
    expect(body).not.toMatch(/10\.1\.2\.3|registry\.internal/);
    // A first deploy has no previous version to speak of.
    if (!c.existed) expect(body).not.toMatch(/previous/i);
    // A function rebuilt is never summed up as "unchanged"; what was reused is said in the details only.
    expect(top).not.toMatch(/unchanged|not rebuilt/);
    if (c.rebuilt) expect(body).not.toMatch(/not rebuilt/);
    // A provider's behaviour is only claimed for that provider.
    if (c.provider === 'faasd') expect(body).not.toMatch(/faas-netes rolls|keeps answering until/);
    if (c.provider === 'faas-netes') expect(body).not.toMatch(/faasd replaces|faasd runs one version/);
    // One row per function, one "What to do" per failure.
    const rows = top.split('\n').filter((l) => /^\| `shop-pr-2/.test(l));
    expect(rows).toHaveLength(
      c.view.state === 'ready' || c.view.state === 'rolling-out'
        ? c.stack
          ? 2
          : 1
        : c.view.state === 'failed'
          ? 1
          : 0,
    );
    if (c.view.state === 'failed') {
      expect(body.match(/\*\*What to do:\*\*/g)).toHaveLength(1);
      if (c.view.trouble.kind === 'credentials') expect(body).not.toMatch(/could not reach/);
      if (c.view.trouble.kind === 'never-ready')
        expect(body).toContain(
          c.provider === 'faasd' ? 'journalctl -t openfaas-fn:' : 'kubectl logs -n openfaas-fn deploy/',
        );
      // Nothing answering is never linked as a preview to visit.
      if (/nothing answers/.test(top)) expect(top).not.toContain('Visit preview');
      // The previous version is said to run, to be gone, or not known to be, as the facts say.
      const runs = previousRuns(c.view, c.provider);
      if (runs === 'yes') {
        expect(top).toContain('| ❌ Failed; the previous version answers |');
        expect(body).not.toMatch(/nothing answers|no longer runs|may still run/);
      }
      if (runs === 'maybe' || runs === 'partly') {
        expect(top).toContain('| ❌ Failed |');
        expect(body).not.toMatch(/nothing answers|previous version of this preview (still runs|no longer runs)/);
      }
      if (runs === 'maybe' && c.view.before.updated === 0) expect(body).toContain('may still run');
      if (runs === 'partly') expect(body).toContain('faasd replaced 1 function of this preview');
      // A first deploy's data says "removed" only of what was removed, and "starts clean" only when nothing is left.
      if (c.view.step === 'data' && !c.existed) {
        const u = c.view.before.undone;
        const removedPhrases = body.match(/[^.:;]* (?:was|were) removed/g) ?? [];
        const left = u ? [...u.left.secrets, ...(u.left.database ? [u.left.database] : [])] : [];
        const removed = u ? [...u.removed.secrets, ...(u.removed.database ? [u.removed.database] : [])] : [];
        if (!removed.length) expect(removedPhrases).toEqual([]);
        for (const name of removed) expect(removedPhrases.join('\n')).toContain(`\`${name}\``);
        for (const name of left) {
          expect(removedPhrases.join('\n')).not.toContain(name);
          expect(body).toMatch(new RegExp(`\`${name}\`[^.]* could not be removed`));
        }
        if (left.length) expect(body).toMatch(/the teardown removes (it|them) then, or the sweeper/);
        if (!u || left.length || u.kept) expect(body).not.toMatch(/starts clean/);
        else expect(body).toMatch(/starts clean/);
      }
    }
    if (c.view.state === 'rolling-out') expect(body).not.toMatch(/✅|is ready/);
  });
});
