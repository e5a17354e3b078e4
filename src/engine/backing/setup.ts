// Sets up one backing cluster's multi-tenant etcd: the etcd-system objects, a wait for the
// StatefulSet, then the root user and auth. Every step is create-or-skip, and the root
// password is read back from its Secret on a re-run, so running it twice changes nothing.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../manifests/types.js';
import type { Ownership } from '../../manifests/labels.js';
import type { EtcdAdmin } from '../../core/etcd/admin.js';
import { ETCD, etcdObjects } from './etcd-objects.js';
import { etcdObjects as etcdWorkload } from '../../manifests/etcd.js';
import type { ObjectReader } from '../../core/kube/object-reader.js';
import type { EtcdPki } from './etcd-pki.js';
import { waitFor } from '../setup/wait.js';

/** The part of KubeClient this module needs. */
export interface BackingKube extends ObjectReader {
  createOrSkip(obj: KubeObject): Promise<boolean>;
  /** JSON merge patch (RFC 7386) of the object named by obj's apiVersion/kind/metadata. */
  mergePatch(obj: KubeObject): Promise<KubeObject>;
  list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    opts?: { namespace?: string; labelSelector?: string },
  ): Promise<T[]>;
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
  const s = await kube.get<KubeObject & { data?: Record<string, string> }>(
    'v1',
    'Secret',
    ETCD.rootSecret,
    ETCD.namespace,
  );
  const pw = s?.data?.password;
  return pw ? Buffer.from(pw, 'base64').toString('utf8') : undefined;
}

export async function setupBackingEtcd(o: BackingSetupOptions): Promise<BackingSetupResult> {
  const log = o.log ?? (() => {});
  const rootPassword = (await readRootPassword(o.kube)) ?? generateRootPassword();
  const created: string[] = [];
  const existing: string[] = [];
  for (const obj of etcdObjects({
    ownership: o.ownership,
    pki: o.pki,
    rootPassword,
    storageClassName: o.storageClassName,
  })) {
    const id = `${obj.kind}/${obj.metadata.name}`;
    if (await o.kube.createOrSkip(obj)) created.push(id);
    else existing.push(id);
  }
  log(`etcd-system objects: ${created.length} created, ${existing.length} already there`);
  if (await addRootClientMount(o.kube)) {
    log('etcd StatefulSet updated: root client certificate mounted (etcd-0 restarts)');
  }
  await waitFor(
    async () => {
      const sts = await o.kube.get<StatefulSetLike>('apps/v1', 'StatefulSet', ETCD.statefulSet, ETCD.namespace);
      if (!sts) return 'StatefulSet etcd not found';
      const st = sts.status ?? {};
      // After a template change the old pod can still count as ready: wait until the
      // controller has seen the change and the pod runs the current revision.
      const generation = sts.metadata.generation;
      if (st.observedGeneration !== undefined && generation !== undefined && st.observedGeneration < generation) {
        return 'etcd StatefulSet change not yet observed';
      }
      if (st.updateRevision && st.currentRevision !== st.updateRevision) {
        return 'etcd-0 is being replaced with the updated template';
      }
      const ready = st.availableReplicas ?? st.readyReplicas ?? 0;
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

interface Named {
  name: string;
}

interface PodSpecLike {
  volumes?: Named[];
  containers?: Array<Named & { volumeMounts?: Named[] }>;
}

interface StatefulSetLike extends KubeObject {
  metadata: KubeObject['metadata'] & { generation?: number };
  spec?: { template?: { spec?: PodSpecLike } };
  status?: {
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/**
 * A StatefulSet created before the root client certificate existed lacks its volume, and
 * the in-pod admin (etcdctl as root by that certificate) would fail. Adds just that volume
 * and mount, keeping everything else (image, flags) as it is. Returns whether it patched.
 */
async function addRootClientMount(kube: BackingKube): Promise<boolean> {
  const sts = await kube.get<StatefulSetLike>('apps/v1', 'StatefulSet', ETCD.statefulSet, ETCD.namespace);
  const podSpec = sts?.spec?.template?.spec;
  if (!sts || !podSpec || (podSpec.volumes ?? []).some((v) => v.name === ETCD.rootClientVolume)) return false;
  const want = desiredEtcdPodSpec();
  const isRootClient = (x: Named) => x.name === ETCD.rootClientVolume;
  const volume = want.volumes?.find(isRootClient);
  const mount = want.containers?.find((c) => c.name === ETCD.container)?.volumeMounts?.find(isRootClient);
  if (!volume || !mount) throw new Error('the etcd manifest has no root client volume');
  // A merge patch replaces lists whole, so send the existing lists plus the one new entry.
  const containers = (podSpec.containers ?? []).map((c) =>
    c.name === ETCD.container ? { ...c, volumeMounts: [...(c.volumeMounts ?? []), mount] } : c,
  );
  await kube.mergePatch({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: ETCD.statefulSet, namespace: ETCD.namespace },
    spec: { template: { spec: { volumes: [...(podSpec.volumes ?? []), volume], containers } } },
  });
  return true;
}

/** The pod spec the current etcd manifest generates (ownership does not reach the pod spec). */
function desiredEtcdPodSpec(): PodSpecLike {
  const sts = etcdWorkload({ ownership: { runId: 'setup' } }).find((x) => x.kind === 'StatefulSet') as StatefulSetLike;
  return sts.spec?.template?.spec ?? {};
}
