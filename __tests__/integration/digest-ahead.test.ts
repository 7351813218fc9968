/**
 * The deploy starts the build digest while it asks GitHub and the gateway (commands/image-source.ts digestAhead):
 * the image decision takes the digest of the context as it was then, computed once.
 */
import { expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestAhead, prepareImage } from '../../src/commands/image-source.js';
import type { Services } from '../../src/commands/services.js';
import type { Unit } from '../../src/commands/units.js';
import { buildDigest } from '../../src/image/digest.js';
import { BUILD_DIGEST_LABEL } from '../../src/naming.js';
import type { BuildSettings } from '../../src/settings.js';
import type { Templates } from '../../src/stack/templates.js';

test('the image decision uses the digest started ahead, not one of the context read again', async () => {
  const context = mkdtempSync(join(tmpdir(), 'digest-ahead-'));
  try {
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY handler.js /\n');
    writeFileSync(join(context, 'handler.js'), 'module.exports = 1;\n');
    const build: BuildSettings = {
      builder: 'buildah',
      context,
      dockerfile: 'Dockerfile',
      buildArgs: {},
      repository: 'registry.example.com/acme/shop',
      prebuiltImage: '',
      registryUsername: '',
      registryPassword: '',
      registryInsecure: false,
      deleteImage: false,
      rebuild: 'auto',
    };
    const before = await buildDigest({ builder: 'buildah', context, dockerfile: 'Dockerfile', buildArgs: {} });
    await digestAhead(build);
    // changed after the digest was computed: had the decision read the context again, the digest would not match
    writeFileSync(join(context, 'handler.js'), 'module.exports = 2;\n');
    const unit: Unit = {
      fn: '',
      name: 'shop-pr-1',
      route: '/',
      isDefault: true,
      tag: 'registry.example.com/acme/shop:pr-1-b',
      build,
    };
    const running = {
      name: 'shop-pr-1',
      image: 'registry.example.com/acme/shop:pr-1-a',
      labels: { [BUILD_DIGEST_LABEL]: before.value },
    } as Parameters<typeof prepareImage>[2];
    const services = {} as Services; // a reused image asks nothing of the registry or the gateway
    const image = await prepareImage(services, unit, running, {} as Templates);
    expect(image).toEqual({
      backend: { how: 'reused', digest: before.value, since: '' },
      image: 'registry.example.com/acme/shop:pr-1-a',
    });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
});
