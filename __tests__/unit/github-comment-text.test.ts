import { describe, expect, test } from '@jest/globals';
import { renderComment } from '../../src/github/comment-text.js';

const facts = {
  name: 'shop-pr-2',
  url: 'https://shop-pr-2.preview.example.com',
  sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  image: 'ghcr.io/acme/shop:pr-2-ec26c3e',
  runUrl: 'https://github.com/acme/shop/actions/runs/7',
  time: '2026-11-23T20:00:00.000Z',
};
const evidence = 'GET http://gw/function/shop-pr-2/ answered 200 from ec26c3e (x-faas-preview-sha)';
const refusal = {
  name: facts.name,
  runUrl: facts.runUrl,
  time: facts.time,
  limit: 1,
  holders: [{ name: 'shop-pr-1', pr: 1 }],
  foreign: 0,
  why: 'max-previews' as const,
};

describe('renderComment', () => {
  test('every state starts with the marker, so the next run finds and edits it', () => {
    const views = [
      renderComment({ state: 'ready', ...facts, evidence }),
      renderComment({ state: 'rolling-out', ...facts, evidence }),
      renderComment({ state: 'failed', ...facts, step: 'build', error: 'boom', previous: 'p' }),
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

  test('ready shows URL, commit, image, function, what was checked, time and the run link', () => {
    const body = renderComment({
      state: 'ready',
      ...facts,
      evidence,
      assets: { uploaded: 3, skipped: 10, deleted: 1 },
    });
    expect(body).toContain('is ready: **https://shop-pr-2.preview.example.com**');
    expect(body).toContain('| Commit | `ec26c3e` |');
    expect(body).toContain('| Image | `ghcr.io/acme/shop:pr-2-ec26c3e` |');
    expect(body).toContain('| Function | `shop-pr-2` |');
    expect(body).toContain(`| Checked | \`${evidence}\` |`);
    expect(body).toContain('| Deployed | 2026-11-23T20:00:00.000Z |');
    expect(body).toContain('3 uploaded, 10 unchanged, 1 removed');
    expect(body).toContain('(https://github.com/acme/shop/actions/runs/7)');
  });

  test('rolling out never says ready', () => {
    const body = renderComment({ state: 'rolling-out', ...facts, evidence });
    expect(body).not.toMatch(/is ready|ready at/i);
    expect(body).toMatch(/of `ec26c3e` is deployed and rolling out/);
    expect(body).toMatch(/previous version may still answer/);
  });

  test('a failure names the step, quotes the error inert, and says what is true of the previous version', () => {
    const body = renderComment({
      state: 'failed',
      ...facts,
      step: 'readiness',
      error: 'line1\n```\n@team <img src=x> [x](https://evil.example)',
      previous: 'The previous version keeps answering.',
    });
    expect(body).toContain('deployed the function, but it did not become ready for commit `ec26c3e`');
    expect(body).toContain('````text\nline1\n```\n@team <img src=x> [x](https://evil.example)\n````');
    expect(body).toContain('The previous version keeps answering.');
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
      holders: [
        { name: 'shop-pr-1', pr: 1 },
        { name: 'shop-pr-5', pr: 5 },
      ],
    });
    expect(refused).toMatch(/limit is 2/);
    expect(refused).toContain('- #1 (`shop-pr-1`)');
    expect(refused).toContain('- #5 (`shop-pr-5`)');
  });

  test('a Community Edition refusal counts the functions that are not previews', () => {
    const body = renderComment({
      state: 'refused',
      ...refusal,
      limit: 15,
      holders: [{ name: 'shop-pr-1', pr: 1 }],
      foreign: 14,
      why: 'community-edition',
    });
    expect(body).toMatch(
      /already runs 15 functions, its limit is 15, and 14 of them are not previews of this repository/,
    );
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
