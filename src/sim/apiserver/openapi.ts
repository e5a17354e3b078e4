// Minimal OpenAPI documents. kubectl's default `--validate=strict` asks /openapi/v3 whether the
// server supports the fieldValidation query parameter for a kind (it looks for a PATCH
// operation tagged with x-kubernetes-group-version-kind); if so it leaves validation to the
// server. So /openapi/v3/<gv> lists one PATCH path per resource with that parameter and no
// schemas: kubectl then builds patches from its compiled-in types (built-ins) or uses JSON
// merge patch (custom resources), as it does for a CRD without a schema.
import { createHash } from 'node:crypto';
import type { Registry } from './registry.js';

const INFO = { title: 'Kubernetes', version: 'v1.32.0' };

export function openApiV2(): string {
  return JSON.stringify({ swagger: '2.0', info: INFO, paths: {}, definitions: {} });
}

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiV3Index(registry: Registry): string {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of registry.groups()) {
    for (const v of g.versions) {
      const p = gvPath(g.name, v);
      const hash = createHash('sha256').update(`${registry.generation}/${p}`).digest('hex').slice(0, 16).toUpperCase();
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
    }
  }
  return JSON.stringify({ paths });
}

const PARAMS = ['fieldValidation', 'fieldManager', 'dryRun', 'force'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
}));

export function openApiV3Group(registry: Registry, path: string): string | undefined {
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  const group = m[2] ?? '';
  const version = (m[1] ?? m[3])!;
  if (!registry.hasGroupVersion(group, version)) return undefined;
  const base = `/${gvPath(group, version)}`;
  const paths: Record<string, unknown> = {};
  for (const t of registry.resourcesOf(group, version)) {
    if (t.virtual) continue;
    const p = t.namespaced ? `${base}/namespaces/{namespace}/${t.plural}/{name}` : `${base}/${t.plural}/{name}`;
    const op = {
      operationId: `patch${t.kind}`,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group, version, kind: t.kind },
      parameters: PARAMS,
      responses: { '200': { description: 'OK' } },
    };
    paths[p] = { patch: op };
  }
  return JSON.stringify({ openapi: '3.0.0', info: INFO, paths, components: { schemas: {} } });
}
