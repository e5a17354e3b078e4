// Loads the real CRDs from ../shared/crds (relative to the repo root) into a lookup by
// (group, version, kind). Tests validate generated objects against these schemas; the
// CRDs are never copied into the repo.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { JSONSchemaProps } from '../../src/sim/apiserver/schema/types.js';

export interface CrdVersionInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: 'Namespaced' | 'Cluster';
  served: boolean;
  storage: boolean;
  schema: JSONSchemaProps;
  subresources: { status?: object; scale?: object };
}

interface CrdDoc {
  kind?: string;
  spec?: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; plural: string };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema?: { openAPIV3Schema?: JSONSchemaProps };
      subresources?: { status?: object; scale?: object };
    }>;
  };
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CRD_DIR = resolve(repoRoot, '..', 'shared', 'crds');

const key = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`;

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(p);
  }
  return out;
}

let loaded: Map<string, CrdVersionInfo> | undefined;

export function loadCrds(dir: string = CRD_DIR): Map<string, CrdVersionInfo> {
  if (dir === CRD_DIR && loaded) return loaded;
  if (!existsSync(dir)) {
    throw new Error(
      `CRD directory ${dir} not found: the tests read the real CRDs from ../shared/crds next to the repository. ` +
        'Check out the shared folder beside the repo (it holds the upstream CRD YAML).',
    );
  }
  const map = new Map<string, CrdVersionInfo>();
  for (const file of yamlFiles(dir)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJSON() as CrdDoc | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      const { group, scope, names } = crd.spec;
      for (const v of crd.spec.versions) {
        const schema = v.schema?.openAPIV3Schema;
        if (!schema) continue;
        map.set(key(group, v.name, names.kind), {
          group,
          version: v.name,
          kind: names.kind,
          plural: names.plural,
          scope,
          served: v.served,
          storage: v.storage,
          schema,
          subresources: v.subresources ?? {},
        });
      }
    }
  }
  if (map.size === 0) throw new Error(`no CustomResourceDefinitions found under ${dir}`);
  if (dir === CRD_DIR) loaded = map;
  return map;
}

/** The CRD version for an object's apiVersion + kind; throws if the CRDs do not serve it. */
export function crdFor(apiVersion: string, kind: string): CrdVersionInfo {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const info = loadCrds().get(key(group!, version!, kind));
  if (!info) throw new Error(`no CRD for ${apiVersion} ${kind} in ${CRD_DIR}`);
  return info;
}
