/**
 * Issue 12 through the bundle: a faas-cli stack with two functions (one `lang: dockerfile`, one built from the
 * scratch-text template) built by buildah, pushed to docker-registry, deployed to the faasd CE profile as `<name>`
 * (at api-path) and `<name>-<fn>`, with s3rver and the GitHub emulator. Each push builds and updates only the
 * function it changes; a function dropped from the stack goes, with its image tags; the sweeper sleeps both
 * functions as one preview; close removes every function and the PR tags of every repository. Templates may come
 * from a git repository (a local one made here with `git init`), and a stack the deploy cannot use fails with one
 * error naming the file, the function and the field, said on the PR too. Build the bundle first: `npm run bundle`.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MANIFEST_KEY } from '../../src/assets/manifest.js';
import { ANNOTATIONS, FUNCTION_LABEL, LABELS, commentMarker } from '../../src/naming.js';
import type { FunctionDeployment } from '../../src/openfaas/types.js';
import { readSleeping } from '../../src/state/sleeping.js';
import { writeJson } from '../../src/state/store.js';
import { ROOT, dispatchPayload, prPayload, runAction, stackInputs, type ActionRun } from '../../test/support/action.js';
import { startGateway, type GatewayEmulator } from '../../test/support/gateway.js';
import { startGitHub, type GitHubEmulator } from '../../test/support/github.js';
import { assertNoLeaks } from '../../test/support/leaks.js';
import { startRegistry, type Registry } from '../../test/support/registry.js';
import { startS3, type S3Emulator } from '../../test/support/s3.js';
import { describeWith } from '../../test/support/tools.js';

const PASSWORD = 'gw-stack-Pw8';
const BASIC = 'Basic ' + Buffer.from(`admin:${PASSWORD}`).toString('base64');
const SECRET_VALUE = 'openfaas-secret-value-Qz41';
const HOUR = 3_600_000;
const sha = (c: string) => c.repeat(7) + '6'.repeat(33);
const name = (pr: number) => `hello-world-pr-${pr}`;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const { describe } = describeWith(['buildah', 'docker-registry', 'git']);

interface Fn {
  handler: string;
  image: string;
  lang?: string;
  extra?: string;
}

/** A stack file: `fns` by name, in order; templates from `templates` when given (configuration.templates). */
function stackYaml(fns: Record<string, Fn>, templates?: string): string {
  const body = Object.entries(fns).map(([fn, f]) =>
    [
      `  ${fn}:`,
      `    lang: ${f.lang ?? 'dockerfile'}`,
      `    handler: ${f.handler}`,
      `    image: ${f.image}`,
      f.extra ?? '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  const config = templates
    ? ['configuration:', '  templates:', '    - name: scratch-text', `      source: ${templates}`]
    : [];
  return [
    'version: 1.0',
    'provider:',
    '  name: openfaas',
    '  gateway: http://127.0.0.1:8080',
    'functions:',
    ...body,
    ...config,
    '',
  ].join('\n');
}

const API: Fn = {
  handler: './api',
  image: '${REGISTRY}/stack-api:latest',
  extra: [
    '    environment:',
    '      GREETING: hello',
    '      FROM_INPUTS: from-the-stack',
    '    labels:',
    '      team: shop',
    '    annotations:',
    '      docs: https://docs.example.com/api',
    '    secrets:',
    '      - shop-api-key',
    '    limits:',
    '      memory: 64Mi',
    '      cpu: 100m',
    '    requests:',
    '      memory: 32Mi',
  ].join('\n'),
};
const HELLO: Fn = {
  lang: 'scratch-text',
  handler: './hello',
  image: '${REGISTRY}/stack-hello:latest',
  extra: [
    '    build_options: [docs]',
    '    environment_file:',
    '      - hello.env.yml',
    '    readonly_root_filesystem: true',
  ].join('\n'),
};

/** A function's row at the top of the comment: ready, its route linked, the commit it runs. */
const rowOf = (fn: string, route: string, sha: string) =>
  new RegExp(`\\| \`${fn}\` \\| ✅ Ready \\| \\[${route}\\]\\(https://[^)]+${route}\\) \\| \`${sha}\` \\|`);

describe('a faas-cli stack: several functions per preview', () => {
  let gateway: GatewayEmulator;
  let github: GitHubEmulator;
  let s3: S3Emulator;
  let registry: Registry;
  let workspace: string;
  let acme: string;

  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
    writeFileSync(path.join(workspace, rel), text);
  };
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
      cwd: path.join(workspace, 'templates-repo'),
      stdio: 'ignore',
    });

  beforeAll(async () => {
    [gateway, github, s3, registry] = await Promise.all([
      startGateway({ edition: 'faasd-ce', password: PASSWORD }),
      startGitHub({}),
      startS3(),
      startRegistry(),
    ]);
    acme = `${registry.host}/acme`;
    workspace = realpathSync(mkdtempSync(path.join(tmpdir(), 'faas-preview-stack-')));
    for (const dir of ['app', 'git-app']) {
      write(`${dir}/api/Dockerfile`, 'FROM scratch\nCOPY handler.txt /home/app/handler.txt\n');
      write(`${dir}/api/handler.txt`, 'the api function\n');
      write(`${dir}/hello/handler.txt`, 'hello v1\n');
      write(`${dir}/hello.env.yml`, 'environment:\n  MESSAGE: from the environment file\n');
    }
    cpSync(path.join(ROOT, 'test/fixtures/stack/template'), path.join(workspace, 'app/template'), { recursive: true });
    // git-app has no template/ of its own: its stack fetches scratch-text from this repository, pinned to a branch.
    cpSync(path.join(ROOT, 'test/fixtures/stack/template'), path.join(workspace, 'templates-repo/template'), {
      recursive: true,
    });
    write('templates-repo/template/scratch-text/template.txt', 'from the git template\n');
    git('init', '-q', '-b', 'stable');
    git('add', '.');
    git('commit', '-q', '-m', 'templates');
    write('site/index.html', '<h1>stack</h1>');
    gateway.setSecret('shop-api-key', SECRET_VALUE);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([gateway?.close(), github?.close(), s3?.close(), registry?.close()]);
    rmSync(workspace, { recursive: true, force: true });
  });

  async function act(
    event: string,
    payload: Record<string, unknown>,
    pr: number,
    extra: Record<string, string> = {},
  ): Promise<ActionRun> {
    const inputs = stackInputs(
      { gateway, gatewayPassword: PASSWORD, s3, github, registry, registryNamespace: 'acme' },
      {
        'preview-domain': 'preview.example.com',
        'stack-file': 'app/stack.yml',
        'stack-variables': 'REGISTRY',
        'static-dir': 'site',
        'ready-timeout': '10s',
        'delete-image': 'true',
        env: 'FROM_INPUTS=yes',
        labels: 'tier=preview',
        ...extra,
      },
    );
    const run = await runAction({
      event,
      payload,
      inputs,
      apiUrl: github.url,
      workspace,
      env: { ...registry.buildahEnv, REGISTRY: acme },
      timeoutMs: 180_000,
    });
    assertNoLeaks(
      run,
      {
        values: [PASSWORD, registry.password, github.token, SECRET_VALUE],
        basicAuth: [{ username: 'admin', password: PASSWORD }],
      },
      github,
      [pr],
    );
    return run;
  }

  async function push(
    pr: number,
    c: string,
    extra: Record<string, string> = {},
    action = 'synchronize',
  ): Promise<ActionRun> {
    github.setPull({ number: pr, state: 'open', headSha: sha(c) });
    const run = await act('pull_request', prPayload(action, { number: pr, sha: sha(c) }), pr, extra);
    if (run.code !== 0) throw new Error(`action failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    return run;
  }

  const comment = (pr: number) =>
    github.comments(pr).find((c) => c.body.startsWith(commentMarker(name(pr))))?.body ?? '';
  /** The images a run built, from its log. */
  const built = (run: ActionRun) => [...run.stdout.matchAll(/^Building (\S+) with buildah$/gm)].map((m) => m[1]);
  /** The specs POSTed or PUT since `from`, by function. */
  const sent = (from = 0) =>
    gateway.calls
      .slice(from)
      .filter((c) => c.path === '/system/functions' && (c.method === 'PUT' || c.method === 'POST'))
      .map((c) => c.body as FunctionDeployment);
  const lastSent = (fn: string) =>
    sent()
      .filter((s) => s.service === fn)
      .at(-1)!;
  const store = () => s3.state();

  describe('PR 51: the stack of app/', () => {
    test("opened: both functions deployed as <name> and <name>-hello with the stack's fields, inputs on top, the contract over all", async () => {
      write('app/stack.yml', stackYaml({ api: API, hello: HELLO }));
      const run = await push(51, 'a', {}, 'opened');
      expect(run.outputs).toMatchObject({
        result: 'deployed',
        name: name(51),
        image: `${acme}/stack-api:pr-51-aaaaaaa`,
      });
      expect(built(run).sort()).toEqual([`${acme}/stack-api:pr-51-aaaaaaa`, `${acme}/stack-hello:pr-51-aaaaaaa`]);
      expect(await registry.tags('acme/stack-api')).toEqual(['pr-51-aaaaaaa']);
      expect(await registry.tags('acme/stack-hello')).toEqual(['pr-51-aaaaaaa']);

      const api = gateway.get(name(51))!;
      expect(api.image).toBe(`${acme}/stack-api:pr-51-aaaaaaa`);
      expect(api.envVars).toMatchObject({
        GREETING: 'hello',
        FROM_INPUTS: 'yes',
        FAAS_PREVIEW_NAME: name(51),
        FAAS_PREVIEW_SHA: sha('a'),
      });
      expect(api.labels).toMatchObject({
        team: 'shop',
        tier: 'preview',
        [FUNCTION_LABEL]: 'api',
        [LABELS.pr]: '51',
        [LABELS.sha]: sha('a'),
        [LABELS.managed]: 'true',
      });
      expect(api.annotations).toMatchObject({
        docs: 'https://docs.example.com/api',
        [ANNOTATIONS.url]: `https://${name(51)}.preview.example.com`,
      });
      expect(api.secrets).toEqual(['shop-api-key']);
      expect(api.limits).toEqual({ memory: '64Mi', cpu: '100m' });
      expect(api.requests).toEqual({ memory: '32Mi' });
      expect(api.readOnlyRootFilesystem).toBeFalsy();
      expect(api.availableReplicas).toBe(1);

      const hello = gateway.get(`${name(51)}-hello`)!;
      expect(hello.image).toBe(`${acme}/stack-hello:pr-51-aaaaaaa`);
      expect(hello.envVars).toMatchObject({
        MESSAGE: 'from the environment file',
        FROM_INPUTS: 'yes',
        FAAS_PREVIEW_NAME: name(51),
      });
      expect(hello.envProcess).toBe('cat /home/app/function/handler.txt');
      expect(hello.labels).toMatchObject({ tier: 'preview', [FUNCTION_LABEL]: 'hello', [LABELS.pr]: '51' });
      expect(hello.secrets).toEqual([]);
      expect(hello.limits).toEqual({ memory: '128Mi', cpu: '200m' });
      expect(hello.readOnlyRootFilesystem).toBe(true);
      expect(hello.availableReplicas).toBe(1);
      // build_options: [docs] became the template's ADDITIONAL_PACKAGE, which its Dockerfile labels the image with.
      expect((await registry.image('acme/stack-hello', 'pr-51-aaaaaaa')).config.config?.Labels).toMatchObject({
        'com.openfaas.template': 'scratch-text',
        'com.openfaas.template.packages': 'man-pages less',
      });

      const body = comment(51);
      // One row per function with its route and commit; the images, with the registry's address hidden, folded.
      expect(body).toMatch(rowOf(name(51), '/api/', 'aaaaaaa'));
      expect(body).toMatch(rowOf(`${name(51)}-hello`, '/fn/hello/', 'aaaaaaa'));
      expect(body).toContain(
        `- \`${name(51)}\` at \`/api/\`\n  - Image: \`<registry>/acme/stack-api:pr-51-aaaaaaa\`, built`,
      );
      expect(body).toContain(
        `- \`${name(51)}-hello\` at \`/fn/hello/\`\n  - Image: \`<registry>/acme/stack-hello:pr-51-aaaaaaa\`, built`,
      );
      expect(run.stdout).toContain(
        "stack file app/stack.yml, field 'provider.gateway': 'http://127.0.0.1:8080' is not used; the preview deploys to the gateway of input 'gateway-url'",
      );
    });

    test('synchronize changing hello only: only hello is built and updated, api keeps its image and is not sent again', async () => {
      const before = { calls: gateway.calls.length, api: gateway.get(name(51))! };
      write('app/hello/handler.txt', 'hello v2\n');
      const run = await push(51, 'b');
      expect(built(run)).toEqual([`${acme}/stack-hello:pr-51-bbbbbbb`]);
      expect(sent(before.calls).map((s) => s.service)).toEqual([`${name(51)}-hello`]);
      expect(await registry.tags('acme/stack-api')).toEqual(['pr-51-aaaaaaa']);
      expect(await registry.tags('acme/stack-hello')).toEqual(['pr-51-aaaaaaa', 'pr-51-bbbbbbb']);
      const api = gateway.get(name(51))!;
      expect({ image: api.image, sha: api.labels[LABELS.sha], deployCount: api.deployCount }).toEqual({
        image: before.api.image,
        sha: sha('a'),
        deployCount: before.api.deployCount,
      });
      expect(gateway.get(`${name(51)}-hello`)!.image).toBe(`${acme}/stack-hello:pr-51-bbbbbbb`);
      expect(run.stdout).toMatch(new RegExp(`Function ${name(51)} already runs this spec and image`));
      // Each row says the commit its function runs; that api was not rebuilt is a detail, never the preview's summary.
      const body = comment(51);
      expect(body).toMatch(rowOf(name(51), '/api/', 'aaaaaaa'));
      expect(body).toMatch(rowOf(`${name(51)}-hello`, '/fn/hello/', 'bbbbbbb'));
      expect(body.split('<details>')[0]).not.toMatch(/unchanged|not rebuilt/);
      expect(body).toContain(
        `- \`${name(51)}\` at \`/api/\`\n  - Image: \`<registry>/acme/stack-api:pr-51-aaaaaaa\`, unchanged since \`aaaaaaa\`: not rebuilt`,
      );
      expect(body).toContain(
        `- \`${name(51)}-hello\` at \`/fn/hello/\`\n  - Image: \`<registry>/acme/stack-hello:pr-51-bbbbbbb\`, built`,
      );
    });

    test('the sweeper (CE) sleeps the preview: both functions deleted, both exact specs saved for the waker, the PR told', async () => {
      const specs = [lastSent(name(51)), lastSent(`${name(51)}-hello`)];
      // The action reads the real clock: idleness is arranged by moving both deploys and the last change into the past.
      let count = 0;
      for (const fn of [name(51), `${name(51)}-hello`]) {
        const f = gateway.get(fn)!;
        count += f.invocationCount;
        await fetch(`${gateway.url}/system/functions`, {
          method: 'DELETE',
          headers: { authorization: BASIC },
          body: JSON.stringify({ functionName: fn }),
        });
        gateway.seed({ ...f, annotations: { ...f.annotations, [ANNOTATIONS.deployedAt]: ago(3 * HOUR) } });
      }
      await writeJson(s3.state(), '.faas-preview/sweeper.json', {
        version: 1,
        updatedAt: ago(HOUR),
        functions: { [name(51)]: { count, changedAt: ago(2 * HOUR) } },
      });

      const run = await act('workflow_dispatch', dispatchPayload(), 51, { command: 'sweep', 'idle-after': '30m' });
      if (run.code !== 0) throw new Error(`sweep failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
      expect(run.stdout).toMatch(new RegExp(`${name(51)} \\(PR #51\\): sleep: idle for 2h`));
      expect(gateway.get(name(51))).toBeUndefined();
      expect(gateway.get(`${name(51)}-hello`)).toBeUndefined();
      expect((await readSleeping(store(), name(51)))?.specs).toEqual(specs);
      expect(comment(51)).toContain('is asleep');
      expect(await s3.listKeys(`${name(51)}/`)).toEqual([`${name(51)}/${MANIFEST_KEY}`, `${name(51)}/index.html`]);
    });

    test('a push wakes it: both functions back, the saved specs forgotten, nothing rebuilt', async () => {
      const run = await push(51, 'c');
      expect(built(run)).toEqual([]);
      expect(gateway.get(name(51))!.image).toBe(`${acme}/stack-api:pr-51-ccccccc`);
      expect(gateway.get(`${name(51)}-hello`)!.image).toBe(`${acme}/stack-hello:pr-51-ccccccc`);
      expect(await readSleeping(store(), name(51))).toBeUndefined();
    });

    test('closed: every function deleted, and the PR tags of both repositories', async () => {
      github.setPull({ number: 51, state: 'closed', headSha: sha('c') });
      const run = await act('pull_request', prPayload('closed', { number: 51, sha: sha('c') }), 51);
      if (run.code !== 0) throw new Error(`teardown failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
      expect(
        gateway
          .functions()
          .map((f) => f.name)
          .filter((n) => n.startsWith(name(51))),
      ).toEqual([]);
      expect(await registry.tags('acme/stack-api')).toEqual([]);
      expect(await registry.tags('acme/stack-hello')).toEqual([]);
      expect(comment(51)).toContain(`- the function \`${name(51)}\``);
      expect(comment(51)).toContain(`- the function \`${name(51)}-hello\``);
      // The comment is public: the registry's address is hidden (src/text/addresses.ts).
      const tags = [
        `${acme}/stack-api:pr-51-aaaaaaa`,
        `${acme}/stack-api:pr-51-ccccccc`,
        `${acme}/stack-hello:pr-51-aaaaaaa`,
        `${acme}/stack-hello:pr-51-bbbbbbb`,
        `${acme}/stack-hello:pr-51-ccccccc`,
      ];
      const line = comment(51)
        .split('\n')
        .find((l) => l.startsWith('- 5 image tags '))!;
      expect([...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort()).toEqual(
        tags.map((t) => t.replace(registry.host, '<registry>')),
      );
    });
  });

  describe('PR 52: a template fetched with git', () => {
    const gitStack = (fns: Record<string, Fn>) =>
      write('git-app/stack.yml', stackYaml(fns, `file://${workspace}/templates-repo#stable`));
    const api: Fn = { handler: './api', image: '${REGISTRY}/git-api' };
    const hello: Fn = { lang: 'scratch-text', handler: './hello', image: '${REGISTRY}/git-hello' };

    test('opened: the template comes from the repository named in configuration.templates, at its pinned branch', async () => {
      gitStack({ api, hello });
      const run = await push(52, 'd', { 'stack-file': 'git-app/stack.yml' }, 'opened');
      expect(run.stdout).toContain(`Fetching templates from file://${workspace}/templates-repo#stable`);
      expect(built(run).sort()).toEqual([`${acme}/git-api:pr-52-ddddddd`, `${acme}/git-hello:pr-52-ddddddd`]);
      expect(gateway.get(`${name(52)}-hello`)!.envProcess).toBe('cat /home/app/function/handler.txt');
      expect((await registry.image('acme/git-hello', 'pr-52-ddddddd')).config.config?.Labels).toMatchObject({
        'com.openfaas.template': 'scratch-text',
      });
    });

    test('synchronize with hello dropped from the stack: hello is deleted, api stays', async () => {
      gitStack({ api });
      const run = await push(52, 'e', { 'stack-file': 'git-app/stack.yml' });
      expect(run.stdout).toContain(`Function ${name(52)}-hello is no longer part of this preview: deleted`);
      expect(gateway.get(`${name(52)}-hello`)).toBeUndefined();
      expect(gateway.get(name(52))!.labels[LABELS.sha]).toBe(sha('d'));
      expect(await registry.tags('acme/git-api')).toEqual(['pr-52-ddddddd']);
    });

    test("closed: the rest goes, and the PR's tags of the dropped function's repository with it", async () => {
      github.setPull({ number: 52, state: 'closed', headSha: sha('e') });
      const run = await act('pull_request', prPayload('closed', { number: 52, sha: sha('e') }), 52, {
        'stack-file': 'git-app/stack.yml',
      });
      expect(run.code).toBe(0);
      expect(gateway.get(name(52))).toBeUndefined();
      expect(await registry.tags('acme/git-api')).toEqual([]);
      expect(await registry.tags('acme/git-hello')).toEqual([]);
    });
  });

  describe('PR 53: a stack the deploy cannot use', () => {
    async function refused(
      file: string,
      extra: Record<string, string> = {},
      c = 'f',
    ): Promise<{ run: ActionRun; error: string }> {
      github.setPull({ number: 53, state: 'open', headSha: sha(c) });
      const run = await act('pull_request', prPayload('synchronize', { number: 53, sha: sha(c) }), 53, {
        'stack-file': file,
        ...extra,
      });
      expect(run.code).toBe(1);
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      expect(errors).toHaveLength(1);
      expect(gateway.functions().filter((f) => f.name.startsWith(name(53)))).toEqual([]);
      return { run, error: errors[0] };
    }

    test('a template that is neither beside the file nor in configuration.templates: the fix is named', async () => {
      write(
        'bad/missing-template.yml',
        stackYaml({
          api: { handler: '../app/api', image: '${REGISTRY}/bad-api' },
          hello: { lang: 'node20', handler: '../app/hello', image: '${REGISTRY}/bad-hello' },
        }),
      );
      const { run, error } = await refused('bad/missing-template.yml');
      // Functions build in turn: api was built and pushed before hello's template was looked for.
      expect(built(run)).toEqual([`${acme}/bad-api:pr-53-fffffff`]);
      expect(error).toContain(
        "stack file bad/missing-template.yml, function 'hello', field 'lang': template 'node20' is not in bad/template/node20",
      );
      expect(error).toContain('run `faas-cli template store pull node20` next to missing-template.yml');
      expect(comment(53)).toContain('failed to build or push the image');
      expect(comment(53)).toContain("function 'hello', field 'lang': template 'node20' is not in bad/template/node20");
    });

    test('a function the functions input names that the file lacks', async () => {
      const { run, error } = await refused('app/stack.yml', { functions: 'api, ghost' });
      expect(built(run)).toEqual([]);
      expect(error).toContain(
        "stack file app/stack.yml, field 'functions': has no function 'ghost' (input 'functions')",
      );
      expect(comment(53)).toContain('cannot deploy the stack file');
      expect(comment(53)).toContain("has no function 'ghost' (input 'functions'); the file has 'api', 'hello'");
      expect(comment(53)).toContain('The function was not touched');
    });

    test('a bad field: the file, the function and the field', async () => {
      write(
        'bad/limits.yml',
        stackYaml({
          api: { handler: '../app/api', image: '${REGISTRY}/bad-api', extra: '    limits:\n      memory: plenty' },
        }),
      );
      const { run, error } = await refused('bad/limits.yml');
      expect(built(run)).toEqual([]);
      expect(error).toContain(
        "stack file bad/limits.yml, function 'api', field 'limits.memory': 'plenty' is not a memory quantity",
      );
      expect(comment(53)).toContain(
        "stack file bad/limits.yml, function 'api', field 'limits.memory': 'plenty' is not a memory quantity",
      );
    });

    test('a secret the gateway does not have: faasd refuses the deploy (400), and the comment quotes it', async () => {
      write(
        'bad/secret.yml',
        stackYaml({
          api: { handler: '../app/api', image: '${REGISTRY}/bad-api', extra: '    secrets: [shop-missing-key]' },
        }),
      );
      const { error } = await refused('bad/secret.yml', {}, '1');
      expect(error).toContain('unable to find secret: shop-missing-key');
      expect(comment(53)).toContain('could not deploy the function');
      expect(comment(53)).toContain('unable to find secret: shop-missing-key');
    });

    test('closed: the tags a failed deploy pushed go too, though no function ever ran them', async () => {
      github.setPull({ number: 53, state: 'closed', headSha: sha('1') });
      const run = await act('pull_request', prPayload('closed', { number: 53, sha: sha('1') }), 53);
      expect(run.code).toBe(0);
      expect(await registry.tags('acme/bad-api')).toEqual([]);
    });
  });
});
