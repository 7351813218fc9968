import { describe, expect, test } from '@jest/globals';
import {
  ANNOTATIONS_MAX_BYTES,
  annotations,
  CPU,
  dnsLabelProblem,
  dnsSubdomainProblem,
  envVars,
  labels,
  MEMORY,
  qualifiedNameProblem,
  quantity,
  secretNames,
} from '../../src/rules/kubernetes.js';

const memoryLimit = (read: (name: string) => string) => quantity(read, 'memory-limit', MEMORY);
const cpuLimit = (read: (name: string) => string) => quantity(read, 'cpu-limit', CPU);
import { reader, refusal } from './inputs-support.js';

const KEY_RULE =
  "a key is [prefix/]name: name at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit; prefix a DNS subdomain, like 'example.com/team'";

describe('DNS names', () => {
  test('labels', () => {
    for (const ok of ['a', 'openfaas-fn', '0abc', 'x'.repeat(63)]) expect(dnsLabelProblem(ok)).toBeUndefined();
    expect(dnsLabelProblem('x'.repeat(64))).toBe('is 64 characters; a DNS-1123 label has at most 63');
    for (const bad of ['Bad_NS', '-a', 'a-', 'a.b', '']) {
      expect(dnsLabelProblem(bad)).toBe(
        "is not a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
      );
    }
  });

  test('subdomains', () => {
    for (const ok of ['db-password', 'a.b-c.d', `${'a'.repeat(63)}.${'b'.repeat(63)}`])
      expect(dnsSubdomainProblem(ok)).toBeUndefined();
    expect(dnsSubdomainProblem(`${'a.'.repeat(127)}a`)).toBe('is 255 characters; a DNS-1123 subdomain has at most 253');
    for (const bad of ['DB_PASSWORD', 'a..b', '.a', 'a b']) {
      expect(dnsSubdomainProblem(bad)).toBe(
        "is not a DNS-1123 subdomain: '.'-separated labels of lowercase letters, digits and '-', starting and ending with a letter or digit",
      );
    }
  });

  test('qualified names (IsQualifiedName)', () => {
    const prefix253 = `${'a'.repeat(63)}.`.repeat(3) + 'a'.repeat(61);
    for (const ok of ['app', 'App_1.x-y', 'example.com/team', 'a.b/C', `${prefix253}/x`, 'x'.repeat(63)])
      expect(qualifiedNameProblem(ok)).toBeUndefined();
    expect(qualifiedNameProblem(`${prefix253}a/x`)).toBe(
      'has a prefix that is 254 characters; a DNS-1123 subdomain has at most 253',
    );
    expect(qualifiedNameProblem('a/b/c')).toBe("has more than one '/'");
    expect(qualifiedNameProblem('/x')).toBe("has an empty prefix before '/'");
    expect(qualifiedNameProblem('Example.com/x')).toMatch(/^has a prefix that is not a DNS-1123 subdomain/);
    expect(qualifiedNameProblem('example.com/')).toBe('has an empty name');
    expect(qualifiedNameProblem('x'.repeat(64))).toBe('has a name of 64 characters');
    expect(qualifiedNameProblem('-x')).toBe(
      "has a name that is not letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    );
  });
});

describe('labels', () => {
  test('accepted keys and values, including empty values', () => {
    expect(labels(reader({ labels: 'team=web\nexample.com/tier=front_end.v1\nempty=' }))).toEqual({
      team: 'web',
      'example.com/tier': 'front_end.v1',
      empty: '',
    });
  });

  test.each([
    [
      'faas-preview/managed=false',
      "key 'faas-preview/managed' is under 'faas-preview/', which the action reserves for its own labels; use another prefix",
    ],
    [
      'faas-preview/anything=x',
      "key 'faas-preview/anything' is under 'faas-preview/', which the action reserves for its own labels; use another prefix",
    ],
    [
      'bad key=x',
      `key 'bad key' has a name that is not letters, digits, '-', '_' and '.', starting and ending with a letter or digit; ${KEY_RULE}`,
    ],
    ['a/b/c=x', `key 'a/b/c' has more than one '/'; ${KEY_RULE}`],
    [`team=${'v'.repeat(64)}`, "the value of 'team' is 64 characters; a label value has at most 63"],
    [
      'team=web app',
      "the value 'web app' of 'team' is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, or empty",
    ],
    [
      'team=-web',
      "the value '-web' of 'team' is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, or empty",
    ],
    ['team=a\nteam=b', "key 'team' is set twice (lines 1 and 2); keep one"],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => labels(reader({ labels: value })))).toBe(`input 'labels': ${problem}`);
  });
});

describe('annotations', () => {
  test('any value; keys validated lowercased as Kubernetes does', () => {
    expect(annotations(reader({ annotations: 'Example.com/Note=any text: with, punctuation & more\nx=' }))).toEqual({
      'Example.com/Note': 'any text: with, punctuation & more',
      x: '',
    });
  });

  test('the total size is bounded, keys and values counted in bytes', () => {
    const key = 'note';
    const fits = 'é'.repeat((ANNOTATIONS_MAX_BYTES - key.length) / 2);
    expect(annotations(reader({ annotations: `${key}=${fits}` }))[key]).toBe(fits);
    expect(refusal(() => annotations(reader({ annotations: `${key}=${fits}x` })))).toBe(
      `input 'annotations': keys and values add up to ${ANNOTATIONS_MAX_BYTES + 1} bytes; at most 258048 (Kubernetes' 256 KiB less 4 KiB for the action's own annotations)`,
    );
  });

  test.each([
    [
      'faas-preview/url=https://evil.example',
      "key 'faas-preview/url' is under 'faas-preview/', which the action reserves for its own annotations; use another prefix",
    ],
    [
      'FAAS-PREVIEW/url=x',
      "key 'FAAS-PREVIEW/url' is under 'faas-preview/', which the action reserves for its own annotations; use another prefix",
    ],
    [
      'not valid=x',
      `key 'not valid' has a name that is not letters, digits, '-', '_' and '.', starting and ending with a letter or digit; ${KEY_RULE}`,
    ],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => annotations(reader({ annotations: value })))).toBe(`input 'annotations': ${problem}`);
  });
});

