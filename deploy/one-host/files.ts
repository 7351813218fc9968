/**
 * The files a one-host edge consists of, rendered from the checked env file: nginx's site (deploy/edge/nginx.conf
 * rendered by deploy/edge/render.ts, with TLS and the optional runner and redirect servers), the edge service's
 * environment and systemd unit (deploy/waker/faas-preview-waker.service with this host's credentials), and the
 * bundled service itself. Pure: the same env file gives the same bytes, which is what makes set-up idempotent.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderNginx } from '../edge/render.js';
import type { OneHost } from './env.js';

const DEPLOY = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const UNIT_TEMPLATE = path.join(DEPLOY, 'waker', 'faas-preview-waker.service');

export const NGINX_SITE = 'etc/nginx/conf.d/faas-preview.conf';
export const SERVICE_ENV = 'etc/faas-preview/waker.env';
export const UNIT = 'etc/systemd/system/faas-preview-waker.service';
export const BUNDLE_DIR = 'opt/faas-preview/waker';

/** What a changed file asks for: nginx reloaded, systemd's units re-read, the service restarted. */
export type Role = 'nginx' | 'unit' | 'service';

export interface HostFile {
  /** Below the destination root, without a leading slash. */
  path: string;
  content: Buffer;
  mode: number;
  role: Role;
}

const written = (env: string) =>
  `# Written by deploy/one-host/setup.ts from ${env}: edit that file and run the set-up again, not this one.\n`;

/** `listen <LISTEN>;` of both server blocks, made TLS listeners with the wildcard certificate. */
function withTls(site: string, listen: string, tls: NonNullable<OneHost['tls']>): string {
  const line = `    listen ${listen};\n`;
  const count = site.split(line).length - 1;
  if (count !== 2) throw new Error(`deploy/edge/nginx.conf: expected 2 lines '${line.trim()}', found ${count}`);
  return site
    .split(line)
    .join(`    listen ${listen} ssl;\n    ssl_certificate ${tls.certificate};\n    ssl_certificate_key ${tls.key};\n`);
}

/** `.` and the like in READY_PATH, literal in an nginx regex. */
function regexLiteral(text: string): string {
  return text.replace(/[^A-Za-z0-9/_-]/g, (c) => `\\${c}`);
}

/**
 * Runners that are not on this host reach the gateway here: /system/* (the gateway's own Basic auth guards it) and
 * a GET of each function's READY_PATH, the action's readiness probe; nothing else of /function/ answers. Checked on
 * the path as sent: the gateway routes on that, not on nginx's decoded form.
 */
function runnerServer(h: OneHost, listen: string): string {
  const gateway = new URL(h.edge.gatewayUrl).origin;
  const ready = regexLiteral(h.readyPath);
  return `# Runners: /system/* and the readiness GET of /function/<name>${h.readyPath} only.
server {
    listen ${listen};
    server_name ${h.runnerHost};
    add_header X-Robots-Tag "noindex" always;
    if ($request_uri ~* "%(2e|2f|5c|00)|\\.\\.|\\x5c") {
        return 404 "not found\\n";
    }
    location /system/ {
        # faasd pulls the image inside the deploy request
        proxy_read_timeout 10m;
        proxy_pass ${gateway};
    }
    location /function/ {
        if ($request_uri !~ "^/function/[a-z0-9][-a-z0-9.]*${ready}$") {
            return 404 "not found\\n";
        }
        limit_except GET { deny all; }
        proxy_pass ${gateway};
    }
    location / {
        return 404 "not found\\n";
    }
}

`;
}

function redirectServer(h: OneHost): string {
  return `# Plain HTTP: every preview host is sent to https.
server {
    listen ${h.httpRedirectListen};
    server_name .${h.domain};
    return 301 https://$host$request_uri;
}

`;
}

function nginxSite(h: OneHost, envFile: string): string {
  const plain = renderNginx(h.edge);
  const site = h.tls ? withTls(plain, h.edge.listen, h.tls) : plain;
  const listen = h.tls ? `${h.edge.listen} ssl` : h.edge.listen;
  const tlsLines = h.tls ? `    ssl_certificate ${h.tls.certificate};\n    ssl_certificate_key ${h.tls.key};\n` : '';
  const runner = h.runnerHost ? runnerServer(h, listen).replace(`    listen ${listen};\n`, `$&${tlsLines}`) : '';
  return written(envFile) + (h.httpRedirectListen ? redirectServer(h) : '') + runner + site;
}

function serviceEnv(h: OneHost, envFile: string): string {
  const lines = Object.entries(h.service).map(([name, value]) => `${name}=${value}`);
  return `${written(envFile)}# Secrets are not here: the unit hands them to the service as files (LoadCredential).\n${lines.join('\n')}\n`;
}

/** The shipped unit with this host's secret files as credentials in place of faasd's gateway password alone. */
function unit(h: OneHost, envFile: string): string {
  const template = readFileSync(UNIT_TEMPLATE, 'utf8');
  const lines = /^LoadCredential=gateway-password:.*\nEnvironment=WAKER_GATEWAY_PASSWORD_FILE=.*\n/m;
  if (!lines.test(template)) throw new Error(`${UNIT_TEMPLATE}: the gateway password's LoadCredential lines are gone`);
  const credentials = h.credentials
    .map((c) => `LoadCredential=${c.name}:${c.path}\nEnvironment=${c.variable}=%d/${c.name}\n`)
    .join('');
  // The template's header tells how to install it by hand: this file was installed by the set-up.
  return written(envFile) + template.replace(/^(#.*\n)+/, '').replace(lines, credentials);
}

function bundle(dist: string): HostFile[] {
  let names: string[];
  try {
    names = readdirSync(dist).sort();
  } catch (err) {
    throw new Error(
      `--dist: ${dist} cannot be read (${(err as NodeJS.ErrnoException).code}); run npm run bundle first`,
      { cause: err },
    );
  }
  if (!names.includes('index.js'))
    throw new Error(`--dist: ${dist} has no index.js; give dist/waker after npm run bundle`);
  return names.map((name) => ({
    path: `${BUNDLE_DIR}/${name}`,
    content: readFileSync(path.join(dist, name)),
    mode: 0o644,
    role: 'service',
  }));
}

/** Every file of the host, in the order they are written. */
export function hostFiles(h: OneHost, o: { envFile: string; dist: string }): HostFile[] {
  return [
    ...bundle(o.dist),
    { path: SERVICE_ENV, content: Buffer.from(serviceEnv(h, o.envFile)), mode: 0o644, role: 'service' },
    { path: UNIT, content: Buffer.from(unit(h, o.envFile)), mode: 0o644, role: 'unit' },
    { path: NGINX_SITE, content: Buffer.from(nginxSite(h, o.envFile)), mode: 0o644, role: 'nginx' },
  ];
}
