/**
 * Debian's docker-registry (the CNCF distribution server, 2.8) on a loopback port, plus an isolated buildah
 * environment (vfs storage, chroot isolation, its own auth file) for pushing to it.
 *
 * Auth is htpasswd (Basic) by default. With `auth: 'token'` the registry uses distribution's token auth instead,
 * against a token service of the test (`/token`, on its own loopback port): it checks the Basic credentials and
 * issues RS256 JWTs for the requested scope, signed with a throwaway key whose self-signed certificate is the
 * registry's `rootcertbundle`. The registry then does what hosted registries do: a 401 Bearer challenge for the scope
 * a request needs, and a second challenge (`error="insufficient_scope"`) when a token for `pull` is used to DELETE.
 *
 * Measured on 2.8.2: `tags/list` ignores `n`/`last` and sends no `Link` header (pagination came with distribution
 * 3), so paging goes through `startLinkProxy`; with `storage.delete.enabled: false` a DELETE answers
 * 405 `UNSUPPORTED`; DELETE by tag answers 400 `DIGEST_INVALID`; DELETE by digest removes every tag of that manifest.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';
import type { BuildSettings } from '../../src/settings.js';
import { freePort, waitFor } from './tools.js';

export interface RegistryOptions {
  /** false: `storage.delete.enabled: false`. Default true. */
  deletes?: boolean;
  /** 'token': distribution token auth through the test's token service (see above). Default 'basic'. */
  auth?: 'basic' | 'token';
  /** Token auth: the actions the token service may grant (default pull, push, delete); others are left out. */
  tokenActions?: string[];
  /** Token auth: anonymous token requests get `pull` (a public repository, like a public GHCR package). */
  anonymousPull?: boolean;
}

