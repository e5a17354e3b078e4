// The describe adapter: one cluster's namespace read from the management cluster on
// demand (the detail page asks every few seconds while it is open), within a deadline.
// Each kind is listed on its own so a kind the server does not serve costs one line in
// `errors`, not the page. Secrets are read for their names only; their data is dropped here.
import { connect } from 'node:net';
import type { KubeClient } from '../../core/kube/client.js';
import { buildTree, type RawObject } from './tree.js';
import type { ClusterDescriber, ClusterDescription, EventRow } from './types.js';

const KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster' },
  { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2', kind: 'KubeadmControlPlane' },
  { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Machine' },
  { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2', kind: 'KubeadmConfig' },
  { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2', kind: 'Metal3Machine' },
  { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2', kind: 'Metal3Data' },
  { apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost' },
];

export interface DescriberOptions {
  /** The whole read, all kinds together. */
  deadlineMs?: number;
  /** The endpoint probe (a TCP connect). */
  probeMs?: number;
  now?: () => number;
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Does something accept a TCP connection at host:port within `ms`? */
export function probeTcp(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(ms, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const msg = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function eventRow(e: Record<string, unknown>): EventRow {
  const inv = (e.involvedObject ?? e.regarding ?? {}) as { kind?: string; name?: string };
  const t = Date.parse(
    String(
      e.lastTimestamp ??
        e.eventTime ??
        e.firstTimestamp ??
        (e.metadata as { creationTimestamp?: string })?.creationTimestamp ??
        '',
    ),
  );
  return {
    t: Number.isFinite(t) ? t : 0,
    type: String(e.type ?? ''),
    reason: String(e.reason ?? ''),
    object: `${inv.kind ?? '?'}/${inv.name ?? '?'}`,
    message: String(e.message ?? e.note ?? ''),
    count: Number(e.count ?? 1) || 1,
  };
}

export function createDescriber(client: KubeClient, opts: DescriberOptions = {}): ClusterDescriber {
  const deadline = opts.deadlineMs ?? 5000;
  const probeMs = opts.probeMs ?? 1500;
  const now = opts.now ?? Date.now;
  return {
    async describe(cluster: string, namespace: string): Promise<ClusterDescription> {
      const errors: string[] = [];
      const list = async (apiVersion: string, kind: string): Promise<RawObject[]> => {
        try {
          const items = await withDeadline(client.list(apiVersion, kind, { namespace }), deadline, `list ${kind}`);
          return items.map((o) => ({ ...(o as unknown as RawObject), kind }));
        } catch (err) {
          errors.push(`${kind}: ${msg(err)}`);
          return [];
        }
      };
      const [objects, secrets, events] = await Promise.all([
        Promise.all(KINDS.map((k) => list(k.apiVersion, k.kind))).then((all) => all.flat()),
        list('v1', 'Secret').then((s) => s.map((x) => x.metadata.name).sort()),
        list('v1', 'Event').then((es) =>
          es
            .map((e) => eventRow(e as unknown as Record<string, unknown>))
            .sort((a, b) => b.t - a.t)
            .slice(0, 30),
        ),
      ]);
      const tree = buildTree(objects, cluster);
      const root = objects.find((o) => o.kind === 'Cluster' && o.metadata.name === cluster);
      const ep = root?.spec?.controlPlaneEndpoint as { host?: string; port?: number } | undefined;
      const out: ClusterDescription = { cluster, namespace, fetchedAt: now(), tree, secrets, events, errors };
      if (ep?.host && ep.port) {
        out.endpoint = `${ep.host}:${ep.port}`;
        out.endpointAnswers = await probeTcp(ep.host, ep.port, probeMs);
        if (!out.endpointAnswers) out.endpointNote = `no TCP answer within ${probeMs} ms`;
      } else out.endpointNote = 'no controlPlaneEndpoint yet';
      return out;
    },
  };
}
