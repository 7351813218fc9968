/**
 * A function's spec (src/commands/function-spec.ts), layered stack → inputs → data → contract: each layer wins over
 * the ones before it, the contract (docs/architecture.md, "The naming contract": faas-preview/* labels, FAAS_PREVIEW_* env, annotations) always; the
 * spec digest label changes with the spec and with nothing that differs for every commit by design.
 */
import { describe, expect, test } from '@jest/globals';
import { SPEC_DIGEST_LABEL, specDigest } from '../../src/decide/backend-change.js';
import { functionSpec, SCALE_ZERO_LABEL, untouchedSpec, type SpecInput } from '../../src/commands/function-spec.js';
import type { StackSpec } from '../../src/commands/units.js';
import { BUILD_DIGEST_LABEL } from '../../src/naming.js';
import { parseSettings } from '../../src/inputs/parse.js';
import { ANNOTATIONS, FUNCTION_LABEL, LABELS } from '../../src/naming.js';
import { runningSpec, type FunctionStatus } from '../../src/openfaas/types.js';
import { Secrets } from '../../src/text/secrets.js';

const SHA = 'abcdef1' + '2'.repeat(33);
const NOW = new Date('2026-11-24T10:00:00.000Z');

const inputs: Record<string, string> = {
  'gateway-url': 'https://gw.example.com',
  'gateway-password': 'gw-secret',
  'preview-domain': 'preview.example.com',
  'github-token': 'ghs_x',
  builder: 'none',
  image: 'ghcr.io/acme/shop:1.0.0',
  env: 'SHARED=from-inputs\nINPUT_ONLY=yes\nFROM_DATA=from-inputs',
  labels: 'team=inputs\ntier=web',
  annotations: 'owner=inputs-team\nnote=from-inputs',
  secrets: 'shared-secret, input-secret',
  'memory-limit': '256Mi',
  'cpu-limit': '300m',
};
const settings = (extra: Record<string, string> = {}) =>
  parseSettings((name) => ({ ...inputs, ...extra })[name] ?? '', {
    repository: 'acme/shop',
    workspace: process.cwd(),
    mask: () => undefined,
    secrets: new Secrets(),
  });

const stackSpec: StackSpec = {
  envVars: { SHARED: 'from-stack', STACK_ONLY: 'yes', FAAS_PREVIEW_SHA: 'forged', FAAS_PREVIEW_NAME: 'forged' },
  labels: {
    team: 'stack',
    app: 'shop',
    [LABELS.pr]: '999',
    [LABELS.managed]: 'false',
    [FUNCTION_LABEL]: 'other',
    [SCALE_ZERO_LABEL]: 'false',
  },
  annotations: {
    owner: 'stack-team',
    docs: 'https://docs.example.com',
    [ANNOTATIONS.url]: 'https://forged.example.com',
  },
  secrets: ['stack-secret', 'shared-secret'],
  limits: { memory: '64Mi' },
  requests: { cpu: '50m' },
  readOnlyRootFilesystem: true,
};

function input(o: Partial<SpecInput> = {}): SpecInput {
  return {
    unit: { fn: 'api', name: 'shop-pr-7-api', stackSpec },
    image: 'ghcr.io/acme/api:pr-7-abcdef1',
    data: {
      secrets: ['shop-pr-7-api-key'],
      env: { FROM_DATA: 'from-data', API_KEY_FILE: '/var/openfaas/secrets/shop-pr-7-api-key' },
    },
    preview: { name: 'shop-pr-7', url: 'https://shop-pr-7.preview.example.com', pr: 7, sha: SHA },
    owner: 'acme',
    repo: 'shop',
    edition: 'community',
    now: NOW,
    ...o,
  };
}

