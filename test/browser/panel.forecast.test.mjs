/* global window, requestAnimationFrame -- page.evaluate callbacks run in the page */
/**
 * The forecast cone in a real browser, on the built panel (plugin/panel/dist/module.js): four days of
 * a simulated link scored and forecast a day ahead by a real scorer (`POST /api/v1/score`,
 * `POST /api/v1/forecast`), as frames in the shapes the datasource gives (a scored series and its
 * `forecast` format), in overlay mode over a time range that reaches past the last point. The assertions read the screenshot's pixels: the
 * cone's colour right of the last point, none of it left of it. Once per Grafana version in GRAFANA_HOSTS.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from '../contract/support/http.js';
import { REPO, startScorer } from '../contract/support/scorer.js';
import { GRAFANA_HOSTS, openHarness } from './support/harness.js';
import { TrafficSimulator } from '../../backend/dist/sources/simulator/index.js';
import {
  AXIS_WIDTH,
  RIGHT_PAD,
  TITLE_HEIGHT,
  blend,
  decodePng,
  near,
  themeColors,
} from './panel/harness.mjs';

const PANEL_ID = 'trafficlens-anomaly-panel';
const PANEL_DIST = join(REPO, 'plugin', 'panel', 'dist');
const WIDTH = 1280;
const HEIGHT = 420;

let scorer;

before(async () => {
  scorer = await startScorer();
});

after(async () => {
  await scorer?.stop();
});

/** A scored series as the datasource's frame for it. */
const jobFrame = (s) => {
  const number = (name, values) => ({ name, type: 'number', values, labels: s.labels, config: {} });
  return {
    name: Object.values(s.labels).join(' '),
    refId: 'A',
    meta: { custom: { state: s.state, detector: s.detector, episodes: s.episodes } },
    fields: [
      { name: 'time', type: 'time', values: s.timestamps, config: {} },
      number('value', s.values),
      number('lower', s.lower),
      number('upper', s.upper),
      number('expected', s.expected),
      number('score', s.score),
      { name: 'anomaly', type: 'boolean', values: s.anomaly, labels: s.labels, config: {} },
    ],
  };
};

/** The scorer's forecast as the datasource's `forecast` format frames it (plugin/datasource/src/response/forecast.ts). */
const forecastFrame = (f) => {
  const number = (name) => ({ name, type: 'number', values: f[name], labels: f.labels, config: {} });
  return {
    name: `${Object.values(f.labels).join(' ')} forecast`,
    refId: 'F',
    meta: { custom: { forecast: { state: f.state, method: f.method, threshold: f.threshold } } },
    fields: [
      { name: 'time', type: 'time', values: f.timestamps, config: {} },
      number('mean'),
      number('lower95'),
      number('upper95'),
      number('lower80'),
      number('upper80'),
    ],
  };
};

/**
 * Four days of a simulated link at 5 minutes (the simulator's own clock, speed 1): enough history for
 * the daily season, scored and forecast a day ahead by the scorer, as the datasource asks. `capacity`
 * of the link (bytes/s), or one a tenth above the forecast's peak over 0.8 (`'reached'`: the median
 * then crosses 80 % of it within the day).
 */
async function scoredAndForecast(capacity) {
  const auth = { Authorization: `Bearer ${scorer.token}`, 'content-type': 'application/json' };
  const simulator = new TrafficSimulator({ seed: 7, kinds: ['traffic'] });
  const link = simulator.series()[0];
  const step = 5 * 60_000;
  const last = Math.floor(Date.now() / step) * step;
  const timestamps = Array.from({ length: 4 * 288 }, (_, i) => last - (4 * 288 - 1 - i) * step);
  const input = {
    labels: link.labels,
    timestamps,
    values: timestamps.map((t) => simulator.valueAt(link.key, t)),
  };
  const post = async (path, body) => {
    const res = await request(`${scorer.url}${path}`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, res.body.toString());
    return JSON.parse(res.body.toString()).series[0];
  };
  const forecast = (c) =>
    post('/api/v1/forecast', { series: [input], horizon: '1d', counter: false, capacity: c });
  const s = await post('/api/v1/score', { series: [input], detector: 'auto', sensitivity: 50 });
  let f = await forecast(capacity === 'reached' ? 2.2e9 : capacity);
  if (capacity === 'reached') f = await forecast(Math.max(...f.mean) / 0.8 / 1.1);
  return { s, f, last };
}

