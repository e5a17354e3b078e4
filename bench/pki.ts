// Certificates for 1000 clusters (issue 2 target: under 20 s on a 2-core machine).
// Per cluster this mints what the pipeline needs beside the experiment-wide CAs: the
// apiserver-etcd-client cert (CN = tenant), the serving cert (SANs incl. the dialled
// address), the service-account key pair and the admin client cert + kubeconfig.
// Run: node bin/run-ts.js bench/pki.ts [clusters]
import { X509Certificate } from 'node:crypto';
import { createCA, createServiceAccountKeyPair, issueCert, renderKubeconfig } from '../src/core/pki/index.js';
import { verdict } from './verdict.js';

const clusters = Number(process.argv[2] ?? 1000);
const TARGET_S = 20;

const t0 = performance.now();
const clusterCa = createCA('kubernetes');
const etcdCa = createCA('etcd-ca');
const caMs = performance.now() - t0;

let bytes = 0;
const start = performance.now();
for (let n = 1; n <= clusters; n++) {
  const name = `test-${n}`;
  const etcdClient = issueCert(etcdCa, { commonName: name, usage: 'client' });
  const serving = issueCert(clusterCa, {
    commonName: 'kube-apiserver',
    dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `${name}.${name}.svc`, 'localhost'],
    ipAddresses: ['127.0.0.1', '10.96.0.1'],
    usage: 'server',
  });
  const sa = createServiceAccountKeyPair();
  const admin = issueCert(clusterCa, {
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
    usage: 'client',
  });
  const kubeconfig = renderKubeconfig({
    clusterName: name,
    server: `https://127.0.0.1:${10000 + n}`,
    caPem: clusterCa.certPem,
    userName: `${name}-admin`,
    clientCertPem: admin.certPem,
    clientKeyPem: admin.keyPem,
  });
  bytes += etcdClient.certPem.length + serving.certPem.length + sa.privateKeyPem.length + kubeconfig.length;
}
const seconds = (performance.now() - start) / 1000;

// A spot check that what was timed is a real, verifiable chain (not a skipped path).
const probe = issueCert(clusterCa, { commonName: 'probe', usage: 'server', dnsNames: ['localhost'] });
const verified = new X509Certificate(probe.certPem).verify(new X509Certificate(clusterCa.certPem).publicKey);

console.log(`pki: 2 CAs (RSA-2048) in ${caMs.toFixed(0)} ms`);
console.log(
  `pki: ${clusters} clusters (3 certs + SA key pair + kubeconfig each) in ${seconds.toFixed(2)} s = ${(clusters / seconds).toFixed(0)} clusters/s, ${(bytes / 1048576).toFixed(1)} MiB of PEM`,
);
console.log(
  `pki: target ${TARGET_S} s for 1000 clusters; projected ${((1000 / clusters) * seconds).toFixed(2)} s = ${((((1000 / clusters) * seconds) / TARGET_S) * 100).toFixed(1)}% of target; chain verifies: ${verified}`,
);
const projected = (1000 / clusters) * seconds;
verdict('pki', [
  { what: `projected ${projected.toFixed(2)} s for 1000 clusters <= ${TARGET_S} s`, met: projected <= TARGET_S },
  { what: 'the timed chain verifies', met: verified },
]);
