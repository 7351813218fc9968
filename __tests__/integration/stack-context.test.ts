/**
 * Build contexts of stack functions (src/stack/context.ts, templates.ts, git.ts) on the real filesystem, with real
 * git for templates fetched from a LOCAL repository (file:// inside the workspace: nothing leaves this machine),
 * and one context of each kind built for real with buildah and pushed to a local docker-registry.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildImage } from '../../src/image/build.js';
import type { BuildSettings } from '../../src/settings.js';
import { prepareBuild, type BuildContext } from '../../src/stack/context.js';
import { StackError } from '../../src/stack/errors.js';
import { loadStack, type Stack } from '../../src/stack/parse.js';
import { Templates } from '../../src/stack/templates.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { describeWith, freePort, waitFor } from '../../test/support/tools.js';

const FIXTURE = path.resolve('test/fixtures/stack/template/scratch-text');
const SECRET = 'RUNNER-SECRET-NOT-FOR-IMAGES';

// root/ws is the workspace; root/outside holds what a link in the pull request must never bring in.
const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'stack-context-')));
const ws = path.join(root, 'ws');
const tmp = path.join(root, 'tmp');
const outside = path.join(root, 'outside');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, content: string): void {
  mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  writeFileSync(path.join(ws, rel), content);
}

/** Every regular file of a tree, relative, with its content; links as `-> target`. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel))) {
      const r = path.join(rel, entry);
      const st = lstatSync(path.join(dir, r));
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(path.join(dir, r))}`;
      else if (st.isDirectory()) walk(r);
      else out[r] = readFileSync(path.join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

const STACK = `version: 1.0
provider:
  name: openfaas
functions:
  api:
    lang: dockerfile
    handler: ./api
    image: \${REGISTRY:-ghcr.io/acme}/stack-api
    build_args:
      STAGE: preview
  hello:
    lang: scratch-text
    handler: ./hello
    image: \${REGISTRY:-ghcr.io/acme}/stack-hello
    build_options: [docs]
configuration:
  copy:
    - shared
`;

beforeAll(() => {
  mkdirSync(tmp);
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.txt'), SECRET);
  write('app/stack.yml', STACK);
  write('app/api/Dockerfile', 'FROM scratch\nARG STAGE=none\nLABEL stage="${STAGE}"\nCOPY . /home/app/\n');
  write('app/api/handler.txt', 'api handler');
  write('app/api/build/stale.txt', 'faas-cli output, never copied');
  write('app/api/template/x.txt', 'never copied');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'app/api/leak.txt'));
  write('app/hello/handler.txt', 'hello handler');
  write('app/hello/more/data.txt', 'nested');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'app/hello/leak.txt'));
  write('app/shared/common.txt', 'shared by every function');
  cpSync(FIXTURE, path.join(ws, 'app/template/scratch-text'), { recursive: true });
});

function load(file = 'app/stack.yml', env: Record<string, string> = {}): Stack {
  return loadStack({ file, workspace: ws, env });
}

async function prepared(
  stack: Stack,
  fn: string,
  templates = new Templates(stack, { tmp }),
  buildArgs?: Record<string, string>,
): Promise<BuildContext> {
  return prepareBuild(
    stack,
    stack.functions.find((f) => f.name === fn)!,
    templates,
    { tmp, buildArgs },
  );
}

describe('contexts from the workspace', () => {
  test('lang dockerfile: the handler directory without build/ and template/, plus the copy paths, links kept as links', async () => {
    const stack = load();
    const ctx = await prepared(stack, 'api');
    try {
      expect(path.dirname(ctx.context)).toBe(tmp);
      expect(ctx.dockerfile).toBe(path.join(ctx.context, 'Dockerfile'));
      expect(tree(ctx.context)).toEqual({
        Dockerfile: readFileSync(path.join(ws, 'app/api/Dockerfile'), 'utf8'),
        'handler.txt': 'api handler',
        'leak.txt': `-> ${path.join(outside, 'secret.txt')}`,
        'shared/common.txt': 'shared by every function',
      });
      expect(ctx.buildArgs).toEqual({ STAGE: 'preview' });
      expect(ctx.fprocess).toBeUndefined();
    } finally {
      await ctx.cleanup();
    }
    expect(existsSync(ctx.context)).toBe(false);
  });

  test('a template lang: template/<lang>/ with the handler overlaid into function/, build options as ADDITIONAL_PACKAGE', async () => {
    const stack = load();
    const ctx = await prepared(stack, 'hello', undefined, { STAGE: 'from-the-action', ADDITIONAL_PACKAGE: 'git' });
    try {
      expect(tree(ctx.context)).toEqual({
        Dockerfile: readFileSync(path.join(FIXTURE, 'Dockerfile'), 'utf8'),
        'template.yml': readFileSync(path.join(FIXTURE, 'template.yml'), 'utf8'),
        'template.txt': 'from the scratch-text template\n',
        'function/handler.txt': 'hello handler',
        'function/more/data.txt': 'nested',
        'function/leak.txt': `-> ${path.join(outside, 'secret.txt')}`,
        'function/shared/common.txt': 'shared by every function',
      });
      expect(ctx.buildArgs).toEqual({ STAGE: 'from-the-action', ADDITIONAL_PACKAGE: 'man-pages less git' });
      expect(ctx.fprocess).toBe('cat /home/app/function/handler.txt');
    } finally {
      await ctx.cleanup();
    }
  });

  test("the action's build args override the stack's build_args", async () => {
    const ctx = await prepared(load(), 'api', undefined, { STAGE: 'ci' });
    await ctx.cleanup();
    expect(ctx.buildArgs).toEqual({ STAGE: 'ci' });
  });

  test('a missing template: the error names the function and gives the one-line fix', async () => {
    write('missing/stack.yml', STACK.replace('scratch-text', 'node20').replace(/configuration:[\s\S]*/, ''));
    write('missing/hello/handler.js', '');
    write('missing/api/Dockerfile', 'FROM scratch\n');
    const stack = load('missing/stack.yml');
    await expect(prepared(stack, 'hello')).rejects.toThrow(
      new StackError(
        { file: 'missing/stack.yml', fn: 'hello', field: 'lang' },
        "template 'node20' is not in missing/template/node20 and no configuration.templates entry named 'node20' has a source; run `faas-cli template store pull node20` next to stack.yml and commit template/node20",
      ).message,
    );
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('a template without a Dockerfile, or a Dockerfile that is a link, is refused and leaves nothing behind', async () => {
    cpSync(FIXTURE, path.join(ws, 'nodock/template/scratch-text'), { recursive: true });
    rmSync(path.join(ws, 'nodock/template/scratch-text/Dockerfile'));
    write('nodock/stack.yml', STACK.replace(/configuration:[\s\S]*/, ''));
    write('nodock/hello/handler.txt', 'x');
    write('nodock/api/x.txt', 'x');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'nodock/api/Dockerfile'));
    const stack = load('nodock/stack.yml');
    await expect(prepared(stack, 'hello')).rejects.toThrow(
      "function 'hello', field 'lang': template scratch-text has no Dockerfile at its top",
    );
    await expect(prepared(stack, 'api')).rejects.toThrow(
      "function 'api', field 'lang': the handler nodock/api has a Dockerfile that is not a regular file (a link or a directory)",
    );
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('a template linked out of the workspace is refused', async () => {
    mkdirSync(path.join(outside, 'evil-template'));
    mkdirSync(path.join(ws, 'linked/template'), { recursive: true });
    symlinkSync(path.join(outside, 'evil-template'), path.join(ws, 'linked/template/scratch-text'));
    write('linked/stack.yml', STACK.replace(/configuration:[\s\S]*/, ''));
    write('linked/hello/handler.txt', 'x');
    write('linked/api/Dockerfile', 'FROM scratch\n');
    const stack = load('linked/stack.yml');
    await expect(prepared(stack, 'hello')).rejects.toThrow(
      "function 'hello', field 'lang': 'template/scratch-text' resolves through a symbolic link to",
    );
  });

  test('skip_build functions have no context', async () => {
    write(
      'skip/stack.yml',
      'provider: {name: openfaas}\nfunctions:\n  db:\n    lang: dockerfile\n    skip_build: true\n    image: docker.io/library/postgres:16\n',
    );
    const stack = load('skip/stack.yml');
    await expect(prepareBuild(stack, stack.functions[0], new Templates(stack))).rejects.toThrow(
      'function db has skip_build: true; deploy docker.io/library/postgres:16 without building it',
    );
  });
});

