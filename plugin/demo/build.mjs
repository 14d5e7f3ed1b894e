/**
 * Builds the demo page into dist/ with esbuild:
 * - externals.js (+ externals.css): the shared modules Grafana hands to plugins, bundled once from the
 *   same npm packages and versions the plugins are built against;
 * - demo.js: the page script, which takes those modules from the externals bundle (never a second copy);
 * - index.html, and @grafana/ui's icons.
 * The scorer serves dist/ at / and the panel's own dist/ at /public/plugins/trafficlens-anomaly-panel/.
 * The browser tests and the render benchmark load the same files (`node build.mjs` or `npm run build`).
 * plugin/externals-grafana13 builds the same page from its own dependencies (Grafana 13's modules).
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const DEMO_DIST = fileURLToPath(new URL('./dist/', import.meta.url));
const DEMO_PACKAGE = fileURLToPath(new URL('./', import.meta.url));
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

const FROM_PACKAGE = Symbol('resolved from the package');

/**
 * esbuild plugin: every import of one of the package's dependencies (react, @grafana/ui, i18next, ...),
 * from whichever file, resolves from the package's folder. npm hoists one version of each package to the
 * root node_modules and nests the others under the workspace that needs them: without this, a hoisted
 * package (e.g. react-select) would bring the root's React 18 into a bundle built on React 19.
 */
function fromPackage(packageDir) {
  const deps = Object.keys(JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).dependencies);
  const filter = new RegExp(`^(${deps.map((d) => d.replace(/[/.]/g, '\\$&')).join('|')})(/.*)?$`);
  return {
    name: 'from-package',
    setup(b) {
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData === FROM_PACKAGE) return undefined;
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: packageDir,
          pluginData: FROM_PACKAGE,
        });
        return r.errors.length ? { errors: r.errors } : { path: r.path, sideEffects: r.sideEffects };
      });
    },
  };
}

/** The version of a package as `packageDir` resolves it. */
export function versionFrom(packageDir, name) {
  const require = createRequire(join(packageDir, 'package.json'));
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
}

/**
 * externals.js + externals.css into outDir, from `packageDir`'s dependencies. Fails when the bundle
 * would hold two copies of React or ReactDOM (plugins and @grafana/ui must share one, as in Grafana).
 */
export async function buildExternals(outDir, packageDir = DEMO_PACKAGE) {
  const result = await build({
    ...COMMON,
    entryPoints: { externals: join(SRC, 'externals.js') },
    outdir: outDir,
    metafile: true,
    define: {
      ...COMMON.define,
      // what Grafana's index.html states in grafanaBootData (see bootdata.js)
      __GRAFANA_VERSION__: JSON.stringify(versionFrom(packageDir, '@grafana/runtime')),
    },
    plugins: [fromPackage(packageDir)],
  });
  for (const name of ['react', 'react-dom']) {
    const copies = new Set(
      Object.keys(result.metafile.inputs)
        .map((f) => new RegExp(`^(.*node_modules/${name})/cjs/`).exec(f)?.[1])
        .filter(Boolean),
    );
    if (copies.size !== 1)
      throw new Error(`externals.js holds ${copies.size} copies of ${name}: ${[...copies]}`);
  }
}

/** A page script (entry name → file) bundled against the externals; used by the tests' harness pages. */
export async function buildPageScripts(entryPoints, outDir) {
  await build({ ...COMMON, entryPoints, outdir: outDir, plugins: [fromGrafanaExternals] });
}

/** The demo page into outDir, its shared modules from `packageDir`'s dependencies. */
export async function buildDemo(outDir = DEMO_DIST, packageDir = DEMO_PACKAGE) {
  mkdirSync(outDir, { recursive: true });
  await buildExternals(outDir, packageDir);
  await buildPageScripts({ demo: join(SRC, 'demo.js') }, outDir);
  copyFileSync(join(SRC, 'index.html'), join(outDir, 'index.html'));
  // @grafana/ui's Icon fetches its SVGs from Grafana's public folder; the scorer serves this copy there.
  const ui = join(createRequire(join(packageDir, 'package.json')).resolve('@grafana/ui/package.json'), '..');
  cpSync(join(ui, 'dist/public/img/icons'), join(outDir, 'icons'), { recursive: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  await buildDemo();
  process.stdout.write(`demo page built in ${DEMO_DIST} (${Date.now() - started} ms)\n`);
}
