// What CAPI's "lookup or generate" certificates do for KCP: self-signed RSA-2048 CAs
// (CN kubernetes, 10 years), the service-account key pair, and the admin client
// certificate for the `<cluster>-kubeconfig` Secret signed by the cluster CA.
// The certificates come from the project's one X.509 issuer (src/core/pki); what stays
// here is only the simulator's key supply: RSA keys made off the main thread, optionally
// drawn from a small pool (see reuseKeys).
import { createCA, generateKeyAsync, type GeneratedKey, issueCert } from '../../core/pki/index.js';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

// The demo runs 1000 clusters on 2 cores, where one RSA-2048 key costs ~0.3 s. With
// reuseKeys(n) the simulator draws key pairs from a pool of n (certificates, serials and
// issuers stay unique per cluster). Off by default: against a real cluster keys are fresh.
let keyPoolSize = 0;
const keyPool: Array<Promise<GeneratedKey>> = [];

export function reuseKeys(n: number): void {
  keyPoolSize = Math.max(0, Math.floor(n));
}

function rsaKey(): Promise<GeneratedKey> {
  if (keyPoolSize > 0) {
    if (keyPool.length < keyPoolSize) keyPool.push(generateKeyAsync('rsa-2048'));
    return keyPool[Math.floor(Math.random() * keyPool.length)]!;
  }
  return generateKeyAsync('rsa-2048');
}

export function newRsaKey(): Promise<KeyPairPem> {
  return rsaKey();
}

export async function newCa(commonName = 'kubernetes'): Promise<{ certPem: string; keyPem: string }> {
  return createCA(commonName, { key: await rsaKey() });
}

/** A client certificate (e.g. kubernetes-admin / system:masters) signed by the CA. */
export async function newClientCert(
  caCertPem: string,
  caKeyPem: string,
  commonName: string,
  organization: string,
): Promise<{ certPem: string; keyPem: string }> {
  return issueCert(
    { certPem: caCertPem, keyPem: caKeyPem },
    { commonName, organizations: [organization], usage: 'client', key: await rsaKey() },
  );
}
