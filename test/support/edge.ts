/**
 * The edge routers of deploy/edge as real processes for tests and the demo: Debian's nginx and HAProxy in the
 * foreground (no daemon) on a 127.0.0.1 port, everything they write (pid, temp files, logs) in a temp directory
 * removed by `close()`.
 *
 * nginx gets deploy/edge/nginx.conf rendered by deploy/edge/render.ts (as envsubst would) and included from a
 * minimal main config, like /etc/nginx/conf.d/ does. HAProxy runs deploy/edge/haproxy.cfg unmodified with the
 * variables in its environment, exactly as a user would run it.
 *
 * `edgeRequest` talks HTTP/1.1 to the edge with an arbitrary Host header and a raw path (fetch can set neither),
 * which is what a browser resolving `<name>.preview.localhost` to 127.0.0.1 sends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HAPROXY_TEMPLATE, edgeVariables, renderNginx, type EdgeConfig } from '../../deploy/edge/render.js';
import { startNodeEdge } from './edge-node.js';
import { freePort, waitFor } from './tools.js';

/** `node`: the stand-in of edge-node.ts, for machines without nginx or HAProxy. */
export type EdgeKind = 'nginx' | 'haproxy' | 'node';

export interface EdgeOptions {
  gatewayUrl: string;
  bucketUrl: string;
  previewDomain?: string; // default preview.localhost
  apiPath?: string; // default /api
  functionsPath?: string; // default /fn
  port?: number; // default: a free port
  /** The waker's base URL: API requests the gateway answers with 404, 502 or 503 go there. Default: no waker. */
  wakerUrl?: string;
  /** Private previews: nginx asks the edge service's gate (at wakerUrl) about every request. */
  gate?: boolean;
  /** A private bucket: nginx fetches files with URLs the edge service signs. */
  bucketReads?: 'anonymous' | 'signed';
}

export interface Edge {
  kind: EdgeKind;
  port: number;
  previewDomain: string;
  /** `http://<name>.<previewDomain>:<port>/` */
  url(name: string): string;
  /** GET (or another method, with a body) through the edge with the Host `<name>.<previewDomain>`. */
  get(name: string, rawPath: string, method?: string, body?: string): Promise<EdgeResponse>;
  /** The router's own log output so far (for failure messages). */
  log(): string;
  close(): Promise<void>;
}

export interface EdgeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP/1.1 request to 127.0.0.1:<port> with the given Host header and path sent byte for byte (and `extra` headers). */
export function edgeRequest(
  port: number,
  host: string,
  rawPath: string,
  method = 'GET',
  body?: string,
  extra: Record<string, string> = {},
): Promise<EdgeResponse> {
  return new Promise((resolve, reject) => {
    const headers = {
      ...extra,
      host,
      ...(body === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    };
    const req = request({ host: '127.0.0.1', port, method, path: rawPath, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startEdge(kind: EdgeKind, o: EdgeOptions): Promise<Edge> {
  if (kind === 'node') return startStandIn(o);
  const dir = mkdtempSync(path.join(tmpdir(), `faas-preview-${kind}-`));
  const port = o.port ?? (await freePort());
  const previewDomain = o.previewDomain ?? 'preview.localhost';
  const config: EdgeConfig = {
    listen: `127.0.0.1:${port}`,
    previewDomain,
    apiPath: o.apiPath,
    functionsPath: o.functionsPath,
    gatewayUrl: o.gatewayUrl,
    bucketUrl: o.bucketUrl,
    resolver: '127.0.0.1',
    wakerUrl: o.wakerUrl,
    gate: o.gate,
    bucketReads: o.bucketReads,
  };
  let child: ChildProcess;
  let output = '';
  const errorLog = path.join(dir, 'error.log');
  if (kind === 'nginx') {
    // Started as root (CI), nginx's workers run as nobody: they must reach the temp dirs nginx chowns to them
    // (request bodies over client_body_buffer_size are written there).
    chmodSync(dir, 0o711);
    writeFileSync(path.join(dir, 'faas-preview.conf'), renderNginx(config));
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      [
        'worker_processes 1;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${errorLog} warn;`,
        'events { worker_connections 256; }',
        'http {',
        `    access_log ${dir}/access.log;`,
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${dir}/${t}_temp;`),
        `    include ${dir}/faas-preview.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', errorLog, '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...edgeVariables(config) };
    child = spawn('haproxy', ['-db', '-f', HAPROXY_TEMPLATE], { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: dir });
  }
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => (dead = true));

  const log = () => {
    let text = output;
    try {
      text += readFileSync(errorLog, 'utf8');
    } catch {
      // haproxy logs to stderr only
    }
    return text;
  };

  const close = async () => {
    if (!dead) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await Promise.race([
      waitFor(
        async () => (await edgeRequest(port, 'readiness.invalid', '/'), true),
        `${kind} on 127.0.0.1:${port}`,
        10_000,
      ),
      exited.then((code) => {
        throw new Error(`exited with code ${code}`);
      }),
    ]);
  } catch (err) {
    const text = log();
    await close();
    throw new Error(`${kind} did not start on 127.0.0.1:${port} (${(err as Error).message}):\n${text}`, { cause: err });
  }

  return {
    kind,
    port,
    previewDomain,
    url: (name) => `http://${name}.${previewDomain}:${port}/`,
    get: (name, rawPath, method, body) => edgeRequest(port, `${name}.${previewDomain}:${port}`, rawPath, method, body),
    log,
    close,
  };
}

async function startStandIn(o: EdgeOptions): Promise<Edge> {
  const previewDomain = o.previewDomain ?? 'preview.localhost';
  const vars = edgeVariables({
    listen: '127.0.0.1:1',
    previewDomain,
    apiPath: o.apiPath,
    functionsPath: o.functionsPath,
    gatewayUrl: o.gatewayUrl,
    bucketUrl: o.bucketUrl,
  });
  const { server, port } = await startNodeEdge(
    {
      previewDomain,
      apiPath: vars.API_PATH,
      functionsPath: vars.FUNCTIONS_PATH,
      gatewayUrl: o.gatewayUrl,
      bucketUrl: vars.BUCKET_URL,
      wakerUrl: o.wakerUrl,
    },
    o.port ?? 0,
  );
  return {
    kind: 'node',
    port,
    previewDomain,
    url: (name) => `http://${name}.${previewDomain}:${port}/`,
    get: (name, rawPath, method) => edgeRequest(port, `${name}.${previewDomain}:${port}`, rawPath, method),
    log: () => '',
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
