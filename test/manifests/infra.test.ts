// The fake-API-server side: etcd, per-cluster and shared kube-apiserver, namespaces.
import { describe, expect, it } from 'vitest';
import { apiserverObjects, etcdPrefix, sharedApiStack, sharedApiserverObjects } from '../../src/manifests/apiserver.js';
import { ETCD, ETCD_IMAGE, etcdClientUrl, etcdObjects, etcdSecrets } from '../../src/manifests/etcd.js';
import { COMPONENT_WORKLOAD_APISERVER, LABEL_CLUSTER, LABEL_COMPONENT } from '../../src/manifests/labels.js';
import { namespaceObject } from '../../src/manifests/namespace.js';
import type { KubeObject } from '../../src/manifests/types.js';
import { expectValid, RUN, violations } from './helpers.js';

const own = { runId: RUN };
const pem = (s: string) => `-----BEGIN ${s}-----\nAA==\n-----END ${s}-----\n`;
type Spec = Record<string, any>;
const podSpec = (o: KubeObject): Spec => (o.spec as Spec).template.spec;
const cmd = (o: KubeObject): string[] => podSpec(o).containers[0].command;
const flag = (o: KubeObject, name: string) =>
  cmd(o)
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3);

describe('etcd', () => {
  const objs = etcdObjects({ ownership: own });
  const sts = objs.find((o) => o.kind === 'StatefulSet')!;

  it('Services and a StatefulSet in etcd-system, valid core shapes', () => {
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/etcd-server',
      'Service/etcd',
      'StatefulSet/etcd',
    ]);
    expectValid(objs);
    for (const o of objs) expect(o.metadata.namespace).toBe('etcd-system');
    expect((objs[1]!.spec as Spec).clusterIP).toBe('None');
    expect((objs[1]!.spec as Spec).ports.map((p: { port: number }) => p.port)).toEqual([2379, 2380]);
    expect((objs[0]!.spec as Spec).ports).toMatchObject([{ port: 2379 }]);
  });

  it('keeps data on a PersistentVolumeClaim (the seed lost it on restart)', () => {
    const spec = sts.spec as Spec;
    expect(spec.volumeClaimTemplates[0]).toMatchObject({
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
    });
    expect(podSpec(sts).containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/etcd' });
    expect(flag(sts, 'data-dir')).toBe('/var/lib/etcd/data');
    const custom = etcdObjects({ ownership: own, storage: { size: '50Gi', storageClassName: 'fast' } })[2]!;
    expect((custom.spec as Spec).volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: 'fast',
      resources: { requests: { storage: '50Gi' } },
    });
  });

  it('TLS with client-cert auth, compaction as the seed, a current image', () => {
    expect(flag(sts, 'client-cert-auth')).toBe('true');
    expect(flag(sts, 'peer-client-cert-auth')).toBe('true');
    expect(flag(sts, 'auto-compaction-mode')).toBe('periodic');
    expect(flag(sts, 'auto-compaction-retention')).toBe('5m');
    expect(flag(sts, 'quota-backend-bytes')).toBe(String(8 * 1024 ** 3));
    expect(podSpec(sts).containers[0].image).toBe(ETCD_IMAGE);
    expect(ETCD_IMAGE).toMatch(/^registry\.k8s\.io\/etcd:3\.6\.\d+-0$/);
    const secretNames = podSpec(sts).volumes.map((v: { secret: { secretName: string } }) => v.secret.secretName);
    expect(secretNames.sort()).toEqual(['etcd-ca', 'etcd-peer', 'etcd-root-client', 'etcd-server']);
    // etcdctl in the pod (tenancy admin) uses exactly the paths the flags use.
    expect(flag(sts, 'trusted-ca-file')).toBe(ETCD.mount.ca);
    expect(flag(sts, 'cert-file')).toBe(ETCD.mount.cert);
    expect(flag(sts, 'key-file')).toBe(ETCD.mount.key);
    // ... and root's client certificate, so no password is needed on its command line.
    for (const path of [ETCD.mount.ca, ETCD.mount.cert, ETCD.mount.rootCert, ETCD.mount.rootKey]) {
      const dir = path.slice(0, path.lastIndexOf('/'));
      expect(podSpec(sts).containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain(dir);
    }
    expect(flag(sts, 'advertise-client-urls')).toContain(etcdClientUrl());
  });

  it('CA/server/peer Secrets from caller PEMs', () => {
    const s = etcdSecrets({
      caCert: pem('CA'),
      server: { cert: pem('S'), key: pem('SK') },
      peer: { cert: pem('P'), key: pem('PK') },
      rootPassword: 'generated',
      ownership: own,
    });
    expectValid(s);
    expect(s.map((o) => o.metadata.name)).toEqual(['etcd-ca', 'etcd-server', 'etcd-peer', 'etcd-root']);
    const data = (o: KubeObject, k: string) => Buffer.from((o.data as Record<string, string>)[k]!, 'base64').toString();
    expect(data(s[1]!, 'tls.key')).toBe(pem('SK'));
    expect(data(s[2]!, 'ca.crt')).toBe(pem('CA'));
    // Only the CA certificate reaches the cluster, never its key.
    expect(Object.keys(s[0]!.data as object)).toEqual(['ca.crt']);
    expect(data(s[3]!, 'password')).toBe('generated');
    expect(
      etcdSecrets({
        caCert: pem('CA'),
        server: { cert: 'a', key: 'b' },
        peer: { cert: 'c', key: 'd' },
        ownership: own,
      }),
    ).toHaveLength(3);
    const withRoot = etcdSecrets({
      caCert: pem('CA'),
      server: { cert: 'a', key: 'b' },
      peer: { cert: 'c', key: 'd' },
      rootClient: { cert: pem('R'), key: pem('RK') },
      ownership: own,
    });
    expectValid(withRoot);
    const rootClient = withRoot.find((o) => o.metadata.name === 'etcd-root-client')!;
    expect(rootClient.type).toBe('kubernetes.io/tls');
    expect(data(rootClient, 'tls.crt')).toBe(pem('R'));
    expect(data(rootClient, 'tls.key')).toBe(pem('RK'));
  });
});

