// How the engine reaches a backing cluster's etcd for admin work. Default: a short-lived
// `kubectl port-forward` to pod etcd-0 and local etcdctl authenticating with the
// experiment's root client certificate (CN=root; no password on any command line).
// Fallback (`exec`): etcdctl inside the etcd pod, as the seed did, authenticating with the
// root client certificate mounted in the pod (the seed passed the password as --user);
// needs no local etcdctl and no route. The root password only goes to `user add root`, on stdin.
import { join } from 'node:path';
import { writePrivateFile } from '../../core/pki/index.js';
import type { EtcdAdmin } from '../../core/etcd/admin.js';
import { EtcdctlAdmin, localEtcdctl, podEtcdctl } from '../etcd/etcdctl.js';
import { startPortForward } from '../kube/port-forward.js';
import type { KubectlTarget } from '../tools/kubectl.js';
import { ETCD } from './etcd-objects.js';
import type { EtcdPki } from './etcd-pki.js';

export type EtcdAccess = { mode: 'port-forward' } | { mode: 'exec' } | { mode: 'endpoint'; endpoint: string };

export interface AdminSession {
  admin: EtcdAdmin;
  close(): Promise<void>;
}

/**
 * Writes the root client material for local etcdctl and returns the paths. All 0600 in a
 * 0700 directory, certificates too: everything under the state dir's pki is private, and
 * the same files loadOrCreateEtcdPki keeps there (also 0600) are rewritten here.
 */
function rootFiles(stateDir: string, pki: EtcdPki): { caFile: string; certFile: string; keyFile: string } {
  const dir = join(stateDir, 'pki', 'etcd');
  const caFile = join(dir, 'ca.crt');
  const certFile = join(dir, 'root-client.crt');
  const keyFile = join(dir, 'root-client.key');
  writePrivateFile(caFile, pki.ca.cert);
  writePrivateFile(certFile, pki.rootClient.cert);
  writePrivateFile(keyFile, pki.rootClient.key);
  return { caFile, certFile, keyFile };
}

export async function openAdmin(
  access: EtcdAccess,
  target: KubectlTarget,
  stateDir: string,
  pki: EtcdPki,
  rootPassword: string,
): Promise<AdminSession> {
  if (access.mode === 'exec') {
    const run = podEtcdctl({ target, namespace: ETCD.namespace, pod: ETCD.pod, container: ETCD.container });
    return { admin: new EtcdctlAdmin(run, rootPassword), close: async () => {} };
  }
  const files = rootFiles(stateDir, pki);
  if (access.mode === 'endpoint') {
    return {
      admin: new EtcdctlAdmin(localEtcdctl({ endpoints: [access.endpoint], ...files }), rootPassword),
      close: async () => {},
    };
  }
  const pf = await startPortForward({
    ...target,
    namespace: ETCD.namespace,
    resource: `pod/${ETCD.pod}`,
    remotePort: 2379,
  });
  // The server cert carries 127.0.0.1 and localhost, so TLS verifies through the forward.
  return {
    admin: new EtcdctlAdmin(localEtcdctl({ endpoints: [`https://127.0.0.1:${pf.localPort}`], ...files }), rootPassword),
    close: () => pf.stop(),
  };
}
