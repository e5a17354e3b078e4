// CAPM3's rendered metadata (v1.13.2 baremetal/metal3datatemplate_manager.go and
// metal3data_manager.go). The Metal3DataTemplate side answers each Metal3DataClaim with a
// Metal3Data <template>-<index>: controller-owned by the template and also owned by the
// claim and by the Metal3Machine, created with the claim finalizer, and the claim gets its
// own finalizer and status.renderedData. The Metal3Data side adds its finalizer, and once
// the Metal3Machine has a host renders two Secrets, <m3m>-metadata (key metaData) and
// <m3m>-networkdata (key networkData), owned by the Metal3Data, names them in its spec,
// then reports ready.
// Deleting a claim deletes its Metal3Data; deleting a Metal3Data deletes its Secrets.
import type { ReconcilerDef } from './runtime.js';
import { R, collectionPath, objectPath } from './resources.js';
import {
  addFinalizer,
  field,
  isDeleting,
  ownedBy,
  ownerRef,
  patchStatus,
  removeFinalizer,
  type Obj,
  cachedPrimary,
  keysWhere,
  deleteOnce,
} from './helpers.js';
import { HOST_ANNOTATION } from './capm3.js';

export const DATA_FINALIZER = 'metal3data.infrastructure.cluster.x-k8s.io';
export const DATA_CLAIM_FINALIZER = 'metal3dataclaim.infrastructure.cluster.x-k8s.io';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const plainOwner = (o: Obj) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid ?? '',
});

export const metal3DataTemplateReconciler: ReconcilerDef = {
  name: 'metal3datatemplate',
  concurrencyFlag: 'metal3datatemplate-concurrency',
  primary: R.metal3DataClaim,
  watches: [
    // Upstream reconciles the template; here each claim is the unit of work, so template and
    // Metal3Data events map back to the claims they concern.
    {
      resource: R.metal3DataTemplate,
      map: (o, cache) =>
        keysWhere(
          cache(R.metal3DataClaim),
          o.metadata.namespace,
          (c) => field<string>(c, 'spec', 'template', 'name') === o.metadata.name,
        ),
    },
    {
      resource: R.metal3Data,
      map: (o) => {
        const claim = field<string>(o, 'spec', 'claim', 'name');
        return claim ? [`${o.metadata.namespace}/${claim}`] : [];
      },
    },
  ],
  async reconcile(ctx, key) {
    const { namespace, name, obj: claim } = cachedPrimary(ctx, R.metal3DataClaim, key);
    if (!claim) return;
    const templateName = field<string>(claim, 'spec', 'template', 'name') ?? '';
    const datas = ctx.cache(R.metal3Data).list(namespace) as Obj[];
    const mine = datas.find((d) => field<string>(d, 'spec', 'claim', 'name') === name);
    if (isDeleting(claim)) {
      if (mine) {
        await removeFinalizer(ctx.client, R.metal3Data, mine, DATA_CLAIM_FINALIZER);
        await deleteOnce(ctx.client, R.metal3Data, mine);
        return; // the Metal3Data's deletion event brings the claim back
      }
      await removeFinalizer(ctx.client, R.metal3DataClaim, claim, DATA_CLAIM_FINALIZER);
      return;
    }
    if (await addFinalizer(ctx.client, R.metal3DataClaim, claim, DATA_CLAIM_FINALIZER)) return;
    if (field(claim, 'status', 'renderedData')) return;
    const template = ctx.cache(R.metal3DataTemplate).get(namespace, templateName) as Obj | undefined;
    if (!template) return { requeueAfterMs: 10 };
    const m3mName = ownedBy(claim, 'Metal3Machine');
    const m3m = m3mName ? (ctx.cache(R.metal3Machine).get(namespace, m3mName) as Obj | undefined) : undefined;
    if (!m3m) return;
    let dataName = mine?.metadata.name;
    if (!dataName) {
      const taken = new Set(datas.map((d) => field<number>(d, 'spec', 'index')));
      let index = 0;
      while (taken.has(index)) index++;
      dataName = `${templateName}-${index}`;
      const created = await ctx.client.create(collectionPath(R.metal3Data, namespace), {
        apiVersion: R.metal3Data.apiVersion,
        kind: 'Metal3Data',
        metadata: {
          name: dataName,
          namespace,
          labels: claim.metadata.labels,
          finalizers: [DATA_CLAIM_FINALIZER],
          ownerReferences: [ownerRef(template, true), plainOwner(claim), plainOwner(m3m)],
        },
        spec: { index, template: { name: templateName, namespace }, claim: { name, namespace } },
      });
      if (!created) return { requeueAfterMs: 10 }; // index raced with another claim
    }
    await patchStatus(ctx.client, R.metal3DataClaim, claim, { renderedData: { name: dataName, namespace } });
    return;
  },
};

export const metal3DataReconciler: ReconcilerDef = {
  name: 'metal3data',
  concurrencyFlag: 'metal3data-concurrency',
  primary: R.metal3Data,
  watches: [
    {
      resource: R.metal3Machine,
      map: (o, cache) =>
        keysWhere(cache(R.metal3Data), o.metadata.namespace, (d) => ownedBy(d, 'Metal3Machine') === o.metadata.name),
    },
  ],
  async reconcile(ctx, key) {
    const { namespace, name, obj: data } = cachedPrimary(ctx, R.metal3Data, key);
    if (!data) return;
    const m3mName = ownedBy(data, 'Metal3Machine') ?? '';
    const secrets = [`${m3mName}-metadata`, `${m3mName}-networkdata`];
    if (isDeleting(data)) {
      for (const s of secrets) await ctx.client.delete(objectPath(R.secret, s, namespace));
      await removeFinalizer(ctx.client, R.metal3Data, data, DATA_FINALIZER);
      return;
    }
    if (await addFinalizer(ctx.client, R.metal3Data, data, DATA_FINALIZER)) return;
    if (field<boolean>(data, 'status', 'ready') === true) return;
    const m3m = ctx.cache(R.metal3Machine).get(namespace, m3mName) as Obj | undefined;
    const host = m3m?.metadata.annotations?.[HOST_ANNOTATION]?.split('/')[1];
    if (!host) return; // rendering needs the host; the Metal3Machine watch brings it back
    const cluster = data.metadata.labels?.[CLUSTER_NAME_LABEL] ?? '';
    const content: Record<string, string> = {
      metaData: `local-hostname: ${host}\nuuid: ${m3m?.metadata.uid ?? ''}\nmetal3-name: ${host}\nmetal3-namespace: ${namespace}\n`,
      networkData: '{"links":[],"networks":[],"services":[]}\n',
    };
    for (const [i, secretName] of secrets.entries()) {
      const k = i === 0 ? 'metaData' : 'networkData';
      await ctx.client.create(collectionPath(R.secret, namespace), {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'infrastructure.cluster.x-k8s.io/secret',
        metadata: {
          name: secretName,
          namespace,
          labels: { [CLUSTER_NAME_LABEL]: cluster },
          ownerReferences: [plainOwner(data)],
        },
        data: { [k]: b64(content[k] ?? '') },
      });
    }
    if (!field(data, 'spec', 'metaData'))
      await ctx.client.mergePatch(objectPath(R.metal3Data, name, namespace), {
        spec: { metaData: { name: secrets[0], namespace }, networkData: { name: secrets[1], namespace } },
      });
    await patchStatus(ctx.client, R.metal3Data, data, { ready: true });
    return;
  },
};
