/**
 * The state store's lean calls (src/state/objects.ts) on s3rver and radosgw: with a custom endpoint and static
 * credentials every request is signed here, and the SDK's client is never asked for (the connection below throws if
 * it is).
 */
import { S3_SERVERS } from '../../test/support/s3-servers.js';
import { stateStoreSuite } from '../../test/support/state-store-suite.js';

for (const { kind, describe: on } of S3_SERVERS)
  on(`the state store's lean calls on ${kind}`, () =>
    stateStoreSuite(kind, (s3) => ({
      ...s3.connection,
      client: () => {
        throw new Error('the state store asked for the SDK client');
      },
    })),
  );
