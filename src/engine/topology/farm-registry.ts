// The farms the `farm` topology allocates clusters to, kept in `<stateDir>/farms.json`
// (mode 0600: it holds control tokens). The in-process farm the engine starts by default is
// not listed here; remote farms are added with `scale-tui farm add NAME --url URL`.
// Adding checks the farm answers first, so a typo fails at once rather than mid-batch.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { FarmClient, type FarmRef } from './farm.js';

const FILE = 'farms.json';
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function readFarms(stateDir: string): FarmRef[] {
  const path = join(stateDir, FILE);
  if (!existsSync(path)) return [];
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { farms?: FarmRef[] };
    return Array.isArray(v.farms) ? v.farms : [];
  } catch (err) {
    throw new UserError(
      `${path} is not readable JSON (${(err as Error).message})`,
      `fix or remove ${path}, then add the farms again`,
    );
  }
}

function writeFarms(stateDir: string, farms: FarmRef[]): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ farms }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

export async function addFarm(stateDir: string, ref: FarmRef): Promise<{ capacity: number; used: number }> {
  if (!NAME.test(ref.name))
    throw new UserError(
      `farm name "${ref.name}" is not a DNS label`,
      'use lower-case letters, digits and "-", e.g. farm-2',
    );
  let url: URL;
  try {
    url = new URL(ref.url);
  } catch {
    throw new UserError(`--url "${ref.url}" is not a URL`, 'give the farm control API, e.g. http://10.0.0.5:3333');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserError(`--url "${ref.url}" is not http(s)`, 'give the farm control API, e.g. http://10.0.0.5:3333');
  const cap = await new FarmClient(ref).capacity();
  if (!cap.reachable)
    throw new UserError(
      `farm ${ref.name} at ${ref.url} does not answer`,
      'start it there with `scale-tui farm serve --host ADDRESS`, and check this machine reaches the control port',
    );
  const farms = readFarms(stateDir).filter((f) => f.name !== ref.name);
  writeFarms(stateDir, [
    ...farms,
    { name: ref.name, url: ref.url.replace(/\/$/, ''), ...(ref.token ? { token: ref.token } : {}) },
  ]);
  return { capacity: cap.capacity, used: cap.used };
}

export function removeFarm(stateDir: string, name: string): boolean {
  const farms = readFarms(stateDir);
  const rest = farms.filter((f) => f.name !== name);
  if (rest.length === farms.length) return false;
  writeFarms(stateDir, rest);
  return true;
}
