/**
 * The gate inside the edge service: which repository a preview belongs to, and the `/.faas-preview/` requests
 * (without the gate, only the router's auth question, which lets everyone through, for signed reads of a private
 * bucket or to record visits, and `status`, where the router sends a request it found nothing for). Every request
 * let through marks its preview as visited.
 * With one repository configured every preview is that repository's; with several, the preview's record in the
 * bucket names it (the action writes it on every deploy), and only a configured repository is believed.
 */
import type * as http from 'node:http';
import type { ReadSigner } from '../assets/read-signer.js';
import { previewOfHost } from '../gate/redirect.js';
import { isNavigation } from '../gate/navigation.js';
import {
  allowed,
  GATE_PREFIX,
  gateAnswer,
  gateRefusal,
  header,
  sendAnswer,
  type Answer,
  type GateConfig,
} from '../gate/routes.js';
import { previewState, STATUS_PATH, statusAnswer, type StatusAnswer } from '../gate/status.js';
import { sanitize } from '../text/untrusted.js';
import type { Repository } from './specs.js';
import type { FactsLookup } from './stored-facts.js';
import type { VisitRecorder } from './visits.js';

export interface GateService {
  /** Answers a gate request and returns true; false for any other path. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
}

export function repositoryLookup(
  repositories: Repository[],
  facts: FactsLookup,
): (preview: string) => Promise<string | undefined> {
  const known = repositories.map((r) => `${r.owner}/${r.repo}`.toLowerCase());
  return async (preview) => {
    if (known.length === 1) return known[0];
    const { record, closed } = await facts(preview);
    // A removed preview's tombstone still names its repository: its 410 page is for those who could read it.
    const recorded = (record?.githubRepository ?? closed?.githubRepository)?.toLowerCase();
    return recorded && known.includes(recorded) ? recorded : undefined;
  };
}

export function gateService(o: {
  gate: GateConfig | undefined;
  repositories: Repository[];
  facts: FactsLookup;
  hostHeader: 'host' | 'x-forwarded-host';
  previewDomain: string;
  log: (line: string) => void;
  now: () => number;
  signRead?: ReadSigner;
  visited?: VisitRecorder;
}): GateService {
  const repositoryOf = repositoryLookup(o.repositories, o.facts);
  const hostOf = (r: http.IncomingMessage) => {
    const v = r.headers[o.hostHeader];
    return typeof v === 'string' ? v : undefined;
  };
  const deps = o.gate && {
    config: o.gate,
    repositoryOf,
    hostOf,
    log: o.log,
    now: o.now,
    signRead: o.signRead,
    visited: o.visited,
  };

  /** The status of a preview with nothing to serve (gate/status.ts); with the gate, only for those let in. */
  const status = async (req: http.IncomingMessage, preview: string): Promise<Answer> => {
    const refused = deps && (await gateRefusal(req, preview, deps));
    if (refused) return refused;
    const facts = await o.facts(preview).catch((err: Error) => {
      o.log(`state of ${preview} could not be read: ${sanitize(err.message, { max: 300 })}`);
      return undefined;
    });
    if (!facts) return { status: 404, body: 'not found\n' };
    const { record, closed } = facts;
    const method = header(req, 'x-original-method') ?? req.method ?? '';
    return statusReply(statusAnswer(previewState(record, closed, o.now()), preview), isNavigation(req.headers, method));
  };

  return {
    async handle(req, res) {
      const url = req.url ?? '';
      if (!url.startsWith(GATE_PREFIX)) return false;
      const preview = previewOfHost(hostOf(req), o.previewDomain);
      if (preview && new URL(url, 'http://edge.invalid').pathname === STATUS_PATH) {
        sendAnswer(res, await status(req, preview));
        return true;
      }
      if (!deps) {
        // Public previews the router asks about anyway (signed reads of a private bucket, or visits to record):
        // everyone is let through.
        const open = preview && url === `${GATE_PREFIX}auth`;
        if (open) o.visited?.(preview);
        sendAnswer(res, open ? await allowed(req, preview, o.signRead) : { status: 404, body: 'not found\n' });
        return true;
      }
      sendAnswer(res, (await gateAnswer(req, deps)) ?? { status: 404, body: 'not found\n' });
      return true;
    },
  };
}

/** A status as a gate answer: the page for a navigation, the line of text for anything else. */
export function statusReply(a: StatusAnswer, navigation: boolean): Answer {
  const headers: Record<string, string> = a.retryAfterS === undefined ? {} : { 'retry-after': String(a.retryAfterS) };
  return navigation
    ? { status: a.status, body: a.page.html, html: true, headers }
    : { status: a.status, body: a.text, headers };
}
