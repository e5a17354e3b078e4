// redact(): realistic log text (kubeconfigs the engine renders, PEM keys from node:crypto and
// forge, etcdctl/kubeadm command lines, client-node error dumps) loses every secret and keeps
// the rest of the line readable.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redacting } from '../../src/engine/log/redact.js';
import { runTool, summarizeArgs, toolFailure } from '../../src/engine/tools/run.js';
import { UserError } from '../../src/core/errors.js';
import { renderKubeconfig as renderClientCertKubeconfig } from '../../src/engine/pipeline/cluster-pki.js';
import { renderKubeconfig as renderTokenKubeconfig } from '../../src/sim/apiserver/kubeconfig.js';
import { createLocalCa, issueLocalCert } from '../../src/sim/apiserver/tls.js';

const ca = createLocalCa('redact-test-ca');
const client = issueLocalCert(ca, {
  commonName: 'kubernetes-admin',
  organizations: ['system:masters'],
  usage: 'client',
});
const rsa = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const ec = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  privateKeyEncoding: { type: 'sec1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const ed = generateKeyPairSync('ed25519', {
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** The base64 body lines of a PEM block: none of them may survive. */
const bodyLines = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));
const token = randomBytes(24).toString('hex');

function expectNoneOf(out: string, secrets: string[]): void {
  for (const s of secrets) expect(out, `leaked: ${s.slice(0, 40)}`).not.toContain(s);
}

describe('redact: PEM blocks', () => {
  it.each([
    ['certificate (forge)', ca.certPem, 'CERTIFICATE'],
    ['RSA private key (pkcs1)', rsa.privateKey, 'RSA PRIVATE KEY'],
    ['EC private key (sec1)', ec.privateKey, 'EC PRIVATE KEY'],
    ['ed25519 private key (pkcs8)', ed.privateKey, 'PRIVATE KEY'],
    ['client private key (forge)', client.keyPem, 'RSA PRIVATE KEY'],
  ])('%s in a multi-line log message', (_name, pem, label) => {
    const line = `writing Secret test-7/test-7-etcd: data follows\n${pem}\nnext step: etcd-tenant`;
    const out = redact(line);
    expectNoneOf(out, bodyLines(pem));
    expect(out).toContain(`[REDACTED ${label}]`);
    expect(out).toContain('writing Secret test-7/test-7-etcd');
    expect(out).toContain('next step: etcd-tenant');
  });

  it('PEM inside a JSON string with escaped newlines (a Secret dumped by client-node)', () => {
    const json = JSON.stringify({
      kind: 'Secret',
      metadata: { name: 'test-3-ca', namespace: 'test-3' },
      stringData: { 'tls.crt': ca.certPem, 'tls.key': client.keyPem },
    });
    const out = redact(`create failed: ${json}`);
    expectNoneOf(out, [...bodyLines(ca.certPem), ...bodyLines(client.keyPem)]);
    expect(out).toContain('"name":"test-3-ca"');
  });

  it('a PEM block cut off mid-key (truncated log line)', () => {
    const cut = rsa.privateKey.slice(0, 400);
    const out = redact(`etcdctl stderr: ${cut}`);
    expectNoneOf(
      out,
      bodyLines(cut).filter((l) => l.length >= 16),
    );
    expect(out).toContain('[REDACTED RSA PRIVATE KEY]');
  });

  it('several blocks in one text, each removed', () => {
    const bundle = `${client.certPem}${ca.certPem}${ec.privateKey}`;
    const out = redact(bundle);
    expectNoneOf(out, [...bodyLines(client.certPem), ...bodyLines(ca.certPem), ...bodyLines(ec.privateKey)]);
    expect(out.match(/\[REDACTED CERTIFICATE\]/g)).toHaveLength(2);
  });
});

