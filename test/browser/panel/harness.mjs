/* global window, document, Image -- page.evaluate callbacks run in the browser */
/**
 * The built panel (`plugin/panel/dist/module.js`, AMD) in headless Chromium, on the demo page a real
 * scorer serves at `/` (plugin/demo): the page loads the plugin the way Grafana does (an AMD `define`
 * shim handing it Grafana's shared modules, bundled once with esbuild from the same npm packages) and
 * builds its frames with the datasource's own code. `?kiosk` shows the panel alone, full page;
 * `window.trafficlensDemo.show(spec)` draws exact inputs in it. The page is one Grafana version's build
 * (support/hosts.js): the scorer serves that host's folder at `/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/chromium.js';
import { severityLabel, severityOf, STATUS_COLORS } from '../../../backend/dist/contract/severity.js';
import { assertHost, assertHostBuilt } from '../support/hosts.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const PANEL_DIST = join(REPO, 'plugin/panel/dist');
export { GRAFANA_HOSTS } from '../support/hosts.js';

/** The built files the page needs on `host`, each with the command that builds it. */
export function assertBuilt(host) {
  const module = join(PANEL_DIST, 'module.js');
  if (!existsSync(module))
    throw new Error(`${module} is missing: npm run build -w plugin/panel (or npm run build) first`);
  assertHostBuilt(host);
}

export const launch = launchChromium;

/**
 * `node backend/dist/main.js` on a free loopback port with the embedded simulator (what `npm start`
 * runs), once its simulator job has scored its backfill; its demo page at `/` is `host`'s build.
 */
