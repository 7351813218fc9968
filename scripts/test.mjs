// `npm test`: every suite against the sources as they are now. The end-to-end suites run bundles, as the runner
// does, so the current sources are bundled into a temporary folder first (FAAS_PREVIEW_DIST tells the suites where);
// the committed dist/ is checked separately (.ci/run, check-dist). FAAS_PREVIEW_DIST set by the caller skips the
// bundling, for a quick rerun of a few suites: `FAAS_PREVIEW_DIST=dist npm test -- __tests__/unit`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let temporary;
if (!process.env.FAAS_PREVIEW_DIST) {
  temporary = mkdtempSync(join(tmpdir(), 'faas-preview-dist-'));
  execFileSync(process.execPath, [new URL('./bundle.mjs', import.meta.url).pathname, temporary], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const jest = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    new URL('../node_modules/jest/bin/jest.js', import.meta.url).pathname,
    ...process.argv.slice(2),
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, FAAS_PREVIEW_DIST: process.env.FAAS_PREVIEW_DIST ?? temporary },
  },
);
if (temporary) rmSync(temporary, { recursive: true, force: true });
process.exit(jest.status ?? 1);
