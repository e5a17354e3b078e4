// What the server knows about one served resource (a group/version/plural). Built-in kinds,
// the compact CAPI/Metal3 registry and CRD objects all end up as ResourceType values.
export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** A JSON-schema-like object (openAPIV3Schema); validated by ./schema/validate.ts when present. */
export type OpenApiSchema = Record<string, unknown>;

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  status: boolean;
  scale?: ScaleSpec;
  /** Extra subresources served by code (pods/log). */
  extraSubresources?: string[];
  /** Storage key shared by all versions of one group+plural. */
  storageKey: string;
  /** Whether the object is a custom resource (affects update and generation rules). */
  custom: boolean;
  schema?: OpenApiSchema;
  /** Read-only resources served from a provider (metrics.k8s.io). */
  virtual?: boolean;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function makeType(p: {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  scale?: ScaleSpec;
  custom?: boolean;
  schema?: OpenApiSchema;
  verbs?: string[];
  extraSubresources?: string[];
  virtual?: boolean;
}): ResourceType {
  return {
    group: p.group,
    version: p.version,
    kind: p.kind,
    listKind: `${p.kind}List`,
    plural: p.plural,
    singular: p.kind.toLowerCase(),
    namespaced: p.namespaced,
    shortNames: p.shortNames ?? [],
    categories: p.categories ?? [],
    verbs: p.verbs ?? ALL_VERBS,
    status: p.status ?? false,
    scale: p.scale,
    extraSubresources: p.extraSubresources,
    storageKey: `${p.plural}.${p.group}`,
    custom: p.custom ?? false,
    schema: p.schema,
    virtual: p.virtual,
  };
}