describe('layers', () => {
  const spec = functionSpec(settings(), input());

  test('env: stack < inputs < data < FAAS_PREVIEW_*', () => {
    expect(spec.envVars).toEqual({
      SHARED: 'from-inputs',
      STACK_ONLY: 'yes',
      INPUT_ONLY: 'yes',
      FROM_DATA: 'from-data',
      API_KEY_FILE: '/var/openfaas/secrets/shop-pr-7-api-key',
      FAAS_PREVIEW_NAME: 'shop-pr-7',
      FAAS_PREVIEW_URL: 'https://shop-pr-7.preview.example.com',
      FAAS_PREVIEW_PR: '7',
      FAAS_PREVIEW_SHA: SHA,
    });
  });

  test("labels: stack < inputs < the contract's, whatever the lower layers set", () => {
    expect(spec.labels).toEqual({
      team: 'inputs',
      tier: 'web',
      app: 'shop',
      [LABELS.managed]: 'true',
      [LABELS.repo]: 'acme.shop',
      [LABELS.pr]: '7',
      [LABELS.sha]: SHA,
      [FUNCTION_LABEL]: 'api',
      [SPEC_DIGEST_LABEL]: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
  });

  test('annotations: stack < inputs < the deploy time and URL', () => {
    expect(spec.annotations).toEqual({
      owner: 'inputs-team',
      note: 'from-inputs',
      docs: 'https://docs.example.com',
      [ANNOTATIONS.deployedAt]: NOW.toISOString(),
      [ANNOTATIONS.url]: 'https://shop-pr-7.preview.example.com',
    });
  });

  test('secrets: every layer, each once, in layer order', () => {
    expect(spec.secrets).toEqual(['stack-secret', 'shared-secret', 'input-secret', 'shop-pr-7-api-key']);
  });

  test("limits: the stack's own win (the inputs always have a value), the inputs bound what it leaves out", () => {
    expect(spec.limits).toEqual({ memory: '64Mi', cpu: '300m' });
    expect(spec.requests).toEqual({ cpu: '50m' });
    expect(spec.readOnlyRootFilesystem).toBe(true);
    const bare = functionSpec(
      settings(),
      input({
        unit: {
          fn: 'hello',
          name: 'shop-pr-7-hello',
          stackSpec: { envVars: {}, labels: {}, annotations: {}, secrets: [] },
        },
      }),
    );
    expect(bare.limits).toEqual({ memory: '256Mi', cpu: '300m' });
    expect(bare).not.toHaveProperty('requests');
    expect(bare).not.toHaveProperty('readOnlyRootFilesystem');
  });

  test("the function's name and image are the unit's and the image's", () => {
    expect(spec.service).toBe('shop-pr-7-api');
    expect(spec.image).toBe('ghcr.io/acme/api:pr-7-abcdef1');
  });
});

describe('labels of the contract', () => {
  test('faas-preview/function only on a stack function; a preview without a stack has the inputs only', () => {
    const plain = functionSpec(settings(), input({ unit: { fn: '', name: 'shop-pr-7' } }));
    expect(plain.labels).not.toHaveProperty(FUNCTION_LABEL);
    expect(plain.labels).toMatchObject({ team: 'inputs', tier: 'web', [LABELS.pr]: '7' });
    expect(plain.envVars).not.toHaveProperty('STACK_ONLY');
    expect(plain.limits).toEqual({ memory: '256Mi', cpu: '300m' });
    expect(plain.secrets).toEqual(['shared-secret', 'input-secret', 'shop-pr-7-api-key']);
  });

  test('com.openfaas.scale.zero=true on Pro, absent on Community Edition whoever set it', () => {
    expect(functionSpec(settings(), input({ edition: 'pro' })).labels![SCALE_ZERO_LABEL]).toBe('true');
    expect(functionSpec(settings(), input({ edition: 'community' })).labels).not.toHaveProperty(SCALE_ZERO_LABEL);
    expect(
      functionSpec(
        settings({ labels: `${SCALE_ZERO_LABEL}=true` }),
        input({ edition: 'community', unit: { fn: '', name: 'shop-pr-7' } }),
      ).labels,
    ).not.toHaveProperty(SCALE_ZERO_LABEL);
  });

  test('the build digest is carried when the image has one', () => {
    expect(functionSpec(settings(), input({ buildDigest: 'f'.repeat(40) })).labels![BUILD_DIGEST_LABEL]).toBe(
      'f'.repeat(40),
    );
    expect(functionSpec(settings(), input()).labels).not.toHaveProperty(BUILD_DIGEST_LABEL);
  });

  test("a template's fprocess applies unless the stack function sets its own", () => {
    expect(functionSpec(settings(), input({ envProcess: 'cat /home/app/function/handler.txt' })).envProcess).toBe(
      'cat /home/app/function/handler.txt',
    );
    const own = input({
      envProcess: 'from-template',
      unit: { fn: 'api', name: 'shop-pr-7-api', stackSpec: { ...stackSpec, envProcess: 'from-stack' } },
    });
    expect(functionSpec(settings(), own).envProcess).toBe('from-stack');
    expect(functionSpec(settings(), input())).not.toHaveProperty('envProcess');
  });
});

describe('the spec digest', () => {
  const digest = (o: Partial<SpecInput> = {}, extra: Record<string, string> = {}) =>
    functionSpec(settings(extra), input(o)).labels![SPEC_DIGEST_LABEL];

  test('is the digest of the spec it is on', () => {
    const spec = functionSpec(settings(), input());
    expect(spec.labels![SPEC_DIGEST_LABEL]).toBe(specDigest(spec));
  });

  test('stays the same across runs that differ only in the deploy time, the commit, its URL, its image tag and its build digest', () => {
    const first = digest();
    expect(digest({ now: new Date(NOW.getTime() + 3_600_000) })).toBe(first);
    const next = {
      ...input().preview,
      sha: '1234567' + '8'.repeat(33),
      url: 'https://shop-pr-7-1234567.preview.example.com',
    };
    expect(digest({ preview: next, image: 'ghcr.io/acme/api:pr-7-1234567', buildDigest: 'e'.repeat(40) })).toBe(first);
  });

  test('changes with what the function runs with: a stack value, an input, a data secret, the edition, the read-only flag', () => {
    const first = digest();
    const changed = [
      digest({
        unit: {
          fn: 'api',
          name: 'shop-pr-7-api',
          stackSpec: { ...stackSpec, envVars: { ...stackSpec.envVars, STACK_ONLY: 'no' } },
        },
      }),
      digest({}, { 'cpu-limit': '400m' }),
      digest({ data: { secrets: [], env: {} } }),
      digest({ edition: 'pro' }),
      digest({
        unit: { fn: 'api', name: 'shop-pr-7-api', stackSpec: { ...stackSpec, readOnlyRootFilesystem: false } },
      }),
    ];
    for (const d of changed) expect(d).not.toBe(first);
    expect(new Set(changed).size).toBe(changed.length);
  });
});

describe('untouchedSpec: what a function the deploy left alone is recorded as', () => {
  const sentSpec = functionSpec(settings(), input());
  // What faasd lists of it: no requests, the memory limit only, no read-only flag (docs/architecture.md, "Provider facts").
  const listed: FunctionStatus = {
    name: sentSpec.service,
    image: sentSpec.image,
    envVars: sentSpec.envVars,
    labels: sentSpec.labels,
    annotations: sentSpec.annotations,
    secrets: sentSpec.secrets,
    limits: { memory: '64Mi' },
    replicas: 1,
  };

  test('the spec its deploy recorded, when that is what runs', () => {
    expect(untouchedSpec([{ service: 'other', image: 'x' }, null, sentSpec], listed)).toBe(sentSpec);
  });

  test('the spec its deploy recorded, when faasd lists its Docker Hub image in normal form', () => {
    const short = { ...sentSpec, image: 'acme/api:pr-7-abcdef1' };
    expect(untouchedSpec([short], { ...listed, image: 'docker.io/acme/api:pr-7-abcdef1' })).toBe(short);
  });

  test('the listing, when nothing recorded matches what runs (another image, spec, commit) or the record is not a list', () => {
    const other = (o: Partial<typeof sentSpec>) => [{ ...sentSpec, ...o }];
    expect(untouchedSpec(other({ image: 'ghcr.io/acme/api:pr-7-0000000' }), listed)).toEqual(runningSpec(listed));
    expect(
      untouchedSpec(other({ labels: { ...sentSpec.labels, [SPEC_DIGEST_LABEL]: '0'.repeat(40) } }), listed),
    ).toEqual(runningSpec(listed));
    expect(untouchedSpec(other({ labels: { ...sentSpec.labels, [LABELS.sha]: 'f'.repeat(40) } }), listed)).toEqual(
      runningSpec(listed),
    );
    expect(untouchedSpec({ specs: [sentSpec] }, listed)).toEqual(runningSpec(listed));
    expect(untouchedSpec(undefined, listed)).toEqual(runningSpec(listed));
    expect(runningSpec(listed)).toEqual({
      service: sentSpec.service,
      image: sentSpec.image,
      envVars: sentSpec.envVars,
      labels: sentSpec.labels,
      annotations: sentSpec.annotations,
      secrets: sentSpec.secrets,
      limits: { memory: '64Mi' },
      requests: undefined,
    });
  });

  test("the listing keeps a template's fprocess, which the watchdog needs when the waker re-creates the function", () => {
    expect(runningSpec({ ...listed, envProcess: 'cat /home/app/function/handler.txt' }).envProcess).toBe(
      'cat /home/app/function/handler.txt',
    );
  });
});
