/**
 * deploy/edge/ingress-nginx.yaml, the Ingress objects for clusters that run the ingress-nginx controller, as rendered:
 * the gate's annotations on every gated Ingress (auth-url on the edge service's Service and port of
 * deploy/waker/kubernetes.yaml), none on the edge service's own pages, the wildcard and login hosts, TLS for both.
 * No ingress-nginx runs here (no cluster): this checks the file, not what the controller makes of it.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../../test/support/action.js';

interface Backend {
  service: { name: string; port: { number?: number; name?: string } };
}
interface Path {
  path: string;
  pathType: string;
  backend: Backend;
}
interface Rule {
  host: string;
  http: { paths: Path[] };
}
interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: {
    type?: string;
    externalName?: string;
    ports?: Array<{ name?: string; port: number }>;
    rules?: Rule[];
    tls?: Array<{ hosts: string[]; secretName: string }>;
  };
  data?: Record<string, string>;
}

const load = (file: string): Doc[] =>
  parseAllDocuments(readFileSync(`${ROOT}/${file}`, 'utf8')).map((d) => d.toJS() as Doc);

const DOMAIN = 'preview.example.com';
const WILDCARD = `*.${DOMAIN}`;
const LOGIN = `login.${DOMAIN}`;
const NAMESPACE = 'faas-preview';
const A = 'nginx.ingress.kubernetes.io/';
const AUTH_KEYS = [
  'auth-url',
  'auth-method',
  'auth-signin',
  'auth-response-headers',
  'auth-proxy-set-headers',
  'auth-snippet',
  'auth-cache-key',
  'enable-global-auth',
];

const docs = load('deploy/edge/ingress-nginx.yaml');
const ingresses = docs.filter((d) => d.kind === 'Ingress');
const byName = (name: string) => docs.find((d) => d.metadata.name === name)!;
const waker = load('deploy/waker/kubernetes.yaml').find((d) => d.kind === 'Service')!;
const wakerPort = waker.spec.ports!.find((p) => p.name === 'http')!.port;
const GATED = ['faas-preview-api', 'faas-preview-index', 'faas-preview-files'];

describe('deploy/edge/ingress-nginx.yaml', () => {
  test('the objects: the auth headers ConfigMap, gateway and bucket as ExternalName Services, four Ingresses', () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ConfigMap/faas-preview-auth-headers',
      'Service/faas-preview-gateway',
      'Service/faas-preview-bucket',
      'Ingress/faas-preview-gate-pages',
      'Ingress/faas-preview-api',
      'Ingress/faas-preview-index',
      'Ingress/faas-preview-files',
      'NetworkPolicy/faas-preview-waker-from-ingress-nginx',
    ]);
    for (const name of ['faas-preview-gateway', 'faas-preview-bucket']) {
      expect(byName(name).spec.type).toBe('ExternalName');
      expect(byName(name).spec.externalName).toMatch(/^[a-z0-9.-]+$/);
    }
    // The snippet annotations ingress-nginx disables by default are not used anywhere.
    for (const ing of ingresses)
      for (const key of Object.keys(ing.metadata.annotations ?? {})) expect(key).not.toMatch(/snippet/);
  });

  test('every gated Ingress asks the edge service, on the Service and port of deploy/waker/kubernetes.yaml', () => {
    expect(waker.metadata.name).toBe('faas-preview-waker');
    const authUrl = `http://${waker.metadata.name}.${NAMESPACE}.svc.cluster.local:${wakerPort}/.faas-preview/auth`;
    for (const name of GATED) {
      const a = byName(name).metadata.annotations!;
      expect(a[`${A}auth-url`]).toBe(authUrl);
      // auth-method makes ingress-nginx send X-Original-URI (the edge service signs and redirects by it).
      expect(a[`${A}auth-method`]).toBe('GET');
      expect(a[`${A}auth-signin`]).toBe('https://$host/.faas-preview/signin');
      expect(a[`${A}auth-response-headers`].split(',').map((h) => h.trim())).toEqual([
        'X-Faas-Preview-Cookie',
        'Cookie',
        'Authorization',
        'X-Faas-Preview-Bypass',
      ]);
      expect(a[`${A}auth-proxy-set-headers`]).toBe(`${NAMESPACE}/faas-preview-auth-headers`);
      expect(a[`${A}use-regex`]).toBe('true');
    }
    // The visitor's host for the edge service, never one the visitor sent.
    expect(byName('faas-preview-auth-headers').data).toEqual({ 'X-Forwarded-Host': '$host' });
  });

  test('API to the gateway, / and every other path to the bucket, under the preview name', () => {
    const route = (name: string) => {
      const ing = byName(name);
      expect(ing.spec.rules).toHaveLength(1);
      const [rule] = ing.spec.rules!;
      expect(rule.host).toBe(WILDCARD);
      expect(rule.http.paths).toHaveLength(1);
      return { ing, path: rule.http.paths[0] };
    };
    const api = route('faas-preview-api');
    expect(api.path).toMatchObject({ path: '/api(/.*)?$', pathType: 'ImplementationSpecific' });
    expect(api.path.backend.service).toEqual({ name: 'faas-preview-gateway', port: { number: 8080 } });
    expect(api.ing.metadata.annotations![`${A}rewrite-target`]).toBe('/function/$subdomain$1');
    const index = route('faas-preview-index');
    expect(index.path).toMatchObject({ path: '/$', pathType: 'ImplementationSpecific' });
    expect(index.path.backend.service.name).toBe('faas-preview-bucket');
    expect(index.ing.metadata.annotations![`${A}rewrite-target`]).toBe('/previews/$subdomain/index.html');
    const files = route('faas-preview-files');
    expect(files.path).toMatchObject({ path: '/(.+)', pathType: 'ImplementationSpecific' });
    expect(files.path.backend.service.name).toBe('faas-preview-bucket');
    expect(files.ing.metadata.annotations![`${A}rewrite-target`]).toBe('/previews/$subdomain/$1');
    const bucketPort = byName('faas-preview-bucket').spec.ports![0].port;
    expect(index.path.backend.service.port.number).toBe(bucketPort);
    expect(files.path.backend.service.port.number).toBe(bucketPort);
  });

  test('the login host and /.faas-preview/ go to the edge service without the gate', () => {
    const pages = byName('faas-preview-gate-pages');
    for (const key of Object.keys(pages.metadata.annotations ?? {}))
      expect(AUTH_KEYS.map((k) => `${A}${k}`)).not.toContain(key);
    expect(pages.metadata.annotations?.[`${A}auth-url`]).toBeUndefined();
    expect(pages.spec.rules!.map((r) => r.host).sort()).toEqual([WILDCARD, LOGIN].sort());
    for (const rule of pages.spec.rules!) {
      expect(rule.http.paths).toEqual([
        {
          path: '/.faas-preview/',
          pathType: 'Prefix',
          backend: { service: { name: waker.metadata.name, port: { number: wakerPort } } },
        },
      ]);
    }
    // No gated Ingress serves the login host or the edge service's paths.
    for (const name of GATED)
      for (const rule of byName(name).spec.rules!) {
        expect(rule.host).not.toBe(LOGIN);
        for (const p of rule.http.paths) expect(p.path.startsWith('/.faas-preview')).toBe(false);
      }
  });

  test('every Ingress has TLS for the wildcard and the login host, one wildcard secret', () => {
    const secrets = new Set<string>();
    for (const ing of ingresses) {
      const hosts = ing.spec.tls!.flatMap((t) => t.hosts);
      expect(hosts).toEqual(expect.arrayContaining([WILDCARD, LOGIN]));
      for (const rule of ing.spec.rules!) expect(hosts).toContain(rule.host);
      for (const t of ing.spec.tls!) secrets.add(t.secretName);
    }
    expect([...secrets]).toEqual(['preview-wildcard-tls']);
  });

  test('the header says what is supported and what is not, and why', () => {
    const text = readFileSync(`${ROOT}/deploy/edge/ingress-nginx.yaml`, 'utf8');
    const header = text.slice(0, text.indexOf('\napiVersion:'));
    expect(header).toMatch(/^# SUPPORTED with ingress-nginx/m);
    expect(header).toMatch(/^# NOT SUPPORTED with ingress-nginx \(use deploy\/edge\/nginx\.conf/m);
    expect(header).toMatch(/signed bucket reads/);
    expect(header).toMatch(/WAKER_HOST_HEADER=x-forwarded-host/);
    expect(header).toMatch(/allow-snippet-annotations/);
  });
});
