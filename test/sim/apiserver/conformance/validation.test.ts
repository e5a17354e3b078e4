// Validation as kube-apiserver does it, against the embedded server or SCALE_TUI_TEST_KUBECONFIG:
// the CRDs' enums on /status (the BareMetalHost errorType a real v1.32 server refused from the
// emulated BMO), built-in metadata rules, and the CEL `x-kubernetes-validations` the CAPI CRDs in
// ../shared/crds carry (list uniqueness, exactly-one-of, matches()), plus a transition rule
// (oldSelf) on a CRD this suite installs. Error bodies are checked as the real Status is shaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, eventually, type Conn } from './helpers.js';
import { uniqueName } from '../../../support/test-cluster.js';

let c: Conn;
let ns: string;

beforeAll(async () => {
  c = await connect();
  ns = await c.namespace('validation');
}, 60_000);
afterAll(async () => {
  await c?.close();
});

interface Cause {
  reason: string;
  field?: string;
  message: string;
}
const causesOf = (body: Record<string, unknown>): Cause[] =>
  ((body.details as { causes?: Cause[] } | undefined)?.causes ?? []) as Cause[];

const KCFG = `/apis/bootstrap.cluster.x-k8s.io/v1beta2/namespaces`;

describe('validation (schemas, built-in rules, CEL)', () => {
  it('refuses an enum violation on /status: BareMetalHost status.errorType ""', async () => {
    const base = `/apis/metal3.io/v1alpha1/namespaces/${ns}/baremetalhosts`;
    const created = await c.raw(
      'POST',
      base,
      JSON.stringify({
        apiVersion: 'metal3.io/v1alpha1',
        kind: 'BareMetalHost',
        metadata: { name: 'h1' },
        spec: { online: true },
      }),
    );
    expect(created.status).toBe(201);
    const r = await c.raw(
      'PATCH',
      `${base}/h1/status`,
      JSON.stringify({
        status: {
          errorType: '',
          errorMessage: '',
          operationalStatus: 'OK',
          poweredOn: false,
          provisioning: { state: 'registering', ID: '' },
          hardwareProfile: '',
          errorCount: 0,
        },
      }),
      'application/merge-patch+json',
    );
    expect(r.status).toBe(422);
    const body = r.json();
    expect(body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422 });
    expect(body.details).toMatchObject({ name: 'h1', group: 'metal3.io', kind: 'BareMetalHost' });
    const cause = causesOf(body).find((x) => x.field === 'status.errorType');
    expect(cause).toEqual({
      reason: 'FieldValueNotSupported',
      field: 'status.errorType',
      message:
        'Unsupported value: "": supported values: "provisioned registration error", "registration error", "inspection error", "preparation error", "provisioning error", "power management error", "servicing error"',
    });
    expect(String(body.message)).toMatch(/^BareMetalHost\.metal3\.io "h1" is invalid: /);
    // The same status with a valid errorType is accepted: only the enum was wrong.
    const fine = await c.raw(
      'PATCH',
      `${base}/h1/status`,
      JSON.stringify({
        status: {
          errorType: 'registration error',
          errorMessage: '',
          operationalStatus: 'OK',
          poweredOn: false,
          provisioning: { state: 'registering', ID: '' },
          hardwareProfile: '',
          errorCount: 0,
        },
      }),
      'application/merge-patch+json',
    );
    expect(fine.status).toBe(200);
  });

  it('refuses a Node without a name: 422 metadata.name Required value', async () => {
    const r = await c.raw('POST', '/api/v1/nodes', JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: {} }));
    expect(r.status).toBe(422);
    const body = r.json();
    expect(body).toMatchObject({ reason: 'Invalid', code: 422, details: { kind: 'Node' } });
    expect(body.message).toBe('Node "" is invalid: metadata.name: Required value: name or generateName is required');
    expect(causesOf(body)).toEqual([
      {
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ]);
  });

  it('CEL: KubeadmConfig extraArgs names must be unique (CAPI v1beta2 rule)', async () => {
    const body = (args: Array<{ name: string; value: string }>, name: string): string =>
      JSON.stringify({
        apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
        kind: 'KubeadmConfig',
        metadata: { name },
        spec: { clusterConfiguration: { apiServer: { extraArgs: args } } },
      });
    const bad = await c.raw(
      'POST',
      `${KCFG}/${ns}/kubeadmconfigs`,
      body(
        [
          { name: 'v', value: '1' },
          { name: 'v', value: '2' },
        ],
        'dup',
      ),
    );
    expect(bad.status).toBe(422);
    expect(bad.json().message).toBe(
      'KubeadmConfig.bootstrap.cluster.x-k8s.io "dup" is invalid: spec.clusterConfiguration.apiServer.extraArgs: Invalid value: "array": extraArgs name must be unique',
    );
    expect(causesOf(bad.json())).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.clusterConfiguration.apiServer.extraArgs',
        message: 'Invalid value: "array": extraArgs name must be unique',
      },
    ]);
    const good = await c.raw(
      'POST',
      `${KCFG}/${ns}/kubeadmconfigs`,
      body(
        [
          { name: 'v', value: '1' },
          { name: 'w', value: '2' },
        ],
        'unique',
      ),
    );
    expect(good.status).toBe(201);
  });

  it('CEL: exactly one of layout/diskLayout per partition, and partitionType must match', async () => {
    const post = (partition: Record<string, unknown>, name: string) =>
      c.raw(
        'POST',
        `${KCFG}/${ns}/kubeadmconfigs`,
        JSON.stringify({
          apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
          kind: 'KubeadmConfig',
          metadata: { name },
          spec: { diskSetup: { partitions: [{ device: '/dev/sda', ...partition }] } },
        }),
      );
    const neither = await post({}, 'p0');
    expect(neither.status).toBe(422);
    expect(causesOf(neither.json())).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.diskSetup.partitions[0]',
        message: 'Invalid value: "object": exactly one of the fields in [layout diskLayout] must be set',
      },
    ]);
    const badType = await post({ diskLayout: [{ percentage: 100, partitionType: 'Ext4' }] }, 'p1');
    expect(badType.status).toBe(422);
    expect(causesOf(badType.json())).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.diskSetup.partitions[0].diskLayout[0].partitionType',
        message:
          'Invalid value: "string": partitionType must be one of Linux, LinuxSwap, LinuxRAID, LVM, Fat32, NTFS, LinuxExtended or a full GPT partition GUID',
      },
    ]);
    const ok = await post({ diskLayout: [{ percentage: 100, partitionType: 'LVM' }] }, 'p2');
    expect(ok.status).toBe(201);
  });

  it('CEL: MachineDrainRule machines entries must be unique (object equality)', async () => {
    const post = (machines: unknown[], name: string) =>
      c.raw(
        'POST',
        `/apis/cluster.x-k8s.io/v1beta2/namespaces/${ns}/machinedrainrules`,
        JSON.stringify({
          apiVersion: 'cluster.x-k8s.io/v1beta2',
          kind: 'MachineDrainRule',
          metadata: { name },
          spec: { drain: { behavior: 'Skip' }, machines },
        }),
      );
    const sel = (v: string) => ({ selector: { matchLabels: { role: v } } });
    const dup = await post([sel('a'), sel('a')], 'dup');
    expect(dup.status).toBe(422);
    expect(causesOf(dup.json())).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.machines',
        message: 'Invalid value: "array": entries in machines must be unique',
      },
    ]);
    expect((await post([sel('a'), sel('b')], 'distinct')).status).toBe(201);
  });

  it('skips CEL when the object already breaks a blocking schema rule, and says so', async () => {
    const r = await c.raw(
      'POST',
      `/apis/cluster.x-k8s.io/v1beta2/namespaces/${ns}/machinedrainrules`,
      JSON.stringify({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'MachineDrainRule',
        metadata: { name: 'blocked' },
        spec: { drain: { behavior: 'Sometimes' }, machines: [{ selector: {} }, { selector: {} }] },
      }),
    );
    expect(r.status).toBe(422);
    const causes = causesOf(r.json());
    expect(causes.map((x) => x.field)).toContain('spec.drain.behavior');
    expect(causes.some((x) => /entries in machines must be unique/.test(x.message))).toBe(false);
    expect(causes).toContainEqual({
      reason: 'FieldValueInvalid',
      field: '<nil>',
      message:
        'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    });
  });

  it('CEL transition rule (oldSelf) on a CRD of our own: checked on update only', async () => {
    const group = `${uniqueName('v').replace(/[^a-z0-9-]/g, '')}.scale-tui.test`;
    const crdName = `gauges.${group}`;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crdName },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'gauges', singular: 'gauge', kind: 'Gauge', listKind: 'GaugeList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      level: {
                        type: 'integer',
                        'x-kubernetes-validations': [
                          { rule: 'self >= oldSelf', message: 'level may not go down' },
                          { rule: 'self <= 10', messageExpression: "'level ' + string(self) + ' is over 10'" },
                        ],
                      },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    };
    const made = await c.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd));
    expect(made.status).toBe(201);
    try {
      const base = `/apis/${group}/v1/namespaces/${ns}/gauges`;
      const obj = (level: number) =>
        JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Gauge', metadata: { name: 'g' }, spec: { level } });
      // A real server serves the resource once the CRD is Established.
      await eventually(
        async () => ((await c.raw('GET', base)).status === 200 ? true : undefined),
        30_000,
        'gauges served',
      );
      const over = await c.raw('POST', base, obj(11));
      expect(over.status).toBe(422);
      expect(causesOf(over.json())).toEqual([
        { reason: 'FieldValueInvalid', field: 'spec.level', message: 'Invalid value: "integer": level 11 is over 10' },
      ]);
      // Creation has no oldSelf: the transition rule does not apply.
      expect((await c.raw('POST', base, obj(5))).status).toBe(201);
      const patch = (level: number) =>
        c.raw('PATCH', `${base}/g`, JSON.stringify({ spec: { level } }), 'application/merge-patch+json');
      expect((await patch(7)).status).toBe(200);
      const down = await patch(3);
      expect(down.status).toBe(422);
      expect(causesOf(down.json())).toEqual([
        {
          reason: 'FieldValueInvalid',
          field: 'spec.level',
          message: 'Invalid value: "integer": level may not go down',
        },
      ]);
    } finally {
      await c.raw('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`);
    }
  });
});
