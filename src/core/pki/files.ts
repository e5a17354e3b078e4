// Private material on disk: keys, tokens and kubeconfigs readable by the owner only. The one
// helper for it: `writeFileSync(path, text, { mode: 0o600 })` sets the mode only when it
// creates the file, so a kubeconfig that already existed as 0644 would stay world-readable.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `contents` to `path` with mode 0600, whether or not the file existed (temp file +
 * rename, so a crash never leaves half a key behind). Directories it has to create are 0700;
 * directories that already existed keep their mode (the parent may be /tmp or a home dir).
 */
export function writePrivateFile(path: string, contents: string): void {
  const dir = dirname(path);
  const firstCreated = mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask: tighten what we created, from the top one down.
  if (firstCreated) {
    for (let d = dir; d.length >= firstCreated.length; d = dirname(d)) {
      chmodSync(d, 0o700);
      if (d === firstCreated) break;
    }
  }
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, contents, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask may have taken bits off 0600 too; never leaves it wider
  renameSync(tmp, path);
}
