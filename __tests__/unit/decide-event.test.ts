import { describe, expect, test } from '@jest/globals';
import { commandFor, deployGuard, runGuard, UnsupportedEventError } from '../../src/decide/event.js';

describe('commandFor', () => {
  test.each([
    ['pull_request', 'opened', 'deploy'],
    ['pull_request', 'reopened', 'deploy'],
    ['pull_request', 'synchronize', 'deploy'],
    ['pull_request', 'closed', 'teardown'],
    ['pull_request_target', 'synchronize', 'deploy'],
    ['pull_request_target', 'closed', 'teardown'],
    ['schedule', undefined, 'sweep'],
    ['workflow_dispatch', undefined, 'sweep'],
  ])('%s.%s → %s', (eventName, action, command) => {
    expect(commandFor({ eventName, action }, undefined, undefined)).toEqual({ kind: 'run', command });
  });

  test('other PR actions have nothing to do', () => {
    expect(commandFor({ eventName: 'pull_request', action: 'assigned' }, undefined, undefined)).toMatchObject({
      kind: 'skip',
    });
  });

  test('labeled deploys only when the added label is the gate label', () => {
    expect(
      commandFor({ eventName: 'pull_request', action: 'labeled', addedLabel: 'preview' }, undefined, 'preview'),
    ).toEqual({ kind: 'run', command: 'deploy' });
    expect(
      commandFor({ eventName: 'pull_request', action: 'labeled', addedLabel: 'bug' }, undefined, 'preview'),
    ).toMatchObject({ kind: 'skip' });
    expect(
      commandFor({ eventName: 'pull_request', action: 'labeled', addedLabel: 'preview' }, undefined, undefined),
    ).toMatchObject({ kind: 'skip' });
  });

  test('an explicit command wins over the event', () => {
    expect(commandFor({ eventName: 'push' }, 'sweep', undefined)).toEqual({ kind: 'run', command: 'sweep' });
  });

  test('unsupported events say what is supported', () => {
    expect(() => commandFor({ eventName: 'push' }, undefined, undefined)).toThrow(UnsupportedEventError);
    expect(() => commandFor({ eventName: 'push' }, undefined, undefined)).toThrow(/pull_request.*schedule.*command/);
  });
});

describe('runGuard (before any input is enforced)', () => {
  const base = { baseRepo: 'acme/shop', headRepo: 'acme/shop', actor: 'octocat', hasGatewaySecret: true };

  test('same-repository PRs and events without a PR go on', () => {
    expect(runGuard({ ...base, eventName: 'pull_request' })).toBeUndefined();
    expect(runGuard({ ...base, eventName: 'schedule', headRepo: undefined })).toBeUndefined();
  });

  test('a fork under pull_request is skipped with a notice whatever the action, closed included', () => {
    const d = runGuard({ ...base, eventName: 'pull_request', headRepo: 'mallory/shop', hasGatewaySecret: false });
    expect(d).toMatchObject({ kind: 'skip', level: 'notice' });
    expect(d?.reason).toMatch(/fork 'mallory\/shop'.*no secrets.*neither deployed nor torn down/);
    expect(runGuard({ ...base, eventName: 'pull_request', headRepo: '' })?.reason).toMatch(/fork '\(deleted\)'/);
  });

  test('a fork under pull_request_target is left to the deploy guard (it has secrets)', () => {
    expect(runGuard({ ...base, eventName: 'pull_request_target', headRepo: 'mallory/shop' })).toBeUndefined();
  });

  test('Dependabot without the gateway secret skips; with Dependabot secrets it runs', () => {
    expect(
      runGuard({ ...base, eventName: 'pull_request', actor: 'dependabot[bot]', hasGatewaySecret: false })?.reason,
    ).toMatch(/Dependabot secrets/);
    expect(
      runGuard({
        ...base,
        eventName: 'pull_request',
        actor: 'octocat',
        prAuthor: 'dependabot[bot]',
        hasGatewaySecret: false,
      }),
    ).toMatchObject({ kind: 'skip' });
    expect(
      runGuard({ ...base, eventName: 'pull_request', actor: 'dependabot[bot]', hasGatewaySecret: true }),
    ).toBeUndefined();
  });
});

describe('deployGuard', () => {
  const base = { baseRepo: 'acme/shop', headRepo: 'acme/shop', labels: [], allowForkBuilds: false };

  test('same-repository PRs deploy', () => {
    expect(deployGuard({ ...base, eventName: 'pull_request' })).toEqual({ kind: 'run', command: 'deploy' });
  });

  test('a fork under pull_request_target is refused unless allow-fork-builds', () => {
    expect(deployGuard({ ...base, eventName: 'pull_request_target', headRepo: 'mallory/shop' })).toMatchObject({
      kind: 'skip',
      level: 'warning',
    });
    expect(
      deployGuard({ ...base, eventName: 'pull_request_target', headRepo: 'mallory/shop', allowForkBuilds: true }),
    ).toEqual({ kind: 'run', command: 'deploy' });
  });

  test('a deleted fork (no head repo) counts as a fork', () => {
    expect(deployGuard({ ...base, eventName: 'pull_request_target', headRepo: '' })).toMatchObject({ kind: 'skip' });
  });

  test('the label gate', () => {
    expect(deployGuard({ ...base, eventName: 'pull_request', gateLabel: 'preview' })).toMatchObject({ kind: 'skip' });
    expect(deployGuard({ ...base, eventName: 'pull_request', gateLabel: 'preview', labels: ['preview'] })).toEqual({
      kind: 'run',
      command: 'deploy',
    });
  });
});
