/**
 * The host's own parts: DNS of the preview domain, the wildcard certificate (the file, and what nginx serves), and
 * the edge service answering.
 */
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { call } from '../../src/http/call.js';
import { show } from '../../src/rules/errors.js';
import type { OneHost } from './env.js';
import { notChecked, ok, problem, reason, type CheckDeps, type Line } from './check-line.js';

const DAY_MS = 24 * 3600 * 1000;
/** certbot renews 30 days before expiry: under 14 days left, renewal is not happening. */
const MIN_DAYS = 14;

/** A preview host nobody deployed, and the sign-in host: both must reach this edge. */
export function hostsToCover(h: OneHost): string[] {
  const random = `check-${randomBytes(4).toString('hex')}.${h.domain}`;
  return [random, `login.${h.domain}`, ...(h.runnerHost ? [h.runnerHost] : [])];
}

async function resolveOne(name: string, h: OneHost, deps: CheckDeps): Promise<Line | string[]> {
  try {
    const found = await deps.resolve(name);
    if (found.length > 0) return found;
  } catch (err) {
    return problem(
      'dns',
      `${name} does not resolve (${reason(err)}): add the record *.${h.domain} (A or AAAA) for this host`,
    );
  }
  return problem('dns', `${name} has no address: add the record *.${h.domain} (A or AAAA) for this host`);
}

export async function checkDns(h: OneHost, names: string[], deps: CheckDeps): Promise<Line> {
  const found: string[] = [];
  for (const name of names) {
    const answer = await resolveOne(name, h, deps);
    if (!Array.isArray(answer)) return answer;
    if (h.publicAddresses.length > 0 && !answer.every((a) => h.publicAddresses.includes(a)))
      return problem(
        'dns',
        `${name} resolves to ${answer.join(', ')}, not to PUBLIC_ADDRESSES (${h.publicAddresses.join(', ')}): point *.${h.domain} at this host`,
      );
    found.push(...answer);
  }
  const unique = [...new Set(found)].join(', ');
  if (h.publicAddresses.length > 0) return ok('dns', `${names.join(', ')} resolve to this host (${unique})`);
  const local = deps.interfaceAddresses();
  if (found.some((a) => local.includes(a))) return ok('dns', `${names.join(', ')} resolve to this host (${unique})`);
  return ok(
    'dns',
    `${names.join(', ')} resolve (${unique}); whether that is this host cannot be told here (behind NAT it has another address): set PUBLIC_ADDRESSES to compare`,
  );
}

function certificate(file: string): X509Certificate {
  return new X509Certificate(readFileSync(file));
}

export function checkCertificate(h: OneHost, names: string[], deps: CheckDeps): Line {
  if (!h.tls) return notChecked('tls', 'TLS_CERTIFICATE is empty: TLS ends in front of this host');
  let cert: X509Certificate;
  try {
    cert = certificate(h.tls.certificate);
  } catch (err) {
    return problem('tls', `TLS_CERTIFICATE ${show(h.tls.certificate)} is not a PEM certificate (${reason(err)})`);
  }
  const missing = names.filter((n) => !cert.checkHost(n));
  if (missing.length > 0)
    return problem('tls', `the certificate does not cover ${missing.join(', ')}: get one for *.${h.domain} (DNS-01)`);
  try {
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(h.tls.key))))
      return problem('tls', 'TLS_CERTIFICATE_KEY is not the key of TLS_CERTIFICATE: give the pair certbot wrote');
  } catch (err) {
    return problem('tls', `TLS_CERTIFICATE_KEY cannot be used (${reason(err)})`);
  }
  const now = deps.now();
  if (Date.parse(cert.validFrom) > now) return problem('tls', `the certificate is valid only from ${cert.validFrom}`);
  const days = Math.floor((Date.parse(cert.validTo) - now) / DAY_MS);
  if (days < 0) return problem('tls', `the certificate expired on ${cert.validTo}: renew it (certbot renew)`);
  if (days < MIN_DAYS)
    return problem(
      'tls',
      `the certificate expires in ${days} days (${cert.validTo}): renewal is not working (certbot renew --dry-run)`,
    );
  return ok('tls', `the certificate covers *.${h.domain} and login.${h.domain}, ${days} days left`);
}

/** host:port to reach nginx's LISTEN from here: an any-address listener is reached on loopback. */
function listenTarget(listen: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(listen)!;
  const host =
    m[1] === '0.0.0.0' || m[1] === '*' ? '127.0.0.1' : m[1] === '[::]' ? '::1' : m[1].replace(/^\[|\]$/g, '');
  return { host, port: Number(m[2]) };
}

/** What nginx answers a TLS handshake for `servername` with. */
function handshake(listen: string, servername: string): Promise<{ fingerprint: string; trusted: string | undefined }> {
  const { host, port } = listenTarget(listen);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, rejectUnauthorized: false, timeout: 10_000 }, () => {
      const peer = socket.getPeerCertificate();
      const error = socket.authorizationError;
      socket.end();
      resolve({ fingerprint: peer.fingerprint256, trusted: error ? String(error) : undefined });
    });
    socket.on('timeout', () => socket.destroy(Object.assign(new Error('no answer within 10s'), { code: 'ETIMEDOUT' })));
    socket.on('error', reject);
  });
}

export async function checkServed(h: OneHost): Promise<Line> {
  if (!h.tls) return notChecked('tls served', 'no TLS here (TLS_CERTIFICATE is empty)');
  let expected: string;
  try {
    expected = certificate(h.tls.certificate).fingerprint256;
  } catch {
    return notChecked('tls served', 'TLS_CERTIFICATE cannot be read (see the tls line)');
  }
  const name = `login.${h.domain}`;
  try {
    const got = await handshake(h.edge.listen, name);
    if (got.fingerprint !== expected)
      return problem(
        'tls served',
        `nginx on ${h.edge.listen} serves another certificate for ${name}: run the set-up again, or reload nginx after a renewal`,
      );
    if (got.trusted)
      return problem('tls served', `browsers will not trust it (${got.trusted}): use the full chain (fullchain.pem)`);
    return ok('tls served', `nginx on ${h.edge.listen} serves it for ${name}, trusted by Node's CA store`);
  } catch (err) {
    return problem(
      'tls served',
      `no TLS handshake with ${h.edge.listen} (${reason(err)}): is nginx running (systemctl status nginx)?`,
    );
  }
}

export async function checkService(h: OneHost): Promise<Line> {
  const url = `${h.edge.wakerUrl}/healthz`;
  try {
    const res = await call({ method: 'GET', url, timeoutMs: 10_000 });
    if (res.status === 200) return ok('edge service', `${url} answers`);
    return problem('edge service', `${url} answered ${res.status}: see journalctl -u faas-preview-waker`);
  } catch (err) {
    return problem('edge service', `${url}: ${reason(err)}: see systemctl status faas-preview-waker`);
  }
}
