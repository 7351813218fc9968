/**
 * The function the pipeline bench builds: examples/app/function's handler.js and package.json, with the dependency
 * layer a real node function has (its node_modules, copied before the handler, the order of the OpenFaaS node
 * templates: dependencies change less often than code). examples/app/function's own Dockerfile copies everything in
 * one step, so a handler edit there would leave the registry's layer cache nothing to give.
 *
 * Each run writes a package.json and dependencies of its own (seeded by the run), so its first build is cold: the
 * layer cache holds nothing of it.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './tools.js';
import { prng } from './tree.js';

const DOCKERFILE = [
  'FROM scratch',
  'COPY package.json /home/app/function/',
  'COPY node_modules/ /home/app/function/node_modules/',
  'COPY handler.js /home/app/function/',
  '',
].join('\n');

const HANDLER_LINE = "message: 'hello from the preview function'";

/** Words of code, compressible like the JavaScript of a real node_modules. */
function code(rnd: () => number, size: number): string {
  const words = 'const let function return require module exports if else for while new this null true false'.split(
    ' ',
  );
  const parts: string[] = [];
  for (let n = 0; n < size;) {
    const w = words[Math.floor(rnd() * words.length)] + (rnd() < 0.1 ? ';\n' : ' ');
    parts.push(w);
    n += w.length;
  }
  return parts.join('').slice(0, size);
}

/** Writes the function into `dir` for run `run`; the dependencies' size in bytes. */
export function writeFunction(dir: string, o: { run: number; seed: number; small: boolean }): number {
  const example = join(ROOT, 'examples', 'app', 'function');
  mkdirSync(dir, { recursive: true });
  cpSync(join(example, 'handler.js'), join(dir, 'handler.js'));
  const pkg = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version: `1.0.${o.run}` }, null, 2) + '\n');
  writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  const rnd = prng(o.seed + o.run);
  const [files, size] = o.small ? [10, 100_000] : [40, 200_000];
  mkdirSync(join(dir, 'node_modules', 'pg', 'lib'), { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(dir, 'node_modules', 'pg', 'lib', `m${i}.js`), code(rnd, size));
  return files * size;
}

/** A code change: one line of the handler edited (the Dockerfile and the dependencies stay as they are). */
export function editHandler(dir: string, run: number): void {
  const file = join(dir, 'handler.js');
  const text = readFileSync(file, 'utf8');
  if (!text.includes(HANDLER_LINE))
    throw new Error(`${file} has no line with ${HANDLER_LINE}: the bench's handler edit needs one`);
  writeFileSync(file, text.replace(HANDLER_LINE, `message: 'hello from the preview function, edit ${run}'`));
}
