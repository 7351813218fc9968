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
  close(): Promise<void>;
}

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
