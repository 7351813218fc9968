/**
 * The state store's SDK fallback (src/state/objects.ts), for an endpoint only the SDK can sign for: lean.js's
 * createLeanS3 is mocked to decline, everything else talks to s3rver and radosgw for real. The same cases as
 * state-store.test.ts.
 */
import { jest } from '@jest/globals';

const createLeanS3 = jest.fn(async () => undefined);
// objects.ts takes only createLeanS3 from lean.js
jest.unstable_mockModule('../../src/assets/lean.js', () => ({ createLeanS3 }));
const { S3_SERVERS } = await import('../../test/support/s3-servers.js');
const { stateStoreSuite } = await import('../../test/support/state-store-suite.js');

for (const { kind, describe } of S3_SERVERS)
  describe(`the state store through the SDK on ${kind}`, () => stateStoreSuite(kind, (s3) => s3.connection));
