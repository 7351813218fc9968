/**
 * One S3 operation of the sync or the teardown, as the rest of the action sees it. A failure names the operation,
 * the bucket and the key (or the prefix), the HTTP status and S3's error code whatever the server put in
 * `<Message>` (radosgw sends it empty, and the SDK then says only "UnknownError"), and what usually fixes it.
 *
 * Operations the SDK cannot repeat by itself (streamed bodies) and the lean calls (lean.ts: one attempt a call) are retried
 * here with the action's one policy (src/retry.ts) and the S3 classifier `transientS3`. Operations with in-memory
 * bodies (listings, deletes, multipart create/complete) already go through the SDK's own retry strategy, which
 * repeats the same failures: they are only named here, not repeated a second time.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { transientStatus } from '../http/call.js';
import { RetriesExhausted, withRetry, type RetryPolicy, type Verdict } from '../retry.js';
import { sanitize } from '../text/untrusted.js';
import { FileChanged } from './local.js';

export interface S3Target {
  /** The S3 API name: PutObject, UploadPart, ListObjectsV2, DeleteObjects… */
  operation: string;
  bucket: string;
  /** One object… */
  key?: string;
  /** …or the objects under a prefix. */
  prefix?: string;
}

/** What went wrong, from any error the SDK, lean.ts or node gives. */
export interface S3Failure {
  /**
   * `answer`: S3 said no (an HTTP error, or a per-key error inside a 200); `network`: no answer (refused, reset,
   * timed out); `local`: the file to send could not be read as the walk saw it.
   */
  kind: 'answer' | 'network' | 'local';
  /** HTTP status of the answer. */
  status?: number;
  /** S3's `<Code>`. */
  code?: string;
  /** S3's `<Message>` (may be empty), or the network or local error in its own words. */
  message: string;
  headers: IncomingHttpHeaders;
}

/** Errors of reading the file to send; anything else without an HTTP answer happened on the way to the server. */
const FILE_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'EMFILE', 'ENFILE', 'EIO']);
/** The SDK's `message` when the error body has no `<Message>`. */
const SDK_NO_MESSAGE = 'UnknownError';

export function failureOf(err: unknown): S3Failure {
  const e = (err ?? {}) as {
    name?: string;
    code?: string;
    Code?: string;
    Message?: string;
    message?: string;
    headers?: IncomingHttpHeaders;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: IncomingHttpHeaders };
  };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) {
    // lean.ts's S3ResponseError carries the body's Message as it was; the SDK's `message` is it or its placeholder
    const said = typeof e.Message === 'string' ? e.Message : message === SDK_NO_MESSAGE ? '' : message;
    return {
      kind: 'answer',
      status,
      code: e.Code || undefined,
      message: said,
      headers: e.headers ?? e.$response?.headers ?? {},
    };
  }
  const local = err instanceof FileChanged || FILE_ERRORS.has(e.code ?? '');
  const text = e.code && !message.includes(e.code) ? `${e.code} ${message}` : message;
  return { kind: local ? 'local' : 'network', message: text, headers: {} };
}

const TRANSIENT_CODES = new Set([
  'SlowDown',
  'RequestTimeout',
  'RequestTimeTooSkewed', // the SDK and lean.ts correct their clock offset from the answer's Date before the next attempt
  'RequestExpired',
  'InternalError',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
]);

/** Network errors, 408, 429, 5xx, and S3's throttling, timeout and clock-skew codes are worth another attempt. */
export function transientS3(f: S3Failure): Verdict {
  if (f.kind === 'network') return {};
  if (f.kind === 'local') return false; // the file changed or cannot be read: another attempt reads the same
  if (f.code && TRANSIENT_CODES.has(f.code)) return {};
  return f.status === undefined ? false : transientStatus(f.status, f.headers);
}

const HINTS: Record<string, string> = {
  SignatureDoesNotMatch: 'the server signs with another secret for this access key: check aws-secret-access-key',
  InvalidAccessKeyId: 'the server does not know this access key: check aws-access-key-id (and s3-endpoint)',
  AccessDenied:
    'the credentials may not do this: they need s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket',
  NoSuchBucket: 'check the bucket input (and s3-endpoint)',
  RequestTimeTooSkewed: "the runner's clock is too far from the server's",
  InvalidObjectName: "S3 keys are at most 1,024 bytes of UTF-8, the preview's prefix included",
  KeyTooLongError: "S3 keys are at most 1,024 bytes of UTF-8, the preview's prefix included",
};

function describeTarget(t: S3Target): string {
  return t.key !== undefined ? `s3://${t.bucket}/${t.key}` : `prefix s3://${t.bucket}/${t.prefix ?? ''}`;
}

function describeFailure(f: S3Failure): string {
  if (f.kind !== 'answer') return f.message;
  const said = sanitize(f.message, { max: 300 });
  const hint = f.code && HINTS[f.code];
  const head = f.status === undefined ? f.code : `HTTP ${f.status} ${f.code ?? '(no S3 error code)'}`;
  return `${head}${said ? `: ${said}` : ' (the server sent no message)'}${hint ? `; ${hint}` : ''}`;
}

export class S3OperationError extends Error {
  constructor(
    readonly target: S3Target,
    readonly failure: S3Failure,
    readonly attempts = 1,
    cause?: unknown,
  ) {
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    super(`${target.operation} ${describeTarget(target)}: ${describeFailure(failure)}${tries}`, { cause });
    this.name = 'S3OperationError';
  }

  get status(): number | undefined {
    return this.failure.status;
  }

  get code(): string | undefined {
    return this.failure.code;
  }
}

export interface OperationOptions {
  /** Repeat transient failures: only for what the SDK does not repeat itself. */
  retry?: boolean;
  /** Where the one line about a retry goes. */
  log?: (line: string) => void;
  policy?: RetryPolicy;
}

/** Runs `fn` (one attempt of `target`'s request each call); any failure becomes an S3OperationError. */
export async function s3Operation<T>(target: S3Target, fn: () => Promise<T>, o: OperationOptions = {}): Promise<T> {
  const attempt = async (): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw err instanceof S3OperationError ? err : new S3OperationError(target, failureOf(err), 1, err);
    }
  };
  if (!o.retry) return attempt();
  try {
    return await withRetry(attempt, {
      what: `${target.operation} ${describeTarget(target)}`,
      transient: (err) => (err instanceof S3OperationError ? transientS3(err.failure) : false),
      log: o.log,
      policy: o.policy,
    });
  } catch (err) {
    if (err instanceof RetriesExhausted && err.last instanceof S3OperationError) {
      throw new S3OperationError(target, err.last.failure, err.attempts, err.last.cause);
    }
    throw err;
  }
}