describe('kube-apiserver', () => {
  const dedicated = apiserverObjects({
    cluster: 'test-12',
    namespace: 'test-12',
    kubernetesVersion: 'v1.34.1',
    etcdServers: [etcdClientUrl()],
    serviceType: 'ClusterIP',
    ownership: own,
  });
  const backing = apiserverObjects({
    cluster: 'test-101',
    namespace: 'test-101',
    kubernetesVersion: 'v1.34.1',
    etcdServers: ['https://etcd-server.etcd-system.svc.cluster.local:2379'],
    serviceType: 'NodePort',
    nodePort: 30101,
    ownership: own,
  });
  const shared = sharedApiserverObjects({
    namespace: 'metal3',
    cluster: 'test',
    kubernetesVersion: 'v1.34.1',
    serviceType: 'ClusterIP',
    ownership: own,
  });

  it('Service + Deployment for dedicated, backing and shared topologies, all valid', () => {
    for (const objs of [dedicated, backing, shared]) {
      expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        'Service/test-kube-apiserver',
        'Deployment/test-kube-apiserver',
      ]);
      expectValid(objs);
    }
    expect(backing[0]!.spec as Spec).toMatchObject({ type: 'NodePort', ports: [{ port: 6443, nodePort: 30101 }] });
    expect((dedicated[0]!.spec as Spec).type).toBe('ClusterIP');
  });

  it('carries the component and cluster labels the simulated kubelet selects on', () => {
    const d = dedicated[1]!;
    expect(d.metadata.labels).toMatchObject({
      [LABEL_COMPONENT]: COMPONENT_WORKLOAD_APISERVER,
      [LABEL_CLUSTER]: 'test-12',
    });
    expect((d.spec as Spec).template.metadata.labels).toMatchObject({
      [LABEL_COMPONENT]: COMPONENT_WORKLOAD_APISERVER,
      [LABEL_CLUSTER]: 'test-12',
    });
    const sel = (dedicated[0]!.spec as Spec).selector;
    for (const [k, v] of Object.entries(sel)) expect((d.spec as Spec).template.metadata.labels[k]).toBe(v);
  });

  it('etcd prefix with trailing slash matches the tenant role prefix and does not cover other tenants', () => {
    expect(etcdPrefix('test-1')).toBe('/test-1/');
    const p = flag(dedicated[1]!, 'etcd-prefix')!;
    expect(p).toBe(etcdPrefix('test-12'));
    // Every key kube-apiserver writes is prefix + resource path.
    expect(`${p}registry-like/pods/default/x`.startsWith(etcdPrefix('test-12'))).toBe(true);
    expect('/test-120/pods/x'.startsWith(etcdPrefix('test-12'))).toBe(false);
    expect(flag(shared[1]!, 'etcd-prefix')).toBe('/registry');
  });

  it('has the seed v2 memory-saving flags and mounts the pki Secrets', () => {
    const d = dedicated[1]!;
    for (const [k, v] of [
      ['etcd-compaction-interval', '0'],
      ['watch-cache', 'false'],
      ['enable-garbage-collector', 'false'],
      ['enable-priority-and-fairness', 'false'],
      ['profiling', 'false'],
      ['enable-admission-plugins', 'AlwaysAdmit'],
      ['etcd-servers', 'https://etcd-server.etcd-system.svc.cluster.local:2379'],
    ] as const) {
      expect([k, flag(d, k)]).toEqual([k, v]);
    }
    expect(flag(d, 'disable-admission-plugins')).toContain('ValidatingAdmissionPolicy');
    expect(podSpec(d).containers[0].image).toBe('registry.k8s.io/kube-apiserver:v1.34.1');
    expect(
      podSpec(d)
        .volumes.map((v: { secret: { secretName: string } }) => v.secret.secretName)
        .sort(),
    ).toEqual(['apiserver', 'test-12-apiserver-etcd-client', 'test-12-ca', 'test-12-etcd', 'test-12-sa'].sort());
    const old = apiserverObjects({
      cluster: 'c',
      namespace: 'c',
      kubernetesVersion: 'v1.25.3',
      etcdServers: ['https://e:2379'],
      serviceType: 'ClusterIP',
      ownership: own,
    });
    expect(flag(old[1]!, 'disable-admission-plugins')).not.toContain('ValidatingAdmissionPolicy');
  });

  it('shared stack: etcd and the one API server in one namespace, the server pointing at that etcd', () => {
    const objs = sharedApiStack({
      namespace: 'metal3',
      cluster: 'test',
      kubernetesVersion: 'v1.34.1',
      serviceType: 'ClusterIP',
      ownership: own,
    });
    expectValid(objs);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/etcd-server',
      'Service/etcd',
      'StatefulSet/etcd',
      'Service/test-kube-apiserver',
      'Deployment/test-kube-apiserver',
    ]);
    for (const o of objs) expect(o.metadata.namespace).toBe('metal3');
    expect(flag(objs[4]!, 'etcd-servers')).toBe(etcdClientUrl('metal3'));
  });

  it('rejects a nodePort outside the NodePort range', () => {
    expect(() =>
      apiserverObjects({
        cluster: 'c',
        namespace: 'c',
        kubernetesVersion: 'v1.34.1',
        etcdServers: [],
        serviceType: 'NodePort',
        nodePort: 80,
        ownership: own,
      }),
    ).toThrow(RangeError);
  });

  it('negative: the Deployment shape catches mistakes', () => {
    const d = structuredClone(dedicated[1]!) as KubeObject & { spec: Spec };
    d.spec.strategy.type = 'BlueGreen';
    d.spec.template.spec.containers[0].volumeMount = [];
    delete d.spec.selector;
    expect(
      violations(d)
        .map((v) => [v.field, v.reason])
        .sort(),
    ).toEqual([
      ['spec.selector', 'FieldValueRequired'],
      ['spec.strategy.type', 'FieldValueNotSupported'],
      ['spec.template.spec.containers[0].volumeMount', 'FieldValueUnknown'],
    ]);
  });
});

describe('namespace', () => {
  it('is labelled for ownership and cluster', () => {
    const ns = namespaceObject('test-5', { runId: RUN, cluster: 'test-5' });
    expectValid([ns]);
    expect(ns.metadata.labels?.[LABEL_CLUSTER]).toBe('test-5');
  });
});
