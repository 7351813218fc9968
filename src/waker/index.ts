/**
 * `node dist/waker/index.js`: the waker as a process. Configuration from the environment (config.ts), log lines on
 * stdout (log.ts); SIGTERM and SIGINT stop it after the requests in progress are answered. A bad configuration
 * exits with status 2 and one line naming the variable.
 */
import { ConfigError, loadConfig, type WakerConfig } from './config.js';
import { wakerLog } from './log.js';
import { connect, readSigner, startWaker } from './server.js';
import { mapStacksOnCrashOnly } from '../process/stack-maps.js';

mapStacksOnCrashOnly();

function configure(): WakerConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`faas-preview waker: ${err.message}\n`);
    process.exit(2);
  }
}

const config = configure();
const log = wakerLog(config, (line) => process.stdout.write(`${line}\n`));

const { s3, ...services } = connect(config, log);
const waker = await startWaker({ config, ...services, signRead: await readSigner(config, s3), log });
log(
  `faas-preview waker listening on ${waker.url} for *.${config.previewDomain}, gateway ${config.gateway.url}, repositories ${config.repositories.map((r) => `${r.owner}/${r.repo}`).join(', ')}, gate ${config.gate ? 'github' : 'off'}, bucket reads ${config.bucketReads}`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    waker.server.close(() => process.exit(0));
    waker.server.closeIdleConnections();
  });
}
