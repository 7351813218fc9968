/**
 * Emulated Prometheus HTTP API for the sweeper's tests: `/api/v1/query` (GET with the query string, or POST with a
 * form body, as Prometheus accepts both) on 127.0.0.1 and a random port.
 *
 * Strict about the one query the sweeper may send:
 *   sum by (function_name) (increase(gateway_function_invocation_total[<duration>]))
 * anything else (or no `query`) gets Prometheus' own 400 `bad_data` error envelope. The answer is an instant vector
 * in Prometheus' JSON format (`{"status":"success","data":{"resultType":"vector","result":[{"metric":{...},
 * "value":[<unix seconds>,"<float as string>"]}]}}`) built from the increases set with `setIncreases`, keyed by the
 * `function_name` label as the gateway writes it (`name.namespace` on current gateways).
 *
 * What it is NOT: no PromQL engine, no range queries, no time parameter handling (always "now").
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface PrometheusCall {
  method: string;
  path: string;
  query?: string;
  status: number;
}

export interface PrometheusEmulator {
  url: string;
  calls: PrometheusCall[];
  /** The range windows asked for (e.g. '30m'), in order. */
  windows: string[];
  /** Replaces the increases returned: function_name label value → increase over the window. */
  setIncreases(values: Record<string, number>): void;
  close(): Promise<void>;
}

const QUERY =
  /^sum by \(function_name\) \(increase\(gateway_function_invocation_total\[((?:\d+(?:y|w|d|h|m|s|ms))+)\]\)\)$/;

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export interface PrometheusOptions {
  /** When set, every request needs this Basic auth (as behind a reverse proxy); 401 otherwise. */
  basicAuth?: { username: string; password: string };
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusEmulator> {
  const calls: PrometheusCall[] = [];
  const windows: string[] = [];
  let increases: Record<string, number> = {};

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://prometheus.invalid');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call: PrometheusCall = { method: req.method ?? 'GET', path: url.pathname, status: 0 };
      calls.push(call);
      const reply = (status: number, body: unknown) => {
        call.status = status;
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(text)),
        });
        res.end(text);
      };
      const badData = (error: string) => reply(400, { status: 'error', errorType: 'bad_data', error });

      if (options.basicAuth) {
        const expected =
          'Basic ' + Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64');
        if (req.headers.authorization !== expected) {
          call.status = 401;
          res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="prometheus"', 'Content-Type': 'text/plain' });
          return res.end('Unauthorized\n');
        }
      }
      if (url.pathname !== '/api/v1/query')
        return reply(404, { status: 'error', errorType: 'not_found', error: 'not found' });
      let params = url.searchParams;
      if (req.method === 'POST') {
        if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
          return badData('POST needs a form body');
        params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      } else if (req.method !== 'GET') {
        return reply(405, { status: 'error', errorType: 'bad_data', error: 'method not allowed' });
      }
      const query = params.get('query');
      call.query = query ?? undefined;
      if (!query) return badData('invalid parameter "query": 1:1: parse error: no expression found in input');
      const m = QUERY.exec(query);
      if (!m)
        return badData(
          `invalid parameter "query": the emulator only answers the sweeper's increase query, got: ${query}`,
        );
      windows.push(m[1]);
      const now = Date.now() / 1000;
      reply(200, {
        status: 'success',
        data: {
          resultType: 'vector',
          result: Object.entries(increases).map(([functionName, v]) => ({
            metric: { function_name: functionName },
            value: [now, formatValue(v)],
          })),
        },
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    windows,
    setIncreases(values) {
      increases = { ...values };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
