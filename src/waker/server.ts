/**
 * The waker's HTTP service (node:http): `GET /healthz`, and the API requests the edge hands over when the gateway
 * answered them with 404, 502 or 503. Each request is checked (request.ts) before anything is read or called, buffered
 * (bounded), joined to its preview's one wake (flight.ts), and answered by forwarding it to the gateway once the
 * preview is awake (proxy.ts), or with a status of the waker's own: a line of text for a script, a page for a person
 * (gate/status.ts: waking up, being built, removed). A request never runs twice
 * unless it is safe: when its function existed before the waker was asked, only GET, HEAD and OPTIONS go to it
 * again. Nothing a server said (gateway or bucket errors) reaches the visitor; it goes to the log, scrubbed of
 * secrets.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReadSigner, type ReadSigner } from '../assets/read-signer.js';
import { s3Connection, type S3Connection } from '../assets/s3.js';
import { GatewayClient } from '../openfaas/client.js';
import { createStateStore, type StateStore } from '../state/store.js';
import { sanitize } from '../text/untrusted.js';
import type { WakerConfig } from './config.js';
import { Flights } from './flight.js';
import { isNavigation } from '../gate/navigation.js';
import { sendAnswer } from '../gate/routes.js';
import { previewState, statusAnswer, wakingAnswer } from '../gate/status.js';
import { readSleeping } from '../state/sleeping.js';
import { gateService, statusReply, type GateService } from './gate-service.js';
import { storedFactsLookup, type FactsLookup } from './stored-facts.js';
import { visitRecorder, type VisitRecorder } from './visits.js';
import { forward } from './proxy.js';
import {
  GATEWAY_STATUS_HEADER,
  gatewayStatus,
  parseTarget,
  PROXIED_METHODS,
  SAFE_METHODS,
  type Target,
} from './request.js';
import { managedByAny } from './specs.js';
import { previewFromHost } from '../naming.js';
import { CE_FUNCTION_LIMIT } from '../decide/quota.js';
import { isFailure, wake, type WakeOutcome } from './wake.js';

export interface WakerOptions {
  config: WakerConfig;
  gateway: GatewayClient;
  store: StateStore;
  /** One line per wake and per unexpected failure; the caller scrubs secrets. */
  log: (line: string) => void;
  now?: () => number;
  /** Signed reads of a private bucket (WAKER_BUCKET_READS=signed). */
  signRead?: ReadSigner;
}

/** How long a waiter waits beyond the wake's own deadline (the bucket read is bounded by its request timeout). */
const WAIT_GRACE_MS = 2_000;

type Answer = { status: number; text: string; retryAfterS?: number; headers?: Record<string, string> };

const NOT_FOUND: Answer = { status: 404, text: 'not found\n' };

function send(res: http.ServerResponse, a: Answer): void {
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...a.headers,
  };
  if (a.retryAfterS !== undefined) headers['retry-after'] = String(a.retryAfterS);
  res.writeHead(a.status, headers);
  res.end(a.text);
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The request body, or undefined when it is larger than `max` bytes. */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([p, expiry]).finally(() => clearTimeout(timer));
}

class Waker {
  private pending = 0;
  private readonly flights: Flights<WakeOutcome>;
  private readonly now: () => number;
  private readonly gate: GateService;
  private readonly facts: FactsLookup;
  private readonly visited: VisitRecorder;