describe('redact: kubeconfigs', () => {
  it('token kubeconfig of the embedded API server', () => {
    const yaml = renderTokenKubeconfig({
      clusterName: 'mgmt',
      server: 'https://127.0.0.1:6443',
      caPem: ca.certPem,
      userName: 'admin',
      token,
    });
    const out = redact(yaml);
    expectNoneOf(out, [token, b64(ca.certPem), b64(ca.certPem).slice(0, 60)]);
    expect(out).toContain(`token: ${REDACTED}`);
    expect(out).toContain(`certificate-authority-data: ${REDACTED}`);
    expect(out).toContain('server: https://127.0.0.1:6443');
    expect(out).toContain('current-context: mgmt');
  });

  it('client-certificate kubeconfig the engine renders for a workload cluster', () => {
    const yaml = renderClientCertKubeconfig('test-12', 'https://127.0.0.1:10012', ca.certPem, {
      cert: client.certPem,
      key: client.keyPem,
    });
    const out = redact(yaml);
    expectNoneOf(out, [
      b64(client.keyPem).slice(0, 40),
      b64(client.certPem).slice(0, 40),
      b64(client.keyPem).slice(-40),
    ]);
    expect(out).toContain(`client-key-data: ${REDACTED}`);
    expect(out).toContain(`client-certificate-data: ${REDACTED}`);
    expect(out).toContain('test-12-admin@test-12');
  });

  it('kubeconfig fields as JSON and with non-PEM values', () => {
    const keyData = b64('not-a-pem-but-still-a-key-0123456789');
    const json = JSON.stringify({
      users: [{ name: 'u', user: { 'client-key-data': keyData, token: 'abcdef.0123456789abcdef' } }],
    });
    const out = redact(json);
    expectNoneOf(out, [keyData, 'abcdef.0123456789abcdef']);
    expect(out).toContain(`"client-key-data":"${REDACTED}"`);
    expect(out).toContain(`"token":"${REDACTED}"`);
  });

  it('auth-provider tokens (id-token, refresh-token)', () => {
    const idt = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.${randomBytes(32).toString('base64url')}`;
    const out = redact(
      `user:\n  auth-provider:\n    config:\n      id-token: ${idt}\n      refresh-token: r-${token}\n`,
    );
    expectNoneOf(out, [idt, token, idt.split('.')[2]!]);
  });
});

describe('redact: tokens', () => {
  it('Authorization headers in a client-node error dump', () => {
    const dump = `HTTP-Code: 500\nMessage: Unknown API Status Code!\nHeaders: {"authorization":"Bearer ${token}","content-type":"application/json"}`;
    const out = redact(dump);
    expectNoneOf(out, [token]);
    expect(out).toContain('HTTP-Code: 500');
    expect(out).toContain('"content-type":"application/json"');
  });

  it('curl-style header and Basic credentials', () => {
    const basic = b64('admin:hunter2-0123');
    const out = redact(
      `curl -k -H "Authorization: Bearer ${token}" https://127.0.0.1:6443/api; curl -H 'Authorization: Basic ${basic}' x`,
    );
    expectNoneOf(out, [token, basic]);
    expect(out).toContain('https://127.0.0.1:6443/api');
  });

  it('a bare service-account JWT', () => {
    const jwt = `eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.${randomBytes(64).toString('base64url')}`;
    const out = redact(`mounted sa token ${jwt} for kube-system/default`);
    expectNoneOf(out, [jwt, jwt.split('.')[2]!]);
    expect(out).toContain('for kube-system/default');
  });

  it('kubeadm join with a bootstrap token and --token flags', () => {
    const out = redact(
      'kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:1234abcd',
    );
    expectNoneOf(out, ['0123456789abcdef']);
    expect(out).toContain('kubeadm join 10.0.0.1:6443 --token');
    expect(out).toContain('--discovery-token-ca-cert-hash sha256:1234abcd'); // a hash, not a secret
  });

  it('tokens in environment assignments', () => {
    const out = redact(`env: ROOT_TOKEN=${token} K8S_TOKEN="${token}"`);
    expectNoneOf(out, [token]);
  });
});

describe('redact: passwords', () => {
  const pw = randomBytes(12).toString('base64url');
  it.each([
    [`etcdctl --user root --password ${pw} user add test-3`],
    [`etcdctl --user root --password=${pw} role grant-permission`],
    [`etcdctl --user root:${pw} --endpoints https://127.0.0.1:2379 get / --prefix`],
    [`etcdctl --user=root:${pw} endpoint status`],
    [`connecting with user=admin password=${pw} retries=3`],
    [`ETCD_ROOT_PASSWORD=${pw} /usr/local/bin/etcd`],
    [`{"username":"admin","password":"${pw}"}`],
    [`bmc:\n  username: admin\n  password: ${pw}\n`],
    [`GET https://admin:${pw}@10.0.0.5:6385/v1/nodes`],
    [`redfish://admin:${pw}@192.168.111.1:8000/redfish/v1/Systems/1`],
    [`?user=admin&password=${pw}&x=1`],
    // Every form the etcd root password could take (issue 14).
    [`etcdctl --user=root:${pw} role list`],
    [`etcdctl --user root:${pw} role list`],
    [`etcdctl --user 'root:${pw}' role list`],
    [`etcdctl --password=${pw} role list`],
    [`etcdctl --password ${pw} role list`],
    [`etcdctl user add root --new-user-password=${pw}`],
    [`etcdctl user add root --new-user-password ${pw}`],
    [`ETCDCTL_PASSWORD=${pw} etcdctl role list`],
    [`env ETCDCTL_USER=root:${pw} etcdctl role list`],
    [`etcdctl user add root:${pw} --interactive=false`],
    [`kubectl exec -n etcd-system etcd-0 -- etcdctl user add root:${pw}`],
    [`args: ["user","add","root:${pw}","--interactive=false"]`],
    [`args: ["--user","root:${pw}","role","list"]`],
    [`{"name":"b1","rootPassword":"${pw}"}`],
    [`{ "rootPassword": "${pw}", "endpoints": ["https://127.0.0.1:2379"] }`],
    [`rootPassword: ${pw}`],
    [`root_password=${pw} next=1`],
  ])('%s', (line) => {
    const out = redact(line);
    expect(out).not.toContain(pw);
    expect(out).toContain(REDACTED);
  });

  it('keeps the rest of an etcdctl line and of a JSON object readable', () => {
    // Each line with the password in place of X, and as it must come out.
    const line = (x: string) => [
      `etcdctl user add root:${x} --interactive=false`,
      `{"name":"b1","rootPassword":"${x}","capacity":50}`,
      `ETCDCTL_USER=root:${x} ETCDCTL_PASSWORD=${x}`,
    ];
    expect(line(pw).map(redact)).toEqual(line(REDACTED));
    // No password, nothing to remove.
    expect(redact('etcdctl user add test-3 --no-password')).toBe('etcdctl user add test-3 --no-password');
  });

  it('keeps the user name, the host and the command', () => {
    const out = redact(`etcdctl --user root:${pw} --endpoints https://127.0.0.1:2379 get / --prefix`);
    expect(out).toBe(`etcdctl --user root:${REDACTED} --endpoints https://127.0.0.1:2379 get / --prefix`);
    expect(redact(`GET https://admin:${pw}@10.0.0.5:6385/v1/nodes`)).toBe(
      `GET https://admin:${REDACTED}@10.0.0.5:6385/v1/nodes`,
    );
  });
});

