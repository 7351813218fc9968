// ncc emits ESM for a "type": "module" package; dist/ needs its own package.json so Node loads index.js as ESM
// even when the action is checked out without the root package.json next to it.
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../dist/package.json', import.meta.url), JSON.stringify({ type: 'module' }, null, 2) + '\n');