  constructor(private readonly o: WakerOptions) {
    this.now = o.now ?? Date.now;
    const { config } = o;
    this.facts = storedFactsLookup(o.store, this.now, o.log);
    this.visited = visitRecorder(o.store, this.now, o.log);
    this.gate = gateService({
      gate: config.gate,
      repositories: config.repositories,
      facts: this.facts,
      visited: this.visited,
      hostHeader: config.hostHeader,
      previewDomain: config.previewDomain,
      log: o.log,
      now: this.now,
      signRead: o.signRead,
    });
    this.flights = new Flights({ now: this.now, holdMs: o.config.retryAfterMs, held: isFailure });
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? '';
    if (req.url === '/healthz')
      return send(
        res,
        method === 'GET' || method === 'HEAD'
          ? { status: 200, text: 'ok\n' }
          : { status: 405, text: 'method not allowed\n', headers: { allow: 'GET, HEAD' } },
      );
    if (await this.gate.handle(req, res)) return;
    const visitorHost = req.headers[this.o.config.hostHeader];
    const name =
      typeof visitorHost === 'string' ? previewFromHost(visitorHost, this.o.config.previewDomain) : undefined;
    const target = name ? parseTarget(req.url, name) : undefined;
    if (!name || !target) return send(res, NOT_FOUND);
    if (!PROXIED_METHODS.has(method))
      return send(res, {
        status: 405,
        text: 'method not allowed\n',
        headers: { allow: [...PROXIED_METHODS].join(', ') },
      });
    if (this.pending >= this.o.config.maxPending)
      return send(res, {
        status: 503,
        text: 'too many requests are waiting for previews to wake up; try again in a moment\n',
        retryAfterS: 1,
      });
    this.pending++;
    try {
      await this.serve(req, res, name, target);
    } finally {
      this.pending--;
    }
  }

  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    name: string,
    target: Target,
  ): Promise<void> {
    const { config } = this.o;
    this.visited(name);
    const body = await readBody(req, config.maxBodyBytes);
    if (!body)
      return send(res, {
        status: 413,
        text: `the request body is larger than the ${config.maxBodyBytes} bytes the waker holds while a preview wakes up\n`,
        headers: { connection: 'close' },
      });
    // A person opening a sleeping preview's page is not kept waiting on a blank tab: the wake starts, and a page
    // that reloads itself says so. API calls wait for the wake and get their answer.
    const asleep =
      SAFE_METHODS.has(req.method!) && isNavigation(req.headers, req.method!) && (await this.isAsleep(name));
    const admission = this.flights.admit(name, () => this.timedWake(name));
    if ('held' in admission) return send(res, this.failure(name, admission.held, admission.retryAfterMs));
    if (asleep) {
      admission.joined.catch(() => undefined); // its outcome is logged by timedWake; the reload sees the rest
      return sendAnswer(res, statusReply(wakingAnswer(name), true));
    }
    const outcome = await withTimeout(admission.joined, config.wakeTimeoutMs + WAIT_GRACE_MS);
    if (!outcome)
      return send(res, this.failure(name, { kind: 'timeout', functions: [], reason: '' }, config.retryAfterMs));
    if (outcome.kind === 'not-asleep') return this.passThrough(req, res, name, target, body);
    if (outcome.kind !== 'awake') return send(res, this.failure(name, outcome, config.retryAfterMs));
    if (!outcome.functions.includes(target.fn)) return send(res, NOT_FOUND);
    // Created by this wake: it did not exist when the gateway was asked, so the request has not run anywhere yet.
    if (outcome.created.includes(target.fn)) return this.forward(req, res, target, body);
    return this.again(req, res, target, body);
  }

  /** Whether the preview's specs are saved; an unreadable bucket says no here, and the wake itself tells more. */
  private async isAsleep(name: string): Promise<boolean> {
    return (await readSleeping(this.o.store, name).catch(() => undefined)) !== undefined;
  }

  /** Not asleep: the function may answer again when it exists and is one of ours (it answered an error of its own). */
  private async passThrough(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    name: string,
    target: Target,
    body: Buffer,
  ): Promise<void> {
    const { config } = this.o;
    const status = await this.o.gateway.get(target.fn).catch((err: Error) => err);
    if (status instanceof Error) {
      this.o.log(`lookup of function ${target.fn} failed: ${sanitize(status.message, { max: 300 })}`);
      return send(res, { status: 502, text: 'the OpenFaaS gateway could not be reached\n' });
    }
    if (!status || !managedByAny(status.labels, config.repositories)) return this.missing(req, res, name);
    return this.again(req, res, target, body);
  }

  /**
   * No such function of ours: the preview's state says why (gate/status.ts). A first deploy still running is a 503
   * with Retry-After, a removed preview a 410, anything else a 404; a person gets the page, a script the line.
   */
  private async missing(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    const facts = await this.facts(name).catch((err: Error) => {
      this.o.log(`state of ${name} could not be read: ${sanitize(err.message, { max: 300 })}`);
      return undefined;
    });
    if (!facts) return send(res, NOT_FOUND);
    const answer = statusAnswer(previewState(facts.record, facts.closed, this.now()), name);
    sendAnswer(res, statusReply(answer, isNavigation(req.headers, req.method!)));
  }

  /**
   * The function existed when the gateway was asked, so it may have run the request and answered the error itself:
   * a safe method is sent once more (its answer, body included, reaches the visitor); any other is not executed
   * twice, and is answered with the gateway's status when the edge passed it on, else with a 502.
   */
  private async again(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: Target,
    body: Buffer,
  ): Promise<void> {
    const method = req.method!;
    if (SAFE_METHODS.has(method)) return this.forward(req, res, target, body);
    const status = gatewayStatus(req.headers[GATEWAY_STATUS_HEADER]);
    const answered = status ? `was answered with ${status}` : 'was answered with an error';
    send(res, {
      status: status ?? 502,
      text: `the request to function ${target.fn} ${answered}; a ${method} request is not sent twice, because the function may have acted on it already\n`,
    });
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, target: Target, body: Buffer): Promise<void> {
    return forward(
      this.o.config.gateway.url,
      { method: req.method!, target: target.raw, headers: req.headers, body },
      res,
      this.o.config.requestTimeoutMs,
    );
  }

  private failure(name: string, outcome: WakeOutcome, retryAfterMs: number): Answer {
    if (outcome.kind === 'refused') return NOT_FOUND;
    const retryAfterS = seconds(retryAfterMs);
    if (outcome.kind === 'full') {
      const text = `preview ${name} is asleep, and waking it up needs ${outcome.needed} more function(s) on an OpenFaaS Community Edition gateway that already runs ${outcome.running} of the ${CE_FUNCTION_LIMIT} it allows; try again later, or close pull requests whose previews are no longer needed\n`;
      return { status: 503, text, retryAfterS };
    }
    if (outcome.kind === 'timeout')
      return {
        status: 504,
        text: `preview ${name} did not wake up within ${seconds(this.o.config.wakeTimeoutMs)} s; it may still be starting: try again in a moment\n`,
        retryAfterS,
      };
    return { status: 503, text: `preview ${name} could not be woken up; try again in ${retryAfterS} s\n`, retryAfterS };
  }

  private async timedWake(name: string): Promise<WakeOutcome> {
    const { config, gateway, store } = this.o;
    const start = this.now();
    const outcome = await wake(
      {
        gateway,
        store,
        repositories: config.repositories,
        readyPath: config.readyPath,
        idleAfterMs: config.idleAfterMs,
        timeoutMs: config.wakeTimeoutMs,
        requestTimeoutMs: config.requestTimeoutMs,
        now: this.now,
        log: (line) => this.o.log(sanitize(line, { max: 500 })),
      },
      name,
    );
    if (outcome.kind !== 'not-asleep') this.o.log(wakeLine(name, outcome, this.now() - start));
    return outcome;
  }
}

