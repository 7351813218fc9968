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

describe('renderComment', () => {
  test('every state starts with the marker, so the next run finds and edits it', () => {
    const views = [
      renderComment({ state: 'deployed', ...facts }),
      renderComment({ state: 'failed', ...facts, error: 'boom' }),
      renderComment({ state: 'torn-down', name: facts.name, runUrl: facts.runUrl, time: facts.time, reason: 'PR #2 was merged' }),
      renderComment({ state: 'sleeping', name: facts.name, url: facts.url, runUrl: facts.runUrl, time: facts.time, idleFor: '30m' }),
      renderComment({ state: 'refused', name: facts.name, runUrl: facts.runUrl, time: facts.time, limit: 1, holders: [{ name: 'shop-pr-1', pr: 1 }] }),
    ];
    for (const body of views) expect(body.startsWith('<!-- faas-preview:shop-pr-2 -->\n')).toBe(true);
  });

  test('deployed shows URL, commit, image, function, time and the run link', () => {
    const body = renderComment({ state: 'deployed', ...facts, assets: { uploaded: 3, skipped: 10, deleted: 1 } });
    expect(body).toContain('**https://shop-pr-2.preview.example.com**');
    expect(body).toContain('| Commit | `ec26c3e` |');
    expect(body).toContain('| Image | `ghcr.io/acme/shop:pr-2-ec26c3e` |');
    expect(body).toContain('| Function | `shop-pr-2` |');
    expect(body).toContain('| Deployed | 2026-11-23T20:00:00.000Z |');
    expect(body).toContain('3 uploaded, 10 unchanged, 1 removed');
    expect(body).toContain('(https://github.com/acme/shop/actions/runs/7)');
  });

  test('an error message cannot break the markdown out of its quote', () => {
    const body = renderComment({ state: 'failed', ...facts, error: 'line1\n# heading | `code`' });
    expect(body).toContain("> line1 # heading \\| 'code'");
  });

  test('torn down, sleeping and refused say what happened and what to do', () => {
    expect(renderComment({ state: 'torn-down', name: 'shop-pr-2', runUrl: 'r', time: 't', reason: 'PR #2 was closed' })).toMatch(/torn down: PR #2 was closed/);
    const sleeping = renderComment({ state: 'sleeping', name: 'shop-pr-2', url: facts.url, runUrl: 'r', time: 't', idleFor: '2h' });
    expect(sleeping).toMatch(/asleep.*2h/);
    expect(sleeping).toMatch(/push a commit or re-run/);
    const refused = renderComment({ state: 'refused', name: 'shop-pr-2', runUrl: 'r', time: 't', limit: 2, holders: [{ name: 'shop-pr-1', pr: 1 }, { name: 'shop-pr-5', pr: 5 }] });
    expect(refused).toMatch(/limit is 2/);
    expect(refused).toContain('- #1 (`shop-pr-1`)');
    expect(refused).toContain('- #5 (`shop-pr-5`)');
  });
});