export interface Registry {
  host: string;
  username: string;
  password: string;
  /** Environment for buildah so it runs without a daemon, root storage tweaks or a shared login file. */
  buildahEnv: Record<string, string>;
  /** Token auth: every scope the token service was asked for, in order. */
  tokenScopes: string[];
  /**
   * A registries.conf that marks this registry insecure (plain HTTP), for CONTAINERS_REGISTRIES_CONF: how buildah and
   * podman reach it where a command has no --tls-verify=false (a build's --cache-from / --cache-to).
   */
  registriesConf: string;
  tags(repository: string): Promise<string[]>;
  /** A pushed image: its config (labels under `config.Labels`) and its layers as pushed (gzip), in order. */
  image(
    repository: string,
    tag: string,
  ): Promise<{ config: { config?: { Labels?: Record<string, string> } }; layers: Buffer[] }>;
  /**
   * Pushes a minimal OCI image (a config blob and a manifest without layers) under each tag, through the registry
   * API. The same `content` (and `labels`) gives the same manifest digest, which is returned.
   */
  pushImage(repository: string, tags: string[], content?: string, labels?: Record<string, string>): Promise<string>;
  /** Pushes an OCI index of images already in `repository` (by manifest digest) under `tag`; returns its digest. */
  pushIndex(
    repository: string,
    tag: string,
    manifests: { digest: string; platform: { os: string; architecture: string } }[],
  ): Promise<string>;
  /** The manifest digest a tag names, or undefined. */
  digestOf(repository: string, tag: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Single-platform manifests: docker pushes Docker schema 2, podman and buildah OCI. */
const MANIFEST_TYPES =
  'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-registry-'));
  const port = await freePort();
  const username = 'ci';
  const password = 'registry-pw-' + Math.random().toString(36).slice(2);
  const tokens =
    options.auth === 'token'
      ? await startTokenService(
          dir,
          username,
          password,
          options.tokenActions ?? ['pull', 'push', 'delete'],
          options.anonymousPull ?? false,
        )
      : undefined;
  writeFileSync(path.join(dir, 'htpasswd'), `${username}:${bcrypt.hashSync(password, 6)}\n`);
  const auth = tokens
    ? [
        `  token: {realm: "${tokens.realm}", service: ${TOKEN_SERVICE}, issuer: ${TOKEN_ISSUER}, rootcertbundle: ${tokens.certFile}}`,
      ]
    : [`  htpasswd: {realm: basic-realm, path: ${path.join(dir, 'htpasswd')}}`];
  writeFileSync(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: {level: error}',
      'storage:',
      `  filesystem: {rootdirectory: ${path.join(dir, 'data')}}`,
      `  delete: {enabled: ${options.deletes ?? true}}`,
      `http: {addr: "127.0.0.1:${port}"}`,
      'auth:',
      ...auth,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  child.unref();
  const host = `127.0.0.1:${port}`;
  const basic = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
  const authFor = (repository: string, actions: string[]) =>
    tokens ? `Bearer ${tokens.mint(repository, actions)}` : basic;
  // With token auth an unauthenticated /v2/ is a 401 challenge: the registry is up.
  await waitFor(
    async () =>
      [200, 401].includes(
        (await fetch(`http://${host}/v2/`, { headers: tokens ? {} : { authorization: basic } })).status,
      ),
    'docker-registry',
  );
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
    tokenScopes: tokens?.scopes ?? [],
    registriesConf: writeRegistriesConf(dir, host),
    async tags(repository) {
      const res = await fetch(`http://${host}/v2/${repository}/tags/list`, {
        headers: { authorization: authFor(repository, ['pull']) },
      });
      if (res.status === 404) return [];
      return (((await res.json()) as { tags?: string[] | null }).tags ?? []).sort();
    },
    async image(repository, tag) {
      const get = async (what: string, accept = '*/*') => {
        const res = await fetch(`http://${host}/v2/${repository}/${what}`, {
          headers: { authorization: authFor(repository, ['pull']), accept },
        });
        if (!res.ok) throw new Error(`registry GET ${repository}/${what} answered ${res.status}`);
        return Buffer.from(await res.arrayBuffer());
      };
      const manifest = JSON.parse((await get(`manifests/${tag}`, MANIFEST_TYPES)).toString()) as {
        config: { digest: string };
        layers?: { digest: string }[];
      };
      const layers: Buffer[] = [];
      for (const { digest } of manifest.layers ?? []) layers.push(await get(`blobs/${digest}`));
      return { config: JSON.parse((await get(`blobs/${manifest.config.digest}`)).toString()), layers };
    },
    pushImage: (repository, tagList, content = 'faas-preview test image', labels = {}) =>
      pushImage(`http://${host}`, repository, tagList, { content, ...labels }, authFor(repository, ['pull', 'push'])),
    async pushIndex(repository, tag, manifests) {
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: manifests.map((m) => ({ mediaType: OCI_MANIFEST, digest: m.digest, size: 0, platform: m.platform })),
      });
      // distribution 2.8 checks that the children exist, not their sizes.
      const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
        method: 'PUT',
        headers: { authorization: authFor(repository, ['pull', 'push']), 'content-type': OCI_INDEX },
        body,
      });
      if (res.status !== 201)
        throw new Error(`pushIndex: PUT manifests/${tag} answered ${res.status}: ${await res.text()}`);
      return res.headers.get('docker-content-digest') ?? '';
    },
    async digestOf(repository, tag) {
      const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
        method: 'HEAD',
        headers: { authorization: authFor(repository, ['pull']), accept: `${MANIFEST_TYPES}, ${OCI_INDEX}` },
      });
      return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
    },
    async close() {
      child.kill('SIGTERM');
      await tokens?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pushImage(
  base: string,
  repository: string,
  tags: string[],
  labels: Record<string, string>,
  authorization: string,
): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: { Labels: labels },
    }),
  );
  const configDigest = 'sha256:' + createHash('sha256').update(config).digest('hex');
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: { authorization } });
  if (start.status !== 202) throw new Error(`pushImage: POST blobs/uploads answered ${start.status}`);
  const upload = new URL(start.headers.get('location') ?? '', base);
  upload.searchParams.set('digest', configDigest);
  const put = await fetch(upload, {
    method: 'PUT',
    headers: { authorization, 'content-type': 'application/octet-stream' },
    body: config,
  });
  if (put.status !== 201) throw new Error(`pushImage: PUT blob answered ${put.status}`);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [],
  });
  let digest = '';
  for (const tag of tags) {
    const res = await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      headers: { authorization, 'content-type': OCI_MANIFEST },
      body: manifest,
    });
    if (res.status !== 201)
      throw new Error(`pushImage: PUT manifests/${tag} answered ${res.status}: ${await res.text()}`);
    digest = res.headers.get('docker-content-digest') ?? '';
  }
  return digest;
}

const TOKEN_SERVICE = 'faas-preview-test-registry';
const TOKEN_ISSUER = 'faas-preview-test-token';

interface TokenService {
  realm: string;
  certFile: string;
  scopes: string[];
  /** A token for `repository` with these actions, without asking the service (for the test's own pushes and reads). */
  mint(repository: string, actions: string[]): string;
  close(): Promise<void>;
}

