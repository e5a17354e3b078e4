// What CAPI's "lookup or generate" certificates do for KCP: self-signed RSA-2048 CAs
// (CN kubernetes, 10 years), the service-account key pair, and the admin client
// certificate for the `<cluster>-kubeconfig` Secret signed by the cluster CA.
// Keys come from node:crypto (native, off the main thread); node-forge signs.
import { generateKeyPair } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function newRsaKey(): Promise<KeyPairPem> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } },
      (err, publicKeyPem, privateKeyPem) => (err ? reject(err) : resolve({ publicKeyPem, privateKeyPem })),
    ),
  );
}

function serial(): string {
  return `0${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
}

export async function newCa(commonName = 'kubernetes'): Promise<{ certPem: string; keyPem: string }> {
  const key = await newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
  cert.serialNumber = serial();
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
  cert.sign(forge.pki.privateKeyFromPem(key.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privateKeyPem };
}

/** A client certificate (e.g. kubernetes-admin / system:masters) signed by the CA. */
export async function newClientCert(caCertPem: string, caKeyPem: string, commonName: string, organization: string): Promise<{ certPem: string; keyPem: string }> {
  const key = await newRsaKey();
  const ca = forge.pki.certificateFromPem(caCertPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
  cert.serialNumber = serial();
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
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privateKeyPem };
}
