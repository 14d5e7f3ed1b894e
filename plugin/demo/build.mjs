/**
 * Builds the demo page into dist/ with esbuild:
 * - externals.js (+ externals.css): the shared modules Grafana hands to plugins, bundled once from the
 *   same npm packages and versions the plugins are built against;
 * - demo.js: the page script, which takes those modules from the externals bundle (never a second copy);
 * - index.html, and @grafana/ui's icons.
 * The scorer serves dist/ at / and the panel's own dist/ at /public/plugins/trafficlens-anomaly-panel/.
 * The browser tests and the render benchmark load the same files (`node build.mjs` or `npm run build`).
 */
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const DEMO_DIST = fileURLToPath(new URL('./dist/', import.meta.url));
const SRC = fileURLToPath(new URL('./src/', import.meta.url));

/** Module ids the externals bundle provides (Grafana provides more; these are the ones our plugins use). */
export const GRAFANA_EXTERNALS = [
  'react',
  'react-dom',
  'react-dom/client',
  'react/jsx-runtime',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  '@emotion/css',
  '@emotion/react',
  'rxjs',
  'lodash',
];

/** esbuild plugin: imports of the shared modules read window.__grafanaExternals, set by externals.js. */
export const fromGrafanaExternals = {
  name: 'grafana-externals',
  setup(b) {
    const filter = new RegExp(`^(${GRAFANA_EXTERNALS.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'grafana-external' }));
    b.onLoad({ filter: /.*/, namespace: 'grafana-external' }, (args) => ({
      contents: `module.exports = window.__grafanaExternals[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};

const COMMON = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  minify: true,
  logLevel: 'error',
  define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
  // CSS imported by the modules goes to externals.css; fonts and images are not needed.
  loader: { '.svg': 'empty', '.woff': 'empty', '.woff2': 'empty', '.png': 'empty', '.ttf': 'empty' },
};

/** externals.js + externals.css into outDir. */
export async function buildExternals(outDir) {
  await build({ ...COMMON, entryPoints: { externals: join(SRC, 'externals.js') }, outdir: outDir });
}

/** A page script (entry name → file) bundled against the externals; used by the tests' harness pages. */
export async function buildPageScripts(entryPoints, outDir) {
  await build({ ...COMMON, entryPoints, outdir: outDir, plugins: [fromGrafanaExternals] });
}

export async function buildDemo(outDir = DEMO_DIST) {
  mkdirSync(outDir, { recursive: true });
  await buildExternals(outDir);
  await buildPageScripts({ demo: join(SRC, 'demo.js') }, outDir);
  copyFileSync(join(SRC, 'index.html'), join(outDir, 'index.html'));
  // @grafana/ui's Icon fetches its SVGs from Grafana's public folder; the scorer serves this copy there.
  const ui = join(createRequire(import.meta.url).resolve('@grafana/ui/package.json'), '..');
  cpSync(join(ui, 'dist/public/img/icons'), join(outDir, 'icons'), { recursive: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  await buildDemo();
  process.stdout.write(`demo page built in ${DEMO_DIST} (${Date.now() - started} ms)\n`);
}
