// The slice of a Pod the node-side runtime reads (containers, env, probes, volumes), typed
// once for the kubelet and the runtime, and the runtime's port to the API (PodRuntimeDeps):
// what it may read (Secrets, ConfigMaps) and write (pod status) and which containers it runs.
import type { Obj } from '../controllers/helpers.js';

export interface EnvVarSpec {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface ProbeSpec {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string };
  tcpSocket?: { port: number | string; host?: string };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVarSpec[];
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
  readinessProbe?: ProbeSpec;
}

export interface VolumeSpec {
  name: string;
  secret?: { secretName: string; optional?: boolean; items?: Array<{ key: string; path: string }> };
  configMap?: { name: string; optional?: boolean; items?: Array<{ key: string; path: string }> };
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string };
  hostPath?: { path: string };
}

export interface PodSpecLike {
  nodeName?: string;
  containers: ContainerSpec[];
  volumes?: VolumeSpec[];
  terminationGracePeriodSeconds?: number;
}

export type PodLike = Obj & { spec: PodSpecLike };

export interface PodRuntimeDeps {
  rootDir: string;
  address: string;
  /** Whether this container runs as a process; the others are simulated (Running and Ready at once). */
  runs(c: ContainerSpec): boolean;
  /** Decoded data of a Secret / ConfigMap; undefined when it does not exist. */
  secret(namespace: string, name: string): Promise<Record<string, Buffer> | undefined>;
  configMap(namespace: string, name: string): Promise<Record<string, Buffer> | undefined>;
  patchStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void>;
  /** The pod's Ready condition changed (its controller's status follows). */
  onReadyChange(pod: PodLike): void;
}
