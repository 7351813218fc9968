/**
 * `npm run demo`, twice:
 *
 * - on a bare machine (issue 13): a PATH without nginx, HAProxy, buildah, docker-registry, docker or podman, so the
 *   demo must fall back to its stand-ins (the node edge, builder none), skip the private part saying why, and still
 *   go opened → synchronize → sweep (asleep) → a visit wakes it → closed. The PATH keeps everything else this
 *   machine has (sh, PostgreSQL's psql when installed): only the tools the issue names are taken away.
 * - with nginx (issue 19): the protected part, run as a person would, without --once: while the demo waits for
 *   Enter, the test makes its own requests to the private preview (anonymous, signed in through the emulated
 *   GitHub, with the share link the demo printed, with the bypass header), then presses Enter and the demo tears
 *   the PR down. The gate's secrets are given to the demo so that its output can be searched for them.
 *
 * Both runs must read cleanly (issue 20): no line saying "Error:" and no AWS SDK warning about the Node version.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../../test/support/action.js';
import { findLeaks, secretForms } from '../../test/support/leaks.js';
import { describeWith, freePort } from '../../test/support/tools.js';
import { Visitor, signInWithGitHub, type Reply } from '../../test/support/visitor.js';

const TAKEN_AWAY = new Set(['nginx', 'haproxy', 'buildah', 'docker-registry', 'docker', 'dockerd', 'podman']);
const DONE = 'Done: opened → synchronize → sweep (asleep) → a visit wakes it → closed.';
const PUSHED = '8b7e6d5';

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

interface DemoRun {
  child: ChildProcessWithoutNullStreams;
  out(): string;
  /** Resolves once the output contains `text`; rejects if the demo exits first. */
  printed(text: string): Promise<void>;
  exited: Promise<number | null>;
}

/** The demo as `npm run demo` runs it, on the bundle under test (FAAS_PREVIEW_DIST, as the other e2e tests). */
function startDemo(env: NodeJS.ProcessEnv, args: string[]): DemoRun {
  const tsx = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
  const dist = process.env.FAAS_PREVIEW_DIST ? { FAAS_PREVIEW_DIST: process.env.FAAS_PREVIEW_DIST } : {};
  const child = spawn(process.execPath, [tsx, 'scripts/demo.ts', ...args], { cwd: ROOT, env: { ...env, ...dist } });
  let out = '';
  const waiting = new Set<() => void>();
  const collect = (d: Buffer) => {
    out += d.toString();
    waiting.forEach((check) => check());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => out.includes(text) && (waiting.delete(check), resolve());
      waiting.add(check);
      check();
      void exited.then((code) => reject(new Error(`the demo exited (${code}) before printing '${text}':\n${out}`)));
    });
  return { child, out: () => out, printed, exited };
}

/** Lines that look like trouble in a run where nothing failed. */
function noise(out: string): string[] {
  return out
    .split('\n')
    .filter((l) => /(^|\s)error:/i.test(l) || /NodeVersionSupportWarning|AWS SDK for JavaScript/.test(l));
}

