/**
 * Every check of a one-host edge, in the order a set-up is fixed: DNS, TLS, gateway, edge service, bucket, GitHub,
 * and the clock last (from the Date headers the bucket and GitHub sent on the way).
 */
import type { OneHost } from './env.js';
import { checkBucket } from './check-bucket.js';
import { checkCredentials, checkExposure, checkHealth } from './check-gateway.js';
import { checkGitHub } from './check-github.js';
import { checkCertificate, checkDns, checkServed, checkService, hostsToCover } from './check-host.js';
import { DateLog, notChecked, ok, problem, type CheckDeps, type Dated, type Line } from './check-line.js';

/** SigV4 refuses requests over 15 minutes off; sessions and sign-in codes live for minutes too. */
const MAX_SKEW_S = 60;

function checkClock(seen: Dated[]): Line {
  const dated = seen.filter((d) => d.date && !Number.isNaN(Date.parse(d.date)));
  if (dated.length === 0) return notChecked('clock', 'no server answered with a Date header');
  const skews = dated.map((d) => ({ source: d.source, s: Math.round((d.at - Date.parse(d.date!)) / 1000) }));
  const worst = skews.reduce((a, b) => (Math.abs(b.s) > Math.abs(a.s) ? b : a));
  const sources = [...new Set(dated.map((d) => d.source))].join(' and ');
  if (Math.abs(worst.s) <= MAX_SKEW_S) return ok('clock', `within ${MAX_SKEW_S} s of ${sources}`);
  return problem(
    'clock',
    `this host's clock is ${Math.abs(worst.s)} s ${worst.s > 0 ? 'ahead of' : 'behind'} ${worst.source} (signed bucket reads fail beyond 15 minutes): turn on time sync (timedatectl set-ntp true)`,
  );
}

export async function runChecks(h: OneHost, deps: CheckDeps): Promise<Line[]> {
  const names = hostsToCover(h);
  const seen = new DateLog(deps.now);
  const lines = [
    await checkDns(h, names, deps),
    checkCertificate(h, names, deps),
    await checkServed(h),
    await checkHealth(h),
    await checkCredentials(h),
    await checkExposure(h, deps),
    await checkService(h),
    ...(await checkBucket(h, seen)),
    ...(await checkGitHub(h, seen)),
  ];
  lines.push(checkClock(seen.entries));
  return lines;
}
