// Helper for the engine benchmarks: runs the embedded management cluster with the emulated
// controllers and kubelet in its own process (so the benchmark process counts only the
// engine's requests). Prints one JSON line {kubeconfigYaml}; exits when stdin closes.
import { startWorld } from '../test/support/fake-controllers.js';

const world = await startWorld({ backing: Number(process.argv[2] ?? 0) });
process.stdout.write(JSON.stringify({ kubeconfigYaml: world.management.kubeconfigYaml, backing: world.backing.map((b) => ({ name: b.name, kubeconfigYaml: b.kubeconfigYaml })) }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => void world.stop().then(() => process.exit(0)));
