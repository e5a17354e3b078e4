// What CAPI's "lookup or generate" certificates do for KCP: self-signed RSA-2048 CAs
// (CN kubernetes, 10 years), the service-account key pair, and the admin client
// certificate for the `<cluster>-kubeconfig` Secret signed by the cluster CA.
// Keys come from node:crypto (native, off the main thread); node-forge signs.
import { constants, generateKeyPair, privateEncrypt } from 'node:crypto';
import forge from 'node-forge';
import { randomSerialHex } from '../../core/pki/x509.js';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

// The demo runs 1000 clusters on 2 cores, where one RSA-2048 key costs ~0.3 s. With
// reuseKeys(n) the simulator draws key pairs from a pool of n (certificates, serials and
// issuers stay unique per cluster). Off by default: against a real cluster keys are fresh.
let keyPoolSize = 0;
const keyPool: Array<Promise<KeyPairPem>> = [];

export function reuseKeys(n: number): void {
  keyPoolSize = Math.max(0, Math.floor(n));
}

export function newRsaKey(): Promise<KeyPairPem> {
  if (keyPoolSize > 0) {
    if (keyPool.length < keyPoolSize) keyPool.push(freshRsaKey());
    return keyPool[Math.floor(Math.random() * keyPool.length)]!;
  }
  return freshRsaKey();
}

/** SHA-256 DigestInfo prefix (RFC 8017 §9.2): PKCS#1 v1.5 signs DigestInfo || digest. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** A forge-compatible signer backed by OpenSSL: forge's JS RSA takes ~80 ms per signature here. */
function nativeSigner(keyPem: string): forge.pki.rsa.PrivateKey {
  return {
    sign: (md: forge.md.MessageDigest) => {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      return privateEncrypt(
        { key: keyPem, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([SHA256_DIGEST_INFO, digest]),
      ).toString('binary');
    },
  } as unknown as forge.pki.rsa.PrivateKey;
}

function freshRsaKey(): Promise<KeyPairPem> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      },
      (err, publicKeyPem, privateKeyPem) => (err ? reject(err) : resolve({ publicKeyPem, privateKeyPem })),
    ),
  );
}

export async function newCa(commonName = 'kubernetes'): Promise<{ certPem: string; keyPem: string }> {
  const key = await newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const attrs = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(nativeSigner(key.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privateKeyPem };
}

/** A client certificate (e.g. kubernetes-admin / system:masters) signed by the CA. */
export async function newClientCert(
  caCertPem: string,
  caKeyPem: string,
  commonName: string,
  organization: string,
): Promise<{ certPem: string; keyPem: string }> {
  const key = await newRsaKey();
  const ca = forge.pki.certificateFromPem(caCertPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  cert.setSubject([
    { name: 'organizationName', value: organization },
    { name: 'commonName', value: commonName },
  ]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(nativeSigner(caKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privateKeyPem };
}
