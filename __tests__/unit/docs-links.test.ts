/**
 * The documentation stays true to the repository (issue 20): the README stays a landing page (a size budget), every
 * relative link and `#anchor` in README.md and docs/*.md points at a file or heading that exists (GitHub's anchor
 * rules), every `with:` key shown for this action is one of action.yml's inputs, and every workflow, in a code block
 * or in .github/workflows, parses as YAML. The checkers are run on a broken in-memory fixture too, so they are shown
 * to report what they look for.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parse, parseDocument } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The README is a landing page; everything else lives in docs/. 15 KiB, in bytes of UTF-8. */
const README_BUDGET_BYTES = 15 * 1024;

/** What the checkers read: files by repository path (posix, relative to the root). */
interface Repo {
  read(file: string): string | undefined;
  exists(file: string): boolean;
}

const disk: Repo = {
  read: (file) => (existsSync(path.join(ROOT, file)) ? readFileSync(path.join(ROOT, file), 'utf8') : undefined),
  exists: (file) => existsSync(path.join(ROOT, file)),
};

/** `overlay` in front of the repository on disk. */
function withFiles(overlay: Record<string, string>): Repo {
  return {
    read: (file) => overlay[file] ?? disk.read(file),
    exists: (file) => file in overlay || disk.exists(file),
  };
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The text with fenced code blocks blanked (lines kept, so line numbers stay right). */
function outsideFences(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const open = FENCE.exec(line);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length && line.trim() === open[1])
        fence = undefined;
      return '';
    }
    if (open) {
      fence = open[1];
      return '';
    }
    return line;
  });
}

/** Inline code spans blanked: a link written inside backticks is an example, not a link. */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)[\s\S]*?\1/g, (span) => ' '.repeat(span.length));
}

/** GitHub's heading anchor: the rendered text, lowercased, punctuation dropped, spaces to '-'. */
function slug(heading: string): string {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/\*(.+?)\*/g, '$1');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a markdown file offers: its headings' slugs (repeats get -1, -2 …) and explicit ids. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of outsideFences(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1]);
  }
  return out;
}

/** The link targets of a markdown file, outside code: inline links and images, reference definitions, href/src. */
function linkTargets(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  outsideFences(text).forEach((raw, i) => {
    const line = withoutCodeSpans(raw);
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      out.push({ line: i + 1, target: m[1] });
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line);
    if (definition) out.push({ line: i + 1, target: definition[1] });
    for (const m of line.matchAll(/\b(?:href|src)="([^"]+)"/g)) out.push({ line: i + 1, target: m[1] });
  });
  return out;
}

/** Broken relative links and anchors of `file`, one line each. */
function linkProblems(file: string, repo: Repo): string[] {
  const text = repo.read(file);
  if (text === undefined) return [`${file}: does not exist`];
  const problems: string[] = [];
  for (const { line, target } of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
    const where = `${file}:${line}: '${target}'`;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    let resolved = file;
    if (pathPart) {
      resolved = path.posix.normalize(
        pathPart.startsWith('/') ? pathPart.slice(1) : path.posix.join(path.posix.dirname(file), pathPart),
      );
      if (resolved.startsWith('..')) {
        problems.push(`${where} leaves the repository`);
        continue;
      }
      resolved = resolved.replace(/\/$/, '');
      if (!repo.exists(resolved)) {
        problems.push(`${where}: ${resolved} does not exist`);
        continue;
      }
    }
    if (anchor === undefined || !resolved.endsWith('.md')) continue;
    const offered = anchors(repo.read(resolved) ?? '');
    if (!offered.has(anchor)) problems.push(`${where}: ${resolved} has no heading with the anchor #${anchor}`);
  }
  return problems;
}

/** The YAML code blocks of a markdown file, with the line each starts on and its indentation removed. */
function yamlBlocks(text: string): { line: number; body: string; indented: boolean }[] {
  const out: { line: number; body: string; indented: boolean }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*(yaml|yml)\s*$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j].trim() !== open[2]; j++) body.push(lines[j]);
    const content = body.filter((l) => l.trim() !== '');
    const indent = Math.min(...content.map((l) => l.length - l.trimStart().length));
    const own = open[1].length;
    out.push({
      line: i + 2,
      body: body.map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n'),
      indented: indent > own,
    });
    i = j;
  }
  return out;
}

/** This action as a workflow step names it: the published action, or `./` in this repository. */
const isThisAction = (uses: unknown) => typeof uses === 'string' && /^(faas-preview\/faas-preview@|\.\/?$)/.test(uses);

/** Problems of one parsed workflow: its shape, and every `with:` key of this action's steps. */
function workflowProblems(where: string, workflow: Record<string, any>, inputs: Set<string>): string[] {
  const problems: string[] = [];
  if (!('on' in workflow) && !('true' in workflow)) problems.push(`${where}: a workflow without 'on'`);
  if (typeof workflow.jobs !== 'object' || workflow.jobs === null) return [...problems, `${where}: no 'jobs'`];
  for (const [id, job] of Object.entries<any>(workflow.jobs)) {
    if (!job?.['runs-on'] && !job?.uses) problems.push(`${where}: job '${id}' has no 'runs-on'`);
    if (job?.steps !== undefined && !Array.isArray(job.steps)) problems.push(`${where}: job '${id}': steps is no list`);
    problems.push(...stepProblems(`${where}: job '${id}'`, job?.steps ?? [], inputs));
  }
  return problems;
}

function stepProblems(where: string, steps: any[], inputs: Set<string>): string[] {
  const problems: string[] = [];
  for (const step of steps) {
    if (!isThisAction(step?.uses)) continue;
    for (const key of Object.keys(step.with ?? {}))
      if (!inputs.has(key)) problems.push(`${where}: 'with: ${key}' is not an input of action.yml`);
  }
  return problems;
}

