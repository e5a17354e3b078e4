// Sets up one backing cluster's multi-tenant etcd: the etcd-system objects, a wait for the
// StatefulSet, then the root user and auth. Every step is create-or-skip, and the root
// password is read back from its Secret on a re-run, so running it twice changes nothing.
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import type { KubeObject } from '../../manifests/types.js';
import type { Ownership } from '../../manifests/labels.js';
import type { EtcdAdmin } from '../etcd/admin.js';
import { ETCD, etcdObjects } from './etcd-objects.js';
import type { EtcdPki } from './etcd-pki.js';
import { waitFor } from '../setup/wait.js';

/** The part of KubeClient this module needs. */
export interface BackingKube {
  get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined>;
  createOrSkip(obj: KubeObject): Promise<boolean>;
  list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, opts?: { namespace?: string; labelSelector?: string }): Promise<T[]>;
}

export interface BackingSetupOptions {
  kube: BackingKube;
  pki: EtcdPki;
  ownership: Ownership;
  /** Builds the admin once the root password is known (etcdctl via exec or port-forward; MemoryEtcd in the demo). */
  adminFor(rootPassword: string): EtcdAdmin | Promise<EtcdAdmin>;
  readyTimeoutMs?: number;
  pollMs?: number;
  storageClassName?: string;
  log?: (line: string) => void;
}

export interface BackingSetupResult {
  created: string[];
  existing: string[];
  rootPassword: string;
}

export function generateRootPassword(): string {
  return randomBytes(24).toString('base64url');
}

export async function readRootPassword(kube: Pick<BackingKube, 'get'>): Promise<string | undefined> {
  const s = await kube.get<KubeObject & { data?: Record<string, string> }>('v1', 'Secret', ETCD.rootSecret, ETCD.namespace);
  const pw = s?.data?.password;
  return pw ? Buffer.from(pw, 'base64').toString('utf8') : undefined;
}

export async function setupBackingEtcd(o: BackingSetupOptions): Promise<BackingSetupResult> {
  const log = o.log ?? (() => {});
  const rootPassword = (await readRootPassword(o.kube)) ?? generateRootPassword();
  const created: string[] = [];
  const existing: string[] = [];
  for (const obj of etcdObjects({ ownership: o.ownership, pki: o.pki, rootPassword, storageClassName: o.storageClassName })) {
    const id = `${obj.kind}/${obj.metadata.name}`;
    if (await o.kube.createOrSkip(obj)) created.push(id);
    else existing.push(id);
  }
  log(`etcd-system objects: ${created.length} created, ${existing.length} already there`);
  await waitFor(
    async () => {
      const sts = await o.kube.get<KubeObject & { status?: { readyReplicas?: number; availableReplicas?: number } }>('apps/v1', 'StatefulSet', ETCD.statefulSet, ETCD.namespace);
      if (!sts) return 'StatefulSet etcd not found';
      const ready = sts.status?.availableReplicas ?? sts.status?.readyReplicas ?? 0;
      return ready >= 1 ? undefined : `${ready}/1 etcd replicas ready`;
    },
    {
      what: `etcd StatefulSet ${ETCD.namespace}/${ETCD.statefulSet} ready`,
      timeoutMs: o.readyTimeoutMs ?? 300_000,
      pollMs: o.pollMs ?? 2000,
      hint: `kubectl -n ${ETCD.namespace} describe pod ${ETCD.pod}; a Pending pod usually means no default StorageClass for the data volume (kind ships local-path).`,
    },
  );
  const admin = await o.adminFor(rootPassword);
  await admin.ensureRoot();
  log('etcd root user ready, auth enabled');
  return { created, existing, rootPassword };
}

export function assertRootPassword(pw: string | undefined, cluster: string): string {
  if (!pw) {
    throw new UserError(`backing cluster ${cluster} has no ${ETCD.namespace}/${ETCD.rootSecret} Secret`, `Set it up first: scale-tui backing add ${cluster} --kubeconfig FILE.`);
  }
  return pw;
}
