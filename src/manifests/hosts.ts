// BareMetalHosts and their BMC Secrets (SEED-SCRIPTS §8.1). BMO in test mode never
// contacts the BMC, but MACs and BMC addresses must still be unique: they are derived
// from the host index instead of the seed's 24 random bits (which collide around a few
// thousand hosts by the birthday bound).
import { stringify } from 'yaml';
import type { Ownership } from './labels.js';
import { b64, meta } from './meta.js';
import type { KubeObject } from './types.js';

/** Hosts per MAC/BMC space: 24 bits of index under the 00:60:2F OUI the seed used. */
export const MAX_HOST_INDEX = 0xffffff;

export interface BmcCredentials {
  username: string;
  password: string;
}

export interface ProvisionedImage {
  url: string;
  checksum: string;
  checksumType?: 'md5' | 'sha256' | 'sha512' | 'auto';
  format?: 'raw' | 'qcow2' | 'vdi' | 'vmdk' | 'live-iso';
  /** userData Secret reference (the seed used worker-user-data in metal3). */
  userData?: { name: string; namespace?: string };
}

export interface HostParams {
  /** 1-based host index; determines name (unless given), MAC and BMC address. */
  index: number;
  name?: string;
  /** Omitted: no namespace in the objects (the seed's hosts YAML is applied with -n). */
  namespace?: string;
  credentials: BmcCredentials;
  /** "available" hosts stop at available for CAPM3; "provisioned" go straight to provisioned in test mode. */
  variant: 'available' | 'provisioned';
  image?: ProvisionedImage;
  ownership: Ownership;
}

function checkIndex(i: number): void {
  if (!Number.isInteger(i) || i < 1 || i > MAX_HOST_INDEX) {
    throw new RangeError(`host index must be an integer in 1..${MAX_HOST_INDEX}, got ${i}`);
  }
}

/** Deterministic, collision-free boot MAC: the 24 low bits are the index. Uppercase like the seed. */
export function bootMac(index: number): string {
  checkIndex(index);
  const hex = index.toString(16).toUpperCase().padStart(6, '0');
  return `00:60:2F:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

/** Deterministic BMC address in 10.0.0.0/8 (the seed's 192.168.122.<i> broke past 254 hosts). */
export function bmcAddress(index: number): string {
  checkIndex(index);
  return `libvirt://10.${(index >> 16) & 0xff}.${(index >> 8) & 0xff}.${index & 0xff}:6233/`;
}

export const hostName = (index: number): string => `worker-${index}`;
export const bmcSecretName = (host: string): string => `${host}-bmc-secret`;

/** The seed's provisioned-variant image (never fetched in test mode). */
export const DEFAULT_PROVISIONED_IMAGE: ProvisionedImage = {
  url: 'http://172.22.0.1/images/rhcos-ootpa-latest.qcow2',
  checksum: '97830b21ed272a3d854615beb54cf004',
  checksumType: 'md5',
  userData: { name: 'worker-user-data' },
};

/** [BMC Secret, BareMetalHost] for one host. */
export function hostObjects(p: HostParams): KubeObject[] {
  checkIndex(p.index);
  if (!p.credentials.username || !p.credentials.password) {
    throw new Error('BMC credentials need a non-empty username and password');
  }
  const name = p.name ?? hostName(p.index);
  const secretName = bmcSecretName(name);
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(secretName, p.namespace, p.ownership),
    type: 'Opaque',
    data: { username: b64(p.credentials.username), password: b64(p.credentials.password) },
  };
  const spec: Record<string, unknown> = {
    online: true,
    bootMACAddress: bootMac(p.index),
    bmc: { address: bmcAddress(p.index), credentialsName: secretName },
  };
  if (p.variant === 'provisioned') {
    const img = p.image ?? DEFAULT_PROVISIONED_IMAGE;
    spec.image = {
      url: img.url,
      checksum: img.checksum,
      ...(img.checksumType ? { checksumType: img.checksumType } : {}),
      ...(img.format ? { format: img.format } : {}),
    };
    if (img.userData) {
      const ns = img.userData.namespace ?? p.namespace;
      spec.userData = { name: img.userData.name, ...(ns ? { namespace: ns } : {}) };
    }
  }
  const bmh: KubeObject = {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'BareMetalHost',
    metadata: meta(name, p.namespace, p.ownership),
    spec,
  };
  return [secret, bmh];
}

export interface HostsParams extends Omit<HostParams, 'index' | 'name' | 'credentials'> {
  count: number;
  /** First index (default 1). */
  start?: number;
  /** Credentials per host index: the caller decides (random per host, or shared). */
  credentials: (index: number) => BmcCredentials;
}

export function hostsObjects(p: HostsParams): KubeObject[] {
  const start = p.start ?? 1;
  const out: KubeObject[] = [];
  for (let i = start; i < start + p.count; i++) {
    out.push(...hostObjects({ ...p, index: i, credentials: p.credentials(i) }));
  }
  return out;
}

/** A multi-document YAML stream, as produce-hosts.sh printed. */
export function hostsYaml(p: HostsParams): string {
  return toYamlStream(hostsObjects(p));
}

export function toYamlStream(objects: KubeObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}
