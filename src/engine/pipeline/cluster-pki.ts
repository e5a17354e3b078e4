// The certificate material the pipeline needs (SEED §5.2/§5.3, fixed per §15.17/§15.19),
// minted with src/engine/pki. Experiment-wide: one Kubernetes CA kept in the state dir, and
// the etcd CA of the multi-tenant etcd (backing/etcd-pki.ts) — the same CA the etcd pods
// trust, so each apiserver's etcd client cert authenticates as its tenant. Per cluster: an
// etcd client cert (CN = tenant), a serving cert whose SANs include the host CAPI really
// dials, a service-account key pair and an admin client cert. Everything minted is
// persisted (0600), so a resumed run re-creates identical Secrets.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { loadOrCreateEtcdPki } from '../backing/etcd-pki.js';
import { UserError } from '../../core/errors.js';
import {
  createCA,
  createServiceAccountKeyPair,
  expiryOf,
  issueCert,
  renderKubeconfig as renderPkiKubeconfig,
  writePrivateFile,
  type CertKeyPair,
} from '../../core/pki/index.js';

export interface PemPair {
  cert: string;
  key: string;
}

export interface ClusterMaterial {
  ca: PemPair;
  etcdCa: { cert: string };
  apiserverEtcdClient: PemPair;
  apiserver: PemPair;
  serviceAccount: { publicKey: string; privateKey: string };
  admin: PemPair;
  /** RFC 3339 notAfter of the serving cert. */
  servingNotAfter: string;
}

interface Experiment {
  ca: PemPair;
  etcdCa: PemPair;
}

const toPair = (p: CertKeyPair): PemPair => ({ cert: p.certPem, key: p.keyPem });
const fromPair = (p: PemPair): CertKeyPair => ({ certPem: p.cert, keyPem: p.key });

/** DNS names and IPs the per-cluster kube-apiserver answers to; `endpointHost` is what CAPI dials. */
export function servingNames(endpointHost: string, namespace: string): { dnsNames: string[]; ipAddresses: string[] } {
  const all = [
    endpointHost,
    'localhost',
    '127.0.0.1',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    `test-kube-apiserver.${namespace}.svc`,
    `test-kube-apiserver.${namespace}.svc.cluster.local`,
    // First address of the default service CIDR: in-cluster clients dial kubernetes.default by it.
    '10.96.0.1',
  ];
  const unique = [...new Set(all.map((h) => h.replace(/^\[|\]$/g, '')))];
  return { dnsNames: unique.filter((h) => isIP(h) === 0), ipAddresses: unique.filter((h) => isIP(h) !== 0) };
}

export class ClusterPkiStore {
  private experiment?: Experiment;
  private clusters = new Map<string, ClusterMaterial>();
  private readonly dir: string;

  constructor(private readonly stateDir: string) {
    this.dir = join(stateDir, 'pki');
  }

  private loadOrCreate<T>(file: string, make: () => T): T {
    const path = join(this.dir, file);
    if (existsSync(path)) {
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as T;
      } catch (err) {
        throw new UserError(
          `${path} is not readable certificate material (${(err as Error).message})`,
          `Restore it from a backup; if its cluster is gone, delete the file and it is minted again.`,
        );
      }
    }
    const value = make();
    writePrivateFile(path, JSON.stringify(value));
    return value;
  }

  experimentCas(): Experiment {
    if (!this.experiment) {
      // experiment.json may also hold an etcdCa from older runs: it is ignored, because the
      // etcd pods only trust the etcd PKI's CA.
      const { ca } = this.loadOrCreate<{ ca: PemPair }>('experiment.json', () => ({
        ca: toPair(createCA('kubernetes')),
      }));
      this.experiment = { ca, etcdCa: loadOrCreateEtcdPki(this.stateDir).ca };
    }
    return this.experiment;
  }

  /** Removes a deleted cluster's key material: keys of clusters that are gone must not linger. */
  forget(cluster: string): void {
    this.clusters.delete(cluster);
    rmSync(join(this.dir, `cluster-${cluster}.json`), { force: true });
  }

  /** Material for one cluster; `endpointHost` is what CAPI dials, so it is a SAN. */
  async cluster(cluster: string, namespace: string, endpointHost: string): Promise<ClusterMaterial> {
    let m = this.clusters.get(cluster);
    if (!m) {
      m = this.loadOrCreate<ClusterMaterial>(`cluster-${cluster}.json`, () => {
        const exp = this.experimentCas();
        const ca = fromPair(exp.ca);
        const serving = issueCert(ca, {
          commonName: 'kube-apiserver',
          usage: 'server',
          ...servingNames(endpointHost, namespace),
        });
        const etcdClient = issueCert(fromPair(exp.etcdCa), { commonName: cluster, usage: 'client' });
        const admin = issueCert(ca, {
          commonName: 'kubernetes-admin',
          organizations: ['system:masters'],
          usage: 'client',
        });
        const sa = createServiceAccountKeyPair();
        return {
          ca: exp.ca,
          etcdCa: { cert: exp.etcdCa.cert },
          apiserverEtcdClient: toPair(etcdClient),
          apiserver: toPair(serving),
          serviceAccount: { publicKey: sa.publicKeyPem, privateKey: sa.privateKeyPem },
          admin: toPair(admin),
          servingNotAfter: expiryOf(serving.certPem)
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
        };
      });
      this.clusters.set(cluster, m);
    }
    return m;
  }
}

/** The engine's admin kubeconfig for one workload API (user `<name>-admin`, as kubeadm names it). */
export function renderKubeconfig(name: string, server: string, caPem: string, client: PemPair): string {
  return renderPkiKubeconfig({
    clusterName: name,
    server,
    caPem,
    userName: `${name}-admin`,
    clientCertPem: client.cert,
    clientKeyPem: client.key,
  });
}