const { describe: withGit } = describeWith(['git']);

withGit('templates fetched with git from configuration.templates (a local repository)', () => {
  const repo = path.join(ws, 'vendor/templates');
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args],
      { cwd: repo, stdio: 'pipe' },
    );
  const logs: string[] = [];

  beforeAll(() => {
    cpSync(FIXTURE, path.join(repo, 'template/scratch-text'), { recursive: true });
    writeFileSync(path.join(repo, 'template/scratch-text/template.txt'), 'v1\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'v1');
    git('tag', 'v1');
    writeFileSync(path.join(repo, 'template/scratch-text/template.txt'), 'v2\n');
    git('commit', '-q', '-am', 'v2');
    write('fetch/hello/handler.txt', 'hello');
    write('fetch/other/handler.txt', 'other');
  });

  function stackWith(source: string): Stack {
    write(
      'fetch/stack.yml',
      `provider: {name: openfaas}\nfunctions:\n  hello:\n    lang: scratch-text\n    handler: hello\n    image: ghcr.io/acme/hello\n  other:\n    lang: scratch-text\n    handler: other\n    image: ghcr.io/acme/other\nconfiguration:\n  templates:\n    - name: node20\n    - name: scratch-text\n      source: ${source}\n`,
    );
    return load('fetch/stack.yml');
  }

  test('pinned with #<tag>: that version, cloned once for every function, removed by cleanup()', async () => {
    const stack = stackWith(`file://${repo}#v1`);
    const templates = new Templates(stack, { tmp, log: (l) => logs.push(l) });
    const hello = await prepared(stack, 'hello', templates);
    const other = await prepared(stack, 'other', templates);
    try {
      expect(readFileSync(path.join(hello.context, 'template.txt'), 'utf8')).toBe('v1\n');
      expect(readFileSync(path.join(other.context, 'function/handler.txt'), 'utf8')).toBe('other');
      expect(existsSync(path.join(hello.context, '.git'))).toBe(false);
      expect(logs).toEqual([`Fetching templates from file://${repo}#v1`]);
    } finally {
      await Promise.all([hello.cleanup(), other.cleanup()]);
      await templates.cleanup();
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('without a ref: the default branch', async () => {
    const stack = stackWith(`file://${repo}`);
    const templates = new Templates(stack, { tmp });
    const ctx = await prepared(stack, 'hello', templates);
    expect(readFileSync(path.join(ctx.context, 'template.txt'), 'utf8')).toBe('v2\n');
    await ctx.cleanup();
    await templates.cleanup();
  });

  test('a template in the workspace wins over the source, as faas-cli never overwrites one', async () => {
    cpSync(FIXTURE, path.join(ws, 'fetch/template/scratch-text'), { recursive: true });
    try {
      const stack = stackWith(`file://${repo}#v1`);
      const templates = new Templates(stack, { tmp, log: (l) => logs.push(l) });
      const before = logs.length;
      const ctx = await prepared(stack, 'hello', templates);
      expect(readFileSync(path.join(ctx.context, 'template.txt'), 'utf8')).toBe('from the scratch-text template\n');
      expect(logs.length).toBe(before);
      await ctx.cleanup();
      await templates.cleanup();
    } finally {
      rmSync(path.join(ws, 'fetch/template'), { recursive: true });
    }
  });

  test.each([
    ['an unknown tag', () => `file://${repo}#v9`, "field 'configuration.templates.1.source': git clone of file://"],
    [
      'a repository outside the workspace',
      () => `file://${outside}`,
      "field 'configuration.templates.1.source': 'file://",
    ],
    [
      'a transport git must never run',
      () => 'ext::sh -c id',
      "field 'configuration.templates.1.source': 'ext::sh -c id' is not a git URL",
    ],
  ])('%s is refused at the source field', async (_what, source, problem) => {
    const stack = stackWith(source());
    const templates = new Templates(stack, { tmp });
    await expect(prepared(stack, 'hello', templates)).rejects.toThrow(problem);
    await templates.cleanup();
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('a repository without the template names what it lacks', async () => {
    const stack = stackWith(`file://${repo}`);
    const other = { ...stack, templates: [{ name: 'node20', source: `file://${repo}` }] };
    const templates = new Templates(other, { tmp });
    await expect(prepareBuild(other, { ...stack.functions[0], lang: 'node20' }, templates)).rejects.toThrow(
      `function 'hello', field 'lang': template 'node20' is not in file://${repo}: it has no template/node20`,
    );
    await templates.cleanup();
  });

  describe('remote failures (127.0.0.1 only)', () => {
    let silent: Server;
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      // Accepts connections and never answers: a hung remote.
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.resume();
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    test("a hung clone is stopped at the timeout, with its transport helper; the URL's credentials never shown", async () => {
      const port = (silent.address() as AddressInfo).port;
      const stack = stackWith(`http://user:s3cret-token@127.0.0.1:${port}/templates.git`);
      const templates = new Templates(stack, { tmp, cloneTimeoutMs: 2000 });
      await expect(prepared(stack, 'hello', templates)).rejects.toThrow(
        new StackError(
          { file: 'fetch/stack.yml', field: 'configuration.templates.1.source' },
          `git clone of http://***@127.0.0.1:${port}/templates.git did not finish within 2 s and was stopped`,
        ).message,
      );
      await templates.cleanup();
      // The killed process group held the only connection.
      await waitFor(async () => sockets.size === 0, "the clone's connection to close");
    }, 20_000);

    test("a refused connection: git's own message, redacted", async () => {
      const port = await freePort();
      const stack = stackWith(`http://user:s3cret-token@127.0.0.1:${port}/templates.git#main`);
      const templates = new Templates(stack, { tmp });
      const err = (await prepared(stack, 'hello', templates).catch((e: Error) => e)) as Error;
      expect(err.message).toMatch(
        new RegExp(
          `git clone of http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/templates\\.git#main failed \\(exit code 128\\): .*127\\.0\\.0\\.1`,
        ),
      );
      expect(err.message).not.toContain('s3cret-token');
      await templates.cleanup();
    }, 20_000);
  });
});

const { describe: withBuildah } = describeWith(['buildah', 'docker-registry']);

withBuildah('the prepared contexts build for real (buildah, local registry)', () => {
  let registry: Registry;

  beforeAll(async () => {
    registry = await startRegistry();
  }, 30_000);

  afterAll(async () => {
    await registry?.close();
  });

  /** Builds and pushes a prepared context; the pushed image's config and every file of its layers. */
  async function build(fn: string, stack = load('app/stack.yml', { REGISTRY: `${registry.host}/acme` })) {
    const ctx = await prepared(stack, fn);
    const repository = stack.functions.find((f) => f.name === fn)!.image;
    const settings: BuildSettings = {
      builder: 'buildah',
      context: ctx.context,
      dockerfile: ctx.dockerfile,
      buildArgs: ctx.buildArgs,
      repository,
      prebuiltImage: '',
      registryUsername: registry.username,
      registryPassword: registry.password,
      registryInsecure: true,
      deleteImage: false,
      rebuild: 'always',
    };
    try {
      await buildImage(settings, `${repository}:pr-4-abcdef1`, { parent: { ...process.env, ...registry.buildahEnv } });
    } finally {
      await ctx.cleanup();
    }
    const image = await registry.image(repository.slice(registry.host.length + 1), 'pr-4-abcdef1');
    const layers = Buffer.concat(image.layers.map((l) => gunzipSync(l)));
    return { labels: image.config.config?.Labels ?? {}, layers: layers.toString('latin1') };
  }

  test("a template function: the template's files, the handler in function/, the build option packages", async () => {
    const { labels, layers } = await build('hello');
    expect(labels).toMatchObject({
      'com.openfaas.template': 'scratch-text',
      'com.openfaas.template.packages': 'man-pages less',
    });
    expect(layers).toContain('home/app/template.txt');
    expect(layers).toContain('home/app/function/more/data.txt');
    expect(layers).toContain('hello handler');
    expect(layers).not.toContain('the template default handler');
    // The link went in as a link: its target's content never did.
    expect(layers).toContain(path.join(outside, 'secret.txt'));
    expect(layers).not.toContain(SECRET);
  }, 120_000);

  test('a dockerfile function: its own Dockerfile, its build args', async () => {
    const { labels, layers } = await build('api');
    expect(labels).toMatchObject({ stage: 'preview' });
    expect(layers).toContain('api handler');
    expect(layers).toContain('shared by every function');
    expect(layers).not.toContain('faas-cli output, never copied');
    expect(layers).not.toContain(SECRET);
  }, 120_000);

  test('examples/stack: both functions build as the README shows them', async () => {
    const repo = realpathSync(path.resolve('.'));
    const example = loadStack({
      file: 'examples/stack/stack.yml',
      workspace: repo,
      env: { REGISTRY: `${registry.host}/acme` },
      registry: `${registry.host}/acme`,
    });
    expect(example.functions.map((f) => [f.name, f.lang, f.image])).toEqual([
      ['api', 'dockerfile', `${registry.host}/acme/stack-api`],
      ['hello', 'scratch-text', `${registry.host}/acme/stack-hello`],
    ]);
    expect(example.functions[1].environment).toEqual({ MESSAGE: 'hello from the stack example' });
    const api = await build('api', example);
    expect(api.layers).toContain('the api function of the stack example');
    const hello = await build('hello', example);
    expect(hello.labels).toMatchObject({ 'com.openfaas.template.packages': 'man-pages less' });
    expect(hello.layers).toContain('built from the scratch-text template');
  }, 120_000);
});
