import { describe, expect, it } from '@jest/globals';
import { FileChanged } from '../../src/assets/local.js';
import { S3ResponseError } from '../../src/assets/lean.js';
import { failureOf, S3OperationError, s3Operation, transientS3, type S3Failure } from '../../src/assets/s3-call.js';

/** An error as the SDK builds it from an S3 error answer (radosgw: empty <Message>, so the SDK's placeholder). */
function sdkError(status: number, code: string | undefined, message: string): Error {
  return Object.assign(new Error(message), {
    name: code ?? 'Unknown',
    ...(code ? { Code: code } : {}),
    $metadata: { httpStatusCode: status },
  });
}

const answer = (status: number | undefined, code?: string, message = ''): S3Failure => ({
  kind: 'answer',
  status,
  code,
  message,
  headers: {},
});

describe('failureOf', () => {
  it('reads an SDK error answer, taking the SDK placeholder for "no message"', () => {
    expect(failureOf(sdkError(403, 'SignatureDoesNotMatch', 'UnknownError'))).toEqual(
      answer(403, 'SignatureDoesNotMatch'),
    );
    expect(failureOf(sdkError(403, 'AccessDenied', 'Access Denied'))).toEqual(
      answer(403, 'AccessDenied', 'Access Denied'),
    );
    expect(failureOf(sdkError(404, undefined, 'UnknownError'))).toEqual(answer(404)); // HEAD: no body, no code
  });

  it("reads lean.ts's error answer, with its headers", () => {
    const err = new S3ResponseError(503, 'SlowDown', '', 'PUT http://s3/b/k', { 'retry-after': '2' });
    expect(failureOf(err)).toEqual({
      kind: 'answer',
      status: 503,
      code: 'SlowDown',
      message: '',
      headers: { 'retry-after': '2' },
    });
  });

  it('tells a missing answer from a file that could not be read', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(failureOf(reset)).toMatchObject({ kind: 'network', message: 'ECONNRESET socket hang up' });
    const timeout = Object.assign(new Error('the request socket timed out after 500 ms of inactivity'), {
      name: 'TimeoutError',
    });
    expect(failureOf(timeout)).toMatchObject({ kind: 'network' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(failureOf(refused)).toMatchObject({ kind: 'network', message: 'connect ECONNREFUSED 127.0.0.1:1' });
    const gone = Object.assign(new Error("ENOENT: no such file or directory, open '/site/a.js'"), { code: 'ENOENT' });
    expect(failureOf(gone)).toMatchObject({ kind: 'local' });
    expect(failureOf(new FileChanged('/site/a.js', 'it is no longer a regular file'))).toMatchObject({
      kind: 'local',
      message: '/site/a.js: the file changed during the sync (it is no longer a regular file)',
    });
  });
});

describe('transientS3', () => {
  it.each([
    ['a network error', { kind: 'network', message: 'ECONNRESET', headers: {} } as S3Failure, {}],
    ['500', answer(500, 'InternalError'), {}],
    ['503 SlowDown', answer(503, 'SlowDown'), {}],
    ['429', answer(429), {}],
    ['400 RequestTimeout', answer(400, 'RequestTimeout'), {}],
    ['403 RequestTimeTooSkewed (clock skew)', answer(403, 'RequestTimeTooSkewed'), {}],
    ['503 with Retry-After', { ...answer(503), headers: { 'retry-after': '3' } }, { afterMs: 3000 }],
  ])('repeats %s', (_, failure, verdict) => expect(transientS3(failure)).toEqual(verdict));

  it.each([
    ['403 AccessDenied', answer(403, 'AccessDenied')],
    ['403 SignatureDoesNotMatch', answer(403, 'SignatureDoesNotMatch')],
    ['404 NoSuchBucket', answer(404, 'NoSuchBucket')],
    ['a per-key DeleteObjects error', answer(undefined, 'AccessDenied')],
    ['a file that changed', { kind: 'local', message: 'changed', headers: {} } as S3Failure],
  ])('does not repeat %s', (_, failure) => expect(transientS3(failure)).toBe(false));
});

describe('S3OperationError', () => {
  const put = { operation: 'PutObject', bucket: 'previews', key: 'app-pr-1/index.html' };
  it('names the operation, the object, the status and the code, with or without a message', () => {
    expect(new S3OperationError(put, answer(403, 'SignatureDoesNotMatch')).message).toBe(
      'PutObject s3://previews/app-pr-1/index.html: HTTP 403 SignatureDoesNotMatch (the server sent no message); ' +
        'the server signs with another secret for this access key: check aws-secret-access-key',
    );
    expect(
      new S3OperationError(put, answer(500, 'InternalError', 'We encountered an internal error.'), 3).message,
    ).toBe(
      'PutObject s3://previews/app-pr-1/index.html: HTTP 500 InternalError: We encountered an internal error. (after 3 attempts)',
    );
    expect(new S3OperationError(put, answer(502, undefined, '')).message).toBe(
      'PutObject s3://previews/app-pr-1/index.html: HTTP 502 (no S3 error code) (the server sent no message)',
    );
  });

  it('names the prefix of a listing or a batch delete, and a per-key error without a status', () => {
    const list = { operation: 'ListObjectsV2', bucket: 'previews', prefix: 'app-pr-1/' };
    expect(
      new S3OperationError(list, { kind: 'network', message: 'ECONNRESET socket hang up', headers: {} }).message,
    ).toBe('ListObjectsV2 prefix s3://previews/app-pr-1/: ECONNRESET socket hang up');
    const del = { operation: 'DeleteObjects', bucket: 'previews', key: 'app-pr-1/old.js' };
    expect(new S3OperationError(del, answer(undefined, 'AccessDenied', 'Access Denied')).message).toMatch(
      /^DeleteObjects s3:\/\/previews\/app-pr-1\/old\.js: AccessDenied: Access Denied; the credentials may not do this/,
    );
  });

  it('keeps control characters and overlong server messages out of the message', () => {
    const message = new S3OperationError(put, answer(400, 'InvalidArgument', `bad\n\u001b[31mred${'x'.repeat(1000)}`))
      .message;
    // eslint-disable-next-line no-control-regex -- the escape character is what must not get through
    expect(message).not.toMatch(/[\n\u001b]/);
    expect(message.length).toBeLessThan(450);
  });
});

describe('s3Operation', () => {
  const target = { operation: 'PutObject', bucket: 'b', key: 'p/k' };
  const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
  const slowDown = (): Error =>
    new S3ResponseError(503, 'SlowDown', 'Please reduce your request rate.', 'PUT http://s3/b/p/k');

  it('repeats transient failures with the retry policy and logs one line for the call', async () => {
    const lines: string[] = [];
    let calls = 0;
    const out = await s3Operation(target, async () => (++calls < 3 ? Promise.reject(slowDown()) : 'stored'), {
      retry: true,
      log: (l) => lines.push(l),
      policy,
    });
    expect(out).toBe('stored');
    expect(calls).toBe(3);
    expect(lines).toEqual([
      'PutObject s3://b/p/k: HTTP 503 SlowDown: Please reduce your request rate.; retrying up to 2 more times',
    ]);
  });

  it('gives up after the last attempt with an S3OperationError that counts them', async () => {
    let calls = 0;
    const err = await s3Operation(target, async () => (calls++, Promise.reject(slowDown())), {
      retry: true,
      policy,
    }).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(err).toBeInstanceOf(S3OperationError);
    expect(err).toMatchObject({ attempts: 3, status: 503, code: 'SlowDown' });
    expect((err as Error).message).toMatch(/ \(after 3 attempts\)$/);
  });

  it('does not repeat what is not transient, nor anything without `retry` (the SDK repeats those itself)', async () => {
    let calls = 0;
    const denied = new S3ResponseError(403, 'AccessDenied', 'Access Denied', 'PUT http://s3/b/p/k');
    await expect(
      s3Operation(target, async () => (calls++, Promise.reject(denied)), { retry: true, policy }),
    ).rejects.toMatchObject({ status: 403, attempts: 1 });
    expect(calls).toBe(1);
    await expect(
      s3Operation(target, async () => (calls++, Promise.reject(slowDown())), { policy }),
    ).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(2);
  });
});
