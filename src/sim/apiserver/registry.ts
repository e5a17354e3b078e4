// The resources one server instance serves: built-in kinds, the compact CAPI/Metal3 registry
// and whatever CRD objects have been registered. Lookups are pre-resolved maps: the hot path
// does one Map.get per request.
import { builtinKinds } from './builtin-kinds.js';
import { builtinCrdKinds } from './builtin-crds.js';
import { makeType, type ResourceType, type OpenApiSchema, type ScaleSpec } from './resource.js';
import { isObject } from './patch.js';
import { prepareCel } from './schema/cel.js';
import type { JSONSchemaProps } from './schema/types.js';

export interface GroupInfo {
  name: string;
  /** Served versions, preferred first. */
  versions: string[];
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first. */
export function versionPriority(v: string): number[] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [0, 0, 0];
  const stage = m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3;
  return [1, stage, Number(m[1]), Number(m[3] ?? 0)];
}

function compareVersions(a: string, b: string): number {
  const pa = versionPriority(a);
  const pb = versionPriority(b);
  for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
  return a.localeCompare(b);
}

export class Registry {
  /** `${group}/${version}/${plural}` -> type */
  private readonly byPath = new Map<string, ResourceType>();
  /** CRD name (plural.group) -> the types it registered */
  private readonly byCrd = new Map<string, ResourceType[]>();
  private groupsCache: GroupInfo[] | undefined;
  /** Bumped on every change so discovery caches can be invalidated. */
  generation = 0;

  constructor(builtinCrds: boolean) {
    for (const t of builtinKinds()) this.add(t);
    if (builtinCrds) for (const versions of builtinCrdKinds()) for (const t of versions) this.add(t);
  }

  private add(t: ResourceType): void {
    this.byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
    this.groupsCache = undefined;
    this.generation++;
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.groups().some((g) => g.name === group && g.versions.includes(version));
  }

  resourcesOf(group: string, version: string): ResourceType[] {
    const out: ResourceType[] = [];
    for (const t of this.byPath.values()) if (t.group === group && t.version === version) out.push(t);
    return out;
  }

  /** Any version of a group+plural; used for the storage key and for kind lookups. */
  allTypes(): IterableIterator<ResourceType> {
    return this.byPath.values();
  }

  groups(): GroupInfo[] {
    if (this.groupsCache) return this.groupsCache;
    const m = new Map<string, Set<string>>();
    for (const t of this.byPath.values()) {
      let s = m.get(t.group);
      if (!s) {
        s = new Set();
        m.set(t.group, s);
      }
      s.add(t.version);
    }
    this.groupsCache = [...m.entries()].map(([name, vs]) => ({ name, versions: [...vs].sort(compareVersions) }));
    return this.groupsCache;
  }

  /** Registers (or re-registers) the resource a CRD object describes. */
  registerCrd(crd: Record<string, unknown>): ResourceType[] {
    const types = typesFromCrd(crd);
    this.unregisterCrd(crdName(crd));
    // A CRD replaces a compact built-in entry for the same group+plural.
    for (const t of types) {
      for (const [k, old] of this.byPath) if (old.group === t.group && old.plural === t.plural) this.byPath.delete(k);
    }
    for (const t of types) {
      // CEL rules compile here, once per CRD version, not on the first write.
      if (t.schema) prepareCel(t.schema as JSONSchemaProps);
      this.add(t);
    }
    this.byCrd.set(crdName(crd), types);
    return types;
  }

  unregisterCrd(name: string): ResourceType[] {
    const types = this.byCrd.get(name) ?? [];
    for (const t of types) this.byPath.delete(`${t.group}/${t.version}/${t.plural}`);
    this.byCrd.delete(name);
    this.groupsCache = undefined;
    this.generation++;
    return types;
  }
}

export function crdName(crd: Record<string, unknown>): string {
  const md = crd.metadata as { name?: string } | undefined;
  return md?.name ?? '';
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: OpenApiSchema };
  subresources?: { status?: object; scale?: ScaleSpec };
}

export function typesFromCrd(crd: Record<string, unknown>): ResourceType[] {
  const spec = crd.spec;
  if (!isObject(spec)) return [];
  const names = (spec.names ?? {}) as {
    kind?: string;
    plural?: string;
    shortNames?: string[];
    categories?: string[];
    singular?: string;
    listKind?: string;
  };
  const group = typeof spec.group === 'string' ? spec.group : '';
  const versions = (Array.isArray(spec.versions) ? spec.versions : []) as unknown as CrdVersion[];
  const out: ResourceType[] = [];
  for (const v of versions) {
    if (v.served === false) continue;
    const t = makeType({
      group,
      version: v.name,
      kind: names.kind ?? '',
      plural: names.plural ?? '',
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames,
      categories: names.categories,
      status: !!v.subresources?.status,
      scale: v.subresources?.scale,
      custom: true,
      schema: v.schema?.openAPIV3Schema,
    });
    if (names.singular) t.singular = names.singular;
    if (names.listKind) t.listKind = names.listKind;
    out.push(t);
  }
  return out;
}

export { makeType };