for (const host of GRAFANA_HOSTS) {
  describe(`the built panel drawing a forecast cone on ${host.name}`, () => {
    let harness;
    let page;

    before(async () => {
      harness = await openHarness({ plugins: { [PANEL_ID]: PANEL_DIST }, host });
      page = harness.page;
      await page.setViewportSize({ width: WIDTH, height: HEIGHT + 64 });
    });

    after(async () => {
      await harness?.close?.();
    });

    it('draws the cone past the last point in overlay mode, and nothing of it before (screenshot)', async () => {
      const { s, f, last } = await scoredAndForecast(2.2e9);
      assert.equal(f.state, 'ok', `forecast state ${f.state}`);
      assert.equal(f.period, 288, 'the daily season is found');
      // The panel shows the last two days and the day ahead.
      const start = last - 2 * 86_400_000;
      const end = f.timestamps.at(-1);

      const colors = await themeColors(page, 'dark', ['orange']);
      const band95 = blend(colors.orange, colors.background, 0.14);
      const band80 = blend(colors.orange, band95, 0.28);
      const isCone = (p) => near(p, band95, 8) || near(p, band80, 8);
      /**
       * The panel on these frames over [start, end], and its cone-coloured pixels in `w` columns of the
       * plot right after the last point and right before it (decodePng keeps one screenshot at a time).
       */
      const render = async (frames) => {
        await page.evaluate((spec) => window.harness.panel(spec), {
          id: 'panel',
          pluginId: PANEL_ID,
          frames,
          options: { mode: 'overlay', showScore: false },
          from: start,
          to: end,
          width: WIDTH,
          height: HEIGHT,
        });
        const row = page.locator('#panel [data-testid=trafficlens-overlay-row]').first();
        await row.waitFor({ timeout: 10_000 });
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const shot = await decodePng(page, await page.screenshot());
        const box = await row.boundingBox();
        const plotW = box.width - AXIS_WIDTH - RIGHT_PAD;
        const x = (t) => box.x + AXIS_WIDTH + ((t - start) / (end - start)) * plotW;
        const top = box.y + TITLE_HEIGHT + 2;
        const height = Math.floor(box.height - TITLE_HEIGHT - 30);
        const w = Math.floor(x(end) - x(last)) - 6;
        const count = async (x0) => (await shot.region(x0, top, w, height)).filter(isCone).length;
        return {
          w,
          after: await count(Math.ceil(x(last)) + 3),
          before: await count(Math.ceil(x(last)) - w - 3),
        };
      };
      // Without the forecast first, for the same axes: the cone's columns then hold no cone colour.
      const plain = await render([jobFrame(s)]);
      const cone = await render([jobFrame(s), forecastFrame(f)]);
      mkdirSync(host.artifacts, { recursive: true });
      await page.locator('#panel').screenshot({ path: join(host.artifacts, 'panel-forecast-cone-dark.png') });

      assert.ok(
        cone.after > 10 * cone.w,
        `${cone.after} cone pixels in the ${cone.w} columns after the last point`,
      );
      assert.equal(plain.after, 0, 'no cone colour there without the forecast');
      // Before the last point the forecast changes nothing: as many cone-coloured pixels with it as without.
      assert.equal(cone.before, plain.before, 'no cone before the last point');
    });

    it('puts a "fills" badge on the NOC tile of a link whose forecast reaches its capacity share (screenshot)', async () => {
      const { s, f } = await scoredAndForecast('reached');
      assert.ok(f.threshold && f.threshold.medianSeconds !== null, 'the median reaches 80 % within the day');
      await page.evaluate((spec) => window.harness.panel(spec), {
        id: 'panel',
        pluginId: PANEL_ID,
        frames: [jobFrame(s), forecastFrame(f)],
        options: { mode: 'noc' },
        from: s.timestamps[0],
        to: f.timestamps.at(-1),
        width: 480,
        height: 260,
      });
      const badge = page.locator('#panel [data-testid=trafficlens-tile-fills]');
      await badge.waitFor({ timeout: 10_000 });
      // The tile says what the scorer computed: the share and the time to it, the sentence on hover.
      assert.match(await badge.textContent(), /^fills 80 % (now|in \d+[dhm]( \d+[hm])?)$/);
      assert.equal(await badge.getAttribute('title'), f.threshold.sentence);
      mkdirSync(host.artifacts, { recursive: true });
      await page.locator('#panel').screenshot({ path: join(host.artifacts, 'panel-noc-fills-dark.png') });
    });
  });
}
