// Builds what runners and edge hosts execute: the action (src/index.ts → index.js) and the waker
// (src/waker/index.ts → waker/index.js), into dist/ or the folder given as the first argument (npm test bundles into
// a temporary folder so the end-to-end suites run the sources as they are now).
//
// Minified, with source maps and ncc's source-map register: a stack trace from a user's run names src/ files and
// lines (the entries keep the register for crashes only: src/process/stack-maps.ts). ncc minifies each entry but not
// the chunks it splits off for what the code imports lazily (a deploy's own code, GitHub's client, the AWS SDK, the
// PostgreSQL client); esbuild minifies those afterwards, reading each chunk's map and writing one that still points
// into src/. A deploy loads two of them before its builder starts. ncc emits ESM for a "type": "module" package; the
// output folder gets its own package.json so Node loads index.js as ESM even when the action is checked out without
// the root package.json next to it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

export const ENTRIES = [
  { source: 'src/index.ts', folder: '.' },
  { source: 'src/waker/index.ts', folder: 'waker' },
];

const ncc = createRequire(import.meta.url).resolve('@vercel/ncc/dist/ncc/cli.js');
const out = resolve(process.argv[2] ?? 'dist');

rmSync(out, { recursive: true, force: true });
for (const { source, folder } of ENTRIES) {
  execFileSync(
    process.execPath,
    [ncc, 'build', source, '-o', join(out, folder), '--license', 'licenses.txt', '--minify', '--source-map'],
    {
      stdio: 'inherit',
    },
  );
  relativeToMaps(join(out, folder));
  await minifyChunks(join(out, folder));
}
writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');

/**
 * ncc writes each map's sources as '../' + the path from the working directory, right only for a bundle one folder
 * below it (dist/index.js); they are rewritten relative to the map itself, which is what a stack trace resolves.
 */
function relativeToMaps(folder) {
  for (const name of readdirSync(folder).filter((f) => f.endsWith('.js.map'))) {
    const file = join(folder, name);
    const map = JSON.parse(readFileSync(file, 'utf8'));
    map.sources = map.sources.map((source) => relative(folder, resolve(source.replace(/^\.\.\//, ''))));
    writeFileSync(file, JSON.stringify(map));
  }
}

/** The chunks (`<id>.index.js`) minified in place, their maps rewritten through the old ones. */
async function minifyChunks(folder) {
  for (const name of readdirSync(folder).filter((f) => /^\d+\.index\.js$/.test(f))) {
    const file = join(folder, name);
    await build({
      entryPoints: [file],
      outfile: file,
      allowOverwrite: true,
      // as ncc's own minifier does for the entries (terser without compress, names kept): spaces and local names go,
      // the code stays as written, and a library that reads a class's or function's name still finds it
      minifyWhitespace: true,
      minifyIdentifiers: true,
      keepNames: true,
      sourcemap: 'linked',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'error',
    });
  }
}
