/**
 * docs/kubernetes.md and the manifests it uses (deploy/edge/kubernetes.yaml, deploy/edge/ingress-nginx.yaml,
 * deploy/waker/kubernetes.yaml, deploy/kubernetes/*.yaml) as text: no cluster, Helm, cert-manager or ingress
 * controller runs here. Checked: every manifest parses; names agree across them (the Certificate's Secret is every
 * Ingress's TLS Secret and its names cover every host, login.<domain> included; every backend Service and port exists;
 * the edge's WAKER_URL is the edge service's Service; the NetworkPolicy admits the edge's pods); the runner's Ingresses
 * route only /system/ and the readiness GET to the gateway; the guide's `create secret` and `kubectl set env` lines,
 * applied to the manifests' environment, give the edge service a configuration its own loader accepts and the edge an
 * nginx config a real `nginx -t` accepts; the guide's workflow step agrees with the Ingress and the certificate. The
 * checkers also run on broken in-memory copies, so they are shown to report what they look for.
 *
 * The guide's kubectl lines that need no cluster are run by kubectl itself, offline (a kubeconfig naming a closed
 * port on 127.0.0.1): `create namespace` and `create secret` with `--dry-run=client -o json`, `set env` with `--local`
 * on the manifest's Deployment, and `get secret basic-auth … -o jsonpath` on a Secret of the OpenFaaS chart's shape
 * made the same way, in place of the cluster's. guide-commands.test.ts lists which commands are run here.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { renderTemplate } from '../../deploy/edge/render.js';
import { ROOT } from '../../test/support/action.js';
import { commandsOf, guideCommands } from '../../test/support/guide-commands.js';
import { describeWith } from '../../test/support/tools.js';
import { loadConfig, type WakerConfig } from '../../src/waker/config.js';

const NAMESPACE = 'faas-preview';
const EDGE = 'faas-preview-edge';
const WAKER = 'faas-preview-waker';
const GUIDE = 'docs/kubernetes.md';
const MANIFESTS = [
  'deploy/edge/kubernetes.yaml',
  'deploy/edge/ingress-nginx.yaml',
  'deploy/waker/kubernetes.yaml',
  'deploy/kubernetes/certificate.yaml',
  'deploy/kubernetes/runner-ingress.yaml',
];
const RUNNER = 'deploy/kubernetes/runner-ingress.yaml';
const A = 'nginx.ingress.kubernetes.io/';

type Files = Record<string, string>;
type Doc = Record<string, any>;
type Manifests = Record<string, Doc[]>;

const onDisk = (): Files =>
  Object.fromEntries([...MANIFESTS, GUIDE].map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')]));

/** Every file's documents; a document that does not parse, or lacks apiVersion, kind or a name, is a problem. */
function parseManifests(files: Files): { manifests: Manifests; problems: string[] } {
  const manifests: Manifests = {};
  const problems: string[] = [];
  for (const file of MANIFESTS) {
    manifests[file] = [];
    for (const [i, doc] of parseAllDocuments(files[file]).entries()) {
      if (doc.errors.length) {
        problems.push(`${file}: document ${i + 1} does not parse: ${doc.errors[0].message.split('\n')[0]}`);
        continue;
      }
      const value = doc.toJS() as Doc;
      if (!value?.apiVersion || !value?.kind || !value?.metadata?.name)
        problems.push(`${file}: document ${i + 1} lacks apiVersion, kind or metadata.name`);
      else manifests[file].push(value);
    }
  }
  return { manifests, problems };
}

const all = (m: Manifests) => Object.entries(m).flatMap(([file, docs]) => docs.map((doc) => ({ file, doc })));
const ofKind = (m: Manifests, kind: string) => all(m).filter((d) => d.doc.kind === kind);
const named = (m: Manifests, kind: string, name: string) =>
  ofKind(m, kind).find((d) => d.doc.metadata.name === name)?.doc;
const envOf = (deployment: Doc): Record<string, string> =>
  Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: Doc) => [e.name, String(e.value)]));

