/**
 * The built panel (plugin/panel/dist/module.js) in headless Chromium with Grafana's externals, on
 * live scores: a real scorer (`node backend/dist/main.js`, PORT=0, embedded simulator) backfills its
 * jobs, GET /api/v1/jobs/simulator/series gives the frames. Screenshots of both modes in both themes go
 * to test/artifacts/; assertions read the screenshots' pixels.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS,
  PANEL_DIST,
  REPO,
  blend,
  decodePng,
  launch,
  near,
  openPanelPage,
  themeColors,
} from './panel/harness.mjs';

const STATUS_COLOR = {
  ok: 'green',
  warning: 'light-yellow',
  minor: 'yellow',
  major: 'orange',
  critical: 'red',
};
const severityOf = (s) => (s > 1 ? Math.min(100, Math.round(100 * (1 - 1 / s) * 10) / 10) : 0);
const labelOf = (sev) => (sev >= 75 ? 'critical' : sev >= 50 ? 'major' : sev >= 25 ? 'minor' : 'warning');
// Layout constants of plugin/panel/src/draw/overlay.ts.
const AXIS_WIDTH = 64;
const RIGHT_PAD = 8;
const TITLE_HEIGHT = 18;
const SCORE_BLOCK = 38;
const TIME_AXIS = 18;

async function startScorer() {
  const child = spawn(process.execPath, [join(REPO, 'backend/dist/main.js')], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', TRAFFICLENS_WORKER_THREADS: '1' },
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
  const deadline = Date.now() + 90_000;
  for (;;) {
    const jobs = await (await fetch(`${url}/api/v1/jobs`)).json();
    const sim = jobs.jobs.find((j) => j.name === 'simulator');
    if (sim && sim.runs > 0) break;
    if (Date.now() > deadline) throw new Error('simulator job did not run in 90 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

const unitOf = (labels) =>
  /bytes/.test(labels.metric ?? '')
    ? 'Bps'
    : /ratio/.test(labels.metric ?? '')
      ? 'percentunit'
      : /seconds/.test(labels.metric ?? '')
        ? 's'
        : /requests/.test(labels.metric ?? '')
          ? 'reqps'
          : undefined;
const nameOf = (l) =>
  [l.site, l.link ?? l.service ?? l.route, l.direction, (l.metric ?? '').replace(/_/g, ' ')]
    .filter(Boolean)
    .join(' ');

/** A scored series as the TrafficLens datasource turns it into a frame (fields, unit, state, episodes). */
function toFrame(s, upTo = s.timestamps.length) {
  const cut = (a) => a.slice(0, upTo);
  const last = s.timestamps[upTo - 1];
  const episodes = s.episodes
    .filter((e) => e.start <= last)
    .map((e) => (e.end >= last ? { ...e, end: last, open: true } : e));
  const unit = unitOf(s.labels);
  return {
    name: nameOf(s.labels),
    meta: { custom: { state: s.state, episodes } },
    fields: [
      { name: 'time', type: 'time', values: cut(s.timestamps) },
      {
        name: 'value',
        type: 'number',
        values: cut(s.values),
        labels: s.labels,
        config: { displayNameFromDS: nameOf(s.labels), ...(unit ? { unit } : {}) },
      },
      { name: 'lower', type: 'number', values: cut(s.lower), labels: s.labels, config: unit ? { unit } : {} },
      { name: 'upper', type: 'number', values: cut(s.upper), labels: s.labels, config: unit ? { unit } : {} },
      {
        name: 'expected',
        type: 'number',
        values: cut(s.expected),
        labels: s.labels,
        config: unit ? { unit } : {},
      },
      { name: 'score', type: 'number', values: cut(s.score), labels: s.labels },
      { name: 'anomaly', type: 'boolean', values: cut(s.anomaly), labels: s.labels },
    ],
  };
}

const OVERLAY = {
  mode: 'overlay',
  showBand: true,
  showExpected: true,
  showEpisodes: true,
  showScore: true,
  groupBy: '',
  tileMinWidth: 280,
  rotateSeconds: 0,
};

