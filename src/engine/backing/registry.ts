// Registered backing clusters of one experiment, in <stateDir>/backing-clusters.json.
// Written atomically (temp file + rename, 0600) so a crash never leaves half a registry.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writePrivateFile } from '../../core/pki/files.js';
import { z } from 'zod';
import { UserError } from '../../core/errors.js';

const entrySchema = z.object({
  name: z.string().regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/),
  kubeconfig: z.string().min(1),
  context: z.string().optional(),
  capacity: z.int().min(1).max(10_000),
  endpoint: z.string().default(''),
  addedAt: z.string(),
  /** How it was made: `kubeconfig` (backing add) or `ssh:USER@HOST` (backing create). */
  source: z.string().default('kubeconfig'),
  /**
   * The kind cluster scale-tui's `backing create` made for this entry, and where: over ssh
   * to that host, or on this machine when `ssh` is absent. Absent when scale-tui did not
   * make it (`backing add`, or `backing create` that found the kind cluster already there):
   * then `backing remove --purge` never deletes a kind cluster.
   */
  kindCluster: z
    .object({
      name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
      ssh: z
        .object({ user: z.string().min(1), host: z.string().min(1), port: z.int().min(1).max(65535).optional() })
        .optional(),
    })
    .optional(),
});
const fileSchema = z.object({ version: z.literal(1), clusters: z.array(entrySchema) });

export type BackingEntry = z.infer<typeof entrySchema>;
export const REGISTRY_FILE = 'backing-clusters.json';

export function registryPath(stateDir: string): string {
  return join(stateDir, REGISTRY_FILE);
}

export function readRegistry(stateDir: string): BackingEntry[] {
  const path = registryPath(stateDir);
  if (!existsSync(path)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UserError(
      `${path} is not valid JSON`,
      `Fix or delete it and register the backing clusters again (scale-tui backing add).`,
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(
      `${path} has an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`,
      'Delete it and register the backing clusters again.',
    );
  return parsed.data.clusters;
}

export function writeRegistry(stateDir: string, clusters: BackingEntry[]): void {
  const path = registryPath(stateDir);
  writePrivateFile(path, `${JSON.stringify({ version: 1, clusters }, null, 2)}\n`);
}

export function addEntry(
  stateDir: string,
  entry: Omit<BackingEntry, 'addedAt' | 'endpoint' | 'source'> & Partial<Pick<BackingEntry, 'endpoint' | 'source'>>,
): BackingEntry {
  const clusters = readRegistry(stateDir);
  const full: BackingEntry = {
    ...entry,
    kubeconfig: resolve(entry.kubeconfig),
    endpoint: entry.endpoint ?? '',
    source: entry.source ?? 'kubeconfig',
    addedAt: new Date().toISOString(),
  };
  const existing = clusters.find((c) => c.name === entry.name);
  if (existing && (existing.kubeconfig !== full.kubeconfig || existing.context !== full.context)) {
    throw new UserError(
      `backing cluster "${entry.name}" is already registered with ${existing.kubeconfig}${existing.context ? ` (context ${existing.context})` : ''}`,
      `Use another name, or remove it first: scale-tui backing remove ${entry.name}.`,
    );
  }
  // Adding again (or a create that reused the kind cluster) keeps the record of who made it.
  const kindCluster = full.kindCluster ?? existing?.kindCluster;
  const next = existing
    ? clusters.map((c) =>
        c.name === entry.name ? { ...full, addedAt: existing.addedAt, ...(kindCluster ? { kindCluster } : {}) } : c,
      )
    : [...clusters, full];
  writeRegistry(stateDir, next);
  return next.find((c) => c.name === entry.name)!;
}

export function removeEntry(stateDir: string, name: string): BackingEntry {
  const clusters = readRegistry(stateDir);
  const found = clusters.find((c) => c.name === name);
  if (!found) {
    throw new UserError(
      `no backing cluster named "${name}"`,
      clusters.length
        ? `Registered: ${clusters.map((c) => c.name).join(', ')}.`
        : 'None is registered; add one with scale-tui backing add.',
    );
  }
  writeRegistry(
    stateDir,
    clusters.filter((c) => c.name !== name),
  );
  return found;
}