describe('env', () => {
  test('names Kubernetes accepts', () => {
    expect(envVars(reader({ env: 'A=1\nmy.env-name=2\n_x=3\n.dot=4\nFAAS_PREVIEWX=5' }))).toEqual({
      A: '1',
      'my.env-name': '2',
      _x: '3',
      '.dot': '4',
      FAAS_PREVIEWX: '5',
    });
  });

  const rule =
    "is not an environment variable name Kubernetes accepts: letters, digits, '_', '-' and '.', not starting with a digit or '..'";
  test.each([
    [
      'FAAS_PREVIEW_URL=https://evil.example',
      "'FAAS_PREVIEW_URL' starts with 'FAAS_PREVIEW_', which the action reserves for the variables it sets on every preview; use another name",
    ],
    ['MY VAR=1', `'MY VAR' ${rule}`],
    ['1ST=1', `'1ST' ${rule}`],
    ['A$B=1', `'A$B' ${rule}`],
    ['.=1', `'.' ${rule}`],
    ['..x=1', `'..x' ${rule}`],
    ['A=1\nA=2', "key 'A' is set twice (lines 1 and 2); keep one"],
  ])('%j is refused', (value, problem) => {
    expect(refusal(() => envVars(reader({ env: value })))).toBe(`input 'env': ${problem}`);
  });
});

describe('secrets', () => {
  test('DNS-1123 subdomains, each once', () => {
    expect(secretNames(reader({ secrets: 'db-password, api.key' }))).toEqual(['db-password', 'api.key']);
    expect(refusal(() => secretNames(reader({ secrets: 'db-password, DB_PASSWORD' })))).toBe(
      "input 'secrets': 'DB_PASSWORD' is not a DNS-1123 subdomain: '.'-separated labels of lowercase letters, digits and '-', starting and ending with a letter or digit; OpenFaaS secret names are Kubernetes object names",
    );
    expect(refusal(() => secretNames(reader({ secrets: 'a,a' })))).toBe(
      "input 'secrets': 'a' is listed twice; list each once",
    );
  });
});

describe('resource limits', () => {
  test.each(['6Mi', '128Mi', '1Gi', '64Gi', '0.5Gi', '100M', '268435456', '6291456'])(
    'memory %j is accepted',
    (value) => {
      expect(memoryLimit(reader({ 'memory-limit': value }))).toBe(value);
    },
  );

  const memHint = "use a Kubernetes quantity from 6Mi to 64Gi, like '128Mi' or '1Gi'";
  test.each([
    ['-1Gi', `'-1Gi' is not a memory quantity; ${memHint}`],
    ['lots', `'lots' is not a memory quantity; ${memHint}`],
    ['128MB', `'128MB' is not a memory quantity; ${memHint}`],
    ['128mi', `'128mi' is not a memory quantity; ${memHint}`],
    ['1e9', `'1e9' is not a memory quantity; ${memHint}`],
    ['0', `'0' is below the minimum 6Mi; ${memHint}`],
    ['5Mi', `'5Mi' is below the minimum 6Mi; ${memHint}`],
    ['128', `'128' is below the minimum 6Mi; ${memHint}`],
    ['65Gi', `'65Gi' is above the maximum 64Gi; ${memHint}`],
    ['128Gi', `'128Gi' is above the maximum 64Gi; ${memHint}`],
    ['1Ei', `'1Ei' is above the maximum 64Gi; ${memHint}`],
  ])('memory %j is refused', (value, problem) => {
    expect(refusal(() => memoryLimit(reader({ 'memory-limit': value })))).toBe(`input 'memory-limit': ${problem}`);
  });

  test.each(['1m', '200m', '0.5', '2', '64', '64000m', '0.001'])('cpu %j is accepted', (value) => {
    expect(cpuLimit(reader({ 'cpu-limit': value }))).toBe(value);
  });

  const cpuHint = "use millicores or cores from 1m to 64, like '200m' or '0.5'";
  test.each([
    ['fast', `'fast' is not a CPU quantity; ${cpuHint}`],
    ['-1', `'-1' is not a CPU quantity; ${cpuHint}`],
    ['0.0005', `'0.0005' is not a CPU quantity; ${cpuHint}`],
    ['1.5m', `'1.5m' is not a CPU quantity; ${cpuHint}`],
    ['1Gi', `'1Gi' is not a CPU quantity; ${cpuHint}`],
    ['0', `'0' is below the minimum 1m; ${cpuHint}`],
    ['0m', `'0m' is below the minimum 1m; ${cpuHint}`],
    ['200', `'200' is above the maximum 64; ${cpuHint}`],
    ['64001m', `'64001m' is above the maximum 64; ${cpuHint}`],
  ])('cpu %j is refused', (value, problem) => {
    expect(refusal(() => cpuLimit(reader({ 'cpu-limit': value })))).toBe(`input 'cpu-limit': ${problem}`);
  });

  test('defaults', () => {
    expect(memoryLimit(reader({}))).toBe('128Mi');
    expect(cpuLimit(reader({}))).toBe('200m');
  });
});
