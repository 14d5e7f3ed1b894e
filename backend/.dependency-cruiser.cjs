/**
 * The backend's architecture, enforced (`npm run lint -w backend`): folders in layers, each importing
 * only the layers below it, and no import cycles between modules. docs/architecture.md says it in words.
 *
 * Tests (`*.test.ts`, `testing/` helpers and the test apps) may compose any layers: an API test of the
 * models routes needs the app, a detector test may use the engine to feed it. They are left out here.
 */

/** Top to bottom. A folder may import its own files and any folder listed after its row. */
const LAYERS = [
  ['main.ts', 'cli'], // entry points: wire only
  ['lab'], // NAB, benchmarks, the scenario suite, evaluation metrics
  ['api'], // HTTP: every route, errors, admission, the scoring executor
  ['jobs'], // continuous jobs: the run loop, ingest, persistence, job metrics, incidents
  ['network'], // network-wide detection on a group's aligned series (PCA subspace)
  ['forecast'], // per-series forecasts with intervals, time to a capacity threshold
  ['models'], // model registry and training
  ['store'], // the durable store of what operators tell the scorer (SQLite): maintenance windows
  ['engine'], // a series → its scores: cleaning, detection, calibration, batch and stream
  ['calibration'], // raw deviations → the one score scale, bands, episodes, explanations
  ['detectors'], // detector interface, registry, composite and components
  ['neural'], // plain-JS inference of trained models
  ['stats'], // windows, period detection, spectra
  ['sources'], // where points come from: Prometheus, the simulator, fakes
  ['series'], // a series' values: cleaning, counters
  ['snapshots'], // the snapshot codec
  ['contract', 'config'], // API shapes, errors, the matcher language; configuration
];

const folderPattern = (names) =>
  `^src/(${names.map((n) => n.replace('.', '\\.') + (n.endsWith('.ts') ? '$' : '/')).join('|')})`;

const TESTS = ['\\.test\\.ts$', '/testing/', '^src/api/(testApp|fullTestApp|fakeExecutor)\\.ts$'];

const layerRules = LAYERS.slice(1).map((layer, i) => {
  const above = LAYERS.slice(0, i + 1).flat();
  return {
    name: `layer-${layer.join('-')}`,
    comment: `${layer.join(' and ')} must not import a layer above it (${above.join(', ')})`,
    severity: 'error',
    from: { path: folderPattern(layer), pathNot: TESTS },
    to: { path: folderPattern(above) },
  };
});

// Peers on one row do not import each other either (contract and config are independent).
const peerRules = LAYERS.filter((layer) => layer.length > 1).flatMap((layer) =>
  layer.map((name) => ({
    name: `peer-${name.replace('.ts', '')}`,
    comment: `${name} must not import its peers on the same layer (${layer.filter((n) => n !== name).join(', ')})`,
    severity: 'error',
    from: { path: folderPattern([name]), pathNot: TESTS },
    to: { path: folderPattern(layer.filter((n) => n !== name)) },
  })),
);

module.exports = {
  forbidden: [
    ...layerRules,
    ...peerRules,
    {
      name: 'no-circular',
      comment: 'modules import each other in a cycle',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