/** True when the certificate name `name` (maybe `*.x`) covers `host` (maybe `*.x` itself): a wildcard, one label. */
function covers(name: string, host: string): boolean {
  if (name === host) return true;
  if (!name.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && !host.startsWith('*') && host.slice(dot + 1) === name.slice(2);
}

/** The wildcard certificate, every Ingress's TLS Secret and hosts, every backend, the edge and its service. */
function nameProblems(m: Manifests): string[] {
  const problems: string[] = [];
  const certs = ofKind(m, 'Certificate');
  if (certs.length !== 1) return [`one Certificate expected, found ${certs.length}`];
  const cert = certs[0].doc;
  const issuer = named(m, cert.spec.issuerRef?.kind ?? 'Issuer', cert.spec.issuerRef?.name);
  if (!issuer)
    problems.push(`Certificate ${cert.metadata.name}: no ${cert.spec.issuerRef?.kind} ${cert.spec.issuerRef?.name}`);
  else if (!issuer.spec?.acme?.solvers?.some((s: Doc) => s.dns01))
    problems.push(`Issuer ${issuer.metadata.name}: no DNS-01 solver (a wildcard needs one)`);
  const dnsNames: string[] = cert.spec.dnsNames ?? [];
  const wildcard = dnsNames.find((n) => n.startsWith('*.'));
  if (!wildcard) return [...problems, `Certificate ${cert.metadata.name}: no wildcard name`];
  const domain = wildcard.slice(2);
  if (!dnsNames.some((n) => covers(n, `login.${domain}`)))
    problems.push(`Certificate ${cert.metadata.name}: login.${domain} is not covered`);

  const services = ofKind(m, 'Service').map((s) => s.doc);
  for (const { file, doc: ing } of ofKind(m, 'Ingress')) {
    const where = `${file}: Ingress ${ing.metadata.name}`;
    const tls: Doc[] = ing.spec.tls ?? [];
    if (tls.length === 0) problems.push(`${where}: no tls section`);
    for (const t of tls) {
      if (t.secretName !== cert.spec.secretName)
        problems.push(`${where}: tls secretName '${t.secretName}' is not the Certificate's '${cert.spec.secretName}'`);
      for (const host of t.hosts ?? [])
        if (!dnsNames.some((n) => covers(n, host)))
          problems.push(`${where}: tls host ${host} is not in the Certificate`);
    }
    for (const rule of ing.spec.rules ?? []) {
      if (!dnsNames.some((n) => covers(n, rule.host)))
        problems.push(`${where}: host ${rule.host} is not in the Certificate`);
      if (!tls.some((t) => (t.hosts ?? []).some((h: string) => covers(h, rule.host))))
        problems.push(`${where}: host ${rule.host} has no tls entry`);
      for (const p of rule.http.paths) {
        const { name, port } = p.backend.service;
        const svc = services.find((s) => s.metadata.name === name);
        if (!svc) {
          problems.push(`${where}: backend Service ${name} does not exist`);
          continue;
        }
        const ports: Doc[] = svc.spec.ports ?? [];
        if (!ports.some((sp) => (port.number !== undefined ? sp.port === port.number : sp.name === port.name)))
          problems.push(`${where}: Service ${name} has no port ${port.number ?? port.name}`);
      }
    }
  }

  // Each Service of a Deployment selects its pods and targets a named port of its container.
  for (const { file, doc: svc } of ofKind(m, 'Service')) {
    if (svc.spec.type === 'ExternalName') continue;
    const deployment = ofKind(m, 'Deployment').find((d) =>
      Object.entries(svc.spec.selector ?? {}).every(([k, v]) => d.doc.spec.template.metadata.labels?.[k] === v),
    )?.doc;
    if (!deployment) {
      problems.push(`${file}: Service ${svc.metadata.name} selects no Deployment`);
      continue;
    }
    const names = deployment.spec.template.spec.containers.flatMap((c: Doc) => (c.ports ?? []).map((p: Doc) => p.name));
    for (const p of svc.spec.ports)
      if (!names.includes(p.targetPort))
        problems.push(`${file}: Service ${svc.metadata.name} targets port '${p.targetPort}', not one of its pods'`);
  }

  const edge = named(m, 'Deployment', EDGE);
  const waker = named(m, 'Service', WAKER);
  if (!edge || !waker) return [...problems, `Deployment ${EDGE} or Service ${WAKER} missing`];
  const env = envOf(edge);
  const wakerUrl = `http://${WAKER}.${NAMESPACE}.svc.cluster.local:${waker.spec.ports[0].port}`;
  if (env.WAKER_URL !== wakerUrl)
    problems.push(`edge: WAKER_URL '${env.WAKER_URL}' is not the edge service's ${wakerUrl}`);
  if (env.PREVIEW_DOMAIN !== domain) problems.push(`edge: PREVIEW_DOMAIN '${env.PREVIEW_DOMAIN}' is not ${domain}`);
  const wakerEnv = envOf(
    named(m, 'Deployment', WAKER) ?? { spec: { template: { spec: { containers: [{ env: [] }] } } } },
  );
  if (wakerEnv.WAKER_PREVIEW_DOMAIN !== domain)
    problems.push(`edge service: WAKER_PREVIEW_DOMAIN '${wakerEnv.WAKER_PREVIEW_DOMAIN}' is not ${domain}`);
  const policy = named(m, 'NetworkPolicy', WAKER);
  const admitted = policy?.spec.ingress?.[0]?.from?.[0]?.podSelector?.matchLabels ?? {};
  if (!Object.entries(admitted).every(([k, v]) => edge.spec.template.metadata.labels?.[k] === v))
    problems.push(`NetworkPolicy ${WAKER} does not admit the edge's pods`);
  return problems;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The runner's host, and the ready path its Ingress passes; problems when anything else reaches the gateway. */
function runnerProblems(m: Manifests): { host?: string; readyPath?: string; problems: string[] } {
  const problems: string[] = [];
  const docs = m[RUNNER] ?? [];
  const gateways = docs.filter((d) => d.kind === 'Service' && d.spec.type === 'ExternalName');
  if (gateways.length !== 1) return { problems: [`${RUNNER}: one ExternalName Service for the gateway expected`] };
  const gateway = gateways[0];
  if (!/^gateway\.[a-z0-9-]+\.svc\.cluster\.local$/.test(gateway.spec.externalName))
    problems.push(`${RUNNER}: the gateway Service names '${gateway.spec.externalName}', not a gateway Service`);
  const ingresses = docs.filter((d) => d.kind === 'Ingress');
  const hosts = new Set(ingresses.flatMap((i) => i.spec.rules.map((r: Doc) => r.host)));
  if (hosts.size !== 1 || [...hosts][0].startsWith('*'))
    problems.push(`${RUNNER}: one exact host expected, found ${[...hosts].join(', ')}`);
  const host = [...hosts][0] as string;
  let readyPath: string | undefined;
  for (const ing of ingresses) {
    const rewrite: string | undefined = ing.metadata.annotations?.[`${A}rewrite-target`];
    for (const rule of ing.spec.rules)
      for (const p of rule.http.paths) {
        const where = `${RUNNER}: Ingress ${ing.metadata.name} path '${p.path}'`;
        if (p.backend.service.name !== gateway.metadata.name) problems.push(`${where}: not to the gateway Service`);
        if (p.path === '/system/' && p.pathType === 'Prefix' && rewrite === undefined) continue;
        const ready = rewrite?.startsWith('/function/$1') ? rewrite.slice('/function/$1'.length) : undefined;
        if (
          ready === undefined ||
          !/^(\/[A-Za-z0-9_-]+)+$/.test(ready) ||
          p.pathType !== 'ImplementationSpecific' ||
          ing.metadata.annotations?.[`${A}use-regex`] !== 'true' ||
          p.path !== `/function/([a-z0-9][-a-z0-9.]*)${escapeRegex(ready)}$`
        ) {
          problems.push(`${where}: neither /system/ nor the readiness GET of one health path`);
          continue;
        }
        // As ingress-nginx renders a regex path: location ~* "^<path>".
        const re = new RegExp(`^${p.path}`, 'i');
        const passes = [`/function/shop-pr-1${ready}`, `/function/shop-pr-1.openfaas-fn${ready}`];
        const refused = [
          '/function/shop-pr-1/',
          '/function/shop-pr-1/admin',
          `/function/shop-pr-1/admin${ready}`,
          `/function/shop-pr-1${ready}/more`,
          `/function/${ready}`,
          `/system/functions${ready}`,
        ];
        for (const x of passes) if (!re.test(x)) problems.push(`${where}: does not pass ${x}`);
        for (const x of refused) if (re.test(x)) problems.push(`${where}: passes ${x}`);
        readyPath = ready;
      }
  }
  if (readyPath === undefined) problems.push(`${RUNNER}: no readiness path`);
  return { host, readyPath, problems };
}

/** The commands of the guide's sh blocks, continuation lines joined, one block per entry. */
function shBlocks(guide: string): string[][] {
  return [...guide.matchAll(/```sh\n([\s\S]*?)```/g)].map((b) =>
    b[1]
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

interface Scenario {
  block: number;
  router: 'nginx' | 'ingress-nginx';
  edgeEnv: Record<string, string>;
  wakerEnv: Record<string, string>;
}

/** The keys of the guide's `create secret generic faas-preview-waker`, and each `set env` block applied to the manifests. */
function guideScenarios(
  guide: string,
  m: Manifests,
): { secretKeys: string[]; scenarios: Scenario[]; problems: string[] } {
  const problems: string[] = [];
  const blocks = shBlocks(guide);
  const create = blocks.flat().find((c) => c.includes(`create secret generic ${WAKER}`));
  const secretKeys = create ? [...create.matchAll(/--from-(?:literal|file)=([A-Za-z0-9._-]+)=/g)].map((x) => x[1]) : [];
  if (!create) problems.push(`${GUIDE}: no 'create secret generic ${WAKER}'`);
  const edge = named(m, 'Deployment', EDGE);
  const waker = named(m, 'Deployment', WAKER);
  const scenarios: Scenario[] = [];
  blocks.forEach((commands, block) => {
    const sets = commands.filter((c) => / set env /.test(c));
    if (sets.length === 0) return;
    const scenario: Scenario = {
      block: block + 1,
      router: commands.some((c) => c.includes('deploy/edge/ingress-nginx.yaml')) ? 'ingress-nginx' : 'nginx',
      edgeEnv: envOf(edge!),
      wakerEnv: envOf(waker!),
    };
    for (const c of sets) {
      const x = /^kubectl -n (\S+) set env deployment\/(\S+) (.+)$/.exec(c);
      if (!x || x[1] !== NAMESPACE || (x[2] !== EDGE && x[2] !== WAKER)) {
        problems.push(`${GUIDE}: sh block ${block + 1}: '${c}' sets no Deployment of the manifests`);
        continue;
      }
      const target = x[2] === EDGE ? scenario.edgeEnv : scenario.wakerEnv;
      for (const pair of x[3].split(/\s+/)) {
        const kv = /^([A-Z_]+)=(\S*)$/.exec(pair);
        if (!kv) problems.push(`${GUIDE}: sh block ${block + 1}: '${pair}' is not NAME=value`);
        else target[kv[1]] = kv[2];
      }
    }
    scenarios.push(scenario);
  });
  return { secretKeys, scenarios, problems };
}

/** The edge service's configuration from `env`, its secret files read from the Secret's keys under the mount. */
function wakerConfig(env: Record<string, string>, mount: string, keys: string[]): WakerConfig {
  return loadConfig(env, (file) => {
    const key = file.startsWith(`${mount}/`) ? file.slice(mount.length + 1) : undefined;
    if (key === undefined || !keys.includes(key)) throw new Error(`${file}: not a key of the Secret ${WAKER}`);
    return `${key}-placeholder-${'x'.repeat(48)}\n`;
  });
}

/** Each scenario: the service's configuration loads, and the edge and the service agree. */
function scenarioProblems(m: Manifests, s: Scenario, secretKeys: string[], readyPath?: string): string[] {
  const where = `${GUIDE}: sh block ${s.block}`;
  const waker = named(m, 'Deployment', WAKER)!;
  const mount = waker.spec.template.spec.containers[0].volumeMounts[0].mountPath;
  let c: WakerConfig;
  try {
    c = wakerConfig(s.wakerEnv, mount, secretKeys);
  } catch (err) {
    return [`${where}: the edge service refuses its configuration: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  const e = s.edgeEnv;
  if (s.router === 'ingress-nginx') {
    if (c.hostHeader !== 'x-forwarded-host')
      problems.push(`${where}: ingress-nginx needs WAKER_HOST_HEADER=x-forwarded-host`);
    if (c.bucketReads !== 'anonymous') problems.push(`${where}: ingress-nginx cannot sign bucket reads`);
    if (!c.gate) problems.push(`${where}: ingress-nginx.yaml is for the gate (WAKER_GATE=github)`);
  } else {
    if (c.hostHeader !== 'host') problems.push(`${where}: behind the nginx edge WAKER_HOST_HEADER is host`);
    if (e.BUCKET_READS !== c.bucketReads)
      problems.push(`${where}: the edge's BUCKET_READS=${e.BUCKET_READS}, the service's ${c.bucketReads}`);
    if ((c.gate || c.bucketReads === 'signed') && e.AUTH_REQUEST !== '/.faas-preview-auth')
      problems.push(`${where}: the gate or signed reads need the edge's AUTH_REQUEST=/.faas-preview-auth`);
    if (e.AUTH_REQUEST !== 'off' && e.WAKER !== 'on') problems.push(`${where}: AUTH_REQUEST needs the edge's WAKER=on`);
  }
  if (
    readyPath !== undefined &&
    s.wakerEnv.WAKER_READY_PATH !== envOf(waker).WAKER_READY_PATH &&
    c.readyPath !== readyPath
  )
    problems.push(`${where}: WAKER_READY_PATH ${c.readyPath} is not the runner Ingress's ${readyPath}`);
  return problems;
}

/** The guide's workflow step against the runner Ingress, the certificate and the edge service. */
function stepProblems(
  guide: string,
  m: Manifests,
  runner: { host?: string; readyPath?: string },
  s: Scenario[],
): string[] {
  const block = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((b) => b[1])
    .find((b) => b.includes('faas-preview/faas-preview@'));
  if (!block) return [`${GUIDE}: no workflow step`];
  const step = (parse(block) as Doc[])[0];
  const problems: string[] = [];
  const domain = (ofKind(m, 'Certificate')[0]?.doc.spec.dnsNames as string[]).find((n) => n.startsWith('*.'))?.slice(2);
  if (step.with['preview-domain'] !== domain)
    problems.push(`step: preview-domain ${step.with['preview-domain']} is not ${domain}`);
  if (new URL(step.with['gateway-url']).host !== runner.host || !step.with['gateway-url'].startsWith('https://'))
    problems.push(`step: gateway-url ${step.with['gateway-url']} is not https://${runner.host}`);
  if (step.with['ready-path'] !== runner.readyPath)
    problems.push(`step: ready-path ${step.with['ready-path']} is not the runner Ingress's ${runner.readyPath}`);
  const ready = s.find((x) => x.wakerEnv.WAKER_READY_PATH === step.with['ready-path']);
  if (!ready)
    problems.push(`${GUIDE}: no 'set env' gives the edge service WAKER_READY_PATH=${step.with['ready-path']}`);
  return problems;
}

function problemsOf(files: Files): string[] {
  const { manifests, problems } = parseManifests(files);
  if (problems.length) return problems;
  const runner = runnerProblems(manifests);
  const guide = guideScenarios(files[GUIDE], manifests);
  return [
    ...nameProblems(manifests),
    ...runner.problems,
    ...guide.problems,
    ...guide.scenarios.flatMap((s) => scenarioProblems(manifests, s, guide.secretKeys, runner.readyPath)),
    ...stepProblems(files[GUIDE], manifests, runner, guide.scenarios),
  ];
}

describe('docs/kubernetes.md and its manifests', () => {
  const files = onDisk();
  const { manifests } = parseManifests(files);
  const guide = guideScenarios(files[GUIDE], manifests);

  test('every manifest parses, and every object has a kind and a name', () => {
    expect(parseManifests(files).problems).toEqual([]);
    expect(manifests['deploy/kubernetes/certificate.yaml'].map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Issuer/preview-dns01',
      'Certificate/preview-wildcard',
    ]);
  });

  test('names agree: certificate, TLS Secrets, hosts, Services and ports, the edge and its service', () => {
    expect(nameProblems(manifests)).toEqual([]);
  });

  test("the runner's Ingresses pass /system/ and the readiness GET of one health path, nothing else", () => {
    const runner = runnerProblems(manifests);
    expect(runner.problems).toEqual([]);
    expect(runner).toMatchObject({ host: 'openfaas.preview.example.com', readyPath: '/healthz' });
  });

  test("the guide's secret and set env lines give the edge service a configuration it accepts, and agree", () => {
    expect(guide.problems).toEqual([]);
    expect(guide.secretKeys.sort()).toEqual(
      [
        'aws-access-key-id',
        'aws-secret-access-key',
        'bypass-token',
        'gateway-password',
        'gate-key',
        'github-client-secret',
      ].sort(),
    );
    // Waking; private with the nginx edge; private with ingress-nginx; the runner's ready path.
    expect(guide.scenarios.map((s) => s.router)).toEqual(['nginx', 'nginx', 'ingress-nginx', 'nginx']);
    expect(problemsOf(files)).toEqual([]);
    const mount = named(manifests, 'Deployment', WAKER)!.spec.template.spec.containers[0].volumeMounts[0].mountPath;
    const privateNginx = wakerConfig(guide.scenarios[1].wakerEnv, mount, guide.secretKeys);
    expect(privateNginx.gate).toBeDefined();
    expect(privateNginx.bucketReads).toBe('signed');
    expect(guide.scenarios[1].edgeEnv).toMatchObject({
      WAKER: 'on',
      AUTH_REQUEST: '/.faas-preview-auth',
      BUCKET_READS: 'signed',
    });
  });

  test('the guide marks the commands no test runs, and links the manifests it uses', () => {
    const text = files[GUIDE];
    for (const file of ['deploy/kubernetes/certificate.yaml', 'deploy/kubernetes/runner-ingress.yaml'])
      expect(text).toContain(`](../${file})`);
    expect(text.match(/\*\*not run by a test\*\*/gi)!.length).toBeGreaterThanOrEqual(6);
    // Every sh block with a kubectl, helm or docker command sits under a "not run by a test" note, or is a set env block
    // the checks above apply.
    const sections = text.split(/\n## /);
    for (const section of sections)
      if (/```sh\n[\s\S]*?\b(helm|docker build|kubectl (apply|create))\b/.test(section))
        expect({ section: section.split('\n')[0], marked: /not run by a test/i.test(section) }).toMatchObject({
          marked: true,
        });
  });
});

const withNginx = describeWith(['nginx']).describe;

withNginx("kubernetes.yaml's nginx config, as rendered by the nginx image", () => {
  const files = onDisk();
  const { manifests } = parseManifests(files);
  const template = named(manifests, 'ConfigMap', EDGE)!.data['faas-preview.conf.template'] as string;
  const guide = guideScenarios(files[GUIDE], manifests);
  const variants: Array<[string, Record<string, string>]> = [
    ['as shipped', envOf(named(manifests, 'Deployment', EDGE)!)],
    ...guide.scenarios
      .filter((s) => s.router === 'nginx')
      .map((s): [string, Record<string, string>] => [`sh block ${s.block}`, s.edgeEnv]),
  ];

  /** nginx -t of the ConfigMap rendered as the image does: only the variables its NGINX_ENVSUBST_FILTER names. */
  const nginxTest = (env: Record<string, string>) => {
    // nginx looks the resolver's name up when it loads the config; kube-dns's name resolves only in a cluster.
    const filter = new RegExp(env.NGINX_ENVSUBST_FILTER);
    const vars = Object.fromEntries(Object.entries(env).filter(([k]) => filter.test(k)));
    const site = renderTemplate(template, { ...vars, RESOLVER: '127.0.0.1' });
    const dir = mkdtempSync(path.join(tmpdir(), 'kubernetes-guide-'));
    try {
      writeFileSync(path.join(dir, 'site.conf'), site);
      writeFileSync(
        path.join(dir, 'nginx.conf'),
        `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n    access_log off;\n    include ${dir}/site.conf;\n}\n`,
      );
      execFileSync(
        'nginx',
        ['-t', '-q', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')],
        {
          stdio: 'pipe',
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test.each(variants)('%s: passes nginx -t', (_name, env) => nginxTest(env));

  test('a value nginx refuses fails it', () => {
    expect(() => nginxTest({ ...variants[0][1], LISTEN: '0.0.0.0:http' })).toThrow(/nginx/);
  });
});

const withKubectl = describeWith(['kubectl', 'openssl']).describe;

withKubectl("the guide's kubectl lines that need no cluster, run by kubectl offline", () => {
  const files = onDisk();
  const { manifests } = parseManifests(files);
  const guide = guideScenarios(files[GUIDE], manifests);
  const PASSWORD = 'gateway-password-of-the-kubernetes-guide-test';
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kubernetes-guide-kubectl-'));
    writeFileSync(
      path.join(dir, 'kubeconfig'),
      'apiVersion: v1\nkind: Config\nclusters:\n- name: none\n  cluster: {server: "https://127.0.0.1:1"}\n' +
        'contexts:\n- name: none\n  context: {cluster: none, user: none}\ncurrent-context: none\nusers:\n- name: none\n  user: {token: not-a-token}\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `command` as the guide has it, made offline as `changes` say, run by the shell in the test's directory. */
  const sh = (command: string, changes: [string | RegExp, string][] = []) => {
    let line = command;
    for (const [from, to] of changes) {
      const next = line.replace(from, to);
      expect([command, next]).not.toEqual([command, line]);
      line = next;
    }
    return execFileSync('sh', ['-c', line], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: path.join(dir, 'kubeconfig') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  };
  const dryRun = (command: string) => JSON.parse(sh(`${command} --dry-run=client -o json`)) as Doc;
  /** The chart's Secret `basic-auth` (keys basic-auth-user and basic-auth-password), made by kubectl, for `get`. */
  const chartSecret: [string, string] = [
    'kubectl -n openfaas get secret basic-auth',
    `kubectl -n openfaas create secret generic basic-auth --from-literal=basic-auth-user=admin --from-literal=basic-auth-password=${PASSWORD} --dry-run=client`,
  ];
  const decoded = (secret: Doc) =>
    Object.fromEntries(
      Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );

  test("the Namespace of the manifests, and the Secret and key of the Issuer's DNS-01 solver", () => {
    const [namespace, token] = guideCommands('kubernetes namespace and DNS token').map(dryRun);
    expect(namespace).toMatchObject({ kind: 'Namespace', metadata: { name: NAMESPACE } });
    const issuer = named(manifests, 'Issuer', 'preview-dns01')!;
    const ref = issuer.spec.acme.solvers[0].dns01.cloudflare.apiTokenSecretRef;
    expect(token).toMatchObject({ kind: 'Secret', metadata: { name: ref.name, namespace: NAMESPACE } });
    expect(Object.keys(token.data)).toEqual([ref.key]);
  });

  test('the gateway password line prints the password of the Secret', () => {
    const [line] = guideCommands('kubernetes gateway password');
    expect(sh(line, [chartSecret])).toBe(PASSWORD);
  });

  test("the edge service's Secret: the keys the manifest's files name, the openssl keys and the gateway's password", () => {
    writeFileSync(path.join(dir, 'github-client-secret'), 'the-github-client-secret');
    const lines = guideCommands('kubernetes edge service secrets');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['openssl', 'openssl', 'kubectl']);
    for (const line of lines.slice(0, 2)) sh(line);
    const secret = JSON.parse(sh(lines[2], [chartSecret, [/$/, ' --dry-run=client -o json']])) as Doc;
    expect(secret.metadata).toMatchObject({ name: WAKER, namespace: NAMESPACE });
    expect(Object.keys(secret.data).sort()).toEqual([...guide.secretKeys].sort());
    const values = decoded(secret);
    expect(values['gateway-password']).toBe(PASSWORD);
    expect(values['github-client-secret']).toBe('the-github-client-secret');
    for (const key of ['gate-key', 'bypass-token']) {
      expect(values[key]).toBe(readFileSync(path.join(dir, key), 'utf8'));
      expect(Buffer.from(values[key].trim(), 'base64')).toHaveLength(48);
    }
  });

  test("each block's set env lines, run by kubectl on the manifests' Deployments, give the environment read from them", () => {
    const lines = guideCommands('kubernetes set env');
    const all = commandsOf(GUIDE).filter((c) => lines.includes(c.text));
    expect([...new Set(all.map((c) => c.block))]).toEqual(guide.scenarios.map((s) => s.block));
    for (const s of guide.scenarios) {
      for (const name of [EDGE, WAKER])
        writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(named(manifests, 'Deployment', name)));
      for (const c of all.filter((x) => x.block === s.block)) {
        const target = /deployment\/(\S+)/.exec(c.text)![1];
        const out = sh(c.text, [[`deployment/${target}`, `--local -f ${target}.json -o json`]]);
        writeFileSync(path.join(dir, `${target}.json`), out);
      }
      const after = (name: string) => envOf(JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Doc);
      expect({ block: s.block, edge: after(EDGE), waker: after(WAKER) }).toEqual({
        block: s.block,
        edge: s.edgeEnv,
        waker: s.wakerEnv,
      });
    }
  });

  test('a set env line kubectl refuses fails it', () => {
    expect(() => sh('kubectl -n faas-preview set env --local -f nowhere.json A=1 -o json')).toThrow();
  });
});

describe('the checkers report what they look for', () => {
  const good = onDisk();
  const edit = (file: string, from: string | RegExp, to: string): Files => {
    const text = good[file].replace(from, to);
    expect(text).not.toBe(good[file]);
    return { ...good, [file]: text };
  };

  test('a manifest that does not parse', () => {
    const problems = problemsOf(edit(RUNNER, 'kind: Service', 'kind: [Service'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^deploy\/kubernetes\/runner-ingress\.yaml: document 1 does not parse/);
  });

  test("another Secret in the Certificate, a host it does not cover, a Service's port that does not exist", () => {
    let files = edit('deploy/kubernetes/certificate.yaml', 'secretName: preview-wildcard-tls', 'secretName: other-tls');
    files = { ...files, [RUNNER]: files[RUNNER].replaceAll('openfaas.preview.example.com', 'a.b.preview.example.com') };
    files = {
      ...files,
      'deploy/edge/ingress-nginx.yaml': files['deploy/edge/ingress-nginx.yaml'].replace('number: 8089', 'number: 8090'),
    };
    const problems = problemsOf(files);
    expect(problems).toContain(
      "deploy/edge/kubernetes.yaml: Ingress faas-preview-edge: tls secretName 'preview-wildcard-tls' is not the Certificate's 'other-tls'",
    );
    expect(problems).toContain(
      `${RUNNER}: Ingress faas-preview-runner-system: host a.b.preview.example.com is not in the Certificate`,
    );
    expect(problems).toContain(
      'deploy/edge/ingress-nginx.yaml: Ingress faas-preview-gate-pages: Service faas-preview-waker has no port 8090',
    );
    expect(problems).toContain(
      'step: gateway-url https://openfaas.preview.example.com is not https://a.b.preview.example.com',
    );
  });

  test("the edge's WAKER_URL on another port, a NetworkPolicy that admits other pods", () => {
    let files = edit('deploy/edge/kubernetes.yaml', 'svc.cluster.local:8089"', 'svc.cluster.local:8088"');
    files = {
      ...files,
      'deploy/waker/kubernetes.yaml': files['deploy/waker/kubernetes.yaml'].replace(
        /app\.kubernetes\.io\/name: faas-preview-edge$/m,
        'app.kubernetes.io/name: someone-else',
      ),
    };
    const problems = problemsOf(files);
    expect(problems).toContain(
      "edge: WAKER_URL 'http://faas-preview-waker.faas-preview.svc.cluster.local:8088' is not the edge service's http://faas-preview-waker.faas-preview.svc.cluster.local:8089",
    );
    expect(problems).toContain("NetworkPolicy faas-preview-waker does not admit the edge's pods");
  });

  test('a runner Ingress that publishes all of /function/, or the root as the ready path', () => {
    const wide = problemsOf(edit(RUNNER, '          - path: /system/\n', '          - path: /function/\n'));
    expect(wide).toContain(
      `${RUNNER}: Ingress faas-preview-runner-system path '/function/': neither /system/ nor the readiness GET of one health path`,
    );
    const root = edit(RUNNER, '"/function/$1/healthz"', '"/function/$1/"');
    const rooted = problemsOf({
      ...root,
      [RUNNER]: root[RUNNER].replace('([a-z0-9][-a-z0-9.]*)/healthz$', '([a-z0-9][-a-z0-9.]*)/$'),
    });
    expect(rooted).toContain(
      `${RUNNER}: Ingress faas-preview-runner-ready path '/function/([a-z0-9][-a-z0-9.]*)/$': neither /system/ nor the readiness GET of one health path`,
    );
    const loose = problemsOf(edit(RUNNER, '([a-z0-9][-a-z0-9.]*)/healthz$', '(.*)/healthz'));
    expect(loose.some((p) => p.includes('neither /system/ nor the readiness GET'))).toBe(true);
  });

  test('set env lines the edge service refuses, or that leave the edge and the service disagreeing', () => {
    const unsigned = problemsOf(edit(GUIDE, '  WAKER_BUCKET_READS=signed\n', '  WAKER_GATE_RECHECK=1h\n'));
    expect(unsigned).toContain(`${GUIDE}: sh block 9: the edge's BUCKET_READS=signed, the service's anonymous`);
    const missingKey = problemsOf(edit(GUIDE, '--from-file=bypass-token=bypass-token ', ''));
    expect(
      missingKey.some((p) =>
        /sh block 9: the edge service refuses its configuration: .*bypass-token: not a key of the Secret/.test(p),
      ),
    ).toBe(true);
    const badValue = problemsOf(
      edit(GUIDE, '  WAKER_HOST_HEADER=x-forwarded-host\n', '  WAKER_HOST_HEADER=forwarded\n'),
    );
    expect(
      badValue.some((p) =>
        p.startsWith(`${GUIDE}: sh block 10: the edge service refuses its configuration: WAKER_HOST_HEADER`),
      ),
    ).toBe(true);
    const ready = problemsOf(edit(GUIDE, 'ready-path: /healthz', 'ready-path: /ready'));
    expect(ready).toContain("step: ready-path /ready is not the runner Ingress's /healthz");
  });
});
