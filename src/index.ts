import { run } from './main.js';
import { mapStacksOnCrashOnly } from './process/stack-maps.js';

mapStacksOnCrashOnly();
await run();
