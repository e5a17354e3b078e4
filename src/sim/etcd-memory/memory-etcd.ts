// An in-memory multi-tenant etcd for the demo's backing clusters: the same EtcdAdmin
// contract as the etcdctl implementation, with users, roles, prefix grants and auth, and
// a key space the workload API servers' data is accounted in. Deleting a tenant removes
// exactly the keys under `/<cluster>/` (never `/<cluster>0...`: SEED-SCRIPTS §15.14).
import { ROOT, assertTenantName, tenantPrefix, type EtcdAdmin, type EtcdStatus } from '../../core/etcd/admin.js';

export class PermissionDenied extends Error {
  constructor(user: string, key: string) {
    super(`etcdserver: permission denied (user ${user}, key ${key})`);
  }
}

export class MemoryEtcd implements EtcdAdmin {
  private readonly kv = new Map<string, Buffer>();
  private readonly roles = new Map<string, string>(); // role -> readwrite prefix ('' = everything)
  private readonly users = new Map<string, string>(); // user -> role
  private authEnabled = false;

  async ensureRoot(): Promise<void> {
    this.roles.set(ROOT, '');
    this.users.set(ROOT, ROOT);
    this.authEnabled = true;
  }

  async ensureTenant(cluster: string): Promise<void> {
    const prefix = tenantPrefix(cluster);
    this.roles.set(cluster, prefix);
    this.users.set(cluster, cluster);
  }

  async deleteTenant(cluster: string): Promise<{ deletedKeys: number }> {
    assertTenantName(cluster);
    const prefix = tenantPrefix(cluster);
    let deletedKeys = 0;
    for (const k of [...this.kv.keys()]) {
      if (k.startsWith(prefix)) {
        this.kv.delete(k);
        deletedKeys++;
      }
    }
    this.users.delete(cluster);
    this.roles.delete(cluster);
    return { deletedKeys };
  }

  async status(): Promise<EtcdStatus> {
    let dbSizeBytes = 0;
    for (const [k, v] of this.kv) dbSizeBytes += k.length + v.length;
    return { dbSizeBytes, tenants: [...this.roles.keys()].filter((r) => r !== ROOT).sort() };
  }

  get auth(): boolean {
    return this.authEnabled;
  }

  private check(user: string, key: string): void {
    if (!this.authEnabled) return;
    const role = this.users.get(user);
    const prefix = role === undefined ? undefined : this.roles.get(role);
    if (prefix === undefined || !key.startsWith(prefix)) throw new PermissionDenied(user, key);
  }

  put(user: string, key: string, value: string | Buffer): void {
    this.check(user, key);
    this.kv.set(key, Buffer.isBuffer(value) ? value : Buffer.from(value));
  }

  get(user: string, key: string): Buffer | undefined {
    this.check(user, key);
    return this.kv.get(key);
  }

  delete(user: string, key: string): boolean {
    this.check(user, key);
    return this.kv.delete(key);
  }

  /** Keys under a prefix, sorted, as `etcdctl get --prefix --keys-only` lists them. */
  keys(user: string, prefix: string): string[] {
    this.check(user, prefix);
    return [...this.kv.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
