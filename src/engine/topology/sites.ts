// Real-run wiring of sites: each backing cluster from the config and the registry, with an
// etcd admin that runs etcdctl inside its etcd pod (kubectl exec) as root by the root client
// certificate mounted there; the generated root password in that cluster's Secret only
// proves setup ran (and is what ensureRoot would set). The demo passes in-memory admins instead.
import { readFileSync } from 'node:fs';
import { readRegistry } from '../backing/registry.js';
import { readRootPassword } from '../backing/setup.js';
import { ETCD } from '../backing/etcd-objects.js';
import type { ExperimentConfig } from '../config/schema.js';
import { EtcdctlAdmin, localEtcdctl, podEtcdctl } from '../etcd/etcdctl.js';
import { UserError } from '../../core/errors.js';
import { KubeClient, type KubeTarget } from '../../core/kube/client.js';
import type { EtcdTenantAdmin } from './types.js';

export interface SiteSpec {
  name: string;
  target: KubeTarget;
  capacity: number;
  etcd: EtcdTenantAdmin;
}

/** An etcd admin that resolves the root password lazily (first tenant operation). */
export function podEtcdAdmin(target: KubeTarget, siteName: string): EtcdTenantAdmin {
  let admin: Promise<EtcdctlAdmin> | undefined;
  const get = (): Promise<EtcdctlAdmin> =>
    (admin ??= (async () => {
      const pw = await readRootPassword(KubeClient.from(target));
      if (!pw) {
        throw new UserError(
          `${siteName}: no etcd root password Secret ${ETCD.namespace}/${ETCD.rootSecret}`,
          `Set up its etcd first: \`scale-tui backing add ${siteName} --kubeconfig FILE\` (or \`scale-tui setup\` for the management cluster).`,
        );
      }
      return new EtcdctlAdmin(
        podEtcdctl({
          target: { kubeconfig: target.kubeconfigPath, context: target.context },
          namespace: ETCD.namespace,
          pod: ETCD.pod,
          container: ETCD.container,
        }),
        pw,
      );
    })());
  return {
    ensureTenant: async (c) => (await get()).ensureTenant(c),
    deleteTenant: async (c) => (await get()).deleteTenant(c),
  };
}

export function backingSitesFromConfig(config: ExperimentConfig, stateDir: string): SiteSpec[] {
  const byName = new Map<string, SiteSpec>();
  for (const b of config.backingClusters) {
    const target = { kubeconfigPath: b.kubeconfig, context: b.context };
    byName.set(b.name, { name: b.name, target, capacity: b.capacity, etcd: podEtcdAdmin(target, b.name) });
  }
  for (const e of readRegistry(stateDir)) {
    if (byName.has(e.name)) continue;
    const target = { kubeconfigPath: e.kubeconfig, context: e.context };
    byName.set(e.name, { name: e.name, target, capacity: e.capacity, etcd: podEtcdAdmin(target, e.name) });
  }
  return [...byName.values()];
}

/**
 * The management cluster's multi-tenant etcd admin. Default: etcdctl inside its etcd pod.
 * With SCALE_TUI_MANAGEMENT_ETCD naming a JSON file {endpoints, caFile, certFile, keyFile,
 * rootPassword} (a root client certificate), etcdctl runs locally against that etcd: for
 * an etcd outside the cluster, and for tests with a real local etcd.
 */
export function managementEtcdAdmin(target: KubeTarget): EtcdTenantAdmin {
  const file = process.env.SCALE_TUI_MANAGEMENT_ETCD;
  if (!file) return podEtcdAdmin(target, 'management');
  let conn: { endpoints: string[]; caFile: string; certFile: string; keyFile: string; rootPassword: string };
  try {
    conn = JSON.parse(readFileSync(file, 'utf8')) as typeof conn;
  } catch (err) {
    throw new UserError(
      `SCALE_TUI_MANAGEMENT_ETCD=${file} cannot be read: ${(err as Error).message}`,
      'Point it at a JSON file with endpoints, caFile, certFile, keyFile and rootPassword, or unset it.',
    );
  }
  if (!Array.isArray(conn.endpoints) || !conn.caFile || !conn.certFile || !conn.keyFile || !conn.rootPassword) {
    throw new UserError(
      `SCALE_TUI_MANAGEMENT_ETCD=${file} lacks endpoints/caFile/certFile/keyFile/rootPassword`,
      'Add the missing fields (certFile/keyFile: a client certificate with CN=root).',
    );
  }
  return new EtcdctlAdmin(
    localEtcdctl({ endpoints: conn.endpoints, caFile: conn.caFile, certFile: conn.certFile, keyFile: conn.keyFile }),
    conn.rootPassword,
  );
}
