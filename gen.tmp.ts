import { generateTree } from './bench/bench.js';
import { rmSync } from 'node:fs';
rmSync('/tmp/benchtree', { recursive: true, force: true });
console.log(generateTree('/tmp/benchtree', false, 20240611));
