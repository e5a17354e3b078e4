import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  bmcAddress,
  bootMac,
  hostObjects,
  hostsObjects,
  hostsYaml,
  MAX_HOST_INDEX,
} from '../../src/manifests/hosts.js';
import type { KubeObject } from '../../src/manifests/types.js';
import { expectValid, RUN, violations } from './helpers.js';

const creds = (i: number) => ({ username: 'admin', password: `pw-${i}` });
const own = { runId: RUN };
const spec = (o: KubeObject) => o.spec as Record<string, any>;

describe('hosts', () => {
  it('available variant: Secret + BMH without image, valid against the BMH CRD', () => {
    const objs = hostObjects({
      index: 1,
      namespace: 'test-1',
      credentials: creds(1),
      variant: 'available',
      ownership: own,
    });
    expect(objs.map((o) => o.kind)).toEqual(['Secret', 'BareMetalHost']);
    expectValid(objs);
    const [secret, bmh] = objs as [KubeObject, KubeObject];
    expect(secret.metadata.name).toBe('worker-1-bmc-secret');
    expect(Buffer.from((secret.data as Record<string, string>).password!, 'base64').toString()).toBe('pw-1');
    expect(spec(bmh)).toEqual({
      online: true,
      bootMACAddress: '00:60:2F:00:00:01',
      bmc: { address: 'libvirt://10.0.0.1:6233/', credentialsName: 'worker-1-bmc-secret' },
    });
  });

  it('provisioned variant adds image and userData, also valid', () => {
    const objs = hostObjects({
      index: 300,
      namespace: 'metal3',
      credentials: creds(300),
      variant: 'provisioned',
      ownership: own,
    });
    expectValid(objs);
    const bmh = objs[1]!;
    expect(spec(bmh).image).toEqual({
      url: 'http://172.22.0.1/images/rhcos-ootpa-latest.qcow2',
      checksum: '97830b21ed272a3d854615beb54cf004',
      checksumType: 'md5',
    });
    expect(spec(bmh).userData).toEqual({ name: 'worker-user-data', namespace: 'metal3' });
    expect(spec(bmh).bmc.address).toBe('libvirt://10.0.1.44:6233/');
  });

  it('MACs and BMC addresses are unique across 10k hosts (and at the 24-bit edge)', () => {
    const objs = hostsObjects({ count: 10_000, credentials: creds, variant: 'available', ownership: own });
    const bmhs = objs.filter((o) => o.kind === 'BareMetalHost');
    expect(bmhs).toHaveLength(10_000);
    expect(new Set(bmhs.map((b) => spec(b).bootMACAddress)).size).toBe(10_000);
    expect(new Set(bmhs.map((b) => spec(b).bmc.address)).size).toBe(10_000);
    expect(new Set(bmhs.map((b) => b.metadata.name)).size).toBe(10_000);
    expect(bootMac(MAX_HOST_INDEX)).toBe('00:60:2F:FF:FF:FF');
    expect(bootMac(100_000)).not.toBe(bootMac(100_000 - 65_536));
    expect(() => bootMac(0)).toThrow(RangeError);
    expect(() => bmcAddress(MAX_HOST_INDEX + 1)).toThrow(RangeError);
  });

  it('needs caller credentials (no built-in password)', () => {
    expect(() =>
      hostObjects({ index: 1, credentials: { username: 'admin', password: '' }, variant: 'available', ownership: own }),
    ).toThrow(/password/);
  });

  it('hostsYaml prints 2N documents that parse back to the objects', () => {
    const text = hostsYaml({ count: 3, start: 5, credentials: creds, variant: 'available', ownership: own });
    const docs = parseAllDocuments(text).map((d) => d.toJSON() as KubeObject);
    expect(docs).toHaveLength(6);
    expect(docs).toEqual(
      hostsObjects({ count: 3, start: 5, credentials: creds, variant: 'available', ownership: own }),
    );
    expect(docs.filter((d) => d.kind === 'BareMetalHost').map((d) => d.metadata.name)).toEqual([
      'worker-5',
      'worker-6',
      'worker-7',
    ]);
    for (const d of docs) expect(d.metadata.namespace).toBeUndefined();
  });

  it('negative: a bad MAC and a bad bootMode fail the BMH schema', () => {
    const bmh = structuredClone(
      hostObjects({ index: 1, credentials: creds(1), variant: 'available', ownership: own })[1]!,
    );
    spec(bmh).bootMACAddress = '00-60-2F';
    spec(bmh).bootMode = 'BIOS';
    delete spec(bmh).bmc.credentialsName;
    expect(
      violations(bmh)
        .map((v) => [v.field, v.reason])
        .sort(),
    ).toEqual([
      ['spec.bmc.credentialsName', 'FieldValueRequired'],
      ['spec.bootMACAddress', 'FieldValueInvalid'],
      ['spec.bootMode', 'FieldValueNotSupported'],
    ]);
  });
});
