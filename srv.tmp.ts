import { startS3 } from './test/support/s3.js';
const s3 = await startS3({ bucket: 'bench' });
console.log(s3.endpoint);
setInterval(() => {}, 1000);
