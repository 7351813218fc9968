/**
 * The run's secrets, registered once by inputs/parse.ts while it parses them. The action's entry (main.ts) hands
 * every derived form to the runner's log masking (`::add-mask::`), so the log hides a base64 `user:password` as well
 * as the password; the code that only scrubs text (the asset sync, the edge service) does not load @actions/core.
 */
import { Secrets } from './secrets.js';

export const secrets = new Secrets();