describe('redact: leaves ordinary log lines alone', () => {
  it.each([
    'batch b1a2b3: 10 clusters queued (test-1..test-10)',
    'test-7: failed at wait-machine: timed out after 600 s waiting for test-7: control-plane Machine',
    'I1125 01:40:01.123456       1 request.go:697] Waited for 1.0366s due to client-side throttling, not priority and fairness, request: GET:https://10.96.0.1:443/apis/cluster.x-k8s.io/v1beta2/namespaces/test-3/machines',
    'tuned capi: --cluster-concurrency=100 --kube-api-qps=200 --kube-api-burst=300',
    'token bucket: qps=20 burst=30, 12 tokens left',
    'bearer authentication failed for the workload API',
    'password rotation is not supported',
    'resume: 3 to finish, 0 to delete, 7 ready',
    'kubeadm join --discovery-token-unsafe-skip-ca-verification',
    'secret test-3/test-3-etcd created',
  ])('%s', (line) => {
    expect(redact(line)).toBe(line);
  });

  it('is idempotent', () => {
    const text = `${renderTokenKubeconfig({ clusterName: 'm', server: 'https://127.0.0.1:1', caPem: ca.certPem, userName: 'a', token })}\n${rsa.privateKey}\n--password x${token} Authorization: Bearer ${token}`;
    const once = redact(text);
    expect(redact(once)).toBe(once);
    expectNoneOf(once, [token, ...bodyLines(rsa.privateKey)]);
  });

  it('redacting() wraps a log sink', () => {
    const lines: Array<[string, string]> = [];
    const log = redacting((message: string, level: string) => lines.push([message, level]));
    log(`got Authorization: Bearer ${token}`, 'warn');
    expect(lines).toEqual([[`got Authorization: Bearer ${REDACTED}`, 'warn']]);
  });
});

describe('redact: tool failures never quote a password', () => {
  const pw = randomBytes(18).toString('base64url');
  const fail = (args: string[], stderr: string) =>
    toolFailure({ command: 'etcdctl', args, exitCode: 1, stdout: '', stderr });

  it.each([
    [['--user', `root:${pw}`, 'role', 'list']],
    [[`--user=root:${pw}`, 'role', 'list']],
    [['--password', pw, 'role', 'list']],
    [[`--password=${pw}`, 'role', 'list']],
    [['user', 'add', `root:${pw}`, '--interactive=false']],
    [['user', 'add', 'root', `--new-user-password=${pw}`]],
  ])('argv %j', (args) => {
    const err = fail(args, 'Error: etcdserver: permission denied\n');
    expect(err.message).not.toContain(pw);
    expect(err.message).toContain(REDACTED);
    expect(err.message).toMatch(/permission denied/);
    expect(summarizeArgs(args)).not.toContain(pw);
  });

  it('output that echoes the command line or a config', () => {
    const echoes = [
      `invalid flag in "--user root:${pw}"`,
      `config: {"rootPassword":"${pw}"}`,
      `ETCDCTL_PASSWORD=${pw}: bad`,
    ];
    for (const stderr of echoes) {
      const err = fail(['role', 'list'], stderr);
      expect(err.message).not.toContain(pw);
      expect(err.message).toContain(REDACTED);
    }
  });

  it('a real failing process: the UserError runTool throws shows neither argv nor stderr secrets', async () => {
    // The program prints its own arguments to stderr, as some tools do in their usage errors.
    const script = 'echo "bad arguments: $*" >&2; exit 3';
    const err = await runTool('sh', ['-c', script, 'sh', '--user', `root:${pw}`, `--password=${pw}`]).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/failed \(exit 3\)/);
    expect(err.message).toMatch(/bad arguments: --user root:\[REDACTED\]/);
    expect(err.message).not.toContain(pw);
    expect((err as UserError).hint ?? '').not.toContain(pw);
  });
});
