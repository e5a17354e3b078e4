// Import rules of ARCHITECTURE.md, checked by dependency-cruiser in `npm test` (npm run lint:deps).
// Layers, top to bottom; a layer may import only the layers below it (and itself):
//   cli  >  ui  >  demo  >  engine  >  metrics | sim  >  state  >  core  >  manifests
// metrics and sim are siblings: neither imports the other. src/demo is the demo's
// composition root (it starts the engine on the simulator), so it sits above the engine
// and has a folder of its own (under src/sim it drew an arrow running upward).
/** @param {string} from @param {string[]} allowed  regexes of what `from` may import besides itself */
function layer(name, from, allowed, fromNot) {
  return {
    name: `layer-${name}`,
    comment: `${name} may import only: ${allowed.join(', ') || 'nothing else in src'} (ARCHITECTURE.md)`,
    severity: 'error',
    from: { path: from, ...(fromNot ? { pathNot: fromNot } : {}) },
    to: { path: '^src/', pathNot: [from, ...allowed] },
  };
}

const CORE = '^src/core/';
const MANIFESTS = '^src/manifests/';
const STATE = '^src/state/';
const METRICS = '^src/metrics/';
const SIM = '^src/sim/';
const DEMO = '^src/demo/';
const ENGINE = '^src/engine/';
const UI = '^src/ui/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only ones included: a cycle means two files are one concern.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer('manifests', MANIFESTS, []),
    layer('core', CORE, [MANIFESTS]),
    layer('state', STATE, [CORE, MANIFESTS]),
    layer('metrics', METRICS, [STATE, CORE, MANIFESTS]),
    layer('sim', SIM, [CORE, MANIFESTS]),
    layer('engine', ENGINE, [METRICS, SIM, STATE, CORE, MANIFESTS]),
    layer('demo', DEMO, [ENGINE, METRICS, SIM, STATE, CORE, MANIFESTS]),
    layer('ui', UI, [ENGINE, STATE, CORE, MANIFESTS]),
    {
      name: 'src-not-test',
      comment: 'Code under src/ never imports tests, benches or their support files.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|e2e)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a moved file.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
