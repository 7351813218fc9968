/**
 * A guide cannot rot (issue 20): every command in the ```sh blocks of docs/one-host.md and docs/kubernetes.md is run
 * by the test test/support/guide-commands.ts names for it (a test that takes the command from the guide with
 * `guideCommands('<id>')`, so it runs what the guide says), or marked in its block with `# not run by a test: <why>`.
 * A new command in a guide that is neither fails here. The checker also runs on edited copies of a guide, so it is
 * shown to report what it looks for.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../test/support/action.js';
import { GUIDES, RUN_BY, commandsOf, type GuideCommand } from '../../test/support/guide-commands.js';

const runners = Object.entries(RUN_BY);

/** Each command: run by exactly one entry of RUN_BY, or marked not run with a reason of a few words, not both. */
function commandProblems(commands: GuideCommand[]): string[] {
  const problems: string[] = [];
  for (const c of commands) {
    const where = `${c.guide}: sh block ${c.block}: '${c.text}'`;
    const by = runners.filter(([, r]) => r.guide === c.guide && r.match.test(c.text)).map(([id]) => id);
    if (c.notRun !== undefined) {
      if (c.notRun.split(/\s+/).filter(Boolean).length < 3) problems.push(`${where}: marked not run without a reason`);
      if (by.length) problems.push(`${where}: marked not run, but ${by.join(', ')} runs it`);
    } else if (by.length === 0)
      problems.push(`${where}: neither run by a test (RUN_BY) nor marked '# not run by a test: <why>'`);
    else if (by.length > 1) problems.push(`${where}: claimed by ${by.join(' and ')}`);
  }
  return problems;
}

/** Each entry: covers a command of its guide, and its test exists and takes the commands from the guide by its id. */
function runnerProblems(): string[] {
  const problems: string[] = [];
  for (const [id, r] of runners) {
    const covered = commandsOf(r.guide).filter((c) => r.match.test(c.text));
    if (covered.length === 0) problems.push(`${id}: matches no command of ${r.guide}`);
    const file = path.join(ROOT, r.test);
    if (!existsSync(file)) {
      problems.push(`${id}: ${r.test} does not exist`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    if (r.test === '.ci/run') {
      // What every CI run does: each part of the command is a line of the script.
      for (const c of covered)
        for (const part of c.text.split(' && '))
          if (!new RegExp(`^${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').test(text))
            problems.push(`${id}: .ci/run does not run '${part}'`);
    } else if (!text.includes(`guideCommands('${id}')`))
      problems.push(`${id}: ${r.test} does not take the commands from the guide (guideCommands('${id}'))`);
  }
  return problems;
}

describe('every command of the guides is run by a test, or marked as not run with why', () => {
  test.each(GUIDES)('%s', (guide) => {
    const commands = commandsOf(guide);
    expect(commands.length).toBeGreaterThan(3);
    expect(commandProblems(commands)).toEqual([]);
  });

  test('every entry of the list covers a command, and names a test that takes it from the guide', () => {
    expect(runnerProblems()).toEqual([]);
  });

  test('what each guide leaves unrun, and why', () => {
    // The exact list: a command that moves from run to not run (or back) shows up here.
    const unrun = GUIDES.flatMap((g) => commandsOf(g))
      .filter((c) => c.notRun !== undefined)
      .map((c) => `${c.guide}: ${c.text.split(' ').slice(0, 3).join(' ')}`);
    expect(unrun).toEqual([
      'docs/kubernetes.md: kubectl apply -f',
      'docs/kubernetes.md: helm repo add',
      'docs/kubernetes.md: helm upgrade openfaas',
      'docs/kubernetes.md: kubectl -n ingress-nginx',
      'docs/kubernetes.md: kubectl apply -n',
      'docs/kubernetes.md: kubectl -n faas-preview',
      'docs/kubernetes.md: kubectl apply -n',
      'docs/kubernetes.md: docker build -f',
      'docs/kubernetes.md: docker push ghcr.io/OWNER/faas-preview-waker:VERSION',
      'docs/kubernetes.md: kubectl apply -n',
      'docs/kubernetes.md: kubectl apply -n',
      'docs/kubernetes.md: kubectl apply -n',
    ]);
  });
});

describe('the checker reports what it looks for', () => {
  const guide = 'docs/kubernetes.md';
  const text = readFileSync(path.join(ROOT, guide), 'utf8');
  const edit = (from: string, to: string) => {
    expect(text).toContain(from);
    return commandProblems(commandsOf(guide, text.replace(from, to)));
  };

  test('a new command no test runs and no mark covers', () => {
    expect(
      edit('kubectl create namespace faas-preview\n', 'kubectl create namespace faas-preview\nkubectl get pods\n'),
    ).toEqual([
      `${guide}: sh block 3: 'kubectl get pods': neither run by a test (RUN_BY) nor marked '# not run by a test: <why>'`,
    ]);
  });

  test('a mark ends at a blank line: the command after it is unmarked', () => {
    expect(
      edit(
        '# not run by a test: it needs a cluster\nkubectl -n ingress-nginx get service ingress-nginx-controller\n',
        '# not run by a test: it needs a cluster\n\nkubectl -n ingress-nginx get service ingress-nginx-controller\n',
      ),
    ).toEqual([
      `${guide}: sh block 2: 'kubectl -n ingress-nginx get service ingress-nginx-controller': neither run by a test (RUN_BY) nor marked '# not run by a test: <why>'`,
    ]);
  });

  test('a mark without a reason, and a mark on a command a test runs', () => {
    const problems = edit(
      'kubectl create namespace faas-preview\n',
      '# not run by a test\nkubectl create namespace faas-preview\n',
    );
    expect(problems).toEqual([
      `${guide}: sh block 3: 'kubectl create namespace faas-preview': marked not run without a reason`,
      `${guide}: sh block 3: 'kubectl create namespace faas-preview': marked not run, but kubernetes namespace and DNS token runs it`,
      `${guide}: sh block 3: 'kubectl -n faas-preview create secret generic dns-api-token --from-literal=api-token=YOUR-DNS-API-TOKEN': marked not run without a reason`,
      `${guide}: sh block 3: 'kubectl -n faas-preview create secret generic dns-api-token --from-literal=api-token=YOUR-DNS-API-TOKEN': marked not run, but kubernetes namespace and DNS token runs it`,
    ]);
  });

  test('continuation lines make one command', () => {
    const helm = commandsOf(guide).find((c) => c.text.startsWith('helm upgrade'))!;
    expect(helm.text).toBe(
      'helm upgrade openfaas --install openfaas/openfaas --namespace openfaas --set functionNamespace=openfaas-fn --set generateBasicAuth=true --set exposeServices=false',
    );
  });
});
