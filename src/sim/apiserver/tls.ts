// The default serving identity: one CA and one loopback serving certificate per process,
// shared by every instance that is not given its own (the demo may run 1000 instances; each
// minting an RSA key would cost seconds). Instances differ by port and admin token.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface ServingIdentity {
  caPem: string;
  certPem: string;
  keyPem: string;
}

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  // node:crypto generates the key natively (fast); forge only signs the certificates.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem: forge.pki.privateKeyToPem(key) };
}

function certificate(subjectCn: string, pub: forge.pki.rsa.PublicKey, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: subjectCn }]);
  return cert;
}

let shared: ServingIdentity | undefined;

export function defaultServingIdentity(): ServingIdentity {
  if (shared) return shared;
  const ca = keyPair();
  const caCert = certificate('scale-tui-embedded-ca', ca.publicKey, 10);
  caCert.setIssuer(caCert.subject.attributes);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const srv = keyPair();
  const srvCert = certificate('scale-tui-embedded-apiserver', srv.publicKey, 10);
  srvCert.setIssuer(caCert.subject.attributes);
  srvCert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 2, value: 'kubernetes' },
        { type: 2, value: 'kubernetes.default.svc' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  srvCert.sign(ca.privateKey, forge.md.sha256.create());
  shared = { caPem: forge.pki.certificateToPem(caCert), certPem: forge.pki.certificateToPem(srvCert), keyPem: srv.pem };
  return shared;
}
