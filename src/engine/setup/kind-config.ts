// kind cluster configs, generated (the seed copied YAML files). Pure functions -> YAML text.
import { stringify } from 'yaml';

export interface MgmtKindParams {
  name: string;
  /** Control-plane nodes (the seed's experiments used 3). */
  nodes: number;
  /** capd comparison: CAPD runs workload machines as containers through the host's docker socket. */
  dockerSocket?: boolean;
}

/** The management cluster: N control-plane nodes, no workers (the taint is removed after creation). */
export function mgmtKindConfig(p: MgmtKindParams): string {
  // A fresh object per node: a shared one would be written as a YAML anchor and aliases.
  const mounts = () =>
    p.dockerSocket
      ? { extraMounts: [{ hostPath: '/var/run/docker.sock', containerPath: '/var/run/docker.sock' }] }
      : {};
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: p.name,
    nodes: Array.from({ length: p.nodes }, () => ({ role: 'control-plane', ...mounts() })),
  });
}

export interface BackingKindParams {
  name: string;
  /** The address other machines reach this host on; the kind API server binds it. */
  apiServerAddress: string;
  apiServerPort?: number;
  /** First NodePort of the workload API slots; slot i is nodePortBase + i. */
  nodePortBase?: number;
  /** Number of workload API slots to expose (the backing cluster's capacity). */
  capacity: number;
}

export const NODEPORT_MIN = 30000;
export const NODEPORT_MAX = 32767;

/**
 * A single-node backing cluster whose API server listens on the host address and whose
 * NodePort slots are mapped to the same host ports, so the management cluster reaches
 * each workload API server at <host>:<nodePortBase + slot>.
 */
export function backingKindConfig(p: BackingKindParams): string {
  const base = p.nodePortBase ?? NODEPORT_MIN;
  if (base < NODEPORT_MIN || base + p.capacity - 1 > NODEPORT_MAX) {
    throw new RangeError(
      `NodePort slots ${base}..${base + p.capacity - 1} fall outside ${NODEPORT_MIN}..${NODEPORT_MAX}`,
    );
  }
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: p.name,
    networking: { apiServerAddress: p.apiServerAddress, apiServerPort: p.apiServerPort ?? 6443 },
    nodes: [
      {
        role: 'control-plane',
        extraPortMappings: Array.from({ length: p.capacity }, (_, i) => ({
          containerPort: base + i,
          hostPort: base + i,
          listenAddress: p.apiServerAddress,
          protocol: 'TCP',
        })),
      },
    ],
  });
}
