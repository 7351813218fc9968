/**
 * The run's secrets, registered once by inputs/parse.ts while it parses them. Every derived form is also handed to the
 * runner's log masking (`::add-mask::`), so the log hides a base64 `user:password` as well as the password.
 */
import * as core from '@actions/core';
import { Secrets } from './secrets.js';

export const secrets = new Secrets((form) => core.setSecret(form));
