/**
 * Loads a built plugin (`dist/module.js`, an AMD module) in Node the way Grafana loads it in the
 * browser: a `define` shim hands it the shared modules Grafana provides — here the same npm packages at
 * the same versions, on a jsdom window because @grafana/data and @grafana/ui expect one at import.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import { JSDOM } from 'jsdom';

const require = createRequire(import.meta.url);
let externals;
let closeWindow = () => {};

/** Stops the jsdom window's timers (requestAnimationFrame…) so the process can exit. */
export function closeGrafanaWindow() {
  closeWindow();
}

/** Grafana's shared modules (react, @grafana/*, rxjs…), loaded once per process. */
export function grafanaExternals() {
  if (externals) return externals;
  // @grafana/ui's dependencies import CSS for the browser's bundler; Node only needs them to load.
  require.extensions['.css'] = () => {};
  const dom = new JSDOM('<!doctype html><html><body></body></html>', {
    url: 'http://grafana.test/',
    pretendToBeVisual: true,
  });
  const win = dom.window;
  win.matchMedia = () => ({
    matches: false,
    addListener() {},
    removeListener() {},
    addEventListener() {},
    removeEventListener() {},
  });
  // What index.html of Grafana sets before @grafana/runtime's config is read.
  win.grafanaBootData = {
    settings: { buildInfo: { version: '12.4.10' }, featureToggles: {} },
    user: {},
    navTree: [],
  };
  // Node's own Event/EventTarget would not be accepted by jsdom's DOM, so DOM names come from the window.
  const domNames = /Event|^DOM|^Node$|^Element$|^HTML|^SVG|^Document|^navigator$/;
  for (const key of Object.getOwnPropertyNames(win)) {
    if (key.startsWith('_') || (key in globalThis && !domNames.test(key))) continue;
    Object.defineProperty(globalThis, key, { configurable: true, get: () => win[key] });
  }
  closeWindow = () => win.close();
  // i18next prints an advertisement on its first init() unless its showSupportNotice option is false;
  // @grafana/ui initialises the shared instance without it, so set it first (as plugin/demo/src/i18n.js).
  require('i18next').options.showSupportNotice = false;

  externals = {
    react: require('react'),
    'react-dom': require('react-dom'),
    'react/jsx-runtime': require('react/jsx-runtime'),
    '@grafana/data': require('@grafana/data'),
    '@grafana/runtime': require('@grafana/runtime'),
    '@grafana/ui': require('@grafana/ui'),
    rxjs: require('rxjs'),
    lodash: require('lodash'),
    '@emotion/css': require('@emotion/css'),
    '@emotion/react': require('@emotion/react'),
  };
  return externals;
}

/**
 * Evaluates `<distDir>/module.js` with an AMD `define` shim and returns its exports (`{ plugin }`).
 * @param {string} distDir
 * @param {string} pluginId for the public path Grafana gives the module (`module.uri`)
 */
export function loadPlugin(distDir, pluginId) {
  const shared = grafanaExternals();
  const code = readFileSync(`${distDir}/module.js`, 'utf8');
  let exported;
  const define = (deps, factory) => {
    const resolved = deps.map((dep) => {
      if (dep === 'module') return { uri: `public/plugins/${pluginId}/module.js` };
      if (!(dep in shared)) throw new Error(`${pluginId} imports ${dep}, which Grafana does not provide`);
      return shared[dep];
    });
    exported = factory(...resolved);
  };
  define.amd = {};
  globalThis.define = define;
  try {
    runInThisContext(code, { filename: `${distDir}/module.js` });
  } finally {
    delete globalThis.define;
  }
  if (!exported) throw new Error(`${distDir}/module.js did not call define()`);
  return exported;
}
