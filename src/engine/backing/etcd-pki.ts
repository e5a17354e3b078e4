// The etcd certificates of one experiment (SEED-SCRIPTS §5.2): CA, server, peer, and a
// root client cert (CN=root) for the admin path, minted with src/engine/pki. Generated
// once under <stateDir>/pki/etcd and reused for every backing cluster and every later
// run, so that tenant client certs minted later still verify. Keys are written 0600.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issueCert, writePrivateFile } from '../../core/pki/index.js';

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

const pair = (p: { certPem: string; keyPem: string }): PemPair => ({ cert: p.certPem, key: p.keyPem });

export function createEtcdPki(namespace = ETCD_NAMESPACE): EtcdPki {
  const ca = createCA('etcd-ca');
  const ips = ['127.0.0.1', '::1'];
  return {
    ca: pair(ca),
    // server-client: etcdctl inside the pod uses the serving cert as its client cert.
    server: pair(
      issueCert(ca, {
        commonName: 'etcd-server',
        dnsNames: etcdDnsNames(namespace),
        ipAddresses: ips,
        usage: 'server-client',
      }),
    ),
    peer: pair(
      issueCert(ca, {
        commonName: 'etcd-peer',
        dnsNames: etcdDnsNames(namespace),
        ipAddresses: ips,
        usage: 'server-client',
      }),
    ),
    rootClient: pair(issueCert(ca, { commonName: 'root', usage: 'client' })),
  };
}

const FILES: Record<keyof EtcdPki, string> = { ca: 'ca', server: 'server', peer: 'peer', rootClient: 'root-client' };

/** Loads <stateDir>/pki/etcd, creating it on first use. */
export function loadOrCreateEtcdPki(stateDir: string): EtcdPki {
  const dir = join(stateDir, 'pki', 'etcd');
  const paths = (k: keyof EtcdPki) => ({ cert: join(dir, `${FILES[k]}.crt`), key: join(dir, `${FILES[k]}.key`) });
  const keys = Object.keys(FILES) as Array<keyof EtcdPki>;
  if (keys.every((k) => existsSync(paths(k).cert) && existsSync(paths(k).key))) {
    return Object.fromEntries(
      keys.map((k) => [k, { cert: readFileSync(paths(k).cert, 'utf8'), key: readFileSync(paths(k).key, 'utf8') }]),
    ) as unknown as EtcdPki;
  }
  const pki = createEtcdPki();
  for (const k of keys) {
    writePrivateFile(paths(k).cert, pki[k].cert);
    writePrivateFile(paths(k).key, pki[k].key);
  }
  return pki;
}
