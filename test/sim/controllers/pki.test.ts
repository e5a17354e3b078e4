import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { newCa, newClientCert, reuseKeys } from '../../../src/sim/controllers/pki.js';

describe('KCP certificate generation', () => {
  it('makes a self-signed CA and an admin client cert that verify with OpenSSL', async () => {
    const ca = await newCa('kubernetes');
    const admin = await newClientCert(ca.certPem, ca.keyPem, 'kubernetes-admin', 'system:masters');
    const caX = new X509Certificate(ca.certPem);
    const adminX = new X509Certificate(admin.certPem);
    expect(caX.ca).toBe(true);
    expect(caX.verify(caX.publicKey)).toBe(true);
    expect(adminX.verify(caX.publicKey)).toBe(true);
    expect(adminX.checkIssued(caX)).toBe(true);
    expect(adminX.subject).toContain('CN=kubernetes-admin');
    expect(adminX.subject).toContain('O=system:masters');
    expect(adminX.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    // A certificate from another CA does not verify against this one.
    const other = await newCa('other');
    expect(new X509Certificate(other.certPem).verify(caX.publicKey)).toBe(false);
  });
});

describe('certificate serial numbers', () => {
  // A serial whose first random octet was 0x00 used to be encoded with a superfluous
  // leading zero, which OpenSSL rejects ("illegal padding"): about one certificate in
  // 256, so one kubeconfig in a few hundred clusters was unusable and that cluster never
  // initialized. 1500 certificates would show the old fault with probability > 99.7%.
  it('are minimal DER integers that OpenSSL parses, every time', async () => {
    reuseKeys(4); // the serial is what is under test, not key generation
    const ca = await newCa('kubernetes');
    const caX = new X509Certificate(ca.certPem);
    for (let i = 0; i < 1500; i++) {
      const c = await newClientCert(ca.certPem, ca.keyPem, 'kubernetes-admin', 'system:masters');
      const x = new X509Certificate(c.certPem);
      expect(x.serialNumber).toMatch(/^(?!00)[0-7][0-9A-F]{31}$/);
      if (i % 100 === 0) expect(x.verify(caX.publicKey)).toBe(true);
    }
    reuseKeys(0);
  }, 60_000);
});
