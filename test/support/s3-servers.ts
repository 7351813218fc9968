/**
 * The S3 servers suites run against: s3rver (in process, always there) and Ceph radosgw (a real S3 implementation
 * that checks signatures; needs the Debian ceph packages, which CI installs). Both come with the same interface and
 * wire tap, so one suite body runs against each:
 *
 *   for (const { kind, describe } of S3_SERVERS) describe(`sync on ${kind}`, () => {
 *     let s3: S3Emulator;
 *     beforeAll(async () => (s3 = await startS3Server(kind)));
 *     afterAll(() => s3?.close());
 *     …
 *   });
 *
 * Starting Ceph costs about a second: start it once per file (beforeAll) and give tests their own prefixes.
 */
import { startRgw, RGW_PROGRAMS } from './rgw.js';
import { startS3, type S3Emulator, type S3Kind, type StartS3Options } from './s3.js';
import { describeWith } from './tools.js';

export function startS3Server(kind: S3Kind, options: StartS3Options = {}): Promise<S3Emulator> {
  return kind === 'rgw' ? startRgw(options) : startS3(options);
}

/** Each server with the `describe` to use for it: radosgw's skips, saying why, where Ceph is not installed (not in CI). */
export const S3_SERVERS: { kind: S3Kind; describe: jest.Describe }[] = [
  { kind: 's3rver', describe },
  { kind: 'rgw', describe: describeWith(RGW_PROGRAMS).describe },
];
