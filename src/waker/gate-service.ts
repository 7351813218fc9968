/**
 * The gate inside the edge service: which repository a preview belongs to, and the `/.faas-preview/` requests
 * (without the gate, only the router's auth question, for signed reads of a private bucket).
 * With one repository configured every preview is that repository's; with several, the preview's record in the
 * bucket names it (the action writes it on every deploy), and only a configured repository is believed.
 */
import type * as http from 'node:http';
import type { ReadSigner } from '../assets/read-signer.js';
import { previewOfHost } from '../gate/redirect.js';
import { allowed, GATE_PREFIX, gateAnswer, sendAnswer, type GateConfig } from '../gate/routes.js';
import { readRecord } from '../state/records.js';
import type { StateStore } from '../state/store.js';
import type { Repository } from './specs.js';

const CACHE_MS = 60_000;
const CACHE_MAX = 1_000;

export interface GateService {
  /** Answers a gate request and returns true; false for any other path. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
}

export function repositoryLookup(
  repositories: Repository[],
  store: StateStore,
  now: () => number,
): (preview: string) => Promise<string | undefined> {
  const known = repositories.map((r) => `${r.owner}/${r.repo}`.toLowerCase());
  const cache = new Map<string, { repository: string | undefined; until: number }>();
  return async (preview) => {
    if (known.length === 1) return known[0];
    const hit = cache.get(preview);
    if (hit && hit.until > now()) return hit.repository;
    const recorded = (await readRecord(store, preview))?.githubRepository?.toLowerCase();
    const repository = recorded && known.includes(recorded) ? recorded : undefined;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(preview, { repository, until: now() + CACHE_MS });
    return repository;
  };
}

export function gateService(o: {
  gate: GateConfig | undefined;
  repositories: Repository[];
  store: StateStore;
  hostHeader: 'host' | 'x-forwarded-host';
  previewDomain: string;
  log: (line: string) => void;
  now: () => number;
  signRead?: ReadSigner;
}): GateService {
  const repositoryOf = repositoryLookup(o.repositories, o.store, o.now);
  return {
    async handle(req, res) {
      if (!(req.url ?? '').startsWith(GATE_PREFIX)) return false;
      const hostOf = (r: http.IncomingMessage) => {
        const v = r.headers[o.hostHeader];
        return typeof v === 'string' ? v : undefined;
      };
      if (!o.gate) {
        // Public previews with a private bucket: everyone is let through, with signed reads.
        const preview = previewOfHost(hostOf(req), o.previewDomain);
        const open = preview && o.signRead && req.url === `${GATE_PREFIX}auth`;
        sendAnswer(res, open ? await allowed(req, preview, o.signRead) : { status: 404, body: 'not found\n' });
        return true;
      }
      const deps = { config: o.gate, repositoryOf, hostOf, log: o.log, now: o.now, signRead: o.signRead };
      const answer = await gateAnswer(req, deps);
      sendAnswer(res, answer ?? { status: 404, body: 'not found\n' });
      return true;
    },
  };
}
