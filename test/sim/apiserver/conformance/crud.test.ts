// Object semantics through @kubernetes/client-node: the calls controllers and the engine make.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { connect, code, eventually, statusBody, type Conn } from './helpers.js';

let c: Conn;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('crud');
});
afterAll(async () => {
  await c?.close();
});

const cm = (
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = { a: '1' },
): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

describe('create / read / update', () => {
  it('assigns uid, creationTimestamp and a resourceVersion, and reads it back', async () => {
    const created = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('one') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    const got = await c.core.readNamespacedConfigMap({ name: 'one', namespace: ns });
    expect(got.data).toEqual({ a: '1' });
    expect(got.metadata?.uid).toBe(created.metadata?.uid);
  });

  it('answers a duplicate create with 409 AlreadyExists as a Status', async () => {
    await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('dup') });
    const err = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('dup') }).catch((e: unknown) => e);
    expect(code(err)).toBe(409);
    const s = statusBody(err);
    expect(s).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'AlreadyExists',
      code: 409,
      details: { name: 'dup', kind: 'configmaps' },
    });
  });

  it('answers a missing object with 404 NotFound as a Status', async () => {
    const err = await c.core.readNamespacedConfigMap({ name: 'nope', namespace: ns }).catch((e: unknown) => e);
    expect(code(err)).toBe(404);
    expect(statusBody(err)).toMatchObject({
      reason: 'NotFound',
      message: 'configmaps "nope" not found',
      details: { name: 'nope', kind: 'configmaps' },
    });
  });

  it('rejects an update with a stale resourceVersion with 409 Conflict', async () => {
    const created = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('occ') });
    const first = { ...created, data: { a: '2' } };
    const updated = await c.core.replaceNamespacedConfigMap({ name: 'occ', namespace: ns, body: first });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const stale = { ...created, data: { a: '3' } };
    const err = await c.core
      .replaceNamespacedConfigMap({ name: 'occ', namespace: ns, body: stale })
      .catch((e: unknown) => e);
    expect(code(err)).toBe(409);
    expect(statusBody(err).reason).toBe('Conflict');
  });

  it('bumps generation on spec changes only (status subresource)', async () => {
    const body = {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: 'gen', namespace: ns },
      spec: { clusterNetwork: { pods: { cidrBlocks: ['10.0.0.0/16'] } } },
    };
    const created = (await c.custom.createNamespacedCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: ns,
      plural: 'clusters',
      body,
    })) as { metadata: { generation: number; resourceVersion: string } };
    expect(created.metadata.generation).toBe(1);
    const labelled = (await c.objects.patch(
      {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'gen', namespace: ns, labels: { x: 'y' } },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    )) as unknown as { metadata: { generation: number } };
    expect(labelled.metadata.generation).toBe(1);
    const status = (await c.custom.patchNamespacedCustomObjectStatus(
      {
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        namespace: ns,
        plural: 'clusters',
        name: 'gen',
        body: { status: { phase: 'Provisioning' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { metadata: { generation: number }; status: { phase: string } };
    expect(status.status.phase).toBe('Provisioning');
    expect(status.metadata.generation).toBe(1);
    const spec = (await c.custom.patchNamespacedCustomObject(
      {
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        namespace: ns,
        plural: 'clusters',
        name: 'gen',
        body: { spec: { paused: true } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { metadata: { generation: number }; spec: { paused: boolean }; status: { phase: string } };
    expect(spec.metadata.generation).toBe(2);
    expect(spec.spec.paused).toBe(true);
    // A main-resource write does not touch status.
    const ignored = (await c.custom.patchNamespacedCustomObject(
      {
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        namespace: ns,
        plural: 'clusters',
        name: 'gen',
        body: { status: { phase: 'Deleted' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { status: { phase: string } };
    expect(ignored.status.phase).toBe('Provisioning');
  });

  it('rejects a custom resource that violates its schema with 422 Invalid and causes', async () => {
    const body = {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: { name: 'bad', namespace: ns },
      spec: { paused: 'yes' },
    };
    const err = await c.custom
      .createNamespacedCustomObject({
        group: 'cluster.x-k8s.io',
        version: 'v1beta2',
        namespace: ns,
        plural: 'clusters',
        body,
      })
      .catch((e: unknown) => e);
    expect(code(err)).toBe(422);
    const s = statusBody(err) as { reason: string; details: { causes: Array<{ field: string; reason: string }> } };
    expect(s.reason).toBe('Invalid');
    expect(s.details.causes.some((x) => x.field === 'spec.paused' && x.reason === 'FieldValueTypeInvalid')).toBe(true);
  });
});

describe('list', () => {
  beforeAll(async () => {
    for (let i = 0; i < 7; i++) {
      await c.core.createNamespacedConfigMap({
        namespace: ns,
        body: cm(`sel-${i}`, {
          tier: i % 2 === 0 ? 'even' : 'odd',
          idx: String(i),
          ...(i === 3 ? { special: 'yes' } : {}),
        }),
      });
    }
  });

  const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> =>
    (await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector, fieldSelector })).items
      .map((i) => i.metadata!.name!)
      .filter((n) => n.startsWith('sel-'))
      .sort();

  it('filters with label selectors: =, !=, in, notin, exists, !exists', async () => {
    expect(await names('tier=even')).toEqual(['sel-0', 'sel-2', 'sel-4', 'sel-6']);
    expect(await names('tier!=even')).toEqual(['sel-1', 'sel-3', 'sel-5']);
    expect(await names('idx in (1,2)')).toEqual(['sel-1', 'sel-2']);
    expect(await names('tier=odd,idx notin (1,5)')).toEqual(['sel-3']);
    expect(await names('special')).toEqual(['sel-3']);
    expect(await names('tier,!special')).toEqual(['sel-0', 'sel-1', 'sel-2', 'sel-4', 'sel-5', 'sel-6']);
  });

  it('filters with field selectors', async () => {
    expect(await names(undefined, 'metadata.name=sel-4')).toEqual(['sel-4']);
    const all = await names(undefined, 'metadata.name!=sel-4');
    expect(all).toHaveLength(6);
  });

  it('pages with limit and continue', async () => {
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await c.core.listNamespacedConfigMap({
        namespace: ns,
        labelSelector: 'tier',
        limit: 3,
        _continue: cont,
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.metadata!.name!));
      cont = page.metadata?._continue || undefined;
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['sel-0', 'sel-1', 'sel-2', 'sel-3', 'sel-4', 'sel-5', 'sel-6']);
  });

  it('lists across namespaces', async () => {
    const all = await c.core.listConfigMapForAllNamespaces({ labelSelector: 'special=yes' });
    expect(all.items.map((i) => `${i.metadata!.namespace}/${i.metadata!.name}`)).toEqual([`${ns}/sel-3`]);
  });
});

describe('patch', () => {
  it('applies JSON patch, merge patch and strategic merge patch', async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                {
                  name: 'a',
                  image: 'a:1',
                  args: ['--x', '--y'],
                  env: [
                    { name: 'E1', value: '1' },
                    { name: 'E2', value: '2' },
                  ],
                  ports: [{ containerPort: 80 }],
                },
                { name: 'b', image: 'b:1' },
              ],
            },
          },
        },
      },
    });
    const smp = await c.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'a',
                    image: 'a:2',
                    args: ['--z'],
                    env: [
                      { name: 'E2', value: 'two' },
                      { name: 'E3', value: '3' },
                    ],
                    ports: [{ containerPort: 443 }],
                  },
                ],
              },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const [a, b] = smp.spec!.template.spec!.containers;
    expect(a).toMatchObject({ name: 'a', image: 'a:2', args: ['--z'] });
    expect(a!.env).toEqual([
      { name: 'E1', value: '1' },
      { name: 'E2', value: 'two' },
      { name: 'E3', value: '3' },
    ]);
    // kube-apiserver v1.32 answers [443, 80]: a patch item goes before a server-only one.
    expect(a!.ports!.map((p) => p.containerPort)).toEqual([443, 80]);
    expect(b).toMatchObject({ name: 'b', image: 'b:1' });
    expect(smp.metadata!.generation).toBe(2);

    const merged = await c.apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { metadata: { labels: { merged: 'yes' } }, spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.spec!.replicas).toBe(3);
    expect(merged.metadata!.labels).toEqual({ merged: 'yes' });

    const jp = await c.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: [
          { op: 'test', path: '/spec/replicas', value: 3 },
          { op: 'replace', path: '/spec/replicas', value: 2 },
          { op: 'add', path: '/metadata/annotations', value: { note: 'json' } },
          { op: 'remove', path: '/spec/template/spec/containers/1' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jp.spec!.replicas).toBe(2);
    expect(jp.metadata!.annotations).toEqual({ note: 'json' });
    expect(jp.spec!.template.spec!.containers.map((x) => x.name)).toEqual(['a']);
  });

  it('applies server-side apply patches (create, then update)', async () => {
    const applied = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'ssa', namespace: ns, labels: { owner: 'ssa' } },
      data: { k: 'v1' },
    };
    const first = (await c.objects.patch(
      applied,
      undefined,
      undefined,
      'conformance',
      true,
      PatchStrategy.ServerSideApply,
    )) as V1ConfigMap;
    expect(first.data).toEqual({ k: 'v1' });
    const second = (await c.objects.patch(
      { ...applied, data: { k: 'v2', k2: 'x' } },
      undefined,
      undefined,
      'conformance',
      true,
      PatchStrategy.ServerSideApply,
    )) as V1ConfigMap;
    expect(second.data).toEqual({ k: 'v2', k2: 'x' });
    expect(second.metadata!.uid).toBe(first.metadata!.uid);
  });

  it('rejects strategic merge patch on a custom resource with 415', async () => {
    await c.custom.createNamespacedCustomObject({
      group: 'cluster.x-k8s.io',
      version: 'v1beta2',
      namespace: ns,
      plural: 'clusters',
      body: {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        metadata: { name: 'smp' },
        spec: { paused: false },
      },
    });
    const res = await c.raw(
      'PATCH',
      `/apis/cluster.x-k8s.io/v1beta2/namespaces/${ns}/clusters/smp`,
      '{"spec":{"paused":true}}',
      'application/strategic-merge-patch+json',
    );
    expect(res.status).toBe(415);
    expect(res.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
  });
});

