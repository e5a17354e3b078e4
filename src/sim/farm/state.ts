// The farm's state on disk: one file per cluster, so a restart (or a SIGKILL) serves every
// cluster again on the same port, with the same certificates and the same objects, which
// FKAS and CAPI's in-memory backend cannot (they keep everything in memory).
//
// Why one file per cluster: a write to one cluster rewrites ~30 kB, not the whole farm;
// each file is written to a temporary name and renamed over the old one, so a kill
// mid-write leaves the previous version, never a torn file. The files hold the listeners'
// private keys and the admin identity (never a CA key, see cluster-pki.ts): mode 0600, the
// directory 0700. A version-1 file (it held both CA keys) is read once more, so a farm
// upgraded in place serves its clusters again, and is rewritten without them at once.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertKeyPair } from '../../core/pki/index.js';
import type { ClusterFault } from './cluster-server.js';
import type { EtcdMembershipSnapshot } from '../etcd-grpc/membership.js';
import { etcdServingOf, type ClusterCerts } from './cluster-pki.js';

export interface ClusterRecord extends ClusterCerts {
  version: 2;
  cluster: string;
  namespace: string;
  port: number;
  createdAt: string;
  kubernetesVersion: string;
  adminToken: string;
  fault: ClusterFault;
  /** Every object of the cluster's store as JSON (uid and resourceVersion kept). */
  objects: string[];
  /** The stacked etcd's members, leader and removed names (absent in files of older farms). */
  etcd?: EtcdMembershipSnapshot;
}

/** A record as the first farms wrote it: both CA pairs, keys included, and no etcd serving pair. */
export interface ClusterRecordV1 extends Omit<ClusterRecord, 'version' | keyof ClusterCerts> {
  version: 1;
  ca: CertKeyPair;
  etcdCa: CertKeyPair;
  serving: CertKeyPair;
  admin: CertKeyPair;
}

/**
 * A record the first farms wrote, without its CA keys: the etcd member's certificate (those
 * farms issued it on first use) is issued from the etcd CA this last time.
 */
export function withoutCaKeys(old: ClusterRecordV1, altNames: string[]): ClusterRecord {
  const { ca, etcdCa, version: _v1, ...rest } = old;
  return {
    ...rest,
    version: 2,
    caCertPem: ca.certPem,
    etcdCaCertPem: etcdCa.certPem,
    etcdServing: etcdServingOf(old.cluster, etcdCa, altNames),
  };
}

/** Only the certificates of a bundle (a caller's object may carry more). */
export function pickCerts(c: ClusterCerts): ClusterCerts {
  return {
    caCertPem: c.caCertPem,
    etcdCaCertPem: c.etcdCaCertPem,
    serving: c.serving,
    etcdServing: c.etcdServing,
    admin: c.admin,
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isDnsLabel(s: string): boolean {
  return DNS_LABEL.test(s);
}

/** `_` never occurs in a Kubernetes name, so the file name is unambiguous and stays inside the dir. */
function fileOf(dir: string, namespace: string, cluster: string): string {
  if (!isDnsLabel(namespace) || !isDnsLabel(cluster)) throw new Error(`not a DNS label: ${namespace}/${cluster}`);
  return join(dir, `${namespace}_${cluster}.json`);
}

export class FarmStateDir {
  readonly clustersDir: string;

  constructor(readonly root: string) {
    this.clustersDir = join(root, 'clusters');
    mkdirSync(this.clustersDir, { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700);
    chmodSync(this.clustersDir, 0o700);
  }

  /** Writes the record (whole, or not at all); answers it. */
  save(r: ClusterRecord): ClusterRecord {
    const file = fileOf(this.clustersDir, r.namespace, r.cluster);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(r), { mode: 0o600 });
    renameSync(tmp, file);
    return r;
  }

  remove(namespace: string, cluster: string): void {
    rmSync(fileOf(this.clustersDir, namespace, cluster), { force: true });
  }

  /** Every saved record; leftovers of an interrupted write (`*.tmp`) are removed. */
  loadAll(): { records: Array<ClusterRecord | ClusterRecordV1>; unreadable: string[] } {
    const records: Array<ClusterRecord | ClusterRecordV1> = [];
    const unreadable: string[] = [];
    for (const name of readdirSync(this.clustersDir)) {
      const path = join(this.clustersDir, name);
      if (name.endsWith('.tmp')) {
        rmSync(path, { force: true });
        continue;
      }
      if (!name.endsWith('.json')) continue;
      try {
        const r = JSON.parse(readFileSync(path, 'utf8')) as ClusterRecord | ClusterRecordV1;
        if (
          (r.version !== 1 && r.version !== 2) ||
          !isDnsLabel(r.cluster) ||
          !isDnsLabel(r.namespace) ||
          !Number.isInteger(r.port)
        )
          throw new Error('not a farm cluster record');
        records.push(r);
      } catch (err) {
        unreadable.push(`${name}: ${(err as Error).message}`);
      }
    }
    return { records, unreadable };
  }

  /** A private file beside the clusters (the control API's token). */
  writePrivate(name: string, contents: string): string {
    const path = join(this.root, name);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, contents, { mode: 0o600 });
    renameSync(tmp, path);
    return path;
  }
}
