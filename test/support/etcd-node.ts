// One simulated node running the backing etcd for real: an embedded API server whose
// kubelet-client certificate and serving certificate come from one cluster CA (the kubelet
// accepts exec and port-forward only from that CA, as a real one does), a simulated kubelet
// with runEtcd on 127.0.0.1, and the etcd-system objects applied. The exec and port-forward
// admin suites each built this the same way; they now share it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/core/kube/client.js';
import { createCA, issueCert } from '../../src/core/pki/index.js';
import { etcdObjects } from '../../src/engine/backing/etcd-objects.js';
import { createEtcdPki, type EtcdPki } from '../../src/engine/backing/etcd-pki.js';
import { type ApiServerHandle, startApiServer } from '../../src/sim/apiserver/index.js';
import { type KubeletHandle, startKubelet } from '../../src/sim/kubelet/kubelet.js';
import { requireEtcd } from './etcd-server.js';

/** Why such a node cannot run here (no etcd binary, or no kubectl to drive it), or undefined. */
export function etcdNodeSkipReason(): string | undefined {
  const kubectlMissing = spawnSync('kubectl', ['version', '--client']).status !== 0;
  return requireEtcd() ?? (kubectlMissing ? 'kubectl not installed' : undefined);
}

export interface EtcdNode {
  dir: string;
  api: ApiServerHandle;
  /** The API server's kubeconfig file. */
  kubeconfig: string;
  kc: KubeConfig;
  kubelet: KubeletHandle;
  pki: EtcdPki;
  /** Stops the kubelet (and etcd with it), the API server, and removes the directory. */
  stop(): Promise<void>;
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** `name` names the API server, the CA, the node (`<name>-control-plane`) and the objects' run id. */
export async function startEtcdNode(name: string, rootPassword: string): Promise<EtcdNode> {
  // etcd's flags name fixed ports; the kubelet binds them on the node address (127.0.0.1 here).
  for (const port of [2379, 2380, 2381]) {
    if (!(await portFree(port))) throw new Error(`127.0.0.1:${port} is taken: this test runs etcd-0 there`);
  }
  const dir = mkdtempSync(join(tmpdir(), `scale-tui-${name}-`));
  let api: ApiServerHandle | undefined;
  let kubelet: KubeletHandle | undefined;
  const stop = async (): Promise<void> => {
    await kubelet?.stop();
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ca = createCA(`${name}-ca`);
    const serving = issueCert(ca, {
      commonName: 'kube-apiserver',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    const kubeletClient = issueCert(ca, {
      commonName: 'kube-apiserver-kubelet-client',
      organizations: ['kubeadm:cluster-admins'],
      usage: 'client',
    });
    api = await startApiServer({
      name,
      builtinCrds: false,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem },
      kubeletClient,
      dataDir: dir,
    });
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfigYaml);
    kubelet = await startKubelet({
      kubeconfig: kc,
      nodeName: `${name}-control-plane`,
      address: '127.0.0.1',
      runEtcd: true,
    });
    const pki = createEtcdPki();
    const kubeconfig = api.kubeconfigPath!;
    const kube = KubeClient.from({ kubeconfigPath: kubeconfig });
    for (const obj of etcdObjects({ ownership: { runId: name }, pki, rootPassword })) await kube.createOrSkip(obj);
    return { dir, api, kubeconfig, kc, kubelet, pki, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
