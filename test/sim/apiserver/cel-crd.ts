// Test plumbing for the CEL and pattern suites: installs a throwaway CRD whose spec has the
// given properties (on the embedded server or SCALE_TUI_TEST_KUBECONFIG), waits until it is
// served, and writes objects of it. Each CRD gets a unique group, so suites never collide.
import { expect } from 'vitest';
import { eventually, type Conn } from './conformance/helpers.js';
import { uniqueName } from '../../support/test-cluster.js';

export interface Cause {
  reason: string;
  field?: string;
  message: string;
}

export const causesOf = (body: Record<string, unknown>): Cause[] =>
  ((body.details as { causes?: Cause[] } | undefined)?.causes ?? []) as Cause[];

export function crdFor(group: string, specProperties: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `probes.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'probes', singular: 'probe', kind: 'Probe', listKind: 'ProbeList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: specProperties } },
            },
          },
        },
      ],
    },
  };
}

export const newGroup = (prefix: string): string => `${uniqueName(prefix).replace(/[^a-z0-9-]/g, '')}.scale-tui.test`;

export const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export interface Probes {
  /** POSTs a Probe with this spec under a fresh name; returns status and causes. */
  create(spec: Record<string, unknown>): Promise<{ status: number; causes: Cause[] }>;
  remove(): Promise<void>;
}

/** Installs the CRD (expects 201) and waits until its resource is served. */
export async function installProbes(c: Conn, ns: string, specProperties: Record<string, unknown>): Promise<Probes> {
  const group = newGroup('cel');
  const made = await c.raw('POST', CRDS, JSON.stringify(crdFor(group, specProperties)));
  expect(made.status, made.text).toBe(201);
  const base = `/apis/${group}/v1/namespaces/${ns}/probes`;
  await eventually(async () => ((await c.raw('GET', base)).status === 200 ? true : undefined), 30_000, 'probes served');
  let n = 0;
  return {
    async create(spec) {
      const body = { apiVersion: `${group}/v1`, kind: 'Probe', metadata: { name: `p-${n++}` }, spec };
      const r = await c.raw('POST', base, JSON.stringify(body));
      return { status: r.status, causes: r.status === 201 ? [] : causesOf(r.json()) };
    },
    async remove() {
      await c.raw('DELETE', `${CRDS}/probes.${group}`);
    },
  };
}
