/**
 * Parsing faas-cli stack files (src/stack/parse.ts): every field of a function, the defaults, substitution, the
 * subset, and every malformed file stopping with one error that names the file, the function and the field.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { StackError } from '../../src/stack/errors.js';
import { loadStack, type LoadOptions } from '../../src/stack/parse.js';

// root/ws is the workspace; root/outside must never be read.
const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'stack-parse-')));
const ws = path.join(root, 'ws');
const outside = path.join(root, 'outside');
for (const d of ['fns/api', 'fns/web', 'fns/shared', 'fns/env', 'other'])
  mkdirSync(path.join(ws, d), { recursive: true });
mkdirSync(outside);
writeFileSync(path.join(outside, 'env.yml'), 'environment:\n  STOLEN: "yes"\n');
writeFileSync(path.join(ws, 'fns/env/base.yml'), 'environment:\n  LEVEL: base\n  FROM_BASE: "1"\n');
writeFileSync(path.join(ws, 'fns/env/prod.yml'), 'environment:\n  LEVEL: prod\nignored_by_faas_cli: true\n');
writeFileSync(path.join(ws, 'fns/env/list.yml'), 'environment:\n  - A\n');
writeFileSync(path.join(ws, 'fns/env/broken.yml'), 'environment: [\n');
symlinkSync(path.join(outside, 'env.yml'), path.join(ws, 'fns/env/out.yml'));
symlinkSync(outside, path.join(ws, 'fns/out-dir'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function load(yaml: string, o: Partial<LoadOptions> = {}) {
  const file = `fns/stack-${++n}.yml`;
  writeFileSync(path.join(ws, file), yaml);
  return loadStack({ file, workspace: ws, env: {}, ...o });
}

const HEAD = 'version: 1.0\nprovider:\n  name: openfaas\n  gateway: http://127.0.0.1:8080\nfunctions:\n';
const api = (extra = '') =>
  `${HEAD}  api:\n    lang: dockerfile\n    handler: ./api\n    image: ghcr.io/acme/api:latest\n${extra}`;

/** The StackError `fn` throws; fails the test when it throws nothing or something else. */
function refusal(fn: () => unknown): StackError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StackError) return err;
    throw err;
  }
  throw new Error('expected a StackError, nothing was thrown');
}

