/**
 * src/log.ts: an annotation (notice, warning, error, the failure) is public text, shown on the checks page to anyone
 * who can read the PR, so it names no internal address; the job log keeps the whole line, written just before the
 * annotation when the two differ. With `show-internal-addresses: true` nothing is hidden. Secrets are scrubbed from
 * both lines either way. What is checked is the raw stdout the runner reads (`::error::…` is the annotation).
 *
 * The run's addresses live in one module-wide registry (as in a run, where main.ts registers them once): the opt-in
 * test runs first, while nothing is registered, and asserts that.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { parseSettings } from '../../src/inputs/parse.js';
import { log } from '../../src/log.js';
import { internal, registerInternalAddresses } from '../../src/text/addresses.js';
import type { ActionRun } from '../../test/support/action.js';
import { addressLeaks, annotations } from '../../test/support/leaks.js';

const GATEWAY = 'http://10.9.8.7:8080';
const S3 = 'https://minio.corp.example:9000';
const PASSWORD = 'gateway-password-of-the-log-test';

const settings = (extra: Record<string, string> = {}) => {
  const inputs: Record<string, string> = {
    'gateway-url': GATEWAY,
    'gateway-password': PASSWORD,
    'preview-domain': 'preview.example.com',
    builder: 'none',
    image: 'registry.corp.example:5000/acme/api:1',
    bucket: 'previews',
    's3-endpoint': S3,
    'aws-access-key-id': 'AKIALOGTEST',
    'aws-secret-access-key': 'log-test-secret-access-key',
    'github-token': 'ghs_logtest',
    ...extra,
  };
  return parseSettings((name) => inputs[name] ?? '', {
    repository: 'acme/shop',
    workspace: process.cwd(),
    mask: () => undefined,
  });
};

let written: string[];
beforeEach(() => {
  written = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  process.exitCode = undefined;
});
/** What was written, less the runner's mask commands (parsing the settings registers the secrets). */
const lines = () =>
  written
    .join('')
    .split('\n')
    .filter((l) => l && !l.startsWith('::add-mask::'));

const MESSAGE = `PUT ${GATEWAY}/system/functions: no answer within 30s (the gateway said: Basic ${PASSWORD}); uploads to ${S3}/previews failed`;

describe('annotations and the job log', () => {
  test('show-internal-addresses: true registers nothing: the annotation names the addresses, once', () => {
    registerInternalAddresses(settings({ 'show-internal-addresses': 'true' }));
    expect(internal.redact(MESSAGE)).toBe(MESSAGE);
    log.error(MESSAGE);
    expect(lines()).toEqual([
      `::error::PUT ${GATEWAY}/system/functions: no answer within 30s (the gateway said: Basic ***); uploads to ${S3}/previews failed`,
    ]);
  });

  test('by default each annotation hides the addresses, and the log line before it keeps them', () => {
    registerInternalAddresses(settings());
    const full = `PUT ${GATEWAY}/system/functions: no answer within 30s (the gateway said: Basic ***); uploads to ${S3}/previews failed`;
    const shown =
      'PUT <gateway>/system/functions: no answer within 30s (the gateway said: Basic ***); uploads to <s3-endpoint>/previews failed';
    for (const [call, command] of [
      [log.notice, 'notice'],
      [log.warning, 'warning'],
      [log.error, 'error'],
      [log.fail, 'error'],
    ] as const) {
      written = [];
      call(MESSAGE);
      expect([command, lines()]).toEqual([command, [full, `::${command}::${shown}`]]);
    }
    expect(process.exitCode).toBe(1);
  });

  test('an annotation without an address is written once; info lines keep addresses and lose secrets', () => {
    registerInternalAddresses(settings());
    log.warning('the static-dir site/dist is empty');
    log.info(`deploying to ${GATEWAY} with ${PASSWORD}`);
    expect(lines()).toEqual(['::warning::the static-dir site/dist is empty', `deploying to ${GATEWAY} with ***`]);
  });
});

describe("the e2e runs' scanner (test/support/leaks.ts)", () => {
  const run = (stdout: string, inputs: Record<string, string> = {}) =>
    ({
      code: 1,
      stdout,
      stderr: '',
      outputs: {},
      summary: '',
      inputs: { 'gateway-url': GATEWAY, ...inputs },
    }) as ActionRun;

  test('reads every annotation, with properties and escaped newlines, and nothing else', () => {
    const stdout = `GET ${GATEWAY}/x\n::error::GET <gateway>/x\n::warning title=T,file=a.ts::one%0Atwo 100%25\n::notice::n\n::add-mask::m\n`;
    expect(annotations(stdout)).toEqual(['GET <gateway>/x', 'one\ntwo 100%', 'n']);
  });

  test('finds an internal address in an annotation, not in the log line; none when the run opted in', () => {
    expect(addressLeaks(run(`GET ${GATEWAY}/x\n::error::GET <gateway>/x\n`))).toEqual([]);
    const leaked = run(`::warning title=T::could not reach 10.9.8.7:8080%0Aagain\n`);
    expect(addressLeaks(leaked)).toContain('annotations: 10.9.8.7:8080');
    expect(addressLeaks({ ...leaked, inputs: { ...leaked.inputs, 'show-internal-addresses': 'true' } })).toEqual([]);
  });
});
