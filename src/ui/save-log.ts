// `ctrl-s` in the log viewer: the lines shown go to a new file, mode 0600 (logs can name
// hosts and namespaces of a shared VM), never overwriting an earlier save.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogSource } from './model/view-state.js';

export async function saveLog(dir: string, source: LogSource, lines: string[], now = new Date()): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const path = join(dir, `log-${source.replace(':', '-')}-${stamp}.txt`);
  await writeFile(path, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600, flag: 'wx' });
  return path;
}
