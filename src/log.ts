/**
 * The job log. The runner hides registered secrets (`::add-mask::`), but only in its own log view: the raw output
 * must not carry them either, and errors here often quote a server's answer (a gateway that echoes the request's
 * Authorization header). So every line is scrubbed of every secret form before it is written.
 */
import * as core from '@actions/core';
import { secrets } from './text/run-secrets.js';

export const log = {
  info: (message: string): void => core.info(secrets.scrub(message)),
  notice: (message: string): void => core.notice(secrets.scrub(message)),
  warning: (message: string): void => core.warning(secrets.scrub(message)),
  error: (message: string): void => core.error(secrets.scrub(message)),
  /** The step's one failure line; the exit code becomes 1. */
  fail: (message: string): void => core.setFailed(secrets.scrub(message)),
};
