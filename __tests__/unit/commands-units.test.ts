/**
 * The functions of a preview (src/commands/units.ts) from settings parsed the way the action parses them: one unit
 * without a stack file; with one, a unit per selected function, named, routed, tagged and built as the edge and the
 * teardown expect.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stackNotes, unitsOf } from '../../src/commands/units.js';
import { parseSettings } from '../../src/inputs/parse.js';
import { Templates } from '../../src/stack/templates.js';
import { Secrets } from '../../src/text/secrets.js';
import { ROOT } from '../../test/support/action.js';

const ws = realpathSync(mkdtempSync(path.join(tmpdir(), 'stack-units-')));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const REGISTRY = '127.0.0.1:5000/acme';
const SHA = 'abcdef1' + '0'.repeat(33);
const PREVIEW = 'shop-pr-7';

mkdirSync(path.join(ws, 'fns/api'), { recursive: true });
mkdirSync(path.join(ws, 'fns/hello'), { recursive: true });
writeFileSync(path.join(ws, 'Dockerfile'), 'FROM scratch\n');
writeFileSync(path.join(ws, 'fns/api/Dockerfile'), 'FROM scratch\nARG GREETING\nLABEL greeting=$GREETING\n');
writeFileSync(path.join(ws, 'fns/hello/handler.txt'), 'hello\n');
cpSync(path.join(ROOT, 'test/fixtures/stack/template'), path.join(ws, 'fns/template'), { recursive: true });
writeFileSync(
  path.join(ws, 'fns/stack.yml'),
  `version: 1.0
provider:
  name: openfaas
functions:
  api:
    lang: dockerfile
    handler: ./api
    image: ${REGISTRY}/api:latest
    build_args:
      GREETING: from-the-stack
    environment:
      MODE: stack
    labels:
      team: shop
    annotations:
      owner: shop-team
    secrets: [api-key]
    limits:
      memory: 64Mi
  hello:
    lang: scratch-text
    handler: ./hello
    image: ${REGISTRY}/hello
    fprocess: cat /home/app/function/handler.txt
    requests:
      cpu: 50m
    readonly_root_filesystem: true
  tool:
    skip_build: true
    lang: dockerfile
    image: registry.example.com/tools/busybox:1.36
`,
);

const base: Record<string, string> = {
  'gateway-url': 'https://gw.example.com',
  'gateway-password': 'gw-secret',
  'preview-domain': 'preview.example.com',
  'github-token': 'ghs_x',
  builder: 'buildah',
  registry: REGISTRY,
};

function settings(inputs: Record<string, string>) {
  const all = { ...base, ...inputs };
  return parseSettings((name) => all[name] ?? '', {
    repository: 'acme/shop',
    workspace: ws,
    mask: () => undefined,
    secrets: new Secrets(),
    event: { name: 'pull_request', action: 'synchronize' },
  });
}

const units = (inputs: Record<string, string> = {}) => unitsOf(settings(inputs), PREVIEW, 7, SHA);
const stack = (inputs: Record<string, string> = {}) => units({ 'stack-file': 'fns/stack.yml', ...inputs });

describe('without a stack file', () => {
  test('one function: the preview itself at api-path, built from context/dockerfile and tagged pr-<n>-<sha7>', () => {
    const s = settings({ 'api-path': '/backend' });
    const [unit, ...rest] = unitsOf(s, PREVIEW, 7, SHA);
    expect(rest).toEqual([]);
    expect(unit).toEqual({
      fn: '',
      name: PREVIEW,
      route: '/backend',
      isDefault: true,
      tag: `${REGISTRY}/shop:pr-7-abcdef1`,
      build: s.build,
    });
  });

  test('builder none: the prebuilt image, nothing to build', () => {
    const [unit] = units({ builder: 'none', registry: '', image: 'ghcr.io/acme/shop:1.2.3' });
    expect(unit).toEqual({
      fn: '',
      name: PREVIEW,
      route: '/api',
      isDefault: true,
      tag: 'ghcr.io/acme/shop:1.2.3',
      build: undefined,
    });
  });
});

describe('with a stack file', () => {
  test('every function: the first is the default (<name> at api-path), the others <name>-<fn> under functions-path', () => {
    const all = stack();
    expect(all.map(({ fn, name, route, isDefault }) => ({ fn, name, route, isDefault }))).toEqual([
      { fn: 'api', name: PREVIEW, route: '/api', isDefault: true },
      { fn: 'hello', name: `${PREVIEW}-hello`, route: '/fn/hello', isDefault: false },
      { fn: 'tool', name: `${PREVIEW}-tool`, route: '/fn/tool', isDefault: false },
    ]);
  });

  test('default-function and functions-path choose the default and where the others answer', () => {
    const all = stack({ 'default-function': 'hello', 'functions-path': '/functions' });
    expect(all.map(({ name, route, isDefault }) => ({ name, route, isDefault }))).toEqual([
      { name: `${PREVIEW}-api`, route: '/functions/api', isDefault: false },
      { name: PREVIEW, route: '/api', isDefault: true },
      { name: `${PREVIEW}-tool`, route: '/functions/tool', isDefault: false },
    ]);
  });

  test('functions picks a subset; its first function is then the default', () => {
    expect(stack({ functions: 'tool, hello' }).map((u) => [u.fn, u.name])).toEqual([
      ['hello', PREVIEW],
      ['tool', `${PREVIEW}-tool`],
    ]);
  });

  test("each built function is tagged pr-<n>-<sha7> in its own repository, and built with the action's build settings there", () => {
    const s = settings({ 'stack-file': 'fns/stack.yml', 'build-args': 'GREETING=from-the-inputs', rebuild: 'always' });
    const [api, hello] = unitsOf(s, PREVIEW, 7, SHA);
    expect(api.tag).toBe(`${REGISTRY}/api:pr-7-abcdef1`);
    expect(hello.tag).toBe(`${REGISTRY}/hello:pr-7-abcdef1`);
    expect(api.build).toEqual({ ...s.build, repository: `${REGISTRY}/api` });
    expect(hello.build).toEqual({ ...s.build, repository: `${REGISTRY}/hello` });
    expect(api.build!.rebuild).toBe('always');
    expect(typeof api.context).toBe('function');
  });

  test("a function's build context is made on demand, with the action's build-args over the stack's", async () => {
    const s = settings({ 'stack-file': 'fns/stack.yml', 'build-args': 'GREETING=from-the-inputs' });
    const [api, hello] = unitsOf(s, PREVIEW, 7, SHA);
    const templates = new Templates(s.stack!.parsed!);
    const made = [await api.context!(templates), await hello.context!(templates)];
    try {
      expect(made[0].buildArgs).toEqual({ GREETING: 'from-the-inputs' });
      expect(made[1].fprocess).toBe('cat /home/app/function/handler.txt');
      expect(made.map((m) => path.basename(m.dockerfile))).toEqual(['Dockerfile', 'Dockerfile']);
    } finally {
      await Promise.all(made.map((m) => m.cleanup()));
      await templates.cleanup();
    }
  });

  test('skip_build: the image is deployed as the file writes it, without a build or a context', () => {
    const tool = stack().find((u) => u.fn === 'tool')!;
    expect(tool.tag).toBe('registry.example.com/tools/busybox:1.36');
    expect(tool.build).toBeUndefined();
    expect(tool.context).toBeUndefined();
  });

  test('builder none: every function deploys its image as written, none is built', () => {
    const all = stack({ builder: 'none', registry: '' });
    expect(all.map((u) => u.tag)).toEqual([
      `${REGISTRY}/api:latest`,
      `${REGISTRY}/hello`,
      'registry.example.com/tools/busybox:1.36',
    ]);
    expect(all.map((u) => [u.build, u.context])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });

  test('what the stack gives each spec: its env, labels, annotations, secrets, and only the resources and flags it sets', () => {
    const [api, hello, tool] = stack();
    expect(api.stackSpec).toEqual({
      envVars: { MODE: 'stack' },
      labels: { team: 'shop' },
      annotations: { owner: 'shop-team' },
      secrets: ['api-key'],
      limits: { memory: '64Mi' },
    });
    expect(hello.stackSpec).toEqual({
      envVars: {},
      labels: {},
      annotations: {},
      secrets: [],
      requests: { cpu: '50m' },
      readOnlyRootFilesystem: true,
      envProcess: 'cat /home/app/function/handler.txt',
    });
    expect(tool.stackSpec).toEqual({ envVars: {}, labels: {}, annotations: {}, secrets: [] });
  });
});

describe("a stack file the deploy cannot use is the PR's to fix", () => {
  test('the input checks pass, and the problem, naming the file, function and field, waits for the deploy to tell the PR', () => {
    writeFileSync(
      path.join(ws, 'fns/broken.yml'),
      `provider:\n  name: openfaas\nfunctions:\n  api:\n    lang: dockerfile\n    handler: ./api\n    image: ${REGISTRY}/api\n    limits:\n      memory: lots\n`,
    );
    const s = settings({ 'stack-file': 'fns/broken.yml' });
    expect(s.stack!.parsed).toBeUndefined();
    expect(s.stack!.problem).toMatch(
      /^input 'stack-file': stack file fns\/broken\.yml, function 'api', field 'limits\.memory': 'lots' is not/,
    );
  });

  test('a function the functions input names that the file lacks', () => {
    expect(settings({ 'stack-file': 'fns/stack.yml', functions: 'api,web' }).stack!.problem).toBe(
      "input 'stack-file': stack file fns/stack.yml, field 'functions': has no function 'web' (input 'functions'); the file has 'api', 'hello', 'tool'",
    );
  });

  test('teardown runs do not read the file at all', () => {
    const all: Record<string, string> = { ...base, 'stack-file': 'fns/missing.yml' };
    const s = parseSettings((name) => all[name] ?? '', {
      repository: 'acme/shop',
      workspace: ws,
      mask: () => undefined,
      secrets: new Secrets(),
      event: { name: 'pull_request', action: 'closed' },
    });
    expect(s.stack).toMatchObject({ file: 'fns/missing.yml' });
    expect(s.stack!.parsed).toBeUndefined();
    expect(s.stack!.problem).toBeUndefined();
  });
});

describe('stackNotes', () => {
  test('each ignored field, and a provider.gateway that is not gateway-url, one line each', () => {
    writeFileSync(
      path.join(ws, 'fns/notes.yml'),
      `provider:\n  name: openfaas\n  gateway: http://127.0.0.1:8080\nfunctions:\n  api:\n    lang: dockerfile\n    handler: ./api\n    image: ${REGISTRY}/api\n    namespace: staging\n    colour: blue\n`,
    );
    expect(stackNotes(settings({ 'stack-file': 'fns/notes.yml' }))).toEqual([
      "stack file fns/notes.yml, function 'api': unknown field 'colour' ignored (faas-cli ignores it too)",
      "stack file fns/notes.yml, function 'api', field 'namespace': ignored, a preview deploys into the action's namespace",
      "stack file fns/notes.yml, field 'provider.gateway': 'http://127.0.0.1:8080' is not used; the preview deploys to the gateway of input 'gateway-url'",
    ]);
  });

  test('the same gateway, or none, is not worth a line; nor is a preview without a stack', () => {
    writeFileSync(
      path.join(ws, 'fns/same.yml'),
      `provider:\n  name: openfaas\n  gateway: https://gw.example.com/\nfunctions:\n  api:\n    lang: dockerfile\n    handler: ./api\n    image: ${REGISTRY}/api\n`,
    );
    expect(stackNotes(settings({ 'stack-file': 'fns/same.yml' }))).toEqual([]);
    expect(stackNotes(settings({}))).toEqual([]);
  });
});
