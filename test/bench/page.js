/* global window, document -- runs in the page */
/**
 * The render benchmark's page (see render.mjs): draws the same synthetic scored series with the built
 * TrafficLens panel (loaded as Grafana loads it, frames from the datasource's code) and with uPlot, the
 * chart library of Grafana's own Time series panel, and times each draw.
 */
import React from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as data from '@grafana/data';
import uPlot from 'uplot';
import { loadPlugin } from '../../plugin/demo/src/amd.js';
import { toFrames } from '../../plugin/demo/src/frames.js';
import { Panel, Themed } from '../../plugin/demo/src/panel.js';
import { DEFAULT_OPTIONS } from '../../plugin/panel/src/types';
// Deterministic noise (mulberry32, the backend's own: built by `npm run build`), so every run and both
// contenders draw the same pixels.
import { seededRandom } from '../../backend/dist/stats/random.js';

const h = React.createElement;
const MINUTE = 60_000;
const theme = data.createTheme({ colors: { mode: 'dark' } });

/**
 * Scored series as GET /api/v1/jobs/:name/series returns them: 1-minute interface traffic with a daily
 * cycle and noise, an expected line and a ±15 % band, and a short spike every ~1,000 points so the
 * anomaly markers, episodes and score strip have work to do.
 */
function synthetic(count, points) {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, k) => {
    const rnd = seededRandom(k + 1);
    const timestamps = new Array(points);
    const values = new Array(points);
    const expected = new Array(points);
    const lower = new Array(points);
    const upper = new Array(points);
    const score = new Array(points);
    const anomaly = new Array(points);
    const scale = 1e8 * (1 + (k % 7) / 3);
    for (let i = 0; i < points; i++) {
      const base = scale * (1 + 0.5 * Math.sin((2 * Math.PI * (i + 97 * k)) / 1440));
      const spike = (i + 31 * k) % 997 < 4 ? 1.6 : 1;
      timestamps[i] = start + i * MINUTE;
      expected[i] = base;
      lower[i] = base * 0.85;
      upper[i] = base * 1.15;
      values[i] = base * spike * (1 + 0.06 * (rnd() - 0.5));
      score[i] = Math.abs(values[i] - base) / (0.15 * base);
      anomaly[i] = score[i] >= 1;
    }
    return {
      labels: {
        metric: 'interface_bytes_per_second',
        site: `site-${k % 5}`,
        link: `link-${k}`,
        direction: 'in',
      },
      timestamps,
      values,
      expected,
      lower,
      upper,
      score,
      anomaly,
      state: 'ok',
      detector: 'auto',
      episodes: [],
    };
  });
}

function host(width, height) {
  const el = document.createElement('div');
  el.style.cssText = `width:${width}px;height:${height}px;position:absolute;left:0;top:0;overflow:hidden`;
  document.getElementById('root').replaceChildren(el);
  return el;
}

/**
 * Chromium may defer a canvas' draw calls; reading one pixel back makes it run them, so the timings
 * include the rasterizing of both contenders.
 */
function flushCanvases(el) {
  for (const c of el.querySelectorAll('canvas')) {
    if (c.width > 0 && c.height > 0) c.getContext('2d').getImageData(0, 0, 1, 1);
  }
}

/** Canvases with something drawn on them (a sanity check of each run, not timed). */
function inkedCanvases(el) {
  let inked = 0;
  for (const c of el.querySelectorAll('canvas')) {
    if (c.width === 0 || c.height === 0) continue;
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < px.length; i += 4) {
      if (px[i] !== 0) {
        inked++;
        break;
      }
    }
  }
  return inked;
}

let plugin;
const cases = {};

/** One draw of the panel from scratch (mount, parse the frames, lay out, draw every canvas). */
function drawPanel(c) {
  const el = host(c.width, c.height);
  const root = createRoot(el);
  const t0 = performance.now();
  // A sync render runs the panel's effects (where it draws its canvases) before flushSync returns.
  flushSync(() =>
    root.render(
      h(
        Themed,
        { mode: 'dark' },
        h(Panel, {
          plugin,
          frames: c.frames,
          from: c.from,
          to: c.to,
          width: c.width,
          height: c.height,
          options: c.options,
        }),
      ),
    ),
  );
  flushCanvases(el);
  const ms = performance.now() - t0;
  const inked = inkedCanvases(el);
  const items = el.querySelectorAll(c.itemSelector).length;
  const sizes = [...el.querySelectorAll(c.sizeSelector)].map((x) => {
    const r = x.getBoundingClientRect();
    return { width: Math.round(r.width), height: Math.round(r.height) };
  });
  root.unmount();
  return { ms, inked, items, sizes };
}

