// The certificate material the pipeline needs (SEED §5.2/§5.3, fixed per §15.17/§15.19):
// experiment-wide Kubernetes and etcd CAs kept in the state dir (0600), and per cluster
// an etcd client cert (CN = tenant), a serving cert whose SANs include the host CAPI
// really dials, a service-account key pair, and admin kubeconfigs. Everything minted is
// persisted per cluster, so a resumed run re-creates identical Secrets.
// TODO(pki): delegate to src/engine/pki (experimentPki/clusterPki/renderKubeconfig) once
// it lands; this module keeps the same inputs and outputs.
import { generateKeyPair } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';
import { stringify } from 'yaml';

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

function rsa(): Promise<{ publicKey: string; privateKey: string }> {
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } }, (err, publicKey, privateKey) =>
      err ? reject(err) : resolve({ publicKey, privateKey }),
    ),
  );
}

function serial(): string {
  // Random 120-bit serials: no shared serial file, no duplicates (SEED §15.19).
  return `0${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
}

const YEAR = 365 * 24 * 3600_000;

async function sign(opts: {
  cn: string;
  o?: string;
  issuer?: PemPair;
  ca?: boolean;
  server?: boolean;
  client?: boolean;
  sans?: string[];
  years: number;
}): Promise<{ pair: PemPair; notAfter: Date; publicKey: string }> {
  const key = await rsa();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKey);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Math.floor((Date.now() + opts.years * YEAR) / 1000) * 1000);
  const subject = [...(opts.o ? [{ name: 'organizationName', value: opts.o }] : []), { name: 'commonName', value: opts.cn }];
  cert.setSubject(subject);
  const issuerCert = opts.issuer ? forge.pki.certificateFromPem(opts.issuer.cert) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  const ext: Array<Record<string, unknown>> = [];
  if (opts.ca) {
    ext.push({ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }, { name: 'subjectKeyIdentifier' });
  } else {
    ext.push({ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    ext.push({ name: 'extKeyUsage', serverAuth: Boolean(opts.server), clientAuth: Boolean(opts.client) });
  }
  if (opts.sans?.length) {
    ext.push({ name: 'subjectAltName', altNames: opts.sans.map((s) => (isIP(s) ? { type: 7, ip: s } : { type: 2, value: s })) });
  }
  cert.setExtensions(ext);
  const signer = opts.issuer ? opts.issuer.key : key.privateKey;
  cert.sign(forge.pki.privateKeyFromPem(signer), forge.md.sha256.create());
  return { pair: { cert: forge.pki.certificateToPem(cert), key: key.privateKey }, notAfter: cert.validity.notAfter, publicKey: key.publicKey };
}

function writePrivate(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

export class ClusterPkiStore {
  private experiment?: Promise<Experiment>;
  private clusters = new Map<string, Promise<ClusterMaterial>>();
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'pki');
  }

  private loadOrCreate<T>(file: string, make: () => Promise<T>): Promise<T> {
    const path = join(this.dir, file);
    if (existsSync(path)) return Promise.resolve(JSON.parse(readFileSync(path, 'utf8')) as T);
    return make().then((v) => {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as T; // another process won
      writePrivate(path, JSON.stringify(v));
      return v;
    });
  }

  experimentCas(): Promise<Experiment> {
    this.experiment ??= this.loadOrCreate('experiment.json', async () => ({
      ca: (await sign({ cn: 'kubernetes', ca: true, years: 10, sans: ['kubernetes'] })).pair,
      etcdCa: (await sign({ cn: 'etcd-ca', ca: true, years: 10, sans: ['etcd-ca'] })).pair,
    }));
    return this.experiment;
  }

  /** Material for one cluster; `endpointHost` is what CAPI dials, so it is a SAN. */
  cluster(cluster: string, namespace: string, endpointHost: string): Promise<ClusterMaterial> {
    let p = this.clusters.get(cluster);
    if (!p) {
      p = this.loadOrCreate(`cluster-${cluster}.json`, async () => {
        const exp = await this.experimentCas();
        const sans = [...new Set([endpointHost, 'localhost', '127.0.0.1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', `test-kube-apiserver.${namespace}.svc`, `test-kube-apiserver.${namespace}.svc.cluster.local`, '10.96.0.1'])];
        const serving = await sign({ cn: 'kube-apiserver', issuer: exp.ca, server: true, sans, years: 1 });
        const etcdClient = await sign({ cn: cluster, issuer: exp.etcdCa, client: true, years: 1 });
        const admin = await sign({ cn: 'kubernetes-admin', o: 'system:masters', issuer: exp.ca, client: true, years: 1 });
        const sa = await rsa();
        return {
          ca: exp.ca,
          etcdCa: { cert: exp.etcdCa.cert },
          apiserverEtcdClient: etcdClient.pair,
          apiserver: serving.pair,
          serviceAccount: { publicKey: sa.publicKey, privateKey: sa.privateKey },
          admin: admin.pair,
          servingNotAfter: serving.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        };
      });
      this.clusters.set(cluster, p);
      p.catch(() => this.clusters.delete(cluster));
    }
    return p;
  }
}

export function renderKubeconfig(name: string, server: string, caPem: string, client: PemPair): string {
  const b = (s: string) => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': b(caPem) } }],
    users: [{ name: `${name}-admin`, user: { 'client-certificate-data': b(client.cert), 'client-key-data': b(client.key) } }],
    contexts: [{ name: `${name}-admin@${name}`, context: { cluster: name, user: `${name}-admin` } }],
    'current-context': `${name}-admin@${name}`,
  });
}
