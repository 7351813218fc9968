/**
 * What is wrong with a one-host edge, one line per check ("ok", "problem" with what to do, "not checked" with why):
 *
 *   npx tsx deploy/one-host/check.ts --env /etc/faas-preview/one-host.env [--dns-server ADDRESS:PORT]
 *
 * Run it on the host, as root (it reads the secret files the env file names; it prints none of them). DNS is asked
 * of the system's resolver, or of --dns-server. Exit status: 0 no problem, 1 a problem, 2 a bad env file or option.
 */
import { promises as dns } from 'node:dns';
import { networkInterfaces } from 'node:os';
import { EnvError, loadOneHost } from './env.js';
import { formatLine, type CheckDeps } from './check-line.js';
import { runChecks } from './checks.js';

function resolver(server: string | undefined): CheckDeps['resolve'] {
  if (!server) return async (name) => (await dns.lookup(name, { all: true })).map((a) => a.address);
  const r = new dns.Resolver({ timeout: 5000, tries: 1 });
  r.setServers([server]);
  return async (name) => {
    const [v4, v6] = await Promise.allSettled([r.resolve4(name), r.resolve6(name)]);
    const found = [v4, v6].flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    if (found.length === 0 && v4.status === 'rejected') throw v4.reason;
    return found;
  };
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal)
    .map((a) => a.address);
}

function options(argv: string[]): { env: string; dnsServer?: string } {
  const o: { env?: string; dnsServer?: string } = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--env' && value) o.env = value;
    else if (flag === '--dns-server' && value) o.dnsServer = value;
    else throw new EnvError(flag, 'is not an option; use --env FILE [--dns-server ADDRESS:PORT]');
  }
  if (!o.env) throw new EnvError('--env', 'is required: the one-host env file the set-up used');
  return { env: o.env, dnsServer: o.dnsServer };
}

async function main(argv: string[]): Promise<number> {
  const o = options(argv);
  const host = loadOneHost(o.env);
  const lines = await runChecks(host, { resolve: resolver(o.dnsServer), interfaceAddresses, now: Date.now });
  for (const line of lines) process.stdout.write(`${formatLine(line)}\n`);
  return lines.some((l) => l.outcome === 'problem') ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`faas-preview one-host check: ${err.message}\n`);
    process.exit(err instanceof EnvError ? 2 : 1);
  },
);