export async function startScorer({ host, env = {} }) {
  const child = spawn(process.execPath, [join(REPO, 'backend/dist/main.js')], {
    cwd: REPO,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      TRAFFICLENS_WORKER_THREADS: '1',
      TRAFFICLENS_DEMO_DIR: host.dist,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('scorer did not start in 60 s')), 60_000);
    let buf = '';
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      const m = /"msg":"listening on (http:\/\/[^"]+)"/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`scorer exited with ${code}`)));
  });
  const headers = env.TRAFFICLENS_API_TOKEN ? { Authorization: `Bearer ${env.TRAFFICLENS_API_TOKEN}` } : {};
  const deadline = Date.now() + 90_000;
  for (;;) {
    const jobs = await (await fetch(`${url}/api/v1/jobs`, { headers })).json();
    const sim = jobs.jobs.find((j) => j.name === 'simulator');
    if (sim && sim.runs > 0) break;
    if (Date.now() > deadline) throw new Error('simulator job did not run in 90 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * A page of the demo, with the page's errors (uncaught and console) collected; fails unless it runs
 * `host`'s React and Grafana.
 */
export async function openDemoPage(browser, url, viewport, host) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  const errors = [];
  // Every console line, to check the page prints nothing a user would wonder about.
  const messages = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    messages.push(msg.text());
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(url);
  await assertHost(page, host);
  return { page, errors, messages };
}

/**
 * The demo page in kiosk mode, ready for `render(spec)`: spec = { theme, width, height, from, to,
 * series (as GET /api/v1/jobs/:name/series gives them), options }.
 */
export async function openPanelPage(browser, scorerUrl, viewport, host) {
  const { page, errors } = await openDemoPage(browser, `${scorerUrl}/?kiosk`, viewport, host);
  await page.waitForFunction(() => typeof window.trafficlensDemo?.show === 'function');
  // resolves two animation frames after React committed: the panel's canvases draw in effects
  const render = (spec) => page.evaluate((s) => window.trafficlensDemo.show(s), spec);
  return { page, errors, render };
}

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
  // The pixels cross from the page as one string (a char per channel, 256 past the image's end): CDP
  // serializes a string far faster than hundreds of thousands of small arrays.
  const region = async (x, y, w, h) => {
    const text = await page.evaluate(
      ([x0, y0, w0, h0]) => {
        const { data, width } = window.__shot;
        const codes = [];
        for (let y = Math.max(0, y0); y < y0 + h0; y++) {
          for (let x = Math.max(0, x0); x < x0 + w0; x++) {
            const i = (y * width + x) * 4;
            for (let c = 0; c < 4; c++) codes.push(i + c < data.length ? data[i + c] : 256);
          }
        }
        let out = '';
        for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode(...codes.slice(i, i + 8192));
        return out;
      },
      [Math.round(x), Math.round(y), Math.round(w), Math.round(h)],
    );
    const channel = (i) => {
      const code = text.charCodeAt(i);
      return code === 256 ? undefined : code;
    };
    const out = [];
    for (let i = 0; i < text.length; i += 4)
      out.push([channel(i), channel(i + 1), channel(i + 2), channel(i + 3)]);
    return out;
  };
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

// What the panel draws, as the browser tests expect it. Severity and its colours come from the score
// contract itself (backend/src/contract/severity.ts, built by `npm run build`), the one definition the
// panel's generated copy (plugin/panel/src/frames/severity.gen.ts) must match pixel for pixel; the
// layout constants are plugin/panel/src/draw/overlay.ts's (the score strip is SCORE_HEIGHT + 4).
export const STATUS_COLOR = Object.fromEntries(
  ['ok', 'warning', 'minor', 'major', 'critical'].map((status) => [status, STATUS_COLORS[status]]),
);
export { severityOf };
export const labelOf = severityLabel;
export const AXIS_WIDTH = 64;
export const RIGHT_PAD = 8;
export const TITLE_HEIGHT = 18;
export const SCORE_BLOCK = 38;
export const TIME_AXIS = 18;

/** The panel's value extent (plugin/panel/src/draw/scale.ts, extent): min and max, 6 % padding each side. */
function paddedExtent(values) {
  const finite = values.filter((v) => v !== null && Number.isFinite(v));
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

/** Index of the timestamp nearest to t. */
function nearestIndex(times, t) {
  let best = 0;
  for (let k = 1; k < times.length; k++) if (Math.abs(times[k] - t) < Math.abs(times[best] - t)) best = k;
  return best;
}

/**
 * Where the band of `series` (a scored series: values, lower, upper, episodes) should be drawn in an
 * overlay row's plot, and where it is: every 4th pixel column, on the row's own scale (the panel's extent
 * of values and band), where the band is at least 4 px tall and no episode's shading or markers (10 points
 * either side) cover it, whether a pixel between upper and lower has the band's colour. A narrow band
 * counts as much as a wide one. `plot`: the plot's rectangle in the screenshot, [from, to] its time range.
 */
export async function bandColumns(shot, plot, series, from, to, bandColor) {
  const rect = { x: Math.round(plot.x), y: Math.round(plot.y), w: Math.round(plot.w), h: Math.round(plot.h) };
  const px = await shot.region(rect.x, rect.y, rect.w, rect.h);
  const [lo, hi] = paddedExtent([...series.values, ...series.lower, ...series.upper]);
  const yOf = (v) => (1 - (v - lo) / (hi - lo)) * rect.h;
  const margin = 10 * (series.timestamps[1] - series.timestamps[0]);
  const shaded = (t) => series.episodes.some((e) => t >= e.start - margin && t <= e.end + margin);
  let columns = 0;
  let drawn = 0;
  for (let x = 2; x < rect.w - 2; x += 4) {
    const t = from + (x / rect.w) * (to - from);
    const k = nearestIndex(series.timestamps, t);
    const [lower, upper] = [series.lower[k], series.upper[k]];
    if (lower === null || upper === null || shaded(t)) continue;
    const [top, bottom] = [Math.ceil(yOf(upper)), Math.floor(yOf(lower))];
    if (bottom - top < 4) continue;
    columns++;
    for (let y = Math.max(0, top); y <= Math.min(rect.h - 1, bottom); y++) {
      if (near(px[y * rect.w + x], bandColor, 10)) {
        drawn++;
        break;
      }
    }
  }
  return { columns, drawn };
}