/**
 * The YAML blocks of a markdown file: each must parse; a workflow (it has `jobs`) must look like one and give this
 * action only real inputs; a list of steps likewise; an indented fragment (lines copied from inside `with:`) may
 * hold input names only.
 */
function yamlProblems(file: string, text: string, inputs: Set<string>): string[] {
  const problems: string[] = [];
  for (const block of yamlBlocks(text)) {
    const where = `${file}:${block.line}`;
    const doc = parseDocument(block.body);
    if (doc.errors.length) {
      problems.push(`${where}: YAML does not parse: ${doc.errors[0].message.split('\n')[0]}`);
      continue;
    }
    const value = doc.toJS() as unknown;
    if (isMap(doc.contents) && value && typeof value === 'object' && 'jobs' in value)
      problems.push(...workflowProblems(where, value as Record<string, any>, inputs));
    else if (isSeq(doc.contents)) problems.push(...stepProblems(where, value as any[], inputs));
    else if (isMap(doc.contents) && block.indented)
      for (const key of Object.keys(value as object))
        if (!inputs.has(key)) problems.push(`${where}: '${key}' is not an input of action.yml`);
  }
  return problems;
}

const inputs = new Set(Object.keys((parse(disk.read('action.yml')!) as { inputs: object }).inputs));
const markdown = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const workflows = readdirSync(path.join(ROOT, '.github/workflows'))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => `.github/workflows/${f}`);

describe('README.md and docs/', () => {
  test(`the README stays a landing page: at most ${README_BUDGET_BYTES} bytes`, () => {
    expect(Buffer.byteLength(disk.read('README.md')!, 'utf8')).toBeLessThanOrEqual(README_BUDGET_BYTES);
  });

  test('the README links into every page of docs/', () => {
    const readme = disk.read('README.md')!;
    const missing = markdown.filter((f) => f.startsWith('docs/') && !readme.includes(`](${f}`));
    expect(missing).toEqual([]);
  });

  test.each(markdown)('%s: every relative link and anchor points at something that exists', (file) => {
    expect(linkProblems(file, disk)).toEqual([]);
  });

  test.each(markdown)('%s: YAML blocks parse, and give the action real inputs only', (file) => {
    expect(yamlProblems(file, disk.read(file)!, inputs)).toEqual([]);
  });

  test.each(workflows)('%s parses as a workflow, and gives the action real inputs only', (file) => {
    const doc = parseDocument(disk.read(file)!);
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    expect(workflowProblems(file, doc.toJS(), inputs)).toEqual([]);
  });

  test('the quick start grants what its GHCR push needs', () => {
    const quickStart = yamlBlocks(disk.read('README.md')!).find((b) => b.body.includes('jobs:'))!;
    const workflow = parse(quickStart.body);
    expect(workflow.permissions).toMatchObject({ packages: 'write', 'pull-requests': 'write', deployments: 'write' });
    const own = parse(disk.read('.github/workflows/preview.yml')!);
    expect(own.permissions).toMatchObject({ packages: 'write', 'pull-requests': 'write', deployments: 'write' });
  });
});

describe('the checkers report what they look for', () => {
  const repo = withFiles({
    'docs/fixture.md': [
      '# Fixture',
      '## Same name',
      '## Same name',
      'Fine: [here](#fixture), [twice](#same-name-1), [other](fixture-other.md#what-ready-means), [code](../src/main.ts).',
      'Broken: [gone](no-such-page.md), [anchor](#nowhere), [far anchor](fixture-other.md#not-there).',
      'Not a link: `[x](missing.md)`.',
      '```md',
      '[inside a fence](missing-too.md)',
      '```',
    ].join('\n'),
    'docs/fixture-other.md': '# Other\n\n## What "ready" means\n',
  });

  test('broken links and anchors, and nothing else', () => {
    expect(linkProblems('docs/fixture.md', repo)).toEqual([
      "docs/fixture.md:5: 'no-such-page.md': docs/no-such-page.md does not exist",
      "docs/fixture.md:5: '#nowhere': docs/fixture.md has no heading with the anchor #nowhere",
      "docs/fixture.md:5: 'fixture-other.md#not-there': docs/fixture-other.md has no heading with the anchor #not-there",
    ]);
  });

  test("GitHub's anchors", () => {
    expect(slug('Several functions: `stack-file`')).toBe('several-functions-stack-file');
    expect(slug("3. The life of a preview's state in the bucket")).toBe('3-the-life-of-a-previews-state-in-the-bucket');
    expect(slug('What "ready" means')).toBe('what-ready-means');
    expect(slug('Edge router and TLS')).toBe('edge-router-and-tls');
  });

  test('a misspelt input, a fragment with a wrong key, a workflow that does not parse', () => {
    const text = [
      '```yaml',
      'on: push',
      'jobs:',
      '  preview:',
      '    runs-on: ubuntu-24.04',
      '    steps:',
      '      - uses: faas-preview/faas-preview@v1',
      '        with:',
      '          static-directory: site',
      '          gateway-url: https://gateway.example.com',
      '```',
      '```yaml',
      '          database: postgres',
      '          databse-url: x',
      '```',
      '```yaml',
      'jobs: [',
      '```',
    ].join('\n');
    const problems = yamlProblems('fixture.md', text, inputs);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe("fixture.md:2: job 'preview': 'with: static-directory' is not an input of action.yml");
    expect(problems[1]).toBe("fixture.md:13: 'databse-url' is not an input of action.yml");
    expect(problems[2]).toMatch(/^fixture\.md:17: YAML does not parse/);
  });
});
