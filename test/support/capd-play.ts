// What CAPI and CAPD do for the capd topology, played through the API for engine tests (the
// emulated controllers run Metal3, not Docker): a stand-in for `clusterctl generate cluster`,
// the Machine/KCP/Cluster progress to Available, and the delete of the descendants. Shared by
// the capd suite and the suites that run every topology.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { type KubeClient, statusCode } from '../../src/core/kube/client.js';
import type { KubeObject } from '../../src/manifests/types.js';
import type { ScaleStore } from '../../src/state/store.js';

/** What `clusterctl generate cluster` stands for here: a template-like object and the Cluster. */
export async function render(cluster: string, namespace: string): Promise<string> {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${cluster}-quick-start-template` },
      data: { role: 'stands in for the ClusterClass templates' },
    },
    // A spec like the development flavor's: the Cluster CRD requires a non-empty spec
    // (minProperties 1), which a real API server enforces.
    {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: cluster, namespace },
      spec: {
        clusterNetwork: {
          pods: { cidrBlocks: ['192.168.0.0/16'] },
          services: { cidrBlocks: ['10.128.0.0/12'] },
          serviceDomain: 'cluster.local',
        },
        topology: { classRef: { name: 'quick-start' }, version: 'v1.34.1', controlPlane: { replicas: 1 } },
      },
    },
  ]
    .map((o) => stringify(o))
    .join('---\n');
}

/** Plays CAPI + CAPD: a control-plane Machine, an initialized KCP, then an Available Cluster. */
export async function playControllers(mgmt: KubeClient, ns: string, cluster: string): Promise<void> {
  const labels = { 'cluster.x-k8s.io/cluster-name': cluster, 'cluster.x-k8s.io/control-plane': '' };
  await mgmt.createOrSkip({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Machine',
    metadata: { name: `${cluster}-cp-1`, namespace: ns, labels },
    spec: {
      clusterName: cluster,
      version: 'v1.34.1',
      bootstrap: {
        configRef: { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfig', name: `${cluster}-cp-1` },
      },
      infrastructureRef: {
        apiGroup: 'infrastructure.cluster.x-k8s.io',
        kind: 'DockerMachine',
        name: `${cluster}-cp-1`,
      },
    },
  } as KubeObject);
  await mgmt.createOrSkip({
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
    kind: 'KubeadmControlPlane',
    metadata: { name: `${cluster}-cp`, namespace: ns, labels: { 'cluster.x-k8s.io/cluster-name': cluster } },
    spec: {
      replicas: 1,
      version: 'v1.34.1',
      machineTemplate: {
        spec: {
          infrastructureRef: {
            apiGroup: 'infrastructure.cluster.x-k8s.io',
            kind: 'DockerMachineTemplate',
            name: 'quick-start-control-plane',
          },
        },
      },
      // Non-empty: the CRD requires at least one property (minProperties 1).
      kubeadmConfigSpec: { format: 'cloud-config' },
    },
  } as KubeObject);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const custom = mgmt.config.makeApiClient(CustomObjectsApi);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  await custom.patchNamespacedCustomObjectStatus(
    {
      group: 'controlplane.cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: ns,
      plural: 'kubeadmcontrolplanes',
      name: `${cluster}-cp`,
      body: { status: { initialization: { controlPlaneInitialized: true } } },
    },
    merge,
  );
  await custom.patchNamespacedCustomObjectStatus(
    {
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: ns,
      plural: 'clusters',
      name: cluster,
      body: {
        // message is required by the Condition schema (a real server refuses the patch without it).
        status: {
          conditions: [
            { type: 'Available', status: 'True', reason: 'Available', message: '', lastTransitionTime: now },
          ],
        },
      },
    },
    merge,
  );
}

/**
 * Plays CAPI's delete: the emulated Metal3 controllers hold finalizers for Docker machines
 * they do not manage, so the descendants are removed here, as CAPD would remove them.
 */
export async function playDelete(mgmt: KubeClient, ns: string, cluster: string): Promise<void> {
  const kinds: Array<[string, string, string]> = [
    ['cluster.x-k8s.io/v1beta2', 'Machine', `${cluster}-cp-1`],
    ['controlplane.cluster.x-k8s.io/v1beta2', 'KubeadmControlPlane', `${cluster}-cp`],
    ['cluster.x-k8s.io/v1beta2', 'Cluster', cluster],
  ];
  // Bounded: the emulated controllers may still be adding a finalizer when the first pass runs.
  for (let attempt = 0; attempt < 50; attempt++) {
    let left = 0;
    for (const [apiVersion, kind, name] of kinds) {
      const live = await mgmt.get(apiVersion, kind, name, ns);
      if (!live) continue;
      left++;
      // The object can go between the get and these calls (the engine deletes too): a 404 is done.
      const gone = (err: unknown): void => {
        if (statusCode(err) !== 404) throw err;
      };
      if (live.metadata.finalizers?.length)
        await mgmt
          .mergePatch({
            apiVersion,
            kind,
            metadata: { name, namespace: ns, finalizers: null },
          } as unknown as KubeObject)
          .catch(gone);
      if (kind !== 'Cluster') await mgmt.delete(apiVersion, kind, name, ns).catch(gone);
    }
    if (left === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${cluster}: descendants still present after 50 passes`);
}

/** The Docker provider's Deployment, as far as the capd topology's start-up check looks. */
export async function installCapdStandIn(mgmt: KubeClient): Promise<void> {
  await mgmt.createOrSkip({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'capd-system' } });
  await mgmt.createOrSkip({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'capd-controller-manager', namespace: 'capd-system' },
    spec: {
      selector: { matchLabels: { app: 'capd' } },
      template: { metadata: { labels: { app: 'capd' } }, spec: { containers: [{ name: 'manager', image: 'capd' }] } },
    },
  } as KubeObject);
}

/**
 * Plays CAPI + CAPD for every cluster the store shows: create at 'objects', delete at
 * 'deleting'. Failures land in `failures`; the returned function stops watching.
 */
export function playCapdFor(store: ScaleStore, mgmt: KubeClient, failures: string[]): () => void {
  const played = new Set<string>();
  return store.subscribe((s) => {
    for (const c of Object.values(s.clusters)) {
      if (c.phase === 'objects' && !played.has(c.name)) {
        played.add(c.name);
        playControllers(mgmt, c.namespace, c.name).catch((err: Error) => failures.push(`${c.name}: ${err.message}`));
      }
      if (c.phase === 'deleting' && !played.has(`${c.name}/delete`)) {
        played.add(`${c.name}/delete`);
        playDelete(mgmt, c.namespace, c.name).catch((err: Error) => failures.push(`${c.name}: ${err.message}`));
      }
    }
  });
}
