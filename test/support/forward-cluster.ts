// One workload cluster's port-forward targets on the embedded API server, for the
// port-forward / fake-etcd suites and bench: the cluster CA and etcd CA, the node's etcd and
// kube-apiserver pods (Running, in kube-system), and an opener that sends the etcd pod's 2379
// to the fake etcd (EtcdGrpcService) and the kube-apiserver pod's 6443 to a TLS endpoint with
// the cluster's serving certificate, each over an in-process duplex pair.
import { spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { createCA, issueCert, type CertKeyPair } from '../../src/core/pki/index.js';
import { startApiServer, type ApiServerHandle } from '../../src/sim/apiserver/index.js';
import { EtcdGrpcService } from '../../src/sim/etcd-grpc/server.js';
import { etcdServingCert, type EtcdMemberIdentity } from '../../src/sim/etcd-grpc/member.js';
import { duplexPair } from '../../src/sim/portforward/duplex-pair.js';
import type { PortForwardTransport } from '../../src/sim/portforward/server.js';

export interface ForwardCluster {
  api: ApiServerHandle;
  kubeconfig: string;
  nodeName: string;
  clusterCa: CertKeyPair;
  etcdCa: CertKeyPair;
  servingCert: CertKeyPair;
  member: EtcdMemberIdentity;
  etcd: EtcdGrpcService;
  /** Ports opened through the forward, in order (port numbers). */
  opened: number[];
  stop(): Promise<void>;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command with a deadline, without blocking the event loop the API server runs on. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export async function startForwardCluster(dataDir: string, nodeName = 'wl-1-cp-abcde'): Promise<ForwardCluster> {
  const clusterCa = createCA('kubernetes');
  const etcdCa = createCA('etcd-ca');
  const servingCert = issueCert(clusterCa, {
    commonName: 'kube-apiserver',
    dnsNames: ['kubernetes', 'kubernetes.default', 'localhost', nodeName],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  const nodeIp = '192.0.2.10';
  const member: EtcdMemberIdentity = {
    cluster: 'default/wl-1',
    memberName: nodeName,
    nodeIp,
    caPem: etcdCa.certPem,
    ...etcdServingCert(etcdCa, nodeName, nodeIp),
  };
  const etcd = new EtcdGrpcService();
  const opened: number[] = [];
  const open = async (ns: string, pod: string, port: number): Promise<Duplex> => {
    opened.push(port);
    if (ns === 'kube-system' && pod === `etcd-${nodeName}` && port === 2379) {
      const [client, server] = duplexPair();
      etcd.serveEtcd(server, member);
      return client;
    }
    if (ns === 'kube-system' && pod === `kube-apiserver-${nodeName}` && port === 6443) {
      const [client, server] = duplexPair();
      etcd.serveTls(server, servingCert);
      return client;
    }
    throw new Error(`dial tcp ${nodeIp}:${port}: connect: connection refused`);
  };
  const api = await startApiServer({ dataDir, builtinCrds: false, portForward: open });
  const kubeconfig = api.kubeconfigPath!;
  for (const component of ['etcd', 'kube-apiserver']) {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${component}-${nodeName}`,
        namespace: 'kube-system',
        labels: { component, tier: 'control-plane' },
      },
      spec: { nodeName, containers: [{ name: component, image: `registry.k8s.io/${component}` }] },
    };
    const created = await run('kubectl', [`--kubeconfig=${kubeconfig}`, 'apply', '-f', '-'], {
      input: JSON.stringify(pod),
    });
    if (created.code !== 0) throw new Error(`creating ${pod.metadata.name}: ${created.stderr}`);
    const status = { status: { phase: 'Running', podIP: nodeIp, conditions: [{ type: 'Ready', status: 'True' }] } };
    const patched = await run('kubectl', [
      `--kubeconfig=${kubeconfig}`,
      '-n',
      'kube-system',
      'patch',
      'pod',
      pod.metadata.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    if (patched.code !== 0) throw new Error(`marking ${pod.metadata.name} Running: ${patched.stderr}`);
  }
  return {
    api,
    kubeconfig,
    nodeName,
    clusterCa,
    etcdCa,
    servingCert,
    member,
    etcd,
    opened,
    stop: async () => {
      etcd.close();
      await api.stop();
    },
  };
}

export interface KubectlForward {
  localPort: number;
  output(): string;
  stop(): Promise<void>;
}

/** `kubectl port-forward` on an ephemeral local port; websockets off selects the SPDY fallback. */
export function kubectlPortForward(
  kubeconfig: string,
  pod: string,
  remotePort: number,
  transport: PortForwardTransport,
): Promise<KubectlForward> {
  const env = { ...process.env, KUBECTL_PORT_FORWARD_WEBSOCKETS: transport === 'websocket' ? 'true' : 'false' };
  const child = spawn(
    'kubectl',
    [
      `--kubeconfig=${kubeconfig}`,
      '-n',
      'kube-system',
      'port-forward',
      `pod/${pod}`,
      `:${remotePort}`,
      '--address=127.0.0.1',
      '-v=6',
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl port-forward did not start within 20 s:\n${out}`));
    }, 20_000);
    const onOut = (c: Buffer): void => {
      out += c.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          localPort: Number(m[1]),
          output: () => out,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onOut);
    child.stderr.on('data', onOut);
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward exited (${code}):\n${out}`));
    });
  });
}
