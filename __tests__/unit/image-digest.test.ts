/** The build digest over real temporary contexts: what changes it and what must not. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildDigest, selectContext, type DigestInput } from '../../src/image/digest.js';
import { BUILD_DIGEST_LABEL } from '../../src/naming.js';

let root: string;
let ctx: string;

function write(rel: string, text: string, base = ctx): void {
  mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
  writeFileSync(path.join(base, rel), text);
}

function input(o: Partial<DigestInput> = {}): DigestInput {
  return {
    builder: 'docker',
    context: ctx,
    dockerfile: 'Dockerfile',
    buildArgs: { MODE: 'preview' },
    platform: 'linux/amd64',
    ...o,
  };
}

const digest = async (o: Partial<DigestInput> = {}) => (await buildDigest(input(o))).value;

/** The digest before and after `change`. */
async function around(change: () => void, o: Partial<DigestInput> = {}): Promise<[string, string]> {
  const before = await digest(o);
  change();
  return [before, await digest(o)];
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'faas-preview-digest-'));
  ctx = path.join(root, 'app');
  write('Dockerfile', 'FROM scratch\nCOPY . /app/\n');
  write('.dockerignore', '# generated files\n*.log\nnode_modules\n.git\n!important.log\n');
  write('src/main.js', 'console.log(1)\n');
  write('debug.log', 'noise\n');
  write('important.log', 'kept\n');
  write('node_modules/dep/index.js', 'module.exports = 1\n');
  write('.git/HEAD', 'ref: refs/heads/main\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('buildDigest', () => {
  test('40 lowercase hex characters (a valid Kubernetes label value), the same on every run', async () => {
    const d = await buildDigest(input());
    expect(d.value).toMatch(/^[0-9a-f]{40}$/);
    expect(await digest()).toBe(d.value);
    expect(BUILD_DIGEST_LABEL).toBe('faas-preview/build-digest');
    expect(d.ignoreFiles).toEqual(['.dockerignore']);
  });

  test('a change to an ignored file, directory or file mode does not change it', async () => {
    const [a, b] = await around(() => {
      write('debug.log', 'other noise\n');
      write('node_modules/dep/index.js', 'module.exports = 2\n');
      write('node_modules/new/index.js', 'new\n');
      write('.git/HEAD', 'ref: refs/heads/other\n');
      chmodSync(path.join(ctx, 'debug.log'), 0o755);
    });
    expect(b).toBe(a);
  });

  test('a change to a context file, a new file or a removed one changes it', async () => {
    const [a, b] = await around(() => write('src/main.js', 'console.log(2)\n'));
    expect(b).not.toBe(a);
    const [, c] = await around(() => write('src/extra.js', ''));
    expect(c).not.toBe(b);
    const [, d] = await around(() => rmSync(path.join(ctx, 'src/extra.js')));
    expect(d).toBe(b);
  });

  test('a .dockerignore exception is part of the context', async () => {
    const [a, b] = await around(() => write('important.log', 'changed\n'));
    expect(b).not.toBe(a);
  });

  test('the Dockerfile counts, also when the context ignores it or it lives outside the context', async () => {
    write('.dockerignore', 'Dockerfile\n');
    const [a, b] = await around(() => write('Dockerfile', 'FROM scratch\nCOPY src /src\n'));
    expect(b).not.toBe(a);
    write('Dockerfile', 'FROM scratch\n', root);
    const outside = { dockerfile: '../Dockerfile' };
    const [c, d] = await around(() => write('Dockerfile', 'FROM scratch\nLABEL x=y\n', root), outside);
    expect(d).not.toBe(c);
  });

  test('a file mode and a symlink target count; mtimes do not', async () => {
    const [a, b] = await around(() => chmodSync(path.join(ctx, 'src/main.js'), 0o755));
    expect(b).not.toBe(a);
    const [, c] = await around(() => utimesSync(path.join(ctx, 'src/main.js'), new Date(0), new Date(0)));
    expect(c).toBe(b);
    symlinkSync('main.js', path.join(ctx, 'src/link'));
    const [d, e] = await around(() => {
      rmSync(path.join(ctx, 'src/link'));
      symlinkSync('other.js', path.join(ctx, 'src/link'));
    });
    expect(e).not.toBe(d);
  });

  test('build args, the platform and extra inputs count; the context location does not', async () => {
    const a = await digest();
    expect(await digest({ buildArgs: { MODE: 'prod' } })).not.toBe(a);
    expect(await digest({ buildArgs: { MODE: 'preview', EXTRA: '' } })).not.toBe(a);
    expect(await digest({ platform: 'linux/arm64' })).not.toBe(a);
    expect(await digest({ extra: { template: 'node20@1.2' } })).not.toBe(a);
    const moved = path.join(root, 'elsewhere');
    cpSync(ctx, moved, { recursive: true });
    expect(await digest({ context: moved })).toBe(a);
  });

  test('an allow-list (* then !exceptions) covers only what it lets through', async () => {
    write('.dockerignore', '*\n!src\n!Dockerfile\n');
    const [a, b] = await around(() => write('README.md', 'docs\n'));
    expect(b).toBe(a);
    const [, c] = await around(() => write('src/deep/file.js', 'x\n'));
    expect(c).not.toBe(b);
  });

  test('buildah and podman read .containerignore before .dockerignore; docker does not read it', async () => {
    write('.containerignore', 'src/generated\n');
    const [a, b] = await around(() => write('src/generated/out.js', '1\n'), { builder: 'podman' });
    expect(b).toBe(a);
    const [c, d] = await around(() => write('src/generated/out.js', '2\n'), { builder: 'docker' });
    expect(d).not.toBe(c);
  });

  test('<Dockerfile>.dockerignore (BuildKit) adds to what docker may send, never takes away', async () => {
    // The classic builder reads only .dockerignore, BuildKit only Dockerfile.dockerignore: a file either one sends counts.
    write('Dockerfile.dockerignore', 'src\n');
    const { entries } = await selectContext('docker', ctx, path.join(ctx, 'Dockerfile'));
    const files = entries.filter((e) => !e.dirent.isDirectory()).map((e) => e.rel);
    expect(files).toEqual(expect.arrayContaining(['src/main.js', 'debug.log', 'node_modules/dep/index.js']));
  });

  test('docker: an excluded directory stays out with unrelated exceptions, and is walked for related ones', async () => {
    write('.dockerignore', '**/node_modules\n!important.log\n');
    const nested = 'packages/web/node_modules/dep/index.js';
    write(nested, '1\n');
    const [a, b] = await around(() => write(nested, '2\n'));
    expect(b).toBe(a);
    // docker 20.10 walks into it for this exception and then matches only the parent at the pattern's depth.
    write('.dockerignore', '**/node_modules\n!packages/web/node_modules/keep\n');
    const [c, d] = await around(() => write(nested, '3\n'));
    expect(d).not.toBe(c);
    const [e, f] = await around(() => write(nested, '4\n'), { builder: 'buildah' });
    expect(f).toBe(e);
  });

  test('without an ignore file everything counts', async () => {
    rmSync(path.join(ctx, '.dockerignore'));
    const d = await buildDigest(input());
    expect(d.ignoreFiles).toEqual([]);
    const [a, b] = await around(() => write('debug.log', 'now it counts\n'));
    expect(b).not.toBe(a);
  });

  test('an ignore file the builders refuse is an error naming it', async () => {
    write('.dockerignore', '!\n');
    await expect(buildDigest(input())).rejects.toThrow(
      `${path.join(ctx, '.dockerignore')}: illegal exclusion pattern "!"`,
    );
  });

  test('a missing Dockerfile is an error naming it', async () => {
    await expect(buildDigest(input({ dockerfile: 'Nope' }))).rejects.toThrow(
      `cannot read the Dockerfile (${path.join(ctx, 'Nope')})`,
    );
  });

  test('a large file is streamed and hashed whole', async () => {
    const big = Buffer.alloc(3 << 20, 1);
    writeFileSync(path.join(ctx, 'src/big.bin'), big);
    const a = await buildDigest(input());
    expect(a.bytes).toBeGreaterThanOrEqual(big.length);
    big[big.length - 1] = 2;
    writeFileSync(path.join(ctx, 'src/big.bin'), big);
    expect(await digest()).not.toBe(a.value);
  });
});
