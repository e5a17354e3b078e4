// The bits of kube-controller-manager a demo needs, for this node's workloads: a Deployment
// gets `replicas` pods of its template hash (the new pod before the old ones go, as with
// maxSurge) and an Available status; a StatefulSet gets pods `<name>-<ordinal>` of its current
// revision with their claims' volumes, rolled one name at a time, and counts Ready from the
// pods. Pods are bound to this node; simulated ones are Running and Ready at once, real ones
// (./real-pods.ts) report their own status.
import type { RestClient } from '../controllers/rest.js';
import { R, collectionPath, objectPath } from '../controllers/resources.js';
import { field, nowIso, randomSuffix, type Obj } from '../controllers/helpers.js';
import type { PodMetricsSink } from './kubelet-options.js';
import type { ContainerSpec } from './pod-runtime.js';
import { isReady, podTemplate, templateHash, withClaims } from './pod-templates.js';

export interface WorkloadPodsDeps {
  client: RestClient;
  nodeName: string;
  /** The node's address: pods' hostIP and podIP (they share the node's network). */
  address: string;
  /** Whether a pod's containers run as processes (their status comes from the process). */
  isRealPod(p: { spec?: { containers?: ContainerSpec[] } }): boolean;
  metrics?: PodMetricsSink;
}

export class WorkloadPods {
  constructor(private readonly d: WorkloadPodsDeps) {}

  async ensurePods(kind: 'deploy' | 'sts', obj: Obj): Promise<void> {
    if (kind === 'sts') return this.ensureStatefulSetPods(obj);
    const ns = obj.metadata.namespace ?? '';
    const replicas = field<number>(obj, 'spec', 'replicas') ?? 1;
    const { labels, spec } = podTemplate(obj);
    const hash = kind === 'deploy' ? templateHash(obj) : '';
    const selector = Object.entries(field<Record<string, string>>(obj, 'spec', 'selector', 'matchLabels') ?? labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const pods = selector ? ((await this.d.client.list(collectionPath(R.pod, ns), selector)).items as Obj[]) : [];
    const current = pods.filter(
      (p) =>
        (kind === 'deploy' ? p.metadata.labels?.['pod-template-hash'] === hash : true) && !p.metadata.deletionTimestamp,
    );
    const stale = kind === 'deploy' ? pods.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash) : [];
    for (let i = current.length; i < replicas; i++) {
      const podName =
        kind === 'deploy' ? `${obj.metadata.name}-${hash}-${randomSuffix()}` : `${obj.metadata.name}-${i}`;
      await this.createPod(
        ns,
        podName,
        { ...labels, ...(kind === 'deploy' ? { 'pod-template-hash': hash } : {}) },
        spec,
        obj,
      );
    }
    // Rollout: the new pod is up before the old ones go, as with maxSurge.
    for (const p of stale) await this.d.client.delete(objectPath(R.pod, p.metadata.name, ns));
    for (const p of current.slice(replicas)) await this.d.client.delete(objectPath(R.pod, p.metadata.name, ns));
    const res = kind === 'deploy' ? R.deployment : R.statefulSet;
    const status =
      kind === 'deploy'
        ? {
            observedGeneration: obj.metadata.generation,
            replicas,
            updatedReplicas: replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
            conditions: [
              {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: 'Deployment has minimum availability.',
                lastUpdateTime: nowIso(),
                lastTransitionTime: nowIso(),
              },
              {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetAvailable',
                message: `ReplicaSet "${obj.metadata.name}-${hash}" has successfully progressed.`,
                lastUpdateTime: nowIso(),
                lastTransitionTime: nowIso(),
              },
            ],
          }
        : {
            observedGeneration: obj.metadata.generation,
            replicas,
            readyReplicas: replicas,
            currentReplicas: replicas,
            updatedReplicas: replicas,
            availableReplicas: replicas,
          };
    const old = obj.status as Record<string, unknown> | undefined;
    if (old?.observedGeneration !== obj.metadata.generation || old?.readyReplicas !== replicas) {
      await this.d.client.mergePatch(objectPath(res, obj.metadata.name, ns, 'status'), { status });
    }
  }

