/**
 * The gateway from this host: alive, the credentials accepted, and whether its port answers on an address the
 * internet may reach (its /function/ route has no authentication: exposed, it bypasses the sign-in gate). From the
 * host itself only the listening side can be seen; a firewall in between cannot, and the line says so.
 */
import { readFileSync } from 'node:fs';
import { Socket, isIP } from 'node:net';
import { call } from '../../src/http/call.js';
import { show } from '../../src/rules/errors.js';
import type { OneHost } from './env.js';
import { notChecked, ok, problem, reason, type CheckDeps, type Line } from './check-line.js';

const TIMEOUT_MS = 10_000;

export async function checkHealth(h: OneHost): Promise<Line> {
  const url = `${h.edge.gatewayUrl.replace(/\/+$/, '')}/healthz`;
  try {
    const res = await call({ method: 'GET', url, timeoutMs: TIMEOUT_MS });
    if (res.status === 200) return ok('gateway', `${url} answers`);
    return problem('gateway', `${url} answered ${res.status}: is faasd running (systemctl status faasd)?`);
  } catch (err) {
    return problem(
      'gateway',
      `${url}: ${reason(err)}: is faasd running (systemctl status faasd), is GATEWAY_URL right?`,
    );
  }
}

function provider(text: string): string {
  try {
    const info = JSON.parse(text) as { provider?: { provider?: unknown; version?: { release?: unknown } } };
    return show(`${String(info.provider?.provider)} ${String(info.provider?.version?.release)}`, 60);
  } catch {
    return 'an answer that is not JSON';
  }
}

export async function checkCredentials(h: OneHost): Promise<Line> {
  const username = h.values.GATEWAY_USERNAME || 'admin';
  let password: string;
  try {
    password = readFileSync(h.values.GATEWAY_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    return notChecked('gateway login', `GATEWAY_PASSWORD_FILE cannot be read (${reason(err)}): run the check as root`);
  }
  const url = `${h.edge.gatewayUrl.replace(/\/+$/, '')}/system/info`;
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  try {
    const res = await call({ method: 'GET', url, headers: { authorization }, timeoutMs: TIMEOUT_MS });
    if (res.status === 200) return ok('gateway login', `${url} accepts ${username}: ${provider(res.text)}`);
    if (res.status === 401)
      return problem(
        'gateway login',
        `${url} refused ${username} with the password in GATEWAY_PASSWORD_FILE: give faasd's (/var/lib/faasd/secrets/basic-auth-password)`,
      );
    return problem('gateway login', `${url} answered ${res.status}`);
  } catch (err) {
    return problem('gateway login', `${url}: ${reason(err)}`);
  }
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}

function loopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'));
}

export async function checkExposure(h: OneHost, deps: CheckDeps): Promise<Line> {
  const url = new URL(h.edge.gatewayUrl);
  if (!loopback(url.hostname))
    return notChecked(
      'gateway exposure',
      `the gateway is at ${url.hostname}, not on this host's loopback: from outside, a connection to its port must fail (only the edge may reach /function/)`,
    );
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const addresses = h.publicAddresses.length > 0 ? h.publicAddresses : deps.interfaceAddresses();
  if (addresses.length === 0)
    return ok('gateway exposure', `port ${port} can only be reached on loopback (this host has no other address)`);
  const open: string[] = [];
  for (const address of addresses) if (await connects(address, port)) open.push(address);
  if (open.length > 0)
    return problem(
      'gateway exposure',
      `port ${port} answers on ${open.join(', ')}: unless a firewall blocks it, anyone reaches /function/ without the gate; block port ${port} from outside (for example ufw deny ${port}/tcp)`,
    );
  return ok(
    'gateway exposure',
    `port ${port} does not answer on ${addresses.join(', ')} (seen from this host; a path from outside through port forwarding cannot be seen here)`,
  );
}