describe('npm run demo on a machine without nginx, HAProxy, buildah, docker-registry, docker or podman', () => {
  let dir: string;
  let out: string;
  let code: number | null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-bare-path-'));
    const demo = startDemo({ HOME: process.env.HOME, PATH: barePath(dir) }, [
      '--once',
      '--port',
      `${await freePort()}`,
    ]);
    code = await demo.exited;
    out = demo.out();
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('it completes', () => {
    expect({ code, tail: code === 0 ? '' : out.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(out).toContain(DONE);
  });

  test('it says which stand-ins it used, and that the private part needs nginx', () => {
    expect(out).toMatch(/edge {6}stand-in \(node\)/);
    expect(out).toMatch(/registry {2}none {3,}builder: none/);
    expect(out).toMatch(/── private previews: skipped \(the sign-in gate needs nginx's auth_request/);
  });

  test('the sweeper put the preview to sleep and the next visit woke it through the edge and the waker', () => {
    expect(out).toMatch(/hello-world-pr-7 \(PR #7\): sleep: idle for 2h/);
    expect(out).toContain('functions on the gateway: 0; the pages stay in the bucket');
    expect(out).toMatch(/waker: \S+ wake preview=hello-world-pr-7 functions=hello-world-pr-7 created=1 outcome=awake/);
    const visit = out.slice(out.indexOf('── a visit'));
    expect(visit).toMatch(/GET \/api\/hello → 200/);
  });

  test('closing the PR left nothing behind', () => {
    expect(out).toContain('bucket keys left under hello-world-pr-7/: 0; functions on the gateway: 0');
  });

  test('it reads cleanly: no error line, no AWS SDK warning about the Node version', () => {
    expect(noise(out)).toEqual([]);
  });
});

const { describe: withNginx } = describeWith(['nginx']);

/** What the test's own visitors got from the private preview while the demo waited. */
interface Probes {
  anonymousApi: Reply;
  anonymousPage: Reply;
  signedIn: Reply;
  signedInApi: Reply;
  shareOpened: Reply;
  shareCookies: string[];
  sharedPage: Reply;
  sharedApi: Reply;
  bypass: Reply;
  wrongBypass: Reply;
}

async function probe(home: string, link: string, bypass: string): Promise<Probes> {
  const anonymous = new Visitor();
  const alice = new Visitor();
  const guest = new Visitor();
  const tool = new Visitor();
  const anonymousApi = await anonymous.fetch(`${home}api/hello`);
  const anonymousPage = await anonymous.navigate(home);
  const signedIn = await signInWithGitHub(alice, home, 'alice');
  const signedInApi = await alice.fetch(`${home}api/hello`);
  const shareOpened = await guest.navigate(link);
  const shareCookies = guest.history.at(-1)!.set;
  const sharedPage = await guest.navigate(home);
  const sharedApi = await guest.fetch(`${home}api/hello`);
  const bypassed = await tool.fetch(`${home}api/hello`, { 'x-faas-preview-bypass': bypass });
  const wrongBypass = await tool.fetch(`${home}api/hello`, { 'x-faas-preview-bypass': `${bypass}x` });
  return {
    anonymousApi,
    anonymousPage,
    signedIn,
    signedInApi,
    shareOpened,
    shareCookies,
    sharedPage,
    sharedApi,
    bypass: bypassed,
    wrongBypass,
  };
}

const commitOf = (r: Reply) => /<code id="commit">([^<]*)<\/code>/.exec(r.body)?.[1];

withNginx('npm run demo with nginx: the preview behind the sign-in gate', () => {
  const secrets = {
    DEMO_GATE_KEY: `demo-test-gate-key-${randomBytes(24).toString('base64url')}`,
    DEMO_GITHUB_CLIENT_SECRET: `demo-test-client-secret-${randomBytes(24).toString('hex')}`,
    DEMO_BYPASS_TOKEN: `demo-test-bypass-${randomBytes(24).toString('base64url')}`,
  };
  let demo: DemoRun | undefined;
  let out: string;
  let code: number | null;
  let home: string;
  let link: string;
  let probes: Probes | Error;

  beforeAll(async () => {
    demo = startDemo({ HOME: process.env.HOME, PATH: process.env.PATH, ...secrets }, ['--port', `${await freePort()}`]);
    await demo.printed('Press Enter to close PR #7');
    home = /^Private: (\S+)$/m.exec(demo.out())?.[1] ?? '';
    link = /^ {4}the link: (\S+)$/m.exec(demo.out())?.[1] ?? '';
    probes = await probe(home, link, secrets.DEMO_BYPASS_TOKEN).catch((err: Error) => err);
    demo.child.stdin.write('\n');
    code = await demo.exited;
    out = demo.out();
  }, 240_000);

  afterAll(async () => {
    if (demo && demo.child.exitCode === null) {
      demo.child.kill('SIGINT');
      await demo.exited;
    }
  });

  const seen = (): Probes => {
    if (probes instanceof Error) throw probes;
    return probes;
  };

  test('it completes after Enter, the private part included', () => {
    expect({ code, tail: code === 0 ? '' : out.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(out).toContain(DONE);
    expect(home).toMatch(/^http:\/\/hello-world-pr-7\.private\.localhost:\d+\/$/);
  });

  test('an anonymous visitor is refused: 401 for a script, a redirect to sign in for a page', () => {
    const { anonymousApi, anonymousPage } = seen();
    expect(anonymousApi.status).toBe(401);
    expect(anonymousApi.body).not.toContain('hello-world-pr-7');
    expect(anonymousPage.status).toBe(302);
    expect(new URL(anonymousPage.location!).host).toBe(new URL(home).host.replace(/^hello-world-pr-7\./, 'login.'));
    expect(out).toMatch(/GET {2}http:\/\/hello-world-pr-7\.private\.localhost:\d+\/api\/hello → 401/);
    expect(out).toMatch(/GET {2}http:\/\/hello-world-pr-7\.private\.localhost:\d+\/ → 302 to http:\/\/login\./);
  });

  test('alice signs in through the emulated GitHub and gets the page and the API', () => {
    const { signedIn, signedInApi } = seen();
    expect([signedIn.url, signedIn.status, commitOf(signedIn)]).toEqual([home, 200, PUSHED]);
    expect(signedInApi.status).toBe(200);
    expect(out).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/authorize \(login=alice, authorize=1\) → 302/);
    expect(out).toMatch(/sets cookie faas-preview-session\n {4}GET {2}\S+ → 200 page of commit 8b7e6d5/);
  });

  test('the share link the demo printed opens the preview in a fresh cookie jar, without GitHub', () => {
    const { shareOpened, shareCookies, sharedPage, sharedApi } = seen();
    expect(link.startsWith(`${home}.faas-preview/s/`)).toBe(true);
    expect([shareOpened.status, shareOpened.location, shareCookies]).toEqual([302, home, ['faas-preview-share']]);
    expect([sharedPage.status, commitOf(sharedPage)]).toEqual([200, PUSHED]);
    expect(sharedApi.status).toBe(200);
  });

  test('the bypass header lets a tool in; a wrong one does not', () => {
    const { bypass, wrongBypass } = seen();
    expect([bypass.status, wrongBypass.status]).toEqual([200, 401]);
  });

  test('nothing secret is in its output: the signing key, client secret, bypass token, passwords or user tokens', () => {
    const forms = secretForms({ values: [...Object.values(secrets), 'demo-gateway-password'] });
    expect(findLeaks({ 'demo output': out }, forms)).toEqual([]);
    // Made inside the demo, so searched for by their shape: GitHub user tokens, the database admin's password.
    expect(out.match(/\bgh[ur]_[A-Za-z0-9]{20,}|demo-admin-[a-z0-9]+/g)).toBeNull();
  });

  test('it reads cleanly: no error line (buildah pushes its layer cache), no AWS SDK warning about Node', () => {
    expect(noise(out)).toEqual([]);
  });
});