  /**
   * A StatefulSet's pods `<name>-<ordinal>`, each with the template's revision
   * (controller-revision-hash) and its claims' volumes; a pod of an older revision is replaced
   * (RollingUpdate, one name at a time). Ready counts come from the pods' Ready conditions,
   * which real (etcd) pods reach only when their probe passes.
   */
  private async ensureStatefulSetPods(sts: Obj): Promise<void> {
    const ns = sts.metadata.namespace ?? '';
    const name = sts.metadata.name;
    const replicas = field<number>(sts, 'spec', 'replicas') ?? 1;
    const { labels, spec } = podTemplate(sts);
    const revision = `${name}-${templateHash(sts)}`;
    const matchLabels = field<Record<string, string>>(sts, 'spec', 'selector', 'matchLabels') ?? labels;
    const selector = Object.entries(matchLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const listPods = async (): Promise<Obj[]> => {
      if (!selector) return [];
      const items = (await this.d.client.list(collectionPath(R.pod, ns), selector)).items as Obj[];
      return items.filter((p) => !p.metadata.deletionTimestamp);
    };
    const REV = 'controller-revision-hash';
    const byName = new Map((await listPods()).map((p) => [p.metadata.name, p]));
    for (let i = 0; i < replicas; i++) {
      const podName = `${name}-${i}`;
      const existing = byName.get(podName);
      if (existing?.metadata.labels?.[REV] === revision) continue;
      if (existing) await this.d.client.delete(objectPath(R.pod, podName, ns));
      const podLabels = {
        ...labels,
        [REV]: revision,
        'statefulset.kubernetes.io/pod-name': podName,
        'apps.kubernetes.io/pod-index': String(i),
      };
      await this.createPod(ns, podName, podLabels, withClaims(sts, spec, i), sts);
    }
    for (const p of byName.values()) {
      const ordinal = Number(p.metadata.name.slice(name.length + 1));
      if (!p.metadata.name.startsWith(`${name}-`) || !Number.isInteger(ordinal) || ordinal >= replicas) {
        await this.d.client.delete(objectPath(R.pod, p.metadata.name, ns));
      }
    }
    const pods = await listPods();
    const updated = pods.filter((p) => p.metadata.labels?.[REV] === revision).length;
    const ready = pods.filter(isReady).length;
    const old = (sts.status ?? {}) as Record<string, unknown>;
    const done = updated === replicas && ready === replicas;
    const status = {
      observedGeneration: sts.metadata.generation,
      replicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: updated,
      updatedReplicas: updated,
      currentRevision: done ? revision : ((old.currentRevision as string | undefined) ?? revision),
      updateRevision: revision,
    };
    const changed = (Object.keys(status) as Array<keyof typeof status>).some((k) => old[k] !== status[k]);
    if (changed) await this.d.client.mergePatch(objectPath(R.statefulSet, name, ns, 'status'), { status });
  }

  private async createPod(
    ns: string,
    name: string,
    labels: Record<string, string>,
    spec: Record<string, unknown>,
    owner: Obj,
  ): Promise<void> {
    const containers = (spec.containers as Array<{ name: string; image?: string }> | undefined) ?? [];
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        labels,
        ownerReferences: [
          {
            apiVersion: owner.apiVersion,
            kind: owner.kind,
            name: owner.metadata.name,
            uid: owner.metadata.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: { ...spec, nodeName: this.d.nodeName },
    };
    await this.d.client.create(collectionPath(R.pod, ns), pod);
    const t = nowIso();
    if (this.d.isRealPod(pod as { spec: { containers?: ContainerSpec[] } })) {
      // Its processes start from the pod watch (podEvent), which reports the status from here on.
      const waiting = { waiting: { reason: 'ContainerCreating' } };
      const statuses = containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: waiting,
      }));
      const addresses = { hostIP: this.d.address, podIP: this.d.address };
      const status = { phase: 'Pending', ...addresses, startTime: t, containerStatuses: statuses };
      await this.d.client.mergePatch(objectPath(R.pod, name, ns, 'status'), { status });
      return;
    }
    await this.d.client.mergePatch(objectPath(R.pod, name, ns, 'status'), {
      status: {
        phase: 'Running',
        hostIP: this.d.address,
        podIP: this.d.address,
        startTime: t,
        qosClass: 'Burstable',
        conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
          type,
          status: 'True',
          lastTransitionTime: t,
        })),
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: t } },
        })),
      },
    });
    // A small baseline until the process behind the pod reports its own usage.
    this.d.metrics?.setPodMetrics(
      ns,
      name,
      containers.map((c) => ({ name: c.name, cpuMillicores: 2, memoryBytes: 20 * 1024 * 1024 })),
    );
  }
}
