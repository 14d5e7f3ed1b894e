/* global document, getComputedStyle -- page.evaluate callbacks run in the browser */
/**
 * The built panel (plugin/panel/dist/module.js) in headless Chromium with Grafana's externals, on
 * live scores: a real scorer (`node backend/dist/main.js`, PORT=0, embedded simulator) backfills its
 * jobs and serves the demo page at `/`, which draws the panel on frames built by the datasource's own
 * code. The pixel tests draw exact inputs (GET /api/v1/jobs/simulator/series, some cut at an anomaly
 * peak) on that page in kiosk mode. Screenshots of both modes in both themes, and of the demo page
 * itself, go to test/artifacts/; assertions read the screenshots' pixels. All of it runs once per
 * Grafana version in GRAFANA_HOSTS (12.4 on React 18, 13.2 on React 19), with the same panel bundle.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AXIS_WIDTH,
  GRAFANA_HOSTS,
  RIGHT_PAD,
  SCORE_BLOCK,
  STATUS_COLOR,
  TIME_AXIS,
  TITLE_HEIGHT,
  assertBuilt,
  bandColumns,
  blend,
  decodePng,
  labelOf,
  launch,
  near,
  openDemoPage,
  openPanelPage,
  severityOf,
  startScorer,
  themeColors,
} from './panel/harness.mjs';

/** A series as it was at its point `upTo` (exclusive): what the scorer would have answered then. */
function cut(s, upTo = s.timestamps.length) {
  const last = s.timestamps[upTo - 1];
  const slice = (a) => a.slice(0, upTo);
  return {
    ...s,
    timestamps: slice(s.timestamps),
    values: slice(s.values),
    expected: slice(s.expected),
    lower: slice(s.lower),
    upper: slice(s.upper),
    score: slice(s.score),
    anomaly: slice(s.anomaly),
    episodes: s.episodes.filter((e) => e.start <= last).map((e) => (e.end >= last ? { ...e, end: last } : e)),
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

for (const host of GRAFANA_HOSTS) {
  describe(
    `the built panel in Chromium on live simulator scores on ${host.name}`,
    { timeout: 300_000 },
    () => {
      const ARTIFACTS = host.artifacts;
      let scorer;
      let browser;
      let series;

      before(async () => {
        assertBuilt(host);
        mkdirSync(ARTIFACTS, { recursive: true });
        scorer = await startScorer({ host });
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
          const { page, errors, render } = await openPanelPage(browser, scorer.url, { width, height }, host);
          await render({ theme, width, height, from, to, series: chosen, options: OVERLAY });
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

          // The band: drawn between lower and upper across every row's plot, narrow or wide (bandColumns).
          for (const [i, row] of rows.entries()) {
            const plotBottom = row.y + row.h - SCORE_BLOCK - (i === rows.length - 1 ? TIME_AXIS : 0);
            const plot = {
              x: row.x + AXIS_WIDTH,
              y: row.y + TITLE_HEIGHT,
              w: row.w - AXIS_WIDTH - RIGHT_PAD,
              h: plotBottom - row.y - TITLE_HEIGHT,
            };
            const { columns, drawn } = await bandColumns(shot, plot, chosen[i], from, to, bandColor);
            assert.ok(columns >= 20, `row ${i}: only ${columns} columns where the band is 4 px or more`);
            assert.ok(drawn >= 0.9 * columns, `row ${i}: band drawn in ${drawn} of ${columns} columns`);
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
          const cuts = series.map((s, i) => {
            const e = i % 2 === 0 ? s.episodes[s.episodes.length - 1] : undefined;
            const upTo = e ? s.timestamps.indexOf(e.peakTime) + 1 : s.timestamps.length;
            return cut(s, upTo);
          });
          const { page, errors, render } = await openPanelPage(
            browser,
            scorer.url,
            { width: 1920, height: 1080 },
            host,
          );
          await render({
            theme,
            width: 1920,
            height: 1080,
            from: 0,
            to: 1,
            series: cuts,
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
            series: cuts,
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
      it('the demo page at /: the panel on the live scores in both modes and themes, refreshed', async () => {
        const { page, errors, messages } = await openDemoPage(
          browser,
          `${scorer.url}/?refresh=1`,
          { width: 1600, height: 900 },
          host,
        );
        const status = () => page.getByTestId('demo-status').textContent();
        await page.waitForFunction(() =>
          /^live · /.test(document.querySelector('[data-testid=demo-status]')?.textContent ?? ''),
        );
        // Overlay: the four series with the latest episodes, each row with its band and score strip.
        const rows = page.locator('[data-testid=trafficlens-overlay-row]');
        await rows.first().waitFor();
        assert.equal(await rows.count(), 4);
        assert.match(await status(), new RegExp(`^live · ${series.length} series`));
        await page.screenshot({ path: join(ARTIFACTS, 'demo.png') });
        const shown = await status();
        await page.waitForFunction(
          (before) => document.querySelector('[data-testid=demo-status]').textContent !== before,
          shown,
          { timeout: 10_000 },
        );

        // NOC wall: a tile for every series (on one page, or pages with a pager).
        await page.getByRole('radio', { name: 'NOC wall' }).check();
        await page.locator('[data-testid=trafficlens-tile]').first().waitFor();
        const tiles = await page.locator('[data-testid=trafficlens-tile]').count();
        const pager = await page.$('[data-testid=trafficlens-noc-pager]');
        assert.ok(
          tiles === series.length || (pager && tiles > 0),
          `${tiles} tiles for ${series.length} series`,
        );
        assert.equal(await rows.count(), 0);

        // Light theme: the page follows.
        const colors = {
          dark: await themeColors(page, 'dark', []),
          light: await themeColors(page, 'light', []),
        };
        const background = () =>
          page.evaluate(() =>
            getComputedStyle(document.body).backgroundColor.match(/\d+/g).slice(0, 3).map(Number),
          );
        assert.deepEqual(await background(), colors.dark.background);
        await page.getByRole('radio', { name: 'Light' }).check();
        await page.waitForFunction(() => document.body.style.background !== '');
        assert.deepEqual(await background(), colors.light.background);
        assert.deepEqual(errors, []);
        // Nor i18next's advertisement (plugin/demo/src/i18n.js turns it off), though @grafana/ui translated.
        assert.deepEqual(
          messages.filter((m) => /i18next|locize/i.test(m)),
          [],
        );
        await page.close();
      });

      it('the demo page asks for the API token when the scorer requires one, and then shows the scores', async () => {
        const token = 'demo-token-0123456789';
        const guarded = await startScorer({ host, env: { TRAFFICLENS_API_TOKEN: token } });
        try {
          const { page } = await openDemoPage(browser, `${guarded.url}/`, { width: 1280, height: 800 }, host);
          const form = page.getByTestId('demo-token-form');
          await form.waitFor();
          assert.match(await form.textContent(), /requires an API token.*TRAFFICLENS_API_TOKEN/);
          await page.getByPlaceholder('API token').fill('wrong-token-0123456789');
          await page.getByText('Show the demo').click();
          await page.getByText('The token was refused (401)').waitFor();
          await page.getByPlaceholder('API token').fill(token);
          await page.getByText('Show the demo').click();
          await page.locator('[data-testid=trafficlens-overlay-row]').first().waitFor();
          assert.match(await page.getByTestId('demo-status').textContent(), /^live · \d+ series/);
          await page.close();
        } finally {
          guarded.stop();
        }
      });
    },
  );
}
