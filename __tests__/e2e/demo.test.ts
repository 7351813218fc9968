/**
 * `npm run demo` on a bare machine (issue 13): a PATH without nginx, HAProxy, buildah, docker-registry, docker or
 * podman, so the demo must fall back to its stand-ins (the node edge, builder none) and still go opened →
 * synchronize → sweep (asleep) → a visit wakes it → closed. The PATH keeps everything else this machine has (sh,
 * PostgreSQL's psql when installed): only the tools the issue names are taken away.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../../test/support/action.js';
import { freePort } from '../../test/support/tools.js';

const TAKEN_AWAY = new Set(['nginx', 'haproxy', 'buildah', 'docker-registry', 'docker', 'dockerd', 'podman']);

/** A directory of links to every program on PATH but the ones taken away. */
function barePath(dir: string): string {
  for (const folder of (process.env.PATH ?? '').split(':').filter((d) => d && existsSync(d))) {
    for (const name of readdirSync(folder)) {
      if (TAKEN_AWAY.has(name) || existsSync(path.join(dir, name))) continue;
      symlinkSync(path.join(folder, name), path.join(dir, name));
    }
  }
  return dir;
}

function runDemo(env: NodeJS.ProcessEnv, port: number): Promise<{ code: number | null; out: string }> {
  const tsx = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, 'scripts/demo.ts', '--once', '--port', String(port)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('npm run demo on a machine without nginx, HAProxy, buildah, docker-registry, docker or podman', () => {
  let dir: string;
  let demo: { code: number | null; out: string };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-bare-path-'));
    demo = await runDemo({ HOME: process.env.HOME, PATH: barePath(dir) }, await freePort());
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('it completes', () => {
    expect({ code: demo.code, tail: demo.code === 0 ? '' : demo.out.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(demo.out).toContain('Done: opened → synchronize → sweep (asleep) → a visit wakes it → closed.');
  });

  test('it says which stand-ins it used', () => {
    expect(demo.out).toMatch(/edge {6}stand-in \(node\)/);
    expect(demo.out).toMatch(/registry {2}none {3,}builder: none/);
  });

  test('the sweeper put the preview to sleep and the next visit woke it through the edge and the waker', () => {
    expect(demo.out).toMatch(/hello-world-pr-7 \(PR #7\): sleep: idle for 2h/);
    expect(demo.out).toContain('functions on the gateway: 0; the pages stay in the bucket');
    expect(demo.out).toMatch(
      /waker: \S+ wake preview=hello-world-pr-7 functions=hello-world-pr-7 created=1 outcome=awake/,
    );
    const visit = demo.out.slice(demo.out.indexOf('── a visit'));
    expect(visit).toMatch(/GET \/api\/hello → 200/);
  });

  test('closing the PR left nothing behind', () => {
    expect(demo.out).toContain('bucket keys left under hello-world-pr-7/: 0; functions on the gateway: 0');
  });
});
