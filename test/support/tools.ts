/** Which Debian programs this machine has, and a free loopback port for servers that cannot bind port 0 themselves. */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A test that needs a Debian program runs when it is installed; elsewhere it is skipped with the reason in its name.
 * In CI (CI=true) a missing program is a failure, because .ci/run installs it.
 */
export function describeWith(programs: string[]): { describe: jest.Describe; missing: string } {
  const missing = programs.filter((p) => !hasCommand(p));
  if (missing.length === 0 || process.env.CI) return { describe, missing: '' };
  const skipped = ((name: string, fn: () => void) =>
    describe.skip(
      `${name} (skipped: ${missing.join(', ')} not installed; apt-get install ${missing.join(' ')})`,
      fn,
    )) as unknown as jest.Describe;
  return { describe: skipped, missing: missing.join(', ') };
}

/** Asks the kernel for a free 127.0.0.1 port, for programs (nginx, haproxy, registry) configured with a fixed one. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A promise the test settles when it says so: `open()` resolves it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
