// Backing-cluster operations shared by the CLI and the TUI: add (set up etcd + register),
// list with health, remove.
import { KubeClient } from '../../core/kube/client.js';
import type { BackingClusterStatus } from '../../state/store.js';
import { UserError } from '../../core/errors.js';
import { addEntry, readRegistry, removeEntry, type BackingEntry } from './registry.js';
import { loadOrCreateEtcdPki } from './etcd-pki.js';
import { readRootPassword, setupBackingEtcd, type BackingSetupResult } from './setup.js';
import { openAdmin, type AdminSession, type EtcdAccess } from './admin.js';
import { backingHealth } from './health.js';
import { ETCD } from './etcd-objects.js';
import { deleteCreatedKindCluster, refuseForeignKindCluster } from './purge.js';

export { readRegistry, type BackingEntry } from './registry.js';
export { backingHealth } from './health.js';
export { ETCD } from './etcd-objects.js';

export interface AddBackingOptions {
  stateDir: string;
  name: string;
  kubeconfig: string;
  context?: string;
  capacity: number;
  runId: string;
  access?: EtcdAccess;
  source?: string;
  /** The kind cluster `backing create` made for it (recorded so --purge may delete it). */
  kindCluster?: BackingEntry['kindCluster'];
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export async function addBacking(o: AddBackingOptions): Promise<{ entry: BackingEntry; setup: BackingSetupResult }> {
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(o.name) || o.name.length > 40) {
    throw new UserError(
      `backing cluster name "${o.name}" is not a DNS label`,
      'Use lower-case letters, digits and "-", starting with a letter (max 40).',
    );
  }
  const kube = KubeClient.from({ kubeconfigPath: o.kubeconfig, context: o.context });
  const pki = loadOrCreateEtcdPki(o.stateDir);
  const target = { kubeconfig: o.kubeconfig, context: o.context };
  let session: AdminSession | undefined;
  try {
    const setup = await setupBackingEtcd({
      kube,
      pki,
      ownership: { runId: o.runId },
      readyTimeoutMs: o.readyTimeoutMs,
      log: o.log,
      adminFor: async (pw) => {
        session = await openAdmin(o.access ?? { mode: 'port-forward' }, target, o.stateDir, pki, pw);
        return session.admin;
      },
    });
    const entry = addEntry(o.stateDir, {
      name: o.name,
      kubeconfig: o.kubeconfig,
      context: o.context,
      capacity: o.capacity,
      endpoint: kube.server,
      source: o.source,
      ...(o.kindCluster ? { kindCluster: o.kindCluster } : {}),
    });
    return { entry, setup };
  } finally {
    await session?.close();
  }
}

/** Health of every registered backing cluster; an unreachable one is reported, not thrown. */
export async function listBacking(
  stateDir: string,
  access: EtcdAccess = { mode: 'port-forward' },
): Promise<BackingClusterStatus[]> {
  const out: BackingClusterStatus[] = [];
  for (const entry of readRegistry(stateDir)) {
    let kube: KubeClient | undefined;
    try {
      kube = KubeClient.from({ kubeconfigPath: entry.kubeconfig, context: entry.context });
    } catch (err) {
      out.push({ ...(await backingHealth(entry, undefined, undefined)), message: (err as Error).message });
      continue;
    }
    let session: AdminSession | undefined;
    let adminError: string | undefined;
    try {
      const pw = await readRootPassword(kube).catch(() => undefined);
      if (pw) {
        session = await openEntryAdmin(entry, stateDir, access, pw).catch((err: Error) => {
          adminError = err.message.split('\n')[0];
          return undefined;
        });
      }
      out.push(await backingHealth(entry, kube, session?.admin, { adminError }));
    } finally {
      await session?.close();
    }
  }
  return out;
}

export interface RemoveBackingOptions {
  stateDir: string;
  name: string;
  /**
   * Also delete what scale-tui made there: the kind cluster itself when `backing create` made
   * it (the registry says so), otherwise the etcd-system namespace (etcd and its data).
   */
  purge?: boolean;
  /** Remove even if etcd still holds tenants (workload clusters placed there). */
  force?: boolean;
  access?: EtcdAccess;
  log?: (line: string) => void;
}

/** An etcd admin session on a registered backing cluster, as root with the password read from it. */
function openEntryAdmin(entry: BackingEntry, stateDir: string, access: EtcdAccess, pw: string): Promise<AdminSession> {
  return openAdmin(
    access,
    { kubeconfig: entry.kubeconfig, context: entry.context },
    stateDir,
    loadOrCreateEtcdPki(stateDir),
    pw,
  );
}

/** Tenants still in the cluster's etcd, or undefined when etcd cannot be asked. */
async function tenantsOf(entry: BackingEntry, stateDir: string, access: EtcdAccess): Promise<string[] | undefined> {
  let session: AdminSession | undefined;
  try {
    const kube = KubeClient.from({ kubeconfigPath: entry.kubeconfig, context: entry.context });
    const pw = await readRootPassword(kube);
    if (!pw) return [];
    session = await openEntryAdmin(entry, stateDir, access, pw);
    return (await session.admin.status()).tenants;
  } catch {
    return undefined;
  } finally {
    await session?.close();
  }
}

export async function removeBacking(o: RemoveBackingOptions): Promise<BackingEntry> {
  const entry = readRegistry(o.stateDir).find((e) => e.name === o.name);
  if (!entry) return removeEntry(o.stateDir, o.name); // throws the "no backing cluster" UserError
  if (!o.force) {
    const tenants = await tenantsOf(entry, o.stateDir, o.access ?? { mode: 'port-forward' });
    if (tenants === undefined) {
      throw new UserError(
        `cannot reach the etcd of ${o.name} to check for workload clusters still placed there`,
        'Bring it back, or pass --force to remove it anyway (its clusters then become orphans).',
      );
    }
    if (tenants.length > 0) {
      throw new UserError(
        `${o.name} still holds ${tenants.length} workload cluster(s): ${tenants.slice(0, 5).join(', ')}${tenants.length > 5 ? ', ...' : ''}`,
        'Delete them first (scale-tui delete ...), or pass --force.',
      );
    }
  }
  if (o.purge && entry.kindCluster) {
    // scale-tui made this kind cluster: deleting it takes etcd and all tenant data with it.
    await deleteCreatedKindCluster(entry.kindCluster, o.log);
  } else if (o.purge) {
    refuseForeignKindCluster(entry);
    const kube = KubeClient.from({ kubeconfigPath: entry.kubeconfig, context: entry.context });
    const ns = await kube.get('v1', 'Namespace', ETCD.namespace);
    if (ns && ns.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'scale-tui') {
      throw new UserError(
        `${ETCD.namespace} in ${o.name} was not created by scale-tui; not deleting it`,
        'Remove without --purge, or delete it yourself.',
      );
    }
    await kube.delete('v1', 'Namespace', ETCD.namespace);
  }
  return removeEntry(o.stateDir, o.name);
}
