// The etcd certificates of one experiment (SEED-SCRIPTS §5.2): CA, server, peer, and a
// root client cert (CN=root) for the admin path. Generated once under
// <stateDir>/pki/etcd and reused for every backing cluster and every later run, so that
// tenant client certs minted later still verify. Keys are written 0600.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface PemPair {
  cert: string;
  key: string;
}

export interface EtcdPki {
  ca: PemPair;
  server: PemPair;
  peer: PemPair;
  rootClient: PemPair;
}

export const ETCD_NAMESPACE = 'etcd-system';

/** DNS names the etcd pod answers to inside its cluster (StatefulSet etcd, Services etcd/etcd-server). */
export function etcdDnsNames(namespace = ETCD_NAMESPACE): string[] {
  return [
    'localhost',
    'etcd-server',
    `etcd-server.${namespace}`,
    `etcd-server.${namespace}.svc`,
    `etcd-server.${namespace}.svc.cluster.local`,
    'etcd-0',
    `etcd-0.etcd.${namespace}.svc`,
    `etcd-0.etcd.${namespace}.svc.cluster.local`,
  ];
}

function rsaKey(): { priv: forge.pki.rsa.PrivateKey; pub: forge.pki.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { priv, pub: forge.pki.setRsaPublicKey(priv.n, priv.e), pem };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function cert(subjectCn: string, pub: forge.pki.PublicKey, issuer: { cert?: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }, ext: object[], years: number): forge.pki.Certificate {
  const c = forge.pki.createCertificate();
  c.publicKey = pub;
  c.serialNumber = serial();
  c.validity.notBefore = new Date(Date.now() - 5 * 60_000);
  c.validity.notAfter = new Date(Date.now() + years * 365 * 24 * 3600_000);
  c.setSubject([{ name: 'commonName', value: subjectCn }]);
  c.setIssuer(issuer.cert ? issuer.cert.subject.attributes : [{ name: 'commonName', value: subjectCn }]);
  c.setExtensions(ext);
  c.sign(issuer.key, forge.md.sha256.create());
  return c;
}

export function createEtcdPki(namespace = ETCD_NAMESPACE): EtcdPki {
  const caKey = rsaKey();
  const caCert = cert('etcd-ca', caKey.pub, { key: caKey.priv }, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
  ], 10);
  const leaf = (cn: string, server: boolean): PemPair => {
    const k = rsaKey();
    const ext: object[] = [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: server, clientAuth: true },
    ];
    if (server) {
      ext.push({
        name: 'subjectAltName',
        altNames: [...etcdDnsNames(namespace).map((value) => ({ type: 2, value })), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }],
      });
    }
    const c = cert(cn, k.pub, { cert: caCert, key: caKey.priv }, ext, 1);
    return { cert: forge.pki.certificateToPem(c), key: k.pem };
  };
  return {
    ca: { cert: forge.pki.certificateToPem(caCert), key: caKey.pem },
    server: leaf('etcd-server', true),
    peer: leaf('etcd-peer', true),
    rootClient: leaf('root', false),
  };
}

const FILES: Record<keyof EtcdPki, string> = { ca: 'ca', server: 'server', peer: 'peer', rootClient: 'root-client' };

/** Loads <stateDir>/pki/etcd, creating it on first use. */
export function loadOrCreateEtcdPki(stateDir: string): EtcdPki {
  const dir = join(stateDir, 'pki', 'etcd');
  const paths = (k: keyof EtcdPki) => ({ cert: join(dir, `${FILES[k]}.crt`), key: join(dir, `${FILES[k]}.key`) });
  const keys = Object.keys(FILES) as Array<keyof EtcdPki>;
  if (keys.every((k) => existsSync(paths(k).cert) && existsSync(paths(k).key))) {
    return Object.fromEntries(keys.map((k) => [k, { cert: readFileSync(paths(k).cert, 'utf8'), key: readFileSync(paths(k).key, 'utf8') }])) as unknown as EtcdPki;
  }
  const pki = createEtcdPki();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const k of keys) {
    writeFileSync(paths(k).cert, pki[k].cert, { mode: 0o644 });
    writeFileSync(paths(k).key, pki[k].key, { mode: 0o600 });
  }
  return pki;
}
