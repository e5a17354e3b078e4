// Discovery documents in the legacy (unaggregated) shapes; kubectl and client-go fall back to
// them when the aggregated discovery media type is not offered. Cached per registry generation.
import type { Registry } from './registry.js';
import type { ResourceType } from './resource.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+scale-tui',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function resourceEntries(t: ResourceType): object[] {
  const base: Record<string, unknown> = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
  };
  if (t.shortNames.length) base.shortNames = t.shortNames;
  if (t.categories.length) base.categories = t.categories;
  const out: object[] = [base];
  if (t.status)
    out.push({
      name: `${t.plural}/status`,
      singularName: '',
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['get', 'patch', 'update'],
    });
  if (t.scale)
    out.push({
      name: `${t.plural}/scale`,
      singularName: '',
      namespaced: t.namespaced,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
  for (const s of t.extraSubresources ?? []) {
    // pods/exec is a connect subresource: kubectl POSTs or GETs it (PodExecOptions).
    const exec = s === 'exec';
    out.push({
      name: `${t.plural}/${s}`,
      singularName: '',
      namespaced: t.namespaced,
      kind: exec ? 'PodExecOptions' : t.kind,
      verbs: exec ? ['create', 'get'] : ['get'],
    });
  }
  return out;
}

export class Discovery {
  private cache = new Map<string, string>();
  private cachedGen = -1;

  constructor(private readonly registry: Registry) {}

  private memo(key: string, build: () => object): string {
    if (this.cachedGen !== this.registry.generation) {
      this.cache.clear();
      this.cachedGen = this.registry.generation;
    }
    let s = this.cache.get(key);
    if (s === undefined) {
      s = JSON.stringify(build());
      this.cache.set(key, s);
    }
    return s;
  }

  api(serverAddress: string): string {
    return this.memo('/api', () => ({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    }));
  }

  private groupDoc(name: string, versions: string[]): object {
    const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: vs, preferredVersion: vs[0] };
  }

  apis(): string {
    return this.memo('/apis', () => ({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.registry
        .groups()
        .filter((g) => g.name !== '')
        .map((g) => this.groupDoc(g.name, g.versions)),
    }));
  }

  group(name: string): string | undefined {
    const g = this.registry.groups().find((x) => x.name === name && name !== '');
    if (!g) return undefined;
    return this.memo(`/apis/${name}`, () => ({
      kind: 'APIGroup',
      apiVersion: 'v1',
      ...this.groupDoc(g.name, g.versions),
    }));
  }

  resources(group: string, version: string): string | undefined {
    if (!this.registry.hasGroupVersion(group, version)) return undefined;
    return this.memo(`${group}/${version}`, () => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: this.registry.resourcesOf(group, version).flatMap(resourceEntries),
    }));
  }
}
