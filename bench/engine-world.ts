// Helper for the engine benchmarks: runs the embedded management cluster with the emulated
// controllers and kubelet in its own process (so the benchmark process counts only the
// engine's requests). Prints one JSON line {kubeconfigYaml}; exits when stdin closes.
import { startWorld } from '../test/support/fake-controllers.js';
import { startApiServer } from '../src/sim/apiserver/index.js';

// `bare`: only the API server (throughput benchmark: nothing reacts to the objects).
if (process.argv[2] === 'bare') {
  const api = await startApiServer({ name: 'bench' });
  process.stdout.write(`${JSON.stringify({ kubeconfigYaml: api.kubeconfigYaml, backing: [] })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void api.stop().then(() => process.exit(0)));
} else {
  await runWorld();
}

async function runWorld(): Promise<void> {
  const world = await startWorld({ backing: Number(process.argv[2] ?? 0) });
  process.stdout.write(
    `${JSON.stringify({
      kubeconfigYaml: world.management.kubeconfigYaml,
      backing: world.backing.map((b) => ({ name: b.name, kubeconfigYaml: b.kubeconfigYaml })),
    })}\n`,
  );
  process.stdin.resume();
  process.stdin.on('end', () => void world.stop().then(() => process.exit(0)));
}
