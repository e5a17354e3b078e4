// What the Deployment and StatefulSet controllers derive from a workload object, as pure
// functions: the pod template (labels, spec), a template hash standing for pod-template-hash /
// controller-revision-hash, a StatefulSet pod's claim volumes, and whether a pod is Ready.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../manifests/types.js';
import { field, type Obj } from '../controllers/helpers.js';

/** A short hash of spec.template: a changed template makes a new one, so pods roll. */
export function templateHash(dep: KubeObject): string {
  return createHash('sha256')
    .update(JSON.stringify(field(dep, 'spec', 'template') ?? {}))
    .digest('hex')
    .slice(0, 10)
    .replace(/[aeiou]/g, 'x');
}

export function isReady(p: Obj): boolean {
  const conds = field<Array<{ type?: string; status?: string }>>(p, 'status', 'conditions') ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The pod spec with a volume per volumeClaimTemplate (claim `<template>-<sts>-<ordinal>`),
 * as the StatefulSet controller adds them.
 */
export function withClaims(sts: Obj, spec: Record<string, unknown>, ordinal: number): Record<string, unknown> {
  const templates = field<Array<{ metadata?: { name?: string } }>>(sts, 'spec', 'volumeClaimTemplates') ?? [];
  const volumes = [...((spec.volumes as Array<{ name: string }> | undefined) ?? [])];
  for (const t of templates) {
    const vol = t.metadata?.name;
    if (!vol || volumes.some((v) => v.name === vol)) continue;
    const claimName = `${vol}-${sts.metadata.name}-${ordinal}`;
    volumes.push({ name: vol, persistentVolumeClaim: { claimName } } as { name: string });
  }
  return volumes.length ? { ...spec, volumes } : spec;
}

export function podTemplate(obj: KubeObject): { labels: Record<string, string>; spec: Record<string, unknown> } {
  const t =
    field<{ metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> }>(
      obj,
      'spec',
      'template',
    ) ?? {};
  return { labels: t.metadata?.labels ?? {}, spec: t.spec ?? { containers: [] } };
}
