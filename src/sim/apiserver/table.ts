// meta.k8s.io/v1 Table output for `kubectl get`: NAME and AGE columns (plus STATUS for pods and
// namespaces), with the partial object metadata kubectl uses for -o name and sorting.
import type { ResourceType } from './resource.js';

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && accept.includes('as=Table');
}

interface Obj {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string; [k: string]: unknown };
  status?: { phase?: string };
}

function age(ts: string | undefined): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function tableFor(t: ResourceType, json: string, isList: boolean): string {
  const parsed = JSON.parse(json) as { items?: Obj[]; metadata?: Record<string, unknown> } & Obj;
  const items: Obj[] = isList ? (parsed.items ?? []) : [parsed];
  const withPhase = t.kind === 'Pod' || t.kind === 'Namespace';
  const columns = [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: 'Name must be unique within a namespace.',
      priority: 0,
    },
    ...(withPhase
      ? [{ name: 'Status', type: 'string', format: '', description: 'The phase of the object.', priority: 0 }]
      : []),
    { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 },
  ];
  const rows = items.map((o) => ({
    cells: [o.metadata?.name ?? '', ...(withPhase ? [o.status?.phase ?? ''] : []), age(o.metadata?.creationTimestamp)],
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata ?? {} },
  }));
  const md = isList
    ? { resourceVersion: parsed.metadata?.resourceVersion, continue: parsed.metadata?.continue }
    : { resourceVersion: parsed.metadata?.resourceVersion };
  return JSON.stringify({
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: md,
    columnDefinitions: columns,
    rows,
  });
}
