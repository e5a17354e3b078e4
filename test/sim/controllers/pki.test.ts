import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { newCa, newClientCert } from '../../../src/sim/controllers/pki.js';

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
