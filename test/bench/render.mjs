#!/usr/bin/env node
/* global window -- in page.evaluate callbacks, which run in the page */
/**
 * Render-time benchmark (`npm run bench` runs it after the backend's): the built panel plugin
 * (plugin/panel/dist, loaded the way Grafana loads it) draws 20 series × 10,000 points in overlay mode
 * and a 200-tile NOC wall page in headless Chromium, side by side in the same page with uPlot — the
 * chart library of Grafana's own Time series panel, at @grafana/ui's version — drawing the same series
 * at the same sizes (the Time series panel's fields for the overlay, a sparkline with band per tile for
 * the wall). Runs alternate panel and uPlot so both meet the same background load; the report is the
 * median of the runs and the median ratio of the pairs, because absolute times on a shared machine are noise.
 *
 *   node test/bench/render.mjs [--runs 7] [--tiny] [--json]
 *
 * --tiny draws 2 series × 200 points and 6 tiles (the end-to-end test uses it); --json prints the
 * results as JSON instead of the table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_DIST, buildPageScripts } from '../../plugin/demo/build.mjs';
import { chromiumMissing, launchChromium } from '../browser/support/chromium.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PANEL_DIST = join(REPO, 'plugin/panel/dist');

/**
 * 10,000 points is a week of 1-minute data, about what a Grafana panel asks for over a wide range; a
 * 200-tile page is a large NOC wall on one 4K screen, each sparkline a day of 1-minute points.
 */
const CASES = {
  full: [
    {
      name: 'overlay',
      label: 'overlay, 20 series × 10,000 points (1920×1080)',
      series: 20,
      points: 10_000,
      width: 1920,
      height: 1080,
      mode: 'overlay',
    },
    {
      name: 'wall',
      label: 'NOC wall, 200 tiles × 1,440 points (3840×2160)',
      series: 200,
      points: 1_440,
      width: 3840,
      height: 2160,
      mode: 'noc',
      tileMinWidth: 160,
    },
  ],
  tiny: [
    {
      name: 'overlay',
      label: 'overlay, 2 series × 200 points',
      series: 2,
      points: 200,
      width: 800,
      height: 600,
      mode: 'overlay',
    },
    {
      name: 'wall',
      label: 'NOC wall, 6 tiles × 100 points',
      series: 6,
      points: 100,
      width: 1200,
      height: 600,
      mode: 'noc',
    },
  ],
};

class BenchError extends Error {}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const progress = (line) => process.stderr.write(`${line}\n`);

function checkPrerequisites() {
  for (const [file, command] of [
    [join(PANEL_DIST, 'module.js'), 'npm run build -w plugin/panel'],
    [join(DEMO_DIST, 'externals.js'), 'npm run build -w plugin/demo'],
  ]) {
    if (!existsSync(file))
      throw new BenchError(`${file} is missing: run \`${command}\` (or \`npm run build\`) first`);
  }
  const missing = chromiumMissing();
  if (missing) {
    throw new BenchError(missing);
  }
}

const TYPES = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Serves the page, the externals, the bench script and the built panel on a loopback port. */
async function serve(scriptDir) {
  const folders = [
    ['/public/plugins/trafficlens-anomaly-panel/', PANEL_DIST],
    ['/public/build/img/icons/', join(DEMO_DIST, 'icons')],
    ['/bench/', scriptDir],
    ['/', DEMO_DIST],
  ];
  const page = `<!doctype html><html><head><meta charset="utf-8">
<script>window.grafanaBootData = { settings: { buildInfo: { version: '12.4.10' }, featureToggles: {}, appSubUrl: '' }, user: { theme: 'dark', timezone: 'utc' }, navTree: [] };</script>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/externals.css"><script src="/externals.js"></script></head>
<body style="margin:0"><div id="root"></div><script src="/bench/bench.js"></script></body></html>`;
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://bench').pathname);
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
      return;
    }
    for (const [prefix, dir] of folders) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(normalize(dir)) || !existsSync(file) || !statSync(file).isFile()) continue;
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

