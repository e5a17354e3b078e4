// Pure: a namespace's CAPI/CAPM3/BMO objects into the tree `clusterctl describe cluster`
// draws: Cluster -> KubeadmControlPlane -> Machine -> KubeadmConfig / Metal3Machine ->
// BareMetalHost (+ Metal3Data). Links come from the objects' own references (owner
// references, spec refs, the metal3.io/BareMetalHost annotation), not from naming guesses.
import type { ConditionRow, ObjectNode } from './types.js';

export interface RawObject {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    creationTimestamp?: string;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string }>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const time = (s: unknown): number | undefined => {
  const t = typeof s === 'string' ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
};

/**
 * A BareMetalHost (BMO v1alpha1) reports its state in fields, not conditions: they are
 * shown in the same rows (operationalStatus, poweredOn, errorType with errorMessage).
 */
function hostStatusRows(o: RawObject): ConditionRow[] {
  const s = o.status ?? {};
  const rows: ConditionRow[] = [];
  if (typeof s.operationalStatus === 'string')
    rows.push({
      type: 'operationalStatus',
      status: s.operationalStatus,
      reason: s.operationalStatus === 'OK' ? undefined : 'NotOK',
    });
  if (typeof s.poweredOn === 'boolean') rows.push({ type: 'poweredOn', status: s.poweredOn ? 'True' : 'False' });
  if (typeof s.errorType === 'string' && s.errorType)
    rows.push({
      type: 'error',
      status: 'False',
      reason: s.errorType,
      message: typeof s.errorMessage === 'string' ? s.errorMessage : undefined,
    });
  return rows;
}

export function conditionsOf(o: RawObject): ConditionRow[] {
  const raw = o.status?.conditions;
  if (o.kind === 'BareMetalHost' && !Array.isArray(raw)) return hostStatusRows(o);
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null)
    .map((c) => ({
      type: String(c.type ?? ''),
      status: String(c.status ?? ''),
      reason: typeof c.reason === 'string' && c.reason ? c.reason : undefined,
      message: typeof c.message === 'string' && c.message ? c.message : undefined,
      since: time(c.lastTransitionTime),
    }));
}

function phaseOf(o: RawObject): string | undefined {
  const s = o.status ?? {};
  if (typeof s.phase === 'string') return s.phase;
  const prov = s.provisioning as { state?: unknown } | undefined;
  if (prov && typeof prov.state === 'string') return prov.state || 'registering';
  if (typeof s.ready === 'boolean') return s.ready ? 'ready' : 'not ready';
  return undefined;
}

function node(o: RawObject): ObjectNode {
  return {
    kind: o.kind,
    name: o.metadata.name,
    phase: phaseOf(o),
    createdAt: time(o.metadata.creationTimestamp),
    conditions: conditionsOf(o),
    children: [],
  };
}

const refName = (spec: Record<string, unknown> | undefined, ...path: string[]): string | undefined => {
  let v: unknown = spec;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return typeof v === 'string' ? v : undefined;
};

const ownedBy = (o: RawObject, kind: string, name: string): boolean =>
  (o.metadata.ownerReferences ?? []).some((r) => r.kind === kind && r.name === name);

export function buildTree(objects: RawObject[], cluster: string): ObjectNode | undefined {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const used = new Set<RawObject>();
  const take = (o: RawObject): ObjectNode => {
    used.add(o);
    return node(o);
  };
  const root = of('Cluster').find((c) => c.metadata.name === cluster) ?? of('Cluster')[0];
  if (!root) return undefined;
  const tree = take(root);
  const bmhs = of('BareMetalHost');
  const datas = of('Metal3Data');
  const machineNode = (m: RawObject): ObjectNode => {
    const n = take(m);
    const cfgName = refName(m.spec, 'bootstrap', 'configRef', 'name');
    const infraName = refName(m.spec, 'infrastructureRef', 'name');
    for (const c of of('KubeadmConfig'))
      if (c.metadata.name === cfgName || ownedBy(c, 'Machine', m.metadata.name)) n.children.push(take(c));
    for (const x of of('Metal3Machine')) {
      if (x.metadata.name !== infraName && !ownedBy(x, 'Machine', m.metadata.name)) continue;
      const xn = take(x);
      const host = x.metadata.annotations?.['metal3.io/BareMetalHost']?.split('/').pop();
      for (const h of bmhs) if (h.metadata.name === host) xn.children.push(take(h));
      for (const d of datas)
        if (ownedBy(d, 'Metal3Machine', x.metadata.name) || ownedBy(d, 'Metal3DataClaim', x.metadata.name))
          xn.children.push(take(d));
      n.children.push(xn);
    }
    return n;
  };
  const cpName = refName(root.spec, 'controlPlaneRef', 'name');
  for (const k of of('KubeadmControlPlane')) {
    if (k.metadata.name !== cpName && !ownedBy(k, 'Cluster', root.metadata.name)) continue;
    const kn = take(k);
    for (const m of of('Machine'))
      if (ownedBy(m, 'KubeadmControlPlane', k.metadata.name)) kn.children.push(machineNode(m));
    tree.children.push(kn);
  }
  for (const m of of('Machine')) if (!used.has(m)) tree.children.push(machineNode(m));
  // Whatever no reference tied in still shows, under the Cluster, so nothing is hidden.
  for (const o of objects) if (!used.has(o)) tree.children.push(take(o));
  return tree;
}
