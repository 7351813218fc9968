/**
 * The job log and the annotations. The runner hides registered secrets (`::add-mask::`), but only in its own log view:
 * the raw output must not carry them either, and errors here often quote a server's answer (a gateway that echoes the
 * request's Authorization header). So every line is scrubbed of every secret form before it is written.
 *
 * An annotation (notice, warning, error, the failure) is also shown on the PR's checks page, which anyone who can read
 * the PR reads: it goes through publicText, as the PR comment does, so it names no internal address (`<gateway>` in
 * place of the gateway's URL). When that changed the line, the log gets the whole line first, as plain text: the
 * operator debugging the run still reads the address there.
 */
import * as core from '@actions/core';
import { secrets } from './text/run-secrets.js';
import { publicText } from './text/untrusted.js';

/** `message` for an annotation; the unredacted line goes to the log alone when the two differ. */
function annotation(message: string): string {
  const logged = secrets.scrub(message);
  const shown = publicText(message);
  if (shown !== logged) core.info(logged);
  return shown;
}

export const log = {
  info: (message: string): void => core.info(secrets.scrub(message)),
  notice: (message: string): void => core.notice(annotation(message)),
  warning: (message: string): void => core.warning(annotation(message)),
  error: (message: string): void => core.error(annotation(message)),
  /** The step's one failure line; the exit code becomes 1. */
  fail: (message: string): void => core.setFailed(annotation(message)),
};
