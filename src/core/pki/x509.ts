// Certificate assembly. node-forge builds the TBSCertificate (names, validity, extensions),
// but forge can neither encode an EC public key nor sign with one, and its JavaScript RSA
// signature is slow. So the three fields that depend on key types are spliced in from
// node:crypto (the SubjectPublicKeyInfo exported by OpenSSL, the issuer's exact subject
// bytes, the signature AlgorithmIdentifier) and OpenSSL signs the DER.
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

// Present in node-forge, missing from its type definitions.
interface ForgeTbs {
  getTBSCertificate(cert: forge.pki.Certificate): Asn1;
}

const OID_SHA256_RSA = '1.2.840.113549.1.1.11';
const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';

// Indices of TBSCertificate fields (with the explicit [0] version present).
const TBS_SIGNATURE = 2;
const TBS_ISSUER = 3;
const TBS_SPKI = 6;

// forge insists on an RSA public key while building the TBS; it is replaced before signing.
let placeholderKey: forge.pki.PublicKey | undefined;
function placeholder(): forge.pki.PublicKey {
  placeholderKey ??= forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('3'));
  return placeholderKey;
}

function der(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

function fromDer(buf: Buffer): Asn1 {
  // Bit strings stay opaque: forge would otherwise parse a wrapped RSA key into nodes.
  // node-forge accepts an options object here; its type declarations only know the boolean form.
  return asn1.fromDer(forge.util.createBuffer(buf.toString('binary')), {
    decodeBitStrings: false,
  } as unknown as boolean);
}

/** AlgorithmIdentifier for SHA-256 with the signer's key type (RSA carries NULL params, ECDSA none). */
function signatureAlgorithm(signer: KeyObject): Asn1 {
  const rsa = signer.asymmetricKeyType === 'rsa';
  const oid = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.OID,
    false,
    asn1.oidToDer(rsa ? OID_SHA256_RSA : OID_ECDSA_SHA256).getBytes(),
  );
  return asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    rsa ? [oid, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')] : [oid],
  );
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = fromDer(publicKey.export({ type: 'spki', format: 'der' }));
  const bits = (spki.value as Asn1[])[1]!.value as string;
  // The first octet of a BIT STRING is the count of unused bits (0 for keys).
  return createHash('sha1')
    .update(Buffer.from(bits.slice(1), 'binary'))
    .digest();
}

/** A positive 128-bit random serial: unique without a shared serial file (SEED §15.19). */
export function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01; // positive and exactly 16 octets in DER
  return b.toString('hex');
}

/** The issuer side of a signature: its key and the exact DER of its subject name. */
export interface Issuer {
  key: KeyObject;
  subjectDer: Buffer;
  keyId: Buffer;
}

/** The subject Name of a PEM certificate, byte for byte (the issuer of what it signs). */
export function subjectDerOf(certPem: string): Buffer {
  const cert = fromDer(Buffer.from(forge.pem.decode(certPem)[0]!.body, 'binary'));
  const tbs = (cert.value as Asn1[])[0]!;
  return der((tbs.value as Asn1[])[5]!);
}

export interface CertificateSpec {
  subject: forge.pki.CertificateField[];
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: object[];
  /** Absent for a self-signed certificate: then `selfKey` signs. */
  issuer?: Issuer;
  selfKey?: KeyObject;
}

export function buildCertificatePem(spec: CertificateSpec): string {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.subject);
  cert.publicKey = placeholder();
  cert.setExtensions(spec.extensions);
  cert.siginfo.algorithmOid = OID_SHA256_RSA;

  const signer = spec.issuer?.key ?? spec.selfKey;
  if (!signer) throw new Error('buildCertificatePem: no issuer and no self-signing key');
  const tbs = (forge.pki as unknown as ForgeTbs).getTBSCertificate(cert);
  const fields = tbs.value as Asn1[];
  const algorithm = signatureAlgorithm(signer);
  fields[TBS_SIGNATURE] = algorithm;
  if (spec.issuer) fields[TBS_ISSUER] = fromDer(spec.issuer.subjectDer);
  fields[TBS_SPKI] = fromDer(spec.publicKey.export({ type: 'spki', format: 'der' }));

  const tbsDer = der(tbs);
  const signature = sign('sha256', tbsDer, signer); // PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value for EC
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    signatureAlgorithm(signer),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${signature.toString('binary')}`),
  ]);
  const body = der(certificate)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

/** An extension whose DER value is given directly (forge would derive key ids from its placeholder key). */
export function rawExtension(name: 'subjectKeyIdentifier' | 'authorityKeyIdentifier', keyId: Buffer): object {
  const bytes = keyId.toString('binary');
  const value =
    name === 'subjectKeyIdentifier'
      ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes)
      : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, bytes),
        ]);
  return { name, value };
}
