// `scale-tui sim apiserver`: the embedded API server as a process of its own, bound to a
// given address with the real CRDs, writing an admin kubeconfig shaped as kind writes it
// (client certificate, `kind-<name>` names). The lab runs it inside a node's network
// namespace as that node's kube-apiserver; anyone can use it as a throwaway cluster.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { UserError } from '../../core/errors.js';
import { startApiServer } from '../../sim/apiserver/index.js';
import { createLocalCa, issueLocalCert } from '../../sim/apiserver/tls.js';
import { renderKubeconfig } from '../../sim/apiserver/kubeconfig.js';

interface ApiserverOpts {
  listen: string;
  name: string;
  crds: string[];
  altNames?: string;
  kubeconfigOut?: string;
  server?: string;
}

/** `HOST:PORT`, `[V6]:PORT` or `:PORT` (all addresses). */
export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new UserError(
      `--listen "${v}" is not HOST:PORT`,
      'Example: --listen 172.31.250.2:6443, or --listen :6443 for every address.',
    );
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

export function registerSimApiserver(sim: Command): void {
  sim
    .command('apiserver')
    .description("run the embedded Kubernetes API server alone (in-memory), e.g. as a lab node's kube-apiserver")
    .option('--listen <host:port>', 'address and port to bind', '127.0.0.1:6443')
    .option('--name <name>', 'cluster name; the kubeconfig uses kind-<name> as kind does', 'kind')
    .option(
      '--crds <dir>',
      'directory of CRD YAML to serve (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--alt-names <list>', 'extra serving-certificate SANs, comma-separated (addresses or DNS names)')
    .option('--server <url>', 'server URL written into the kubeconfig (default: https://<listen>)')
    .option('--kubeconfig-out <file>', 'write the admin kubeconfig here (mode 0600)')
    .action(
      action(async (opts: ApiserverOpts) => {
        const { host, port } = parseListen(opts.listen);
        const altNames = (opts.altNames ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (host !== '0.0.0.0') altNames.push(host);
        const ca = createLocalCa(`${opts.name}-ca`);
        const serving = issueLocalCert(ca, { commonName: 'kube-apiserver', usage: 'server', altNames });
        // kind's admin identity: a client certificate in the cluster-admins group.
        const admin = issueLocalCert(ca, {
          commonName: 'kubernetes-admin',
          organizations: ['kubeadm:cluster-admins', 'system:masters'],
          usage: 'client',
        });
        // kubeadm's apiserver-kubelet-client: signed by the cluster CA, which kubelets
        // trust for clients (their kubeconfig's CA), so pods/exec reaches them.
        const kubeletClient = issueLocalCert(ca, {
          commonName: 'kube-apiserver-kubelet-client',
          organizations: ['kubeadm:cluster-admins'],
          usage: 'client',
        });
        const api = await startApiServer({
          kubeletClient,
          name: opts.name,
          host,
          port,
          crdDirs: opts.crds,
          builtinCrds: opts.crds.length === 0,
          tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem, clientCaPem: ca.certPem },
        });
        const server = opts.server ?? api.url;
        if (opts.kubeconfigOut) {
          const ctx = `kind-${opts.name}`;
          mkdirSync(dirname(opts.kubeconfigOut), { recursive: true });
          const text = renderKubeconfig({
            clusterName: ctx,
            server,
            caPem: ca.certPem,
            userName: ctx,
            certPem: admin.certPem,
            keyPem: admin.keyPem,
          });
          writeFileSync(opts.kubeconfigOut, text, { mode: 0o600 });
          chmodSync(opts.kubeconfigOut, 0o600); // the mode option does not tighten an existing file
        }
        process.stdout.write(`apiserver ${opts.name} listening on ${host}:${api.port}\n`);
        await waitForSignal();
        await api.stop();
      }),
    );
}
