/**
 * What to do about a failed deploy: one sentence, specific to what went wrong, the same in the PR comment and in the
 * run's annotation. commands/trouble.ts reads the error (a status, a network cause, an S3 code) into a `Trouble`;
 * the wording lives here, pure, so a test can hold every case against the facts.
 */
import type { FailedStep } from '../preview.js';

/** The server a call went to, as the advice names it. */
export type Target = 'gateway' | 'bucket' | 'registry' | 'GitHub' | 'database' | 'server';

/** The provider behind the gateway, as far as the log commands go. */
export type ProviderKind = 'faasd' | 'faas-netes';

export type Trouble =
  | { kind: 'credentials'; target: Target }
  | { kind: 'unreachable'; target: Target }
  | { kind: 'timeout'; target: Target }
  /** GitHub's 403 "Resource not accessible by integration": the `permissions:` entry the call needs. */
  | { kind: 'permission'; need: string }
  | { kind: 'bucket-missing' }
  | { kind: 'image-pull' }
  /** `functions`: the preview's functions, for the log commands; `namespace`: where they run. */
  | { kind: 'never-ready'; provider?: ProviderKind; functions: string[]; namespace: string }
  /** An input (or what it needs on the runner) is wrong, and the error says how: a build's advice would mislead. */
  | { kind: 'input'; input: string }
  /** Nothing more specific is known: the step decides the advice. */
  | { kind: 'step'; step: FailedStep };

const CREDENTIALS: Record<Target, string> = {
  gateway:
    "check the `gateway-username` and `gateway-password` inputs: the gateway answered 401, so it was reached and refused them (faasd's password is in `/var/lib/faasd/secrets/basic-auth-password`, faas-netes' in the `basic-auth` secret of the `openfaas` namespace)",
  bucket: 'check `aws-access-key-id` and `aws-secret-access-key`: the S3 server refused them',
  registry: 'check `registry-username` and `registry-password`: the registry refused them',
  GitHub: 'check `github-token`: GitHub refused it',
  database: 'check the user and password in `database-url`: PostgreSQL refused them',
  server: 'check the credentials of the failed call above',
};

const INPUT: Record<Target, string> = {
  gateway: '`gateway-url`',
  bucket: '`s3-endpoint`',
  registry: '`registry`',
  GitHub: 'GitHub',
  database: '`database-url`',
  server: 'the address in the error',
};

function logCommands(t: Extract<Trouble, { kind: 'never-ready' }>): string {
  const fn = t.functions.length === 1 ? t.functions[0] : '<function>';
  const faasd = `on faasd \`journalctl -t ${t.namespace}:${fn}\` (or \`faas-cli logs ${fn}\`)`;
  const netes = `on faas-netes \`kubectl logs -n ${t.namespace} deploy/${fn}\``;
  const where = t.provider === 'faasd' ? faasd : t.provider === 'faas-netes' ? netes : `${faasd}, ${netes}`;
  const which = t.functions.length > 1 ? ` (functions ${t.functions.map((f) => `\`${f}\``).join(', ')})` : '';
  return `read the function's log${which}: ${where}; it must answer \`ready-path\` below 500 within \`ready-timeout\``;
}

/** Advice by step, when the error says nothing more specific. */
const BY_STEP: Record<FailedStep, string> = {
  stack: 'fix the stack file (or the `functions` / `default-function` inputs) as the error says, then push',
  gateway: "check that the gateway's `/system/*` API answers this runner at `gateway-url`",
  state: "check that the bucket's credentials may write under `state-prefix`",
  build: 'fix the build error above (run the same build locally), then push',
  image: 'make the image pullable by the gateway, then re-run the workflow',
  data: 'fix the migration, seed or hook that failed (its output is above), then push',
  deploy: "the gateway refused the function's spec: fix what the error names, then push",
  readiness: "read the function's log and make `ready-path` answer below 500 within `ready-timeout`",
  assets: 'check the bucket, its credentials and `static-dir`, then re-run the workflow',
};

/** The one "What to do" sentence for `t`. */
export function whatToDo(t: Trouble): string {
  switch (t.kind) {
    case 'credentials':
      return CREDENTIALS[t.target];
    case 'unreachable':
      return t.target === 'gateway'
        ? "check `gateway-url` and that this runner can reach the gateway's `/system/*` API (a self-hosted runner beside it, or a path that exposes only `/system/*`)"
        : `check ${INPUT[t.target]} and that this runner can reach it`;
    case 'timeout':
      return `the ${t.target} did not answer in time: check that it is up and not overloaded, or raise \`request-timeout\``;
    case 'permission':
      return `add \`${t.need}\` under \`permissions:\` in the workflow (GitHub answered 403 "Resource not accessible by integration")`;
    case 'bucket-missing':
      return 'check the `bucket` input (and `s3-endpoint`): the bucket does not exist there';
    case 'image-pull':
      return 'make the image pullable by the gateway: public, or with the gateway given pull credentials (faasd: `/var/lib/faasd/.docker/config.json`; faas-netes: an image pull secret)';
    case 'never-ready':
      return logCommands(t);
    case 'input':
      return `change the \`${t.input}\` input, or what it needs on the runner, as the error says, then re-run the workflow`;
    case 'step':
      return BY_STEP[t.step];
  }
}
