// What only the embedded server has: providers (metrics, logs), fault injection, instance
// options (TLS with client certificates, built-in registry, kubeconfig file), CRD registration.
import { statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi, KubeConfig, Log, Metrics, Watch } from '@kubernetes/client-node';
import { startApiServer, type ApiServerHandle } from '../../../src/sim/apiserver/index.js';
import { createLocalCa, issueLocalCert } from '../../../src/sim/apiserver/tls.js';
import { stringify } from 'yaml';

const clientsFor = (yaml: string): { kc: KubeConfig; core: CoreV1Api; custom: CustomObjectsApi } => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return { kc, core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
};
const code = (e: unknown): number | undefined => (e as { code?: number }).code;

describe('embedded API server (compact registry, no ../shared)', () => {
  let h: ApiServerHandle;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'st-apiserver-'));
    h = await startApiServer({ name: 'mgmt', dataDir: dir });
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a 0600 kubeconfig that client-node can use', async () => {
    expect(h.kubeconfigPath).toBe(join(dir, 'mgmt.kubeconfig'));
    expect(statSync(h.kubeconfigPath!).mode & 0o777).toBe(0o600);
    const { core } = clientsFor(h.kubeconfigYaml);
    const list = await core.listNamespace();
    expect(list.items.map((n) => n.metadata!.name).sort()).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
  });

  it('serves CAPI/Metal3 kinds from the built-in registry in every version, with status', async () => {
    const { custom } = clientsFor(h.kubeconfigYaml);
    await custom.createNamespacedCustomObject({
      group: 'metal3.io',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'baremetalhosts',
      body: {
        apiVersion: 'metal3.io/v1alpha1',
        kind: 'BareMetalHost',
        metadata: { name: 'node-0' },
        spec: { online: true },
      },
    });
    await custom.createNamespacedCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: 'default',
      plural: 'machines',
      body: {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Machine',
        metadata: { name: 'm0' },
        spec: { clusterName: 'c' },
      },
    });
    const asBeta1 = (await custom.getNamespacedCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta1',
      namespace: 'default',
      plural: 'machines',
      name: 'm0',
    })) as { apiVersion: string };
    expect(asBeta1.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    const cur = (await custom.getNamespacedCustomObject({
      group: 'metal3.io',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'baremetalhosts',
      name: 'node-0',
    })) as { metadata: { resourceVersion: string } };
    const st = (await custom.replaceNamespacedCustomObjectStatus({
      group: 'metal3.io',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'baremetalhosts',
      name: 'node-0',
      body: {
        apiVersion: 'metal3.io/v1alpha1',
        kind: 'BareMetalHost',
        metadata: { name: 'node-0', resourceVersion: cur.metadata.resourceVersion },
        status: { provisioning: { state: 'available' } },
      },
    })) as { status: { provisioning: { state: string } }; spec: { online: boolean } };
    expect(st.spec.online).toBe(true);
    expect(st.status.provisioning.state).toBe('available');
  });

  it('registers a CRD posted at runtime and unregisters it on delete', async () => {
    const { custom } = clientsFor(h.kubeconfigYaml);
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 } } },
                },
              },
            },
          },
        ],
      },
    };
    await custom.createClusterCustomObject({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      plural: 'customresourcedefinitions',
      body: crd,
    });
    await custom.createNamespacedCustomObject({
      group: 'example.com',
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 2 } },
    });
    const bad = await custom
      .createNamespacedCustomObject({
        group: 'example.com',
        version: 'v1',
        namespace: 'default',
        plural: 'widgets',
        body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 0 } },
      })
      .catch((e: unknown) => e);
    expect(code(bad)).toBe(422);
    await custom.deleteClusterCustomObject({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      plural: 'customresourcedefinitions',
      name: 'widgets.example.com',
    });
    const gone = await custom
      .listNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'default', plural: 'widgets' })
      .catch((e: unknown) => e);
    expect(code(gone)).toBe(404);
  });

  it('serves metrics.k8s.io from the provider, with pod labels', async () => {
    const { kc, core } = clientsFor(h.kubeconfigYaml);
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'capi-controller', labels: { app: 'capi' } },
        spec: { containers: [{ name: 'manager', image: 'capi:1' }] },
      },
    });
    h.metrics.setPodMetrics('default', 'capi-controller', [
      { name: 'manager', cpuMillicores: 250, memoryBytes: 64 * 1024 * 1024 },
    ]);
    h.metrics.setNodeMetrics('kind-control-plane', 1500, 2 * 1024 * 1024 * 1024);
    const m = new Metrics(kc);
    const pods = await m.getPodMetrics('default');
    expect(pods.items).toHaveLength(1);
    expect((pods.items[0]!.metadata as { labels?: Record<string, string> }).labels).toEqual({ app: 'capi' });
    expect(pods.items[0]!.containers[0]).toEqual({ name: 'manager', usage: { cpu: '250000000n', memory: '65536Ki' } });
    const nodes = await m.getNodeMetrics();
    expect(nodes.items.map((n) => [n.metadata.name, n.usage.cpu, n.usage.memory])).toEqual([
      ['kind-control-plane', '1500000000n', '2097152Ki'],
    ]);
  });

  it('serves pods/log through client-node with tailLines', async () => {
    const { kc } = clientsFor(h.kubeconfigYaml);
    for (let i = 0; i < 4; i++) h.logs.append('default', 'capi-controller', 'manager', `I1125 throttling line ${i}`);
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    });
    await new Promise<void>((resolve, reject) => {
      sink.on('finish', resolve);
      new Log(kc).log('default', 'capi-controller', 'manager', sink, { tailLines: 2 }).catch(reject);
    });
    expect(text).toBe('I1125 throttling line 2\nI1125 throttling line 3\n');
  });

  it('injects faults: 429 with Retry-After, then recovers when cleared', async () => {
    const { core } = clientsFor(h.kubeconfigYaml);
    h.faults.set({ errorRate: 1, statuses: [429], paths: /\/configmaps/ });
    const err = await core.listNamespacedConfigMap({ namespace: 'default' }).catch((e: unknown) => e);
    expect(code(err)).toBe(429);
    expect((err as { headers: Record<string, string> }).headers['retry-after']).toBe('1');
    // Other paths are untouched.
    await core.listNamespace();
    h.faults.clear();
    await core.listNamespacedConfigMap({ namespace: 'default' });
  });

  it('drops watches after the configured delay', async () => {
    const { kc } = clientsFor(h.kubeconfigYaml);
    h.faults.set({ dropWatchesAfterMs: 200 });
    const ended = await new Promise<boolean>((resolve) => {
      void new Watch(kc).watch(
        '/api/v1/namespaces/default/configmaps',
        {},
        () => {},
        () => resolve(true),
      );
      setTimeout(() => resolve(false), 10_000);
    });
    h.faults.clear();
    expect(ended).toBe(true);
  });
});