/** The same series in uPlot charts of the same sizes, timed until each chart's first draw hook. */
async function drawUplot(c, sizes) {
  const el = host(c.width, c.height);
  let drawn = 0;
  let done;
  const allDrawn = new Promise((resolve) => (done = resolve));
  const hooks = { draw: [() => ++drawn === c.series.length && done()] };
  const t0 = performance.now();
  const charts = c.series.map((s, i) => {
    const div = document.createElement('div');
    el.appendChild(div);
    return new uPlot(c.uplotOptions(sizes[i % sizes.length], hooks), c.uplotData[i], div);
  });
  await allDrawn;
  flushCanvases(el);
  const ms = performance.now() - t0;
  const inked = inkedCanvases(el);
  charts.forEach((u) => u.destroy());
  return { ms, inked, items: charts.length };
}

const color = (name) => theme.visualization.getColorByName(name);

/** Grafana's Time series panel on the datasource's frames: value, expected, band, score axis, anomaly points. */
function overlayOptions(size, hooks) {
  return {
    width: size.width,
    height: size.height,
    legend: { show: false },
    hooks,
    scales: { x: { time: true }, score: { range: [0, 2] } },
    axes: [
      { stroke: theme.colors.text.secondary },
      { stroke: theme.colors.text.secondary },
      { scale: 'score', side: 1 },
    ],
    series: [
      {},
      { stroke: color('green'), width: 1 },
      { stroke: theme.colors.text.secondary, width: 1, dash: [6, 4] },
      { stroke: 'transparent', width: 0 },
      { stroke: 'transparent', width: 0 },
      { stroke: color('purple'), width: 1, scale: 'score' },
      { stroke: color('red'), width: 0, points: { show: true, size: 7, fill: color('red') } },
    ],
    bands: [{ series: [4, 3], fill: 'rgba(115, 191, 105, 0.25)' }],
  };
}

/** A sparkline as a NOC tile shows it: value and band, no axes. */
function sparkOptions(size, hooks) {
  return {
    width: size.width,
    height: size.height,
    legend: { show: false },
    cursor: { show: false },
    hooks,
    scales: { x: { time: true } },
    axes: [{ show: false }, { show: false }],
    series: [
      {},
      { stroke: theme.colors.text.primary, width: 1 },
      { stroke: 'transparent' },
      { stroke: 'transparent' },
    ],
    bands: [{ series: [3, 2], fill: 'rgba(204, 204, 220, 0.22)' }],
  };
}

function prepare(name, { series, points, width, height, mode, tileMinWidth }) {
  const list = synthetic(series, points);
  const seconds = list[0].timestamps.map((t) => t / 1000);
  const anomalous = (s) => s.values.map((v, i) => (s.anomaly[i] ? v : null));
  cases[name] = {
    series: list,
    frames: toFrames(list),
    from: list[0].timestamps[0],
    to: list[0].timestamps[points - 1],
    width,
    height,
    options: { ...DEFAULT_OPTIONS, mode, rotateSeconds: 0, ...(tileMinWidth ? { tileMinWidth } : {}) },
    itemSelector: mode === 'noc' ? '[data-testid=trafficlens-tile]' : '[data-testid=trafficlens-overlay-row]',
    // uPlot draws at the size the panel gave each row, or each tile's sparkline canvas.
    sizeSelector:
      mode === 'noc' ? '[data-testid=trafficlens-tile] canvas' : '[data-testid=trafficlens-overlay-row]',
    uplotOptions: mode === 'noc' ? sparkOptions : overlayOptions,
    uplotData: list.map((s) =>
      mode === 'noc'
        ? [seconds, s.values, s.lower, s.upper]
        : [seconds, s.values, s.expected, s.lower, s.upper, s.score, anomalous(s)],
    ),
  };
}

window.bench = {
  async load() {
    plugin = (await loadPlugin('trafficlens-anomaly-panel')).plugin;
  },
  prepare,
  /** One panel draw then one uPlot draw (alternating, so both meet the same background noise). */
  async pair(name) {
    const c = cases[name];
    const panel = drawPanel(c);
    if (panel.sizes.length === 0) throw new Error(`${name}: the panel drew no ${c.sizeSelector}`);
    const peer = await drawUplot(c, panel.sizes);
    return { panel, uplot: peer };
  },
};
window.benchReady = true;
