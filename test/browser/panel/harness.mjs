/* global window, document, Image, requestAnimationFrame -- page.evaluate callbacks run in the browser */
/**
 * Renders the built panel (`plugin/panel/dist/module.js`, AMD) in headless Chromium the way Grafana
 * loads it: an AMD `define` shim resolves its imports from Grafana's shared modules (bundled once with
 * esbuild from the same npm packages and versions), and the panel component renders inside Grafana's
 * ThemeContext with PanelProps built from scorer responses.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const PANEL_DIST = join(REPO, 'plugin/panel/dist');
export const ARTIFACTS = join(REPO, 'test/artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The externals bundle (an IIFE setting window.__grafanaExternals); rebuilt when older than this file. */
export async function externalsBundle() {
  const out = join(tmpdir(), 'trafficlens-browser', 'grafana-externals.js');
  const entry = fileURLToPath(new URL('./externals-entry.mjs', import.meta.url));
  try {
    if (statSync(out).mtimeMs > statSync(entry).mtimeMs) return out;
  } catch {
    // not built yet
  }
  mkdirSync(join(tmpdir(), 'trafficlens-browser'), { recursive: true });
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    outfile: out,
    absWorkingDir: REPO,
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.css': 'empty', '.svg': 'dataurl', '.png': 'dataurl', '.woff': 'empty', '.woff2': 'empty' },
    logLevel: 'error',
    minify: true,
  });
  return out;
}

export async function launch() {
  try {
    statSync(CHROMIUM);
  } catch {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** In the page: the AMD shim, the built module, and a render(props) function on window. */
const BOOT = `
window.define = function (deps, factory) {
  var ext = window.__grafanaExternals;
  window.__panelModule = factory.apply(null, deps.map(function (d) {
    if (d === 'module') return { uri: '/public/plugins/trafficlens-anomaly-panel/module.js' };
    if (!(d in ext)) throw new Error('the panel imports ' + d + ', which Grafana does not provide');
    return ext[d];
  }));
};
window.define.amd = {};
`;

const RENDER = `
window.renderPanel = function (spec) {
  var ext = window.__grafanaExternals;
  var React = ext.react, data = ext['@grafana/data'];
  var theme = data.createTheme({ colors: { mode: spec.theme } });
  document.body.style.margin = '0';
  document.body.style.background = theme.colors.background.primary;
  document.body.style.color = theme.colors.text.primary;
  document.body.style.fontFamily = theme.typography.fontFamily;
  var frames = spec.frames.map(function (f) { return data.createDataFrame(f); });
  var from = data.dateTime(spec.from), to = data.dateTime(spec.to);
  var timeRange = { from: from, to: to, raw: { from: from, to: to } };
  var props = {
    id: 1, title: 'TrafficLens', transparent: false, renderCounter: 0,
    width: spec.width, height: spec.height, timeZone: 'utc', timeRange: timeRange,
    data: { state: 'Done', series: frames, timeRange: timeRange },
    options: spec.options, fieldConfig: { defaults: {}, overrides: [] },
    eventBus: new data.EventBusSrv(), onOptionsChange: function () {}, onFieldConfigChange: function () {},
    replaceVariables: function (s) { return s; }, onChangeTimeRange: function (r) { window.__zoomed = r; },
  };
  var root = document.getElementById('root');
  root.style.width = spec.width + 'px';
  root.style.height = spec.height + 'px';
  var plugin = window.__panelModule.plugin;
  var el = React.createElement(data.ThemeContext.Provider, { value: theme },
    React.createElement(plugin.panel, props));
  if (!window.__root) window.__root = ext['react-dom/client'].createRoot(root);
  window.__root.render(el);
};
`;

/** A page with the panel loaded, ready for `render(spec)`. */
export async function openPanelPage(browser, viewport) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  // A real origin (Grafana's code reads localStorage, which about:blank refuses), served from memory.
  const files = {
    '/': { type: 'text/html', body: PAGE },
    '/externals.js': { type: 'text/javascript', body: readFileSync(await externalsBundle()) },
    '/public/plugins/trafficlens-anomaly-panel/module.js': {
      type: 'text/javascript',
      body: readFileSync(join(PANEL_DIST, 'module.js')),
    },
  };
  await page.route(`${ORIGIN}/**`, (route) => {
    const file = files[new URL(route.request().url()).pathname];
    return file
      ? route.fulfill({ status: 200, contentType: file.type, body: file.body })
      : route.fulfill({ status: 404, body: 'not found' });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => window.__panelModule && window.renderPanel);
  const render = async (spec) => {
    await page.evaluate((s) => window.renderPanel(s), spec);
    // two frames: React commits, then the canvases draw in effects
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  };
  return { page, errors, render };
}

const ORIGIN = 'http://grafana.test';
// What Grafana's index.html sets before @grafana/runtime reads its config.
const BOOT_DATA = `window.grafanaBootData = { settings: { buildInfo: { version: '12.4.10' }, featureToggles: {} }, user: {}, navTree: [] };`;
const PAGE = `<!doctype html><html><head><meta charset="utf-8"></head><body><div id="root"></div>
<script>${BOOT_DATA}</script>
<script src="/externals.js"></script>
<script>${BOOT}</script>
<script src="/public/plugins/trafficlens-anomaly-panel/module.js"></script>
<script>${RENDER}</script>
</body></html>`;

/**
 * Decodes a PNG with the page's own image decoder and keeps its pixels in the page;
 * `region(x, y, w, h)` returns that rectangle's pixels as [r, g, b, a] arrays.
 */
export async function decodePng(page, png) {
  const size = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    window.__shot = ctx.getImageData(0, 0, c.width, c.height);
    return { width: c.width, height: c.height };
  }, png.toString('base64'));
  const region = (x, y, w, h) =>
    page.evaluate(
      ([x0, y0, w0, h0]) => {
        const { data, width } = window.__shot;
        const out = [];
        for (let y = Math.max(0, y0); y < y0 + h0; y++) {
          for (let x = Math.max(0, x0); x < x0 + w0; x++) {
            const i = (y * width + x) * 4;
            out.push([data[i], data[i + 1], data[i + 2], data[i + 3]]);
          }
        }
        return out;
      },
      [Math.round(x), Math.round(y), Math.round(w), Math.round(h)],
    );
  return { ...size, region };
}

/** The theme's colours the assertions compare pixels with, as [r, g, b]. */
export async function themeColors(page, mode, names) {
  return page.evaluate(
    ([m, list]) => {
      const data = window.__grafanaExternals['@grafana/data'];
      const theme = data.createTheme({ colors: { mode: m } });
      const rgb = (c) => {
        const x = data.colorManipulator.asRgbString ? data.colorManipulator.asRgbString(c) : c;
        return x
          .match(/\d+(\.\d+)?/g)
          .slice(0, 3)
          .map(Number);
      };
      const out = {
        background: rgb(theme.colors.background.primary),
        secondary: rgb(theme.colors.background.secondary),
      };
      for (const n of list) out[n] = rgb(theme.visualization.getColorByName(n));
      return out;
    },
    [mode, names],
  );
}

export const near = (px, rgb, tol) =>
  Math.abs(px[0] - rgb[0]) <= tol && Math.abs(px[1] - rgb[1]) <= tol && Math.abs(px[2] - rgb[2]) <= tol;
export const blend = (fg, bg, a) => fg.map((c, i) => Math.round(a * c + (1 - a) * bg[i]));

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
