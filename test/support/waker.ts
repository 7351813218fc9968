/**
 * The waker as the process a faasd host runs from its systemd unit: `node dist/waker/index.js` (built by
 * `npm run bundle`), configured by WAKER_* variables alone, listening on a free 127.0.0.1 port. Its log lines (one per
 * wake) are collected; `close()` sends SIGTERM, as systemd and Kubernetes do, and waits for the exit.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { DIST } from './action.js';
import { freePort, waitFor } from './tools.js';

export const WAKER_BUNDLE = path.join(DIST, 'waker/index.js');

export interface WakerProcess {
  url: string;
  /** stdout lines so far. */
  lines(): string[];
  /** Everything it wrote, for failure messages and leak checks. */
  output(): string;
  close(): Promise<void>;
}

/** Starts the bundled waker with `env` (WAKER_* only; WAKER_LISTEN is chosen here). */
export async function startWakerProcess(env: Record<string, string>): Promise<WakerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [WAKER_BUNDLE], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, WAKER_LISTEN: `127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  const output = () => stdout + stderr;
  const close = async () => {
    if (code === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await Promise.race([
      waitFor(async () => stdout.includes(`listening on http://127.0.0.1:${port} `), `the waker on 127.0.0.1:${port}`),
      exited.then((c) => {
        throw new Error(`exited with code ${c}`);
      }),
    ]);
  } catch (err) {
    await close();
    throw new Error(`${WAKER_BUNDLE} did not start (${(err as Error).message}):\n${output()}`, { cause: err });
  }
  return { url: `http://127.0.0.1:${port}`, lines: () => stdout.split('\n').filter(Boolean), output, close };
}
