// `scale-tui sim kubelet`: the simulated kubelet as a process of its own, for one node of
// any cluster with an API server (ours or a real one). It registers the Node at --address,
// makes Deployments and StatefulSets Ready, and serves each workload-apiserver
// Deployment as an embedded API server on that address at its Service's NodePort, as
// kube-proxy would. The lab runs one per node namespace.
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { loadKubeConfig } from '../../core/kube/client.js';
import { UserError } from '../../core/errors.js';
import { Kubelet, type StartWorkloadServer } from '../../sim/kubelet/kubelet.js';
import { startApiServer } from '../../sim/apiserver/index.js';

interface KubeletOpts {
  kubeconfig?: string;
  context?: string;
  nodeName: string;
  address: string;
  runEtcd?: boolean;
  rootDir?: string;
}

const startWorkload: StartWorkloadServer = async (o) => {
  const h = await startApiServer({ name: o.name, host: o.host, port: o.port, builtinCrds: false, tls: o.tls });
  return { port: h.port, stop: () => h.stop() };
};

export function registerSimKubelet(sim: Command): void {
  sim
    .command('kubelet')
    .description('run the simulated kubelet for one node (pods Ready, workload API servers on NodePorts, etcd pods)')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--node-name <name>', 'the Node to register', 'kind-control-plane')
    .option('--address <ip>', "the node's address: Node InternalIP, pod IPs, NodePorts", '127.0.0.1')
    .option('--run-etcd', 'run etcd-system pods as real etcd processes (needs etcd on PATH)')
    .option(
      '--root-dir <dir>',
      "the node's disk: pod volumes and persistent volumes (etcd data) survive a restart here",
    )
    .action(
      action(async (opts: KubeletOpts) => {
        const kc = loadKubeConfig({ kubeconfigPath: opts.kubeconfig, context: opts.context });
        const kubelet = new Kubelet({
          kubeconfig: kc,
          nodeName: opts.nodeName,
          address: opts.address,
          startWorkloadServer: startWorkload,
          ...(opts.runEtcd ? { runEtcd: true } : {}),
          ...(opts.rootDir ? { rootDir: opts.rootDir } : {}),
        });
        try {
          await kubelet.start();
        } catch (err) {
          throw new UserError(
            `the kubelet cannot start against ${kc.getCurrentCluster()?.server}: ${(err as Error).message}`,
            'Check that the API server is up and the kubeconfig is right.',
          );
        }
        process.stdout.write(
          `kubelet ${opts.nodeName} at ${opts.address} running against ${kc.getCurrentCluster()?.server}; Ctrl-C to stop\n`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await kubelet.stop();
      }),
    );
}