describe('a complete function', () => {
  test('every field is read, typed and resolved', () => {
    const stack = load(
      `${HEAD}  web:
    lang: node20
    handler: ./web
    image: ghcr.io/acme/web:1.0
    fprocess: node index.js
    build_args:
      NODE_ENV: production
      RETRIES: 3
    build_options: [dev, tools]
    environment:
      LEVEL: inline
      INLINE_ONLY: kept
    environment_file:
      - env/base.yml
      - env/prod.yml
    secrets:
      - api-key
      - db.password
    labels:
      team: shop
      example.com/tier: "2"
    annotations:
      com.openfaas.health.http.path: /healthz
      Example.com/Owner: Someone Else
    limits:
      memory: 128Mi
      cpu: 500m
    requests:
      memory: 64Mi
      cpu: "0.1"
    readonly_root_filesystem: true
`,
    );
    expect(stack.functions).toEqual([
      {
        name: 'web',
        lang: 'node20',
        handler: path.join(ws, 'fns/web'),
        image: 'ghcr.io/acme/web',
        imageReference: 'ghcr.io/acme/web:1.0',
        skipBuild: false,
        fprocess: 'node index.js',
        buildArgs: { NODE_ENV: 'production', RETRIES: '3' },
        buildOptions: ['dev', 'tools'],
        environment: { LEVEL: 'prod', INLINE_ONLY: 'kept', FROM_BASE: '1' },
        environmentFiles: [path.join(ws, 'fns/env/base.yml'), path.join(ws, 'fns/env/prod.yml')],
        secrets: ['api-key', 'db.password'],
        labels: { team: 'shop', 'example.com/tier': '2' },
        annotations: { 'com.openfaas.health.http.path': '/healthz', 'Example.com/Owner': 'Someone Else' },
        limits: { memory: '128Mi', cpu: '500m' },
        requests: { memory: '64Mi', cpu: '0.1' },
        readonlyRootFilesystem: true,
      },
    ]);
    expect(stack).toMatchObject({
      version: '1.0',
      gateway: 'http://127.0.0.1:8080',
      dir: path.join(ws, 'fns'),
      display: `fns/stack-${n}.yml`,
      file: path.join(ws, `fns/stack-${n}.yml`),
      warnings: [],
    });
  });

  test('defaults: nothing but lang, handler and image', () => {
    const [fn] = load(api()).functions;
    expect(fn).toEqual({
      name: 'api',
      lang: 'dockerfile',
      handler: path.join(ws, 'fns/api'),
      image: 'ghcr.io/acme/api',
      imageReference: 'ghcr.io/acme/api:latest',
      skipBuild: false,
      buildArgs: {},
      buildOptions: [],
      environment: {},
      environmentFiles: [],
      secrets: [],
      labels: {},
      annotations: {},
      limits: {},
      requests: {},
      readonlyRootFilesystem: false,
    });
  });

  test('scalars are their source text, as in faas-cli\'s Go strings; empty values are ""', () => {
    const [fn] = load(
      api(
        '    environment:\n      OCTAL: 010\n      FLOAT: 1.50\n      BOOL: yes\n      EMPTY:\n      TILDE: ~\n      QUOTED: "~"\n      __proto__: polluted\n',
      ),
    ).functions;
    expect(fn.environment).toEqual({
      OCTAL: '010',
      FLOAT: '1.50',
      BOOL: 'yes',
      EMPTY: '',
      TILDE: '',
      QUOTED: '~',
      ['__proto__']: 'polluted',
    });
    expect(Object.getPrototypeOf(fn.environment)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('Dockerfile is dockerfile, as in faas-cli; booleans take YAML 1.1 words like yaml.v3 does', () => {
    const [fn] = load(
      `${HEAD}  api:\n    lang: Dockerfile\n    handler: api\n    image: ghcr.io/acme/api\n    readonly_root_filesystem: "on"\n`,
    ).functions;
    expect(fn).toMatchObject({ lang: 'dockerfile', readonlyRootFilesystem: true });
  });

  test('images are repositories with the registry host Docker would use', () => {
    const images = (ref: string) =>
      load(`${HEAD}  api:\n    lang: dockerfile\n    handler: api\n    image: ${ref}\n`).functions[0];
    expect(images('acme/api:1')).toMatchObject({ image: 'docker.io/acme/api', imageReference: 'acme/api:1' });
    expect(images('api')).toMatchObject({ image: 'docker.io/library/api' });
    expect(images('127.0.0.1:5000/acme/api:dev')).toMatchObject({ image: '127.0.0.1:5000/acme/api' });
    expect(images('localhost/api')).toMatchObject({ image: 'localhost/api' });
    expect(images(`ghcr.io/acme/api@sha256:${'a'.repeat(64)}`)).toMatchObject({ image: 'ghcr.io/acme/api' });
  });

  test('skip_build: no handler needed, the image is deployed as written and may live anywhere', () => {
    const [fn] = load(
      `${HEAD}  db:\n    skip_build: true\n    lang: dockerfile\n    image: docker.io/library/postgres:16\n`,
      { registry: 'ghcr.io/acme' },
    ).functions;
    expect(fn).toMatchObject({ skipBuild: true, handler: '', imageReference: 'docker.io/library/postgres:16' });
  });

  test("with a registry, every built image must be under it: the action's credentials go nowhere else", () => {
    expect(load(api(), { registry: 'ghcr.io/acme' }).functions[0].image).toBe('ghcr.io/acme/api');
    const err = refusal(() => load(api(), { registry: 'ghcr.io/acm' }));
    expect(err.message).toBe(
      `stack file fns/stack-${n}.yml, function 'api', field 'image': 'ghcr.io/acme/api' is not under 'ghcr.io/acm', the registry the action pushes to with its credentials (input 'registry'); use an image like 'ghcr.io/acm/<name>', or set skip_build: true for a prebuilt image`,
    );
  });
});

describe('substitution, provider, version, the subset', () => {
  test('${VAR} and ${VAR:-default} come from the env passed in, before YAML', () => {
    const stack = load(
      `${HEAD}  api:\n    lang: dockerfile\n    handler: \${DIR:-api}\n    image: \${REGISTRY}/api:\${TAG:-latest}\n    environment:\n      STAGE: \${STAGE:-preview}\n`,
      {
        env: { REGISTRY: 'ghcr.io/acme', STAGE: '' },
      },
    );
    expect(stack.functions[0]).toMatchObject({
      handler: path.join(ws, 'fns/api'),
      image: 'ghcr.io/acme/api',
      imageReference: 'ghcr.io/acme/api:latest',
      environment: { STAGE: 'preview' },
    });
    expect(stack.variables).toEqual(['DIR', 'REGISTRY', 'TAG', 'STAGE']);
  });

  test('an unset variable is empty, as with faas-cli, and the result is checked like any value', () => {
    expect(refusal(() => load(api().replace('ghcr.io/acme/api:latest', '${REGISTRY}/api'))).message).toContain(
      "field 'image': '/api' has a name that is not [registry/]path components",
    );
  });

  test('provider.gateway is reported, not used; no version is fine', () => {
    const stack = load(
      api()
        .replace('version: 1.0\n', '')
        .replace('  gateway: http://127.0.0.1:8080\n', '  gateway: https://gw.example.com\n'),
    );
    expect(stack.gateway).toBe('https://gw.example.com');
    expect(stack.version).toBeUndefined();
    expect(load(api().replace('  gateway: http://127.0.0.1:8080\n', '')).gateway).toBeUndefined();
  });

  test("functions picks a subset, in the file's order", () => {
    const two = `${api()}  web:\n    lang: dockerfile\n    handler: web\n    image: ghcr.io/acme/web\n  shared:\n    lang: dockerfile\n    handler: shared\n    image: ghcr.io/acme/shared\n`;
    expect(load(two).functions.map((f) => f.name)).toEqual(['api', 'web', 'shared']);
    expect(load(two, { functions: ['shared', 'api'] }).functions.map((f) => f.name)).toEqual(['api', 'shared']);
    expect(refusal(() => load(two, { functions: ['api', 'nope', 'also'] })).message).toBe(
      `stack file fns/stack-${n}.yml, field 'functions': has no function 'nope', 'also' (input 'functions'); the file has 'api', 'web', 'shared'`,
    );
  });

  test('fields faas-cli knows but a preview does not use, and unknown fields, are logged, not refused', () => {
    const stack = load(
      api(
        '    namespace: team-a\n    constraints: ["node.platform.os == linux"]\n    enviroment:\n      TYPO: 1\n',
      ).replace('provider:\n', 'colour: blue\nprovider:\n'),
    );
    expect(stack.warnings).toEqual([
      `stack file fns/stack-${n}.yml: unknown field 'colour' ignored (faas-cli ignores it too)`,
      `stack file fns/stack-${n}.yml, function 'api': unknown field 'enviroment' ignored (faas-cli ignores it too)`,
      `stack file fns/stack-${n}.yml, function 'api', field 'namespace': ignored, a preview deploys into the action's namespace`,
      `stack file fns/stack-${n}.yml, function 'api', field 'constraints': ignored, previews are scheduled by the gateway's defaults`,
    ]);
    expect(stack.functions[0].environment).toEqual({});
  });

  test('configuration: template sources and copy paths', () => {
    writeFileSync(path.join(ws, 'fns/shared/util.txt'), 'shared');
    const stack = load(
      `${api()}configuration:\n  templates:\n    - name: node20\n      source: https://github.com/openfaas/templates#1.0.0\n    - name: golang-middleware\n  copy:\n    - ./shared\n    - shared/util.txt\n`,
    );
    expect(stack.templates).toEqual([
      { name: 'node20', source: 'https://github.com/openfaas/templates#1.0.0' },
      { name: 'golang-middleware' },
    ]);
    expect(stack.copy).toEqual([
      { from: path.join(ws, 'fns/shared'), to: 'shared' },
      { from: path.join(ws, 'fns/shared/util.txt'), to: path.join('shared', 'util.txt') },
    ]);
  });
});

describe('environment_file', () => {
  test('files override the inline environment, a later file the earlier ones', () => {
    const [fn] = load(
      api('    environment:\n      LEVEL: inline\n    environment_file: [env/prod.yml, env/base.yml]\n'),
    ).functions;
    expect(fn.environment).toEqual({ LEVEL: 'base', FROM_BASE: '1' });
  });

  test.each([
    ['outside the workspace', '../../outside/env.yml', 'outside the workspace'],
    ['through a link out of the workspace', 'env/out.yml', 'resolves through a symbolic link to'],
    ['missing', 'env/none.yml', "'env/none.yml' does not exist"],
    ['a directory', 'env', 'is not a file'],
  ])('%s → refused, nothing read', (_what, file, problem) => {
    const err = refusal(() => load(api(`    environment_file: [${file}]\n`)));
    expect(err.message).toMatch(
      new RegExp(`^stack file fns/stack-${n}\\.yml, function 'api', field 'environment_file\\.0': `),
    );
    expect(err.message).toContain(problem);
    expect(err.message).not.toContain('STOLEN');
  });

  test.each([
    [
      'a list for environment',
      'env/list.yml',
      "field 'environment_file.0 (fns/env/list.yml) environment': is a list; it must be a mapping",
    ],
    ['broken YAML', 'env/broken.yml', "field 'environment_file.0 (fns/env/broken.yml)': is not valid YAML"],
  ])('a malformed file: %s', (_what, file, problem) => {
    expect(refusal(() => load(api(`    environment_file: [${file}]\n`))).message).toContain(problem);
  });
});

describe('a malformed file stops with one error naming the file, the function and the field', () => {
  const F = () => `stack file fns/stack-${n}.yml`;
  test.each<[string, () => string, string, string]>([
    ['YAML syntax', () => `${HEAD}  api: [\n`, '', 'is not valid YAML: '],
    [
      'a repeated key',
      () => `${HEAD}  api:\n    lang: dockerfile\n    lang: node20\n`,
      '',
      'is not valid YAML: Map keys must be unique at line 8',
    ],
    ['a list at the top', () => '- a\n', '', 'is a list; it must be a mapping'],
    [
      'a bad substitution',
      () => api('    environment:\n      X: ${X:+y}\n'),
      '',
      "line 11: '${X:+y}' is not a substitution faas-preview supports",
    ],
    [
      'version 2.0',
      () => api().replace('version: 1.0', 'version: 2.0'),
      "field 'version'",
      "is '2.0'; faas-cli knows only version 1.0",
    ],
    [
      'the provider faas',
      () => api().replace('name: openfaas', 'name: faas'),
      "field 'provider.name'",
      "is 'faas'; faas-cli accepts only 'openfaas'",
    ],
    [
      'no provider',
      () => api().replace(/provider:\n {2}name: openfaas\n {2}gateway: \S+\n/, ''),
      "field 'provider.name'",
      "is missing; faas-cli accepts only 'openfaas'",
    ],
    ['no functions', () => HEAD, "field 'functions'", 'has no function'],
    ['functions as a list', () => `${HEAD}  - api\n`, "field 'functions'", 'is a list; it must be a mapping'],
    [
      'a function name with capitals',
      () => api().replace('  api:', '  Api:'),
      "field 'functions'",
      "the function name 'Api' is not a DNS-1123 label",
    ],
    [
      'a function name naming another PR',
      () => api().replace('  api:', '  pr-2:'),
      "field 'functions'",
      "the function name 'pr-2' contains 'pr-<digits>' as whole labels",
    ],
    [
      'a function that is text',
      () => `${HEAD}  api: yes\n`,
      "function 'api'",
      "is the text 'yes'; it must be a mapping",
    ],
    [
      'no lang',
      () => api().replace('    lang: dockerfile\n', ''),
      "function 'api', field 'lang'",
      "is missing; use 'dockerfile' or the name of a template",
    ],
    [
      'a lang that climbs',
      () => api().replace('lang: dockerfile', 'lang: ../x'),
      "function 'api', field 'lang'",
      "'../x' is not a template name",
    ],
    [
      'a lang that is a list',
      () => api().replace('lang: dockerfile', 'lang: [a]'),
      "function 'api', field 'lang'",
      'is a list; it must be text',
    ],
    [
      'no handler',
      () => api().replace('    handler: ./api\n', ''),
      "function 'api', field 'handler'",
      "is missing; give the directory with the function's code",
    ],
    [
      'a handler outside the workspace',
      () => api().replace('./api', '../../outside'),
      "function 'api', field 'handler'",
      'outside the workspace',
    ],
    [
      'a handler linked out of the workspace',
      () => api().replace('./api', 'out-dir'),
      "function 'api', field 'handler'",
      'resolves through a symbolic link',
    ],
    [
      'a missing handler',
      () => api().replace('./api', './nope'),
      "function 'api', field 'handler'",
      "'./nope' does not exist",
    ],
    [
      'no image',
      () => api().replace('    image: ghcr.io/acme/api:latest\n', ''),
      "function 'api', field 'image'",
      "is missing; give the image's repository",
    ],
    [
      'an image with capitals',
      () => api().replace('acme/api', 'Acme/api'),
      "function 'api', field 'image'",
      "'ghcr.io/Acme/api:latest' has a name that is not",
    ],
    [
      'build_options on a dockerfile function',
      () => api('    build_options: [dev]\n'),
      "function 'api', field 'build_options'",
      "needs a template's template.yml, and lang 'dockerfile' has none",
    ],
    [
      'build_options as text',
      () => api().replace('dockerfile', 'node20') + '    build_options: dev\n',
      "function 'api', field 'build_options'",
      "is the text 'dev'; it must be a list",
    ],
    [
      'a build arg name with a dash',
      () => api('    build_args:\n      MY-ARG: 1\n'),
      "function 'api', field 'build_args'",
      "'MY-ARG' is not a build argument name",
    ],
    [
      'an environment list',
      () => api('    environment:\n      - A=1\n'),
      "function 'api', field 'environment'",
      'is a list; it must be a mapping',
    ],
    [
      'an env name with a space',
      () => api('    environment:\n      "A B": 1\n'),
      "function 'api', field 'environment'",
      "'A B' is not an environment variable name",
    ],
    [
      'an env value that is a mapping',
      () => api('    environment:\n      A: {b: 1}\n'),
      "function 'api', field 'environment'",
      "the value of 'A' is a mapping; it must be text",
    ],
    [
      'environment_file as text',
      () => api('    environment_file: env/base.yml\n'),
      "function 'api', field 'environment_file'",
      'it must be a list',
    ],
    [
      'a secret with capitals',
      () => api('    secrets: [Api-Key]\n'),
      "function 'api', field 'secrets'",
      "'Api-Key' is not a DNS-1123 subdomain",
    ],
    ['a secret twice', () => api('    secrets: [a, a]\n'), "function 'api', field 'secrets'", "lists 'a' twice"],
    [
      'a secret that is a mapping',
      () => api('    secrets: [{a: 1}]\n'),
      "function 'api', field 'secrets.0'",
      'is a mapping; it must be text',
    ],
    [
      'a label value with a space',
      () => api('    labels:\n      team: a b\n'),
      "function 'api', field 'labels'",
      "the value 'a b' of 'team' is not a label value",
    ],
    [
      'a label key with two slashes',
      () => api('    labels:\n      a/b/c: x\n'),
      "function 'api', field 'labels'",
      "key 'a/b/c' has more than one '/'",
    ],
    [
      'a label under faas-preview/',
      () => api('    labels:\n      faas-preview/build-digest: x\n'),
      "function 'api', field 'labels'",
      "key 'faas-preview/build-digest' is under 'faas-preview/', which the action reserves for its own labels",
    ],
    [
      'an annotation under faas-preview/',
      () => api('    annotations:\n      faas-preview/deployed-at: x\n'),
      "function 'api', field 'annotations'",
      "key 'faas-preview/deployed-at' is under 'faas-preview/', which the action reserves",
    ],
    [
      'an env name under FAAS_PREVIEW_',
      () => api('    environment:\n      FAAS_PREVIEW_SHA: x\n'),
      "function 'api', field 'environment'",
      "'FAAS_PREVIEW_SHA' starts with 'FAAS_PREVIEW_', which the action reserves",
    ],
    [
      'an annotation key with a space',
      () => api('    annotations:\n      "a b": x\n'),
      "function 'api', field 'annotations'",
      "key 'a b' has a name that is not",
    ],
    [
      'a memory limit in the wrong unit',
      () => api('    limits:\n      memory: 128MB\n'),
      "function 'api', field 'limits.memory'",
      "'128MB' is not a memory quantity",
    ],
    [
      'a memory request too small',
      () => api('    requests:\n      memory: 1Mi\n'),
      "function 'api', field 'requests.memory'",
      "'1Mi' is out of range; use a Kubernetes quantity from 6Mi to 64Gi",
    ],
    [
      'a cpu limit that is a word',
      () => api('    limits:\n      cpu: fast\n'),
      "function 'api', field 'limits.cpu'",
      "'fast' is not a CPU quantity",
    ],
    [
      'limits as a list',
      () => api('    limits: [1]\n'),
      "function 'api', field 'limits'",
      'is a list; it must be a mapping',
    ],
    [
      'readonly_root_filesystem maybe',
      () => api('    readonly_root_filesystem: maybe\n'),
      "function 'api', field 'readonly_root_filesystem'",
      "is 'maybe'; it must be true or false",
    ],
    [
      'templates as a mapping',
      () => `${api()}configuration:\n  templates:\n    name: x\n`,
      "field 'configuration.templates'",
      "must be a list of '- name: <template>' entries",
    ],
    [
      'a template without a name',
      () => `${api()}configuration:\n  templates:\n    - source: https://x.example/t\n`,
      "field 'configuration.templates.0.name'",
      'is missing; give the template it provides',
    ],
    [
      'a copy path that is the project',
      () => `${api()}configuration:\n  copy: [.]\n`,
      "field 'configuration.copy.0'",
      "'.' is the whole project",
    ],
    [
      'a copy path out of the project',
      () => `${api()}configuration:\n  copy: [../other]\n`,
      "field 'configuration.copy.0'",
      "'../other' is outside fns/stack-",
    ],
  ])('%s', (_what, yaml, where, problem) => {
    const err = refusal(() => load(yaml()));
    expect(err.message.startsWith(`${F()}${where ? `, ${where}` : ''}: `)).toBe(true);
    expect(err.message).toContain(problem);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  test('the stack file itself must be a file inside the workspace', () => {
    expect(refusal(() => loadStack({ file: '../outside/env.yml', workspace: ws, env: {} })).message).toContain(
      "stack file '../outside/env.yml': '../outside/env.yml' is",
    );
    expect(refusal(() => loadStack({ file: 'fns/missing.yml', workspace: ws, env: {} })).message).toContain(
      "'fns/missing.yml' does not exist",
    );
    expect(refusal(() => loadStack({ file: 'fns', workspace: ws, env: {} })).message).toContain('is not a file');
  });

  test('a huge file is refused before it is parsed', () => {
    writeFileSync(path.join(ws, 'fns/huge.yml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    expect(refusal(() => loadStack({ file: 'fns/huge.yml', workspace: ws, env: {} })).message).toMatch(
      /^stack file fns\/huge\.yml: is \d+ bytes; at most 1048576$/,
    );
  });

  test('an alias bomb is refused by the YAML parser, not expanded', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    expect(refusal(() => load(`${bomb}\n${api()}`)).message).toMatch(
      /^stack file fns\/stack-\d+\.yml: is not usable YAML: Excessive alias count/,
    );
  });
});
