// The simulated kubelet against the embedded API server: Deployments become available
// with Ready pods (and roll to a new pod when their template changes); a
// workload-apiserver Deployment gets a real API server on 127.0.0.1:<nodePort> serving the
// namespace's `apiserver` certificate and accepting only clients of `<cluster>-ca`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { Kubelet, freePort } from '../../../src/sim/kubelet/kubelet.js';
import { RestClient } from '../../../src/sim/controllers/rest.js';
import { R, collectionPath, objectPath } from '../../../src/sim/controllers/resources.js';
import { newClientCert, newCa } from '../../../src/sim/controllers/pki.js';
import { clusterPki, type ClusterPki } from '../controllers/fixtures.js';

let api: ApiServerHandle;
let client: RestClient;
let kubelet: Kubelet;
let pki: ClusterPki;
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function get(port: number, path: string, cert?: { certPem: string; keyPem: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        ca: pki.ca.certPem,
        cert: cert?.certPem,
        key: cert?.keyPem,
        servername: 'localhost',
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function deployment(ns: string, name: string, labels: Record<string, string>, args: string[] = []) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'x', args }] } },
    },
  };
}

beforeAll(async () => {
  api = await startApiServer({ name: 'kubelet-test', builtinCrds: false });
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfigYaml);
  client = new RestClient(kc);
  pki = await clusterPki();
  kubelet = new Kubelet({
    kubeconfig: kc,
    nodeName: 'backing-x-control-plane',
    startWorkloadServer: async (o) => {
      const h = await startApiServer({ name: o.name, port: o.port, builtinCrds: false, tls: o.tls });
      return { port: h.port, stop: () => h.stop() };
    },
  });
  await kubelet.start();
}, 30_000);

afterAll(async () => {
  await kubelet?.stop();
  client?.close();
  await api?.stop();
});

describe('simulated kubelet', () => {
  it('makes a Deployment available with a Ready pod and rolls it on a template change', async () => {
    await client.create(collectionPath(R.deployment, 'default'), deployment('default', 'web', {}, ['--a=1']));
    const dep = await until('available', async () => {
      const d = await client.get(objectPath(R.deployment, 'web', 'default'));
      return (d?.status as { availableReplicas?: number } | undefined)?.availableReplicas === 1 ? d : undefined;
    });
    expect(dep).toBeDefined();
    const pods1 = (await client.list(collectionPath(R.pod, 'default'), 'app=web')).items;
    expect(pods1).toHaveLength(1);
    expect(pods1[0]?.status).toMatchObject({ phase: 'Running' });
    await client.mergePatch(objectPath(R.deployment, 'web', 'default'), {
      spec: { template: { spec: { containers: [{ name: 'main', image: 'x', args: ['--a=2'] }] } } },
    });
    const pods2 = await until('rolled to a new pod', async () => {
      const ps = (await client.list(collectionPath(R.pod, 'default'), 'app=web')).items;
      return ps.length === 1 && ps[0]?.metadata.name !== pods1[0]?.metadata.name ? ps : undefined;
    });
    expect(pods2[0]?.metadata.name).toMatch(/^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
  });

  it('runs a workload API server on the NodePort with the cluster certificates, and stops it with the Deployment', async () => {
    const ns = 'test-7';
    const nodePort = await freePort();
    await client.create(
      collectionPath({ apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false }),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    );
    await client.create(collectionPath(R.secret, ns), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'apiserver', namespace: ns },
      data: { 'tls.crt': b64(pki.serving.certPem), 'tls.key': b64(pki.serving.keyPem) },
    });
    await client.create(collectionPath(R.secret, ns), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'test-7-ca', namespace: ns },
      data: { 'tls.crt': b64(pki.ca.certPem), 'tls.key': b64(pki.ca.keyPem) },
    });
    await client.create(collectionPath(R.service, ns), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'test-kube-apiserver', namespace: ns },
      spec: {
        type: 'NodePort',
        selector: { app: 'test-kube-apiserver' },
        ports: [{ port: 6443, targetPort: 6443, nodePort }],
      },
    });
    await client.create(
      collectionPath(R.deployment, ns),
      deployment(ns, 'test-kube-apiserver', {
        'scale-tui.metal3.io/component': 'workload-apiserver',
        'scale-tui.metal3.io/cluster': 'test-7',
      }),
    );
    const admin = await newClientCert(pki.ca.certPem, pki.ca.keyPem, 'kubernetes-admin', 'system:masters');
    await until(
      'workload API answers an admin of the cluster CA',
      async () => (await get(nodePort, '/api/v1/nodes', admin)) === 200,
    );
    // A client certificate from another CA is not an admin of this cluster.
    const other = await newCa('other');
    const stranger = await newClientCert(other.certPem, other.keyPem, 'kubernetes-admin', 'system:masters');
    expect(await get(nodePort, '/api/v1/nodes', stranger)).toBe(401);
    await until(
      'Deployment available',
      async () =>
        (
          (await client.get(objectPath(R.deployment, 'test-kube-apiserver', ns)))?.status as
            | { availableReplicas?: number }
            | undefined
        )?.availableReplicas === 1,
    );
    // The backing cluster's Node is reachable at 127.0.0.1.
    const node = await client.get(objectPath(R.node, 'backing-x-control-plane'));
    expect((node!.status as { addresses: Array<{ type: string; address: string }> }).addresses).toContainEqual({
      type: 'InternalIP',
      address: '127.0.0.1',
    });
    await client.delete(objectPath(R.deployment, 'test-kube-apiserver', ns));
    await until(
      'workload API stopped',
      async () =>
        await get(nodePort, '/api/v1/nodes', admin).then(
          () => false,
          () => true,
        ),
    );
    expect(kubelet.workloadServers).toBe(0);
  }, 30_000);
});