describe('embedded API server with given TLS and client-certificate auth', () => {
  let h: ApiServerHandle;
  const ca = createLocalCa('workload-ca');
  const serving = issueLocalCert(ca, { commonName: 'kube-apiserver', usage: 'server' });
  const admin = issueLocalCert(ca, {
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
    usage: 'client',
  });
  const otherCa = createLocalCa('someone-else');
  const stranger = issueLocalCert(otherCa, { commonName: 'stranger', usage: 'client' });
  beforeAll(async () => {
    h = await startApiServer({
      name: 'workload-1',
      builtinCrds: false,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem, clientCaPem: ca.certPem },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const certKubeconfig = (cert: { certPem: string; keyPem: string }): string =>
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [
        {
          name: 'c',
          cluster: { server: h.url, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') },
        },
      ],
      users: [
        {
          name: 'u',
          user: {
            'client-certificate-data': Buffer.from(cert.certPem).toString('base64'),
            'client-key-data': Buffer.from(cert.keyPem).toString('base64'),
          },
        },
      ],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    });

  it('serves with the given certificate and accepts client certificates from the given CA', async () => {
    expect(h.caPem).toBe(ca.certPem);
    const { core } = clientsFor(certKubeconfig(admin));
    await core.createNamespacedConfigMap({
      namespace: 'kube-system',
      body: { metadata: { name: 'kubeadm-config' }, data: {} },
    });
    expect(
      (await core.readNamespacedConfigMap({ name: 'kubeadm-config', namespace: 'kube-system' })).metadata!.name,
    ).toBe('kubeadm-config');
  });

  it('rejects client certificates from another CA with 401', async () => {
    const { core } = clientsFor(certKubeconfig(stranger));
    const err = await core.listNamespace().catch((e: unknown) => e);
    expect(code(err)).toBe(401);
  });

  it('does not serve CAPI kinds when the built-in registry is off', async () => {
    const { custom } = clientsFor(h.kubeconfigYaml);
    const err = await custom
      .listNamespacedCustomObject({
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        namespace: 'default',
        plural: 'clusters',
      })
      .catch((e: unknown) => e);
    expect(code(err)).toBe(404);
  });
});
