// The farm's state on disk: one file per cluster, so a restart (or a SIGKILL) serves every
// cluster again on the same port, with the same certificates and the same objects, which
// FKAS and CAPI's in-memory backend cannot (they keep everything in memory).
//
// Why one file per cluster: a write to one cluster rewrites ~30 kB, not the whole farm;
// each file is written to a temporary name and renamed over the old one, so a kill
// mid-write leaves the previous version, never a torn file. The files hold CA keys:
// mode 0600, the directory 0700.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertKeyPair } from '../../core/pki/index.js';
import type { ClusterFault } from './cluster-server.js';

export interface ClusterRecord {
  version: 1;
  cluster: string;
  namespace: string;
  port: number;
  createdAt: string;
  kubernetesVersion: string;
  ca: CertKeyPair;
  etcdCa: CertKeyPair;
  serving: CertKeyPair;
  admin: CertKeyPair;
  adminToken: string;
  fault: ClusterFault;
  /** Every object of the cluster's store as JSON (uid and resourceVersion kept). */
  objects: string[];
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

  save(r: ClusterRecord): void {
    const file = fileOf(this.clustersDir, r.namespace, r.cluster);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(r), { mode: 0o600 });
    renameSync(tmp, file);
  }

  remove(namespace: string, cluster: string): void {
    rmSync(fileOf(this.clustersDir, namespace, cluster), { force: true });
  }

  /** Every saved record; leftovers of an interrupted write (`*.tmp`) are removed. */
  loadAll(): { records: ClusterRecord[]; unreadable: string[] } {
    const records: ClusterRecord[] = [];
    const unreadable: string[] = [];
    for (const name of readdirSync(this.clustersDir)) {
      const path = join(this.clustersDir, name);
      if (name.endsWith('.tmp')) {
        rmSync(path, { force: true });
        continue;
      }
      if (!name.endsWith('.json')) continue;
      try {
        const r = JSON.parse(readFileSync(path, 'utf8')) as ClusterRecord;
        if (r.version !== 1 || !isDnsLabel(r.cluster) || !isDnsLabel(r.namespace) || !Number.isInteger(r.port))
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
