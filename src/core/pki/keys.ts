// Key generation, all native (node:crypto / OpenSSL). Why ECDSA P-256 is the default for
// leaf certificates and service-account keys: one RSA-2048 key costs 50–300 ms on a loaded
// 2-core VM, and a cluster needs four leaf keys, so 1000 clusters would spend minutes in
// key generation alone; a P-256 key costs well under a millisecond. kube-apiserver, etcd,
// kubectl (all Go crypto/tls) and client-node (OpenSSL) accept P-256 keys, and kubeadm
// itself offers `encryptionAlgorithm: ECDSA-P256`. CAs stay RSA-2048 by default: there are
// only two per experiment, and tools that sign with the CA key themselves (CAPI's KCP
// minting the admin kubeconfig, the simulator's KCP) then see the key type they expect.
import { createPrivateKey, createPublicKey, generateKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { UserError } from '../errors.js';

export type KeyAlgorithm = 'rsa-2048' | 'ecdsa-p256';

export interface GeneratedKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"): the forms kubeadm writes. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo ("PUBLIC KEY"). */
  publicKeyPem: string;
}

export function generateKey(algorithm: KeyAlgorithm): GeneratedKey {
  const { privateKey, publicKey } =
    algorithm === 'rsa-2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    publicKey,
    privateKeyPem: exportPrivateKeyPem(privateKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The same, off the main thread: the simulator mints keys for 1000 clusters while serving. */
export function generateKeyAsync(algorithm: KeyAlgorithm): Promise<GeneratedKey> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject): void => {
      if (err) reject(err);
      else
        resolve({
          privateKey,
          publicKey,
          privateKeyPem: exportPrivateKeyPem(privateKey),
          publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        });
    };
    if (algorithm === 'rsa-2048') generateKeyPair('rsa', { modulusLength: 2048 }, done);
    else generateKeyPair('ec', { namedCurve: 'prime256v1' }, done);
  });
}

/** A GeneratedKey for a PEM private key made elsewhere (a pooled key, a CA's tls.key). */
export function keyFromPem(privateKeyPem: string, what = 'the key'): GeneratedKey {
  const privateKey = parsePrivateKey(privateKeyPem, what);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    privateKeyPem: exportPrivateKeyPem(privateKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function exportPrivateKeyPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1';
  return key.export({ type, format: 'pem' }).toString();
}

/** Parses a PEM private key (PKCS#1, SEC1 or PKCS#8), naming the problem if it is not one. */
export function parsePrivateKey(pem: string, what: string): KeyObject {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') {
      throw new Error(`unsupported key type ${String(key.asymmetricKeyType)}`);
    }
    return key;
  } catch (err) {
    throw new UserError(
      `${what} is not a usable private key (${(err as Error).message})`,
      'give an RSA or ECDSA private key in PEM form (e.g. the tls.key of the CA Secret)',
    );
  }
}

export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}
