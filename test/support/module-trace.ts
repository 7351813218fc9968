/**
 * Which files a bundled process loads: ncc's chunks are ES modules the bundle imports on demand, so a module load
 * hook (node:module register, given to the child by NODE_OPTIONS) sees each one. The hook appends every file:// URL it
 * loads to a log; `loaded()` reads it back. `sdkFiles()` names the bundle's files that hold the AWS SDK (by the
 * SDK's own user-agent prefix, which no code of ours holds).
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ModuleTrace {
  /** For the child's environment. */
  env: { NODE_OPTIONS: string };
  /** The files loaded so far, in order, each once. */
  loaded(): string[];
  close(): void;
}

const HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(log, url + '\\n');
  return next(url, context);
}
`;

export function traceModules(): ModuleTrace {
  const dir = mkdtempSync(path.join(tmpdir(), 'module-trace-'));
  const log = path.join(dir, 'loaded.txt');
  appendFileSync(log, '');
  writeFileSync(path.join(dir, 'hooks.mjs'), HOOKS);
  const register = path.join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url, { data: { log: ${JSON.stringify(log)} } });\n`,
  );
  return {
    env: { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` },
    loaded: () => [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].map((u) => fileURLToPath(u)),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The files of the bundle in `folder` (its entry and its chunks) that hold the AWS SDK's client. */
export function sdkFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => /^(\d+\.)?index\.js$/.test(f))
    .map((f) => path.join(folder, f))
    .filter((f) => readFileSync(f, 'utf8').includes('aws-sdk-js'));
}