/** `wake preview=… functions=… created=… outcome=… duration=…s [reason="…"]` */
export function wakeLine(name: string, o: WakeOutcome, ms: number): string {
  const functions = 'functions' in o ? o.functions.join(',') || '-' : '-';
  const created = o.kind === 'awake' ? o.created.length : 0;
  const reason =
    o.kind === 'refused' || o.kind === 'failed' || o.kind === 'timeout'
      ? ` reason=${JSON.stringify(sanitize(o.reason, { max: 500 }))}`
      : o.kind === 'full'
        ? ` reason="${o.running} of ${CE_FUNCTION_LIMIT} functions run, ${o.needed} more needed"`
        : '';
  return `wake preview=${name} functions=${functions} created=${created} outcome=${o.kind} duration=${(ms / 1000).toFixed(2)}s${reason}`;
}

/**
 * The gateway client, the bucket's connection and the state store on it, with the action's timeouts and retries
 * (the store signs without the SDK where the connection allows it, assets/s3.ts).
 */
export function connect(
  config: WakerConfig,
  log: (line: string) => void,
): Pick<WakerOptions, 'gateway' | 'store'> & { s3: S3Connection } {
  const s3 = s3Connection(config.s3, { requestTimeoutMs: config.requestTimeoutMs });
  return {
    gateway: new GatewayClient(config.gateway, { timeoutMs: config.requestTimeoutMs, log }),
    s3,
    store: createStateStore(s3, config.s3.bucket, config.statePrefix, { log }),
  };
}

/** The signer of a private bucket's reads (WAKER_BUCKET_READS=signed); throws when the bucket's endpoint needs more than SigV4. */
export async function readSigner(config: WakerConfig, s3: S3Connection): Promise<ReadSigner | undefined> {
  if (config.bucketReads !== 'signed') return undefined;
  const signer = await createReadSigner(s3, config.s3.bucket);
  if (!signer) throw new Error('WAKER_BUCKET_READS=signed: the bucket endpoint needs another signature than SigV4');
  return signer;
}

export interface RunningWaker {
  server: http.Server;
  /** `http://<address>:<port>` */
  url: string;
  close(): Promise<void>;
}

export async function startWaker(o: WakerOptions): Promise<RunningWaker> {
  const waker = new Waker(o);
  const server = http.createServer((req, res) => {
    waker.handle(req, res).catch((err: unknown) => {
      o.log(
        `request ${sanitize(req.method ?? '')} failed: ${sanitize(err instanceof Error ? err.message : String(err), { max: 300 })}`,
      );
      if (!res.headersSent) send(res, { status: 500, text: 'the waker failed\n' });
      else res.destroy();
    });
  });
  server.listen(o.config.listen.port, o.config.listen.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