describe('the built panel in Chromium on live simulator scores', { timeout: 300_000 }, () => {
  let scorer;
  let browser;
  let series;

  before(async () => {
    assert.ok(
      existsSync(join(PANEL_DIST, 'module.js')),
      'plugin/panel/dist/module.js is missing: npm run build first',
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    scorer = await startScorer();
    const res = await (await fetch(`${scorer.url}/api/v1/jobs/simulator/series`)).json();
    series = res.series;
    assert.ok(series.length > 10, `expected the simulator's series, got ${series.length}`);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    scorer?.stop();
  });

  for (const theme of ['dark', 'light']) {
    it(`overlay (${theme}): band drawn, anomaly markers at the anomalous timestamps, none elsewhere`, async () => {
      // Three series with anomalies and one without; the range is the series' whole history.
      const withEpisodes = series.filter((s) => s.episodes.length > 0).slice(0, 3);
      const quiet = series.find((s) => s.episodes.length === 0 && s.state === 'ok');
      const chosen = [...withEpisodes, quiet].filter(Boolean);
      assert.ok(withEpisodes.length >= 1, 'the simulator backfill should hold anomaly episodes');
      const width = 1600;
      const height = 900;
      const from = Math.min(...chosen.map((s) => s.timestamps[0]));
      const to = Math.max(...chosen.map((s) => s.timestamps[s.timestamps.length - 1]));
      const { page, errors, render } = await openPanelPage(browser, { width, height });
      const frames = chosen.map((s) => toFrame(s));
      await render({ theme, width, height, from, to, frames, options: OVERLAY });
      const png = await page.screenshot({ path: join(ARTIFACTS, `panel-overlay-${theme}.png`) });
      assert.deepEqual(errors, []);
      const rows = await page.$$eval('[data-testid=trafficlens-overlay-row]', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { x: r.x, y: r.y, w: r.width, h: r.height };
        }),
      );
      assert.equal(rows.length, chosen.length);
      const shot = await decodePng(page, png);
      const colors = await themeColors(page, theme, ['green', ...Object.values(STATUS_COLOR)]);
      const bandColor = blend(colors.green, colors.background, 0.25);

      // The band: its blended green fills a good part of every row's plot.
      for (const [i, row] of rows.entries()) {
        const plotBottom = row.y + row.h - SCORE_BLOCK - (i === rows.length - 1 ? TIME_AXIS : 0);
        const px = await shot.region(
          row.x + AXIS_WIDTH,
          row.y + TITLE_HEIGHT,
          row.w - AXIS_WIDTH - RIGHT_PAD,
          plotBottom - row.y - TITLE_HEIGHT,
        );
        const band = px.filter((p) => near(p, bandColor, 10)).length;
        assert.ok(band > 2000, `row ${i}: ${band} band pixels`);
      }

      // Anomaly markers: at the peak of each episode, a marker in the colour of the peak point's severity;
      // and no marker colour at all in columns far from every anomalous point.
      const x = (t, row) =>
        row.x + AXIS_WIDTH + ((t - from) / (to - from)) * (row.w - AXIS_WIDTH - RIGHT_PAD);
      for (const [i, s] of withEpisodes.entries()) {
        const row = rows[i];
        const plotH = row.h - TITLE_HEIGHT - SCORE_BLOCK - (i === rows.length - 1 ? TIME_AXIS : 0);
        const e = s.episodes[s.episodes.length - 1];
        const k = s.timestamps.indexOf(e.peakTime);
        assert.ok(k >= 0 && s.anomaly[k], 'the peak of an episode is an anomalous point');
        const color = colors[STATUS_COLOR[labelOf(severityOf(s.score[k]))]];
        const around = await shot.region(x(e.peakTime, row) - 4, row.y + TITLE_HEIGHT, 9, plotH);
        assert.ok(
          around.some((p) => near(p, color, 24)),
          `${s.labels.link}: no ${labelOf(severityOf(s.score[k]))} marker at the peak of its episode`,
        );

        const anomalousX = s.timestamps.filter((_, j) => s.anomaly[j]).map((t) => x(t, row));
        const candidates = [];
        for (let cx = row.x + AXIS_WIDTH + 10; cx < row.x + row.w - RIGHT_PAD - 10; cx += 25) {
          if (anomalousX.every((ax) => Math.abs(ax - cx) > 12)) candidates.push(cx);
        }
        const markerColors = Object.entries(STATUS_COLOR)
          .filter(([k2]) => k2 !== 'ok')
          .map(([, n]) => colors[n]);
        for (const cx of candidates.slice(0, 12)) {
          const col = await shot.region(cx, row.y + TITLE_HEIGHT, 1, plotH);
          assert.ok(
            !col.some((p) => markerColors.some((c) => near(p, c, 12))),
            `${s.labels.link}: a marker colour at x=${cx}, far from any anomaly`,
          );
        }
      }
      await page.close();
    });

    it(`NOC wall (${theme}): tiles coloured by severity, worst first, fit 1080p and 4K`, async () => {
      // Half the series as they were at their latest anomaly peak, the other half as they are now.
      const frames = series.map((s, i) => {
        const e = i % 2 === 0 ? s.episodes[s.episodes.length - 1] : undefined;
        const upTo = e ? s.timestamps.indexOf(e.peakTime) + 1 : s.timestamps.length;
        return toFrame(s, upTo);
      });
      const { page, errors, render } = await openPanelPage(browser, { width: 1920, height: 1080 });
      await render({
        theme,
        width: 1920,
        height: 1080,
        from: 0,
        to: 1,
        frames,
        options: { ...OVERLAY, mode: 'noc' },
      });
      const png = await page.screenshot({ path: join(ARTIFACTS, `panel-noc-${theme}.png`) });
      assert.deepEqual(errors, []);
      const tiles = await page.$$eval('[data-testid=trafficlens-tile]', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { status: e.getAttribute('data-status'), x: r.x, y: r.y, w: r.width, h: r.height };
        }),
      );
      assert.equal(tiles.length, series.length, 'every series has a tile on one 1080p page');
      assert.equal(await page.$('[data-testid=trafficlens-noc-pager]'), null);
      const rank = {
        critical: 6,
        major: 5,
        minor: 4,
        warning: 3,
        ok: 2,
        learning: 1,
        no_data: 0,
        unscored: 0,
      };
      const ranks = tiles.map((t) => rank[t.status]);
      assert.deepEqual(
        ranks,
        [...ranks].sort((a, b) => b - a),
        'sorted by severity',
      );
      const alarms = tiles.filter((t) => ['warning', 'minor', 'major', 'critical'].includes(t.status));
      assert.ok(alarms.length >= 1, 'some tiles in alarm');
      assert.ok(
        tiles.some((t) => t.status === 'ok'),
        'some tiles ok',
      );
      for (const t of tiles)
        assert.ok(t.w >= 280 && t.x + t.w <= 1920 && t.y + t.h <= 1080, 'tile inside 1080p');

      const shot = await decodePng(page, png);
      const colors = await themeColors(page, theme, Object.values(STATUS_COLOR));
      for (const t of tiles) {
        const want = colors[STATUS_COLOR[t.status]];
        if (!want) continue;
        // The status edge on the left of every tile; quiet tiles are dimmed to 0.8 over the background.
        const expected = t.status === 'ok' ? blend(want, colors.background, 0.8) : want;
        const [edge] = await shot.region(t.x + 2, t.y + t.h / 2, 1, 1);
        assert.ok(near(edge, expected, 20), `${t.status} tile edge ${edge} is not ${expected}`);
        if (t.status !== 'ok') {
          const [fill] = await shot.region(t.x + t.w - 3, t.y + t.h - 3, 1, 1);
          assert.ok(near(fill, want, 20), `${t.status} tile fill ${fill} is not ${want}`);
        }
      }

      // 4K: the same wall on one page with tiles about twice as large.
      await page.setViewportSize({ width: 3840, height: 2160 });
      await render({
        theme,
        width: 3840,
        height: 2160,
        from: 0,
        to: 1,
        frames,
        options: { ...OVERLAY, mode: 'noc' },
      });
      const big = await page.$$eval('[data-testid=trafficlens-tile]', (els) =>
        els.map((e) => e.getBoundingClientRect().width),
      );
      assert.equal(big.length, series.length);
      assert.ok(big[0] > tiles[0].w * 1.5, `4K tiles ${big[0]} px vs 1080p ${tiles[0].w} px`);
      await page.close();
    });
  }
});
