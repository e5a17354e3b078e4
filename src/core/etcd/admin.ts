// The etcd tenancy vocabulary. The engine holds an EtcdAdmin; real runs use the etcdctl
// implementation (etcdctl.ts), the demo an in-memory one. Tenant = workload cluster:
// a user and a role named after the cluster, readwrite on exactly `/<cluster>/`.
import { UserError } from '../errors.js';

export interface EtcdStatus {
  dbSizeBytes: number;
  /** Tenant role names (the root role excluded), sorted. */
  tenants: string[];
}

export interface EtcdAdmin {
  /** Root role + user, the root grant, and auth enabled. Safe to call again. */
  ensureRoot(): Promise<void>;
  /** User + role `<cluster>`, readwrite on prefix `/<cluster>/`. Safe to call again. */
  ensureTenant(cluster: string): Promise<void>;
  /** Removes the user, the role and every key under `/<cluster>/` (and nothing else). */
  deleteTenant(cluster: string): Promise<{ deletedKeys: number }>;
  status(): Promise<EtcdStatus>;
}

export const ROOT = 'root';

/**
 * The key prefix a tenant owns. The trailing slash is the point: the seed deleted
 * `/test-1`, which also matched `/test-10...` (SEED-SCRIPTS §15.14). kube-apiserver's
 * `--etcd-prefix=/<cluster>` stores its keys under `/<cluster>/...`, so this is exactly
 * the tenant's data.
 */
export function tenantPrefix(cluster: string): string {
  assertTenantName(cluster);
  return `/${cluster}/`;
}

/** Tenant names become etcd user/role names and key prefixes: keep them DNS labels and never `root`. */
export function assertTenantName(cluster: string): void {
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(cluster) || cluster.length > 63) {
    throw new UserError(
      `"${cluster}" is not a valid etcd tenant name`,
      'Cluster names are DNS labels: lower-case letters, digits and "-", starting with a letter.',
    );
  }
  if (cluster === ROOT)
    throw new UserError(
      '"root" cannot be a tenant: it is the etcd administrator',
      'Choose another cluster name prefix.',
    );
}

/**
 * The smallest key strictly greater than every key with `prefix` (etcd's range_end for
 * a prefix query): increment the last byte that is not 0xff, drop what follows.
 */
export function prefixRangeEnd(prefix: string): string {
  const b = Buffer.from(prefix, 'utf8');
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const out = Buffer.from(b.subarray(0, i + 1));
      out[i] = b[i]! + 1;
      return out.toString('utf8');
    }
  }
  return '\0';
}