describe('deletion', () => {
  it('holds an object with finalizers (deletionTimestamp) until they are removed', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'fin', finalizers: ['example.com/hold'] }, data: {} },
    });
    await c.core.deleteNamespacedConfigMap({ name: 'fin', namespace: ns });
    const held = await c.core.readNamespacedConfigMap({ name: 'fin', namespace: ns });
    expect(held.metadata!.deletionTimestamp).toBeInstanceOf(Date);
    expect(held.metadata!.finalizers).toEqual(['example.com/hold']);
    await c.core.patchNamespacedConfigMap(
      { name: 'fin', namespace: ns, body: [{ op: 'remove', path: '/metadata/finalizers' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const err = await c.core.readNamespacedConfigMap({ name: 'fin', namespace: ns }).catch((e: unknown) => e);
    expect(code(err)).toBe(404);
  });

  it('collects dependents when their owner goes (background propagation)', async () => {
    const owner = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('owner') });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
    await c.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'dependent', ownerReferences: [ref] }, stringData: { x: 'y' } },
    });
    await c.core.deleteNamespacedConfigMap({ name: 'owner', namespace: ns, propagationPolicy: 'Background' });
    await eventually(
      async () => {
        const err = await c.core.readNamespacedSecret({ name: 'dependent', namespace: ns }).then(
          () => undefined,
          (e: unknown) => e,
        );
        return err !== undefined && code(err) === 404 ? true : undefined;
      },
      30_000,
      'the dependent Secret to be garbage-collected',
    );
  });

  it('deletes dependents first with foreground propagation', async () => {
    const owner = await c.core.createNamespacedConfigMap({ namespace: ns, body: cm('fg-owner') });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'fg-owner',
      uid: owner.metadata!.uid!,
      blockOwnerDeletion: true,
    };
    await c.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'fg-dep', ownerReferences: [ref] }, data: {} },
    });
    await c.core.deleteNamespacedConfigMap({ name: 'fg-owner', namespace: ns, propagationPolicy: 'Foreground' });
    await eventually(
      async () => {
        const list = await c.core.listNamespacedConfigMap({ namespace: ns });
        const left = list.items.map((i) => i.metadata!.name).filter((n) => n === 'fg-owner' || n === 'fg-dep');
        return left.length === 0 ? true : undefined;
      },
      30_000,
      'owner and dependent to be gone',
    );
  });

  it('cascades a namespace deletion and then removes the namespace', async () => {
    const doomed = await c.namespace('doomed');
    await c.core.createNamespacedConfigMap({ namespace: doomed, body: cm('x') });
    await c.core.createNamespacedConfigMap({
      namespace: doomed,
      body: { metadata: { name: 'held', finalizers: ['example.com/hold'] }, data: {} },
    });
    await c.core.deleteNamespace({ name: doomed });
    const terminating = await c.core.readNamespace({ name: doomed });
    expect(terminating.status?.phase).toBe('Terminating');
    const err = await c.core
      .createNamespacedConfigMap({ namespace: doomed, body: cm('late') })
      .catch((e: unknown) => e);
    expect(code(err)).toBe(403);
    await eventually(
      async () => {
        const l = await c.core.listNamespacedConfigMap({ namespace: doomed });
        const names = l.items.map((i) => i.metadata!.name);
        return names.includes('x') ? undefined : names;
      },
      60_000,
      'the namespace contents to be deleted',
    );
    const held = await c.core.readNamespacedConfigMap({ name: 'held', namespace: doomed });
    expect(held.metadata!.deletionTimestamp).toBeInstanceOf(Date);
    await c.core.patchNamespacedConfigMap(
      { name: 'held', namespace: doomed, body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(
      async () => {
        const e = await c.core.readNamespace({ name: doomed }).then(
          () => undefined,
          (x: unknown) => x,
        );
        return e !== undefined && code(e) === 404 ? true : undefined;
      },
      60_000,
      'the namespace to go away',
    );
  });
});
