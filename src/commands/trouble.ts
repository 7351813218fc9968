/**
 * A deploy's error read into what went wrong (decide/advice.ts words what to do about it): the HTTP status or the
 * network cause the call got, which server it went to, an S3 code. Errors carry their cause chain (retries wrap the
 * last attempt's error), so the chain is searched, the outermost first.
 */
import { S3OperationError } from '../assets/s3-call.js';
import type { ProviderKind, Target, Trouble } from '../decide/advice.js';
import { lackedPermission } from '../github/client.js';
import { NetworkError, StatusError } from '../http/call.js';
import { NotReady } from '../openfaas/readiness.js';
import type { FailedStep } from '../preview.js';
import { RetriesExhausted } from '../retry.js';
import { InputError } from '../rules/errors.js';
import type { Settings } from '../settings.js';

/** The error and every error it wraps, outermost first. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && out.length < 10;) {
    out.push(e);
    e = e instanceof RetriesExhausted ? e.last : e instanceof Error ? e.cause : undefined;
  }
  return out;
}

/** Which server a failed call (`METHOD url`) went to. */
function targetOf(call: string, s: Settings): Target {
  const url = call.replace(/^[A-Z]+ /, '');
  if (url.startsWith(s.gateway.url)) return 'gateway';
  if (s.assets?.endpoint && url.startsWith(s.assets.endpoint)) return 'bucket';
  return 'server';
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** What one error in the chain says, when it says something specific. */
function troubleOf(e: unknown, s: Settings): Trouble | undefined {
  const code = (e as { name?: string; Code?: string }).Code ?? (e as { name?: string }).name;
  if (code === 'NoSuchBucket' || (e instanceof S3OperationError && e.code === 'NoSuchBucket'))
    return { kind: 'bucket-missing' };
  if (e instanceof S3OperationError && ['InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(e.code ?? ''))
    return { kind: 'credentials', target: 'bucket' };
  const need = lackedPermission(e);
  if (need) return { kind: 'permission', need };
  if (e instanceof StatusError && e.status === 401) return { kind: 'credentials', target: targetOf(e.call, s) };
  if (e instanceof InputError) return { kind: 'input', input: e.input };
  if (e instanceof NetworkError) {
    const target = targetOf(e.call, s);
    if (e.code === 'ETIMEDOUT') return { kind: 'timeout', target };
    if (UNREACHABLE.has(e.code)) return { kind: 'unreachable', target };
  }
  return undefined;
}

/** The preview's functions and where they run, for the log commands of a function that never became ready. */
export interface TroubleContext {
  settings: Settings;
  provider?: ProviderKind;
  functions: string[];
}

export function troubleFor(step: FailedStep, err: unknown, c: TroubleContext): Trouble {
  for (const e of chain(err)) {
    const t = troubleOf(e, c.settings);
    if (t) return t;
  }
  if (step === 'image') return { kind: 'image-pull' };
  if (step === 'readiness' || err instanceof NotReady) {
    const functions = err instanceof NotReady && err.fn ? [err.fn] : c.functions;
    return {
      kind: 'never-ready',
      provider: c.provider,
      functions,
      namespace: c.settings.gateway.namespace || 'openfaas-fn',
    };
  }
  return { kind: 'step', step };
}
