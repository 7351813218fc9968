/**
 * An isolated podman for one test file: vfs storage, run root and libpod's transient state (`tmp_dir`, normally
 * the shared /run/libpod) in a temporary directory, events in a file there instead of the journal, and its own
 * login file, so runs never share or leak images, locks or credentials. podman reads all of it from environment
 * variables, so the builder's argv stays exactly what a runner gets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface Podman {
  env: { CONTAINERS_STORAGE_CONF: string; CONTAINERS_CONF: string; REGISTRY_AUTH_FILE: string };
  close(): Promise<void>;
}

export function startPodman(): Podman {
  const dir = mkdtempSync(path.join(tmpdir(), 'faas-preview-podman-'));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  return {
    env: {
      CONTAINERS_STORAGE_CONF: file(
        'storage.conf',
        `[storage]\ndriver = "vfs"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/graph"\n`,
      ),
      CONTAINERS_CONF: file(
        'containers.conf',
        `[engine]\ntmp_dir = "${dir}/tmp"\nevents_logger = "file"\nevents_logfile_path = "${dir}/events.log"\n`,
      ),
      // podman 4.3 fails any push with "stat <file>: no such file" when REGISTRY_AUTH_FILE names a missing file,
      // unlike its default location: start from an empty one, as a runner without a login has.
      REGISTRY_AUTH_FILE: file('auth.json', '{"auths":{}}\n'),
    },
    // vfs keeps layers as plain directories: nothing is left mounted once podman exits.
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
