/**
 * deploy/waker/ as shipped: the Kubernetes manifest's environment and the faasd host's env file load as a valid
 * configuration (every variable known, secrets as files), and the image and the unit start the bundled entry point
 * `npm run bundle` writes.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../../test/support/action.js';
import { loadConfig } from '../../src/waker/config.js';

const read = (file: string) => readFileSync(join(ROOT, 'deploy/waker', file), 'utf8');

/** Loads `env` with every `*_FILE` pointing at a temporary file holding a placeholder secret. */
function loadWithSecretFiles(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'waker-deploy-'));
  try {
    const files: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) {
      if (!name.endsWith('_FILE')) continue;
      const file = join(dir, name);
      writeFileSync(file, `placeholder-for-${name}\n`);
      files[value] = file;
    }
    return loadConfig(env, (path) => readFileSync(files[path] ?? path, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('deploy/waker', () => {
  test('kubernetes.yaml: one replica of the waker, its env a valid configuration with secrets from the mounted Secret', () => {
    const docs = parseAllDocuments(read('kubernetes.yaml')).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'NetworkPolicy']);
    const [deployment, service, policy] = docs;
    expect(deployment.spec.replicas).toBe(1);
    const container = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const mount = container.volumeMounts[0].mountPath;
    for (const [name, value] of Object.entries(env))
      if (name.endsWith('_FILE')) expect(value.startsWith(`${mount}/`)).toBe(true);
    const config = loadWithSecretFiles(env);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8089 });
    expect(config.gateway.password).toBe('placeholder-for-WAKER_GATEWAY_PASSWORD_FILE');
    expect(container.ports[0].containerPort).toBe(config.listen.port);
    expect(container.readinessProbe.httpGet.path).toBe('/healthz');
    expect(service.spec.ports[0]).toMatchObject({ port: 8089, targetPort: 'http' });
    expect(policy.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'faas-preview-edge',
    });
  });

  test('waker.env.example with the unit: a valid configuration once the S3 keys are filled in', () => {
    const env: Record<string, string> = {};
    for (const line of read('waker.env.example').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) env[m[1]] = m[2];
    }
    const unit = read('faas-preview-waker.service');
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/faas-preview\/waker\.env$/m);
    const fromUnit = /^Environment=(WAKER_GATEWAY_PASSWORD_FILE)=(.+)$/m.exec(unit)!;
    const config = loadWithSecretFiles({
      ...env,
      WAKER_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      WAKER_AWS_SECRET_ACCESS_KEY: 'example-secret',
      [fromUnit[1]]: fromUnit[2],
    });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8089 });
    expect(config.gateway.url).toBe('http://127.0.0.1:8080');
  });

  test('the image and the unit run the bundle entry dist/waker/index.js', () => {
    const bundle = readFileSync(join(ROOT, 'scripts/bundle.mjs'), 'utf8');
    expect(bundle).toContain("{ source: 'src/waker/index.ts', folder: 'waker' }");
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:24-alpine$/m);
    expect(dockerfile).toMatch(/^COPY dist\/waker\/ \.\/$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "index\.js"\]$/m);
    expect(read('faas-preview-waker.service')).toMatch(
      /^ExecStart=\/usr\/bin\/node \/opt\/faas-preview\/waker\/index\.js$/m,
    );
  });
});