/** The token service of distribution's token auth: Basic credentials in, a JWT for the granted scope out. */
async function startTokenService(
  dir: string,
  username: string,
  password: string,
  grantable: string[],
  anonymousPull: boolean,
): Promise<TokenService> {
  const keyFile = path.join(dir, 'token-key.pem');
  const certFile = path.join(dir, 'token-cert.pem');
  // distribution verifies the JWT's x5c chain against rootcertbundle and wants digitalSignature in the leaf's key usage.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=faas-preview test token',
      '-addext',
      'keyUsage=digitalSignature,keyCertSign',
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(keyFile, 'utf8');
  const x5c = readFileSync(certFile, 'utf8').replace(/-----[^-]+-----|\s/g, '');
  const jwt = (access: { type: string; name: string; actions: string[] }[]) => {
    const now = Math.floor(Date.now() / 1000);
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = {
      iss: TOKEN_ISSUER,
      sub: username,
      aud: TOKEN_SERVICE,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const signed = `${part({ alg: 'RS256', typ: 'JWT', x5c: [x5c] })}.${part(claims)}`;
    return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
  };
  const scopes: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const anonymous = anonymousPull && req.headers.authorization === undefined;
    if (
      !anonymous &&
      req.headers.authorization !== 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64')
    ) {
      res
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' })
        .end('{"details":"incorrect username or password"}');
      return;
    }
    const access = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .map((scope) => {
        scopes.push(scope);
        const [type, name, actions] = [
          scope.slice(0, scope.indexOf(':')),
          scope.slice(scope.indexOf(':') + 1, scope.lastIndexOf(':')),
          scope.slice(scope.lastIndexOf(':') + 1),
        ];
        return {
          type,
          name,
          actions: actions.split(',').filter((a) => grantable.includes(a) && (!anonymous || a === 'pull')),
        };
      });
    const token = jwt(access);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    realm: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    certFile,
    scopes,
    mint: (repository, actions) => jwt([{ type: 'repository', name: repository, actions }]),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface LinkProxy {
  host: string;
  /** `METHOD path?query` of every request, in order. */
  calls: string[];
  close(): Promise<void>;
}

/**
 * A proxy in front of the registry that pages `tags/list` the way distribution 3 does (`n`, `last`, tags in lexical
 * order, a `Link` to the next page) and passes everything else through. `link` chooses how the next page is written:
 * a path, a whole URL of the proxy, or a whole URL of another host.
 */
export async function startLinkProxy(
  registry: Registry,
  o: { pageSize: number; link: 'relative' | 'absolute' | 'foreign' },
): Promise<LinkProxy> {
  const calls: string[] = [];
  let self = '';
  const server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://proxy');
    const list = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    const upstream = httpRequest({
      host: '127.0.0.1',
      port: Number(registry.host.split(':')[1]),
      method: req.method,
      path: list ? url.pathname : req.url,
      headers: { ...req.headers, host: registry.host },
    });
    upstream.on('response', (up: IncomingMessage) => {
      if (!list || up.statusCode !== 200) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const all = ((JSON.parse(Buffer.concat(chunks).toString()) as { tags?: string[] | null }).tags ?? []).sort();
        const last = url.searchParams.get('last');
        const rest = last === null ? all : all.filter((t) => t > last);
        const page = rest.slice(0, o.pageSize);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (rest.length > page.length) {
          const next = `/v2/${list[1]}/tags/list?last=${encodeURIComponent(page[page.length - 1])}&n=${o.pageSize}`;
          headers.link = `<${{ relative: '', absolute: self, foreign: 'http://registry.invalid' }[o.link]}${next}>; rel="next"`;
        }
        res.writeHead(200, headers).end(JSON.stringify({ name: list[1], tags: page }));
      });
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  self = `http://${host}`;
  return {
    host,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The paths in an image layer as pushed (a gzip'd tar), without a trailing `/` for directories; PAX and GNU long-name
 * records are applied, so long and non-ASCII names come out whole.
 */
export function layerPaths(layer: Buffer): string[] {
  const tar = gunzipSync(layer);
  const paths: string[] = [];
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, length: number) =>
      header
        .subarray(from, from + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') longName = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? longName;
    else if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type !== 'g') {
      const prefix = field(345, 155);
      paths.push((longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100))).replace(/\/$/, ''));
      longName = undefined;
    }
  }
  return paths;
}

/** Build settings for a tag cleanup test: of these, the cleanup reads the repository, the credentials and TLS. */
export function cleanupBuild(repository: string, o: Partial<BuildSettings> = {}): BuildSettings {
  return {
    builder: 'buildah',
    context: '.',
    dockerfile: 'Dockerfile',
    buildArgs: {},
    repository,
    prebuiltImage: '',
    registryUsername: 'ci',
    registryPassword: 'registry-password',
    registryInsecure: false,
    deleteImage: true,
    rebuild: 'always',
    ...o,
  };
}

function writeRegistriesConf(dir: string, host: string): string {
  const file = path.join(dir, 'registries.conf');
  writeFileSync(file, `[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
  return file;
}

/** Keeps buildah's image store inside the test's temp directory, so runs never share or leak images. */
function writeStorageConf(dir: string, storage: string): string {
  const file = path.join(dir, 'storage.conf');
  writeFileSync(file, `[storage]\ndriver = "vfs"\nrunroot = "${storage}/run"\ngraphroot = "${storage}/graph"\n`);
  return file;
}
