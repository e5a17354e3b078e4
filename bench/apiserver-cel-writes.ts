// What CEL validation costs a custom-resource write. The embedded server runs in its own process
// with the real CRDs (../shared/crds); 32 keep-alive HTTPS clients create KubeadmConfigs
// (bootstrap.cluster.x-k8s.io/v1beta2, whose extraArgs lists carry the CAPI rule
// `self.all(x, self.exists_one(y, x.name == y.name))`).
//   reference: KubeadmConfigs with 24 apiServer certSANs instead of extraArgs: the same schema
//              validation, defaulting and pruning, a list as long, but no CEL rule is reached;
//   measured:  KubeadmConfigs with 3 components x 8 extraArgs each: three list rules per write.
// Then updates of those objects (merge patches of a label, as controllers write): the spec is
// unchanged, so schema validation is ratcheted away and the rules run on the unchanged lists
// (their failures would only be warnings), the reference again the objects without rules.
// The two runs alternate (A B A B) in the same server so machine load hits both alike.
// Target: each measured rate is at least 90 % of its reference (rules are compiled once per CRD
// version at registration; a write only evaluates them). Exits 1 on a miss or any failed write.
//   node bin/run-ts.js bench/apiserver-cel-writes.ts [seconds-per-round]
import { spawn } from 'node:child_process';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { startApiServer } from '../src/sim/apiserver/index.js';

const CLIENTS = 32;
const SECONDS = Number(process.argv[2] ?? 5);
const TARGET = 0.9;
const GROUP_PATH = '/apis/bootstrap.cluster.x-k8s.io/v1beta2/namespaces/default/kubeadmconfigs';

if (process.argv.includes('--serve')) {
  const h = await startApiServer({ name: 'cel-bench', crdDirs: [resolve('../shared/crds')] });
  process.stdout.write(`${JSON.stringify({ url: h.url, token: h.adminToken, caPem: h.caPem })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void h.stop().then(() => process.exit(0)));
} else {
  const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/apiserver-cel-writes.ts', '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((r) => createInterface({ input: child.stdout }).once('line', r));
  const info = JSON.parse(first) as { url: string; token: string; caPem: string };
  const url = new URL(info.url);
  const agent = new https.Agent({ keepAlive: true, maxSockets: CLIENTS, ca: info.caPem });
  const send = (method: string, path: string, body: string, type: string): Promise<number> =>
    new Promise((done, fail) => {
      const req = https.request(
        {
          method,
          hostname: url.hostname,
          port: url.port,
          path,
          agent,
          headers: {
            Authorization: `Bearer ${info.token}`,
            'Content-Type': type,
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  const post = (body: string): Promise<number> => send('POST', GROUP_PATH, body, 'application/json');
  const relabel = (name: string, i: number): Promise<number> =>
    send(
      'PATCH',
      `${GROUP_PATH}/${name}`,
      JSON.stringify({ metadata: { labels: { round: String(i) } } }),
      'application/merge-patch+json',
    );

  const args = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `flag-${i}`, value: String(i) }));
  const withRules = (name: string) => ({
    apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
    kind: 'KubeadmConfig',
    metadata: { name },
    spec: {
      clusterConfiguration: {
        apiServer: { extraArgs: args(8) },
        controllerManager: { extraArgs: args(8) },
        scheduler: { extraArgs: args(8) },
      },
      files: [{ path: '/etc/x', content: 'y'.repeat(512) }],
    },
  });
  const withoutRules = (name: string) => ({
    apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
    kind: 'KubeadmConfig',
    metadata: { name },
    spec: {
      // As many list entries as the measured objects carry, in a list without rules.
      clusterConfiguration: { apiServer: { certSANs: args(24).map((a) => `${a.name}.example.com`) } },
      files: [{ path: '/etc/x', content: 'y'.repeat(512) }],
    },
  });

  let errors = 0;
  const round = async (tag: string, make: (name: string) => object, seconds: number): Promise<number> => {
    let n = 0;
    const until = Date.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, w) => {
        let i = 0;
        while (Date.now() < until) {
          const code = await post(JSON.stringify(make(`${tag}-${w}-${i++}`)));
          if (code === 201) n++;
          else errors++;
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  };

  await round('warm-a', withoutRules, 1);
  await round('warm-b', withRules, 1);
  const ref: number[] = [];
  const cel: number[] = [];
  for (let r = 0; r < 2; r++) {
    ref.push(await round(`ref${r}`, withoutRules, SECONDS));
    cel.push(await round(`cel${r}`, withRules, SECONDS));
  }
  // updates: each client relabels the first object it created in that round
  const updates = async (tag: string, seconds: number): Promise<number> => {
    let n = 0;
    const until = Date.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, w) => {
        let i = 0;
        while (Date.now() < until) {
          const code = await relabel(`${tag}-${w}-0`, i++);
          if (code === 200) n++;
          else errors++;
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  };
  const refUpd: number[] = [];
  const celUpd: number[] = [];
  for (let r = 0; r < 2; r++) {
    refUpd.push(await updates(`ref${r}`, SECONDS));
    celUpd.push(await updates(`cel${r}`, SECONDS));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratio = mean(cel) / mean(ref);
  const updRatio = mean(celUpd) / mean(refUpd);
  console.log(
    `apiserver-cel-writes: KubeadmConfig creates by ${CLIENTS} keep-alive clients, ${SECONDS} s rounds A B A B, ${errors} errors`,
  );
  console.log(`  without CEL rules reached (reference): ${ref.map((x) => x.toFixed(0)).join(', ')} writes/s`);
  console.log(`  with 3 extraArgs list rules per write:  ${cel.map((x) => x.toFixed(0)).join(', ')} writes/s`);
  console.log(`  creates ratio: ${ratio.toFixed(3)}   target: >= ${TARGET.toFixed(2)}`);
  console.log(`  label updates, same objects (spec unchanged: ratcheted), ${SECONDS} s rounds A B A B:`);
  console.log(`  without CEL rules reached (reference): ${refUpd.map((x) => x.toFixed(0)).join(', ')} writes/s`);
  console.log(`  with 3 extraArgs list rules per write:  ${celUpd.map((x) => x.toFixed(0)).join(', ')} writes/s`);
  const met = ratio >= TARGET && updRatio >= TARGET && errors === 0;
  console.log(
    `  updates ratio: ${updRatio.toFixed(3)}   target: >= ${TARGET.toFixed(2)}   ${met ? '(met)' : '(NOT met)'}`,
  );
  agent.destroy();
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  process.exit(met ? 0 : 1);
}