function commitOf() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'plugin', 'test/bench'], {
      cwd: REPO,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

async function run({ runs, tiny }) {
  checkPrerequisites();
  const scriptDir = mkdtempSync(join(tmpdir(), 'trafficlens-render-bench-'));
  let server;
  let browser;
  try {
    progress('render bench: bundling the page…');
    await buildPageScripts({ bench: fileURLToPath(new URL('./page.js', import.meta.url)) }, scriptDir);
    server = await serve(scriptDir);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    await page.goto(server.url);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
    await page.evaluate(() => window.bench.load());

    const results = [];
    for (const c of CASES[tiny ? 'tiny' : 'full']) {
      await page.setViewportSize({ width: c.width, height: c.height });
      progress(`render bench: ${c.label}: generating the series…`);
      await page.evaluate((spec) => window.bench.prepare(spec.name, spec), c);
      const panel = [];
      const uplot = [];
      // The first pair warms up the JIT and the caches of both; it is not counted.
      for (let i = 0; i <= runs; i++) {
        const r = await page.evaluate((name) => window.bench.pair(name), c.name);
        if (r.panel.items !== c.series) {
          throw new BenchError(
            `${c.label}: the panel showed ${r.panel.items} of ${c.series} series on its page`,
          );
        }
        if (r.panel.inked < c.series || r.uplot.inked < c.series) {
          throw new BenchError(
            `${c.label}: only ${r.panel.inked} panel / ${r.uplot.inked} uPlot canvases were drawn on for ${c.series} series`,
          );
        }
        if (errors.length) throw new BenchError(`errors in the page: ${errors.join('; ')}`);
        if (i === 0) {
          progress(
            `render bench: ${c.label}: warm-up panel ${r.panel.ms.toFixed(1)} ms, uPlot ${r.uplot.ms.toFixed(1)} ms`,
          );
          continue;
        }
        panel.push(r.panel.ms);
        uplot.push(r.uplot.ms);
        progress(
          `render bench: ${c.label}: run ${i}/${runs} panel ${r.panel.ms.toFixed(1)} ms, uPlot ${r.uplot.ms.toFixed(1)} ms`,
        );
      }
      results.push({
        name: c.name,
        label: c.label,
        runs,
        panelMs: median(panel),
        uplotMs: median(uplot),
        // Each pair ran back to back under the same load: the median of the pairs' ratios is steadier on a
        // shared machine than the ratio of the medians.
        ratios: panel.map((p, i) => p / uplot[i]),
        ratio: median(panel.map((p, i) => p / uplot[i])),
        panelRange: [Math.min(...panel), Math.max(...panel)],
        uplotRange: [Math.min(...uplot), Math.max(...uplot)],
      });
    }
    return { chromium: browser.version(), commit: commitOf(), results };
  } finally {
    await browser?.close();
    server?.close();
    rmSync(scriptDir, { recursive: true, force: true });
  }
}

function table({ chromium: version, commit, results }) {
  const ms = (x) => `${x.toFixed(1)} ms`;
  const lines = [
    `Render time in headless Chromium ${version} (software canvas), median of ${results[0]?.runs ?? 0} runs, commit ${commit}:`,
    '',
    "| | TrafficLens panel | uPlot (Grafana's chart library) | panel / uPlot (median of the pairs) |",
    '|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.label} | ${ms(r.panelMs)} (${ms(r.panelRange[0])}–${ms(r.panelRange[1])}) | ${ms(r.uplotMs)} (${ms(r.uplotRange[0])}–${ms(r.uplotRange[1])}) | ${r.ratio.toFixed(2)}× |`,
    ),
  ];
  return lines.join('\n');
}

const USAGE = 'usage: node test/bench/render.mjs [--runs N (1–100, default 7)] [--tiny] [--json]';

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: 'string', default: '7' },
        tiny: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new BenchError(`${err.message}\n${USAGE}`);
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    throw new BenchError(
      `--runs: expected an integer from 1 to 100, got ${JSON.stringify(values.runs)}\n${USAGE}`,
    );
  }
  const report = await run({ runs, tiny: values.tiny ?? false });
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${table(report)}\n`);
}

main().catch((err) => {
  process.stderr.write(
    `render bench: ${err instanceof BenchError ? err.message : (err?.stack ?? String(err))}\n`,
  );
  process.exit(1);
});
