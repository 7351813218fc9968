/**
 * Debian's docker-registry (the CNCF distribution server) on a loopback port, with htpasswd auth and deletes
 * enabled, plus an isolated buildah environment (vfs storage, chroot isolation, its own auth file) for pushing to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import bcrypt from 'bcryptjs';
import { freePort, waitFor } from './tools.js';

export interface Registry {
  host: string;
  username: string;
  password: string;
  /** Environment for buildah so it runs without a daemon, root storage tweaks or a shared login file. */
  buildahEnv: Record<string, string>;
  tags(repository: string): Promise<string[]>;
  /** A pushed image: its config (labels under `config.Labels`) and its layers as pushed (gzip), in order. */
  image(repository: string, tag: string): Promise<{ config: { config?: { Labels?: Record<string, string> } }; layers: Buffer[] }>;
  close(): Promise<void>;
}

/** Single-platform manifests: docker pushes Docker schema 2, podman and buildah OCI. */
const MANIFEST_TYPES = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

export async function startRegistry(): Promise<Registry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-registry-'));
  const port = await freePort();
  const username = 'ci';
  const password = 'registry-pw-' + Math.random().toString(36).slice(2);
  writeFileSync(path.join(dir, 'htpasswd'), `${username}:${bcrypt.hashSync(password, 6)}\n`);
  writeFileSync(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: {level: error}',
      'storage:',
      `  filesystem: {rootdirectory: ${path.join(dir, 'data')}}`,
      '  delete: {enabled: true}',
      `http: {addr: "127.0.0.1:${port}"}`,
      'auth:',
      `  htpasswd: {realm: basic-realm, path: ${path.join(dir, 'htpasswd')}}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  child.unref();
  const host = `127.0.0.1:${port}`;
  const auth = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
  await waitFor(async () => (await fetch(`http://${host}/v2/`, { headers: { authorization: auth } })).status === 200, 'docker-registry');
  const storage = path.join(dir, 'containers');
  return {
    host,
    username,
    password,
    buildahEnv: {
      STORAGE_DRIVER: 'vfs',
      BUILDAH_ISOLATION: 'chroot',
      REGISTRY_AUTH_FILE: path.join(dir, 'auth.json'),
      CONTAINERS_STORAGE_CONF: writeStorageConf(dir, storage),
    },
    async tags(repository) {
      const res = await fetch(`http://${host}/v2/${repository}/tags/list`, { headers: { authorization: auth } });
      if (res.status === 404) return [];
      return (((await res.json()) as { tags?: string[] | null }).tags ?? []).sort();
    },
    async image(repository, tag) {
      const get = async (what: string, accept = '*/*') => {
        const res = await fetch(`http://${host}/v2/${repository}/${what}`, { headers: { authorization: auth, accept } });
        if (!res.ok) throw new Error(`registry GET ${repository}/${what} answered ${res.status}`);
        return Buffer.from(await res.arrayBuffer());
      };
      const manifest = JSON.parse((await get(`manifests/${tag}`, MANIFEST_TYPES)).toString()) as { config: { digest: string }; layers?: { digest: string }[] };
      const layers: Buffer[] = [];
      for (const { digest } of manifest.layers ?? []) layers.push(await get(`blobs/${digest}`));
      return { config: JSON.parse((await get(`blobs/${manifest.config.digest}`)).toString()), layers };
    },
    async close() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Keeps buildah's image store inside the test's temp directory, so runs never share or leak images. */
function writeStorageConf(dir: string, storage: string): string {
  const file = path.join(dir, 'storage.conf');
  writeFileSync(file, `[storage]\ndriver = "vfs"\nrunroot = "${storage}/run"\ngraphroot = "${storage}/graph"\n`);
  return file;
}
