/**
 * The waker's log: one line per event, timestamped, scrubbed of every form of its secrets (the gateway password, the
 * Basic-auth header built from it, the S3 secret key, the GitHub App's client secret, the bypass token), because a line may quote a server's error and servers echo
 * credentials. The waker has its own registry: it is not an Action run, nothing is masked through the runner.
 */
import { Secrets } from '../text/secrets.js';
import type { WakerConfig } from './config.js';

export function wakerLog(
  config: WakerConfig,
  write: (line: string) => void,
  now: () => Date = () => new Date(),
): (line: string) => void {
  const secrets = new Secrets();
  secrets.add(config.gateway.password);
  secrets.addBasicAuth(config.gateway.username, config.gateway.password);
  secrets.add(config.s3.accessKeyId);
  secrets.add(config.s3.secretAccessKey);
  secrets.add(config.gate?.github.clientSecret);
  secrets.add(config.gate?.bypassToken);
  return (line) => write(`${now().toISOString()} ${secrets.scrub(line)}`);
}
