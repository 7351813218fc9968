/**
 * The environment of every child process the action starts (builders, hooks). The runner gives the action every
 * input as `INPUT_*` (the gateway password, the S3 keys, the GitHub token among them) plus the runner's own tokens
 * (`ACTIONS_RUNTIME_TOKEN`…): none of that may reach a Dockerfile's `RUN` step or a user's script. So children get
 * an allow-list: how to find programs and files, where the builders keep their state and credentials, proxies and
 * CA bundles, and nothing else unless the caller adds it.
 */

const PASSED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_CACHE_HOME',
  'RUNNER_TEMP',
  'CI',
  'GITHUB_ACTIONS',
  // docker
  'DOCKER_HOST',
  'DOCKER_CONFIG',
  'DOCKER_CONTEXT',
  'DOCKER_CERT_PATH',
  'DOCKER_TLS_VERIFY',
  'DOCKER_BUILDKIT',
  'BUILDKIT_PROGRESS',
  'BUILDX_CONFIG',
  'BUILDX_BUILDER',
  // buildah / podman (containers/common)
  'REGISTRY_AUTH_FILE',
  'CONTAINERS_CONF',
  'CONTAINERS_STORAGE_CONF',
  'CONTAINERS_REGISTRIES_CONF',
  'CONTAINER_HOST',
  'STORAGE_DRIVER',
  'STORAGE_OPTS',
  'BUILDAH_ISOLATION',
  'BUILDAH_FORMAT',
  'BUILDAH_LAYERS',
  // network
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
]);

/** The allow-listed part of `parent`, plus `extra` (which wins). */
export function childEnv(
  extra: Record<string, string> = {},
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) if (value !== undefined && PASSED.has(key)) out[key] = value;
  return { ...out, ...extra };
}
