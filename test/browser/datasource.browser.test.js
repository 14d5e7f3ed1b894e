/* global window, document -- in page.evaluate / waitForFunction callbacks, which run in the page */
/**
 * The datasource plugin's *built* bundle in headless Chromium: config and query editors rendered with
 * Grafana's shared modules and theme, the query editor and a Time series chart fed by a real scorer
 * through the data-proxy emulation. Screenshots go to test/artifacts/ (the README shows them). All of it
 * runs once per Grafana version in GRAFANA_HOSTS (12.4 on React 18, 13.2 on React 19), same bundle.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../contract/support/http.js';
import { REPO, startScorer } from '../contract/support/scorer.js';
import { GRAFANA_HOSTS, openHarness } from './support/harness.js';

const PLUGIN_ID = 'trafficlens-anomaly-datasource';
const DIST = join(REPO, 'plugin', 'datasource', 'dist');
const HOUR = 3_600_000;

// One scorer for both hosts: the datasource reaches it through each page's data-proxy emulation.
let scorer;

before(async () => {
  scorer = await startScorer();
});

after(async () => {
  await scorer?.stop();
});

for (const host of GRAFANA_HOSTS) {
  describe(`on ${host.name}`, () => {
    let harness;
    let settings;
    let page;

    /** Screenshot of one mounted block, saved as <host's artifacts>/<name>.png. */
    async function shot(id, name) {
      mkdirSync(host.artifacts, { recursive: true });
      await page.locator(`#${id}`).screenshot({ path: join(host.artifacts, `${name}.png`) });
    }

    before(async () => {
      harness = await openHarness({ plugins: { [PLUGIN_ID]: DIST }, host });
      page = harness.page;
      settings = harness.grafana.addDatasource({
        uid: 'trafficlens',
        name: 'TrafficLens',
        pluginJson: JSON.parse(readFileSync(join(DIST, 'plugin.json'), 'utf8')),
        jsonData: { scorerUrl: scorer.url, defaultDetector: 'auto', defaultSensitivity: 50 },
        secureJsonData: { apiToken: scorer.token },
      });
    });

    after(async () => {
      await harness?.close();
      if (harness?.errors.length) assert.fail(`errors in the page: ${harness.errors.join('\n')}`);
    });

    describe('config editor', () => {
      it('renders the scorer URL, a configured token and the scoring defaults, and edits them', async () => {
        await page.evaluate(
          ([pluginId, s]) =>
            window.harness.configEditor({
              pluginId,
              settings: { ...s, jsonData: { ...s.jsonData, scorerUrl: 'http://scorer:8686' } },
            }),
          [PLUGIN_ID, settings],
        );
        const block = page.locator('#config-editor');
        await block.getByText('Scoring defaults').waitFor();
        assert.equal(await block.locator('#config-editor-scorer-url').inputValue(), 'http://scorer:8686');
        assert.equal(await block.locator('#config-editor-api-token').inputValue(), 'configured');
        assert.equal(await block.locator('#config-editor-detector').inputValue(), 'auto');
        await shot('config-editor', 'datasource-config-editor');

        await block.locator('#config-editor-sensitivity').fill('70');
        const changes = await page.evaluate(() => window.harness.changes['config-editor']);
        assert.equal(changes.at(-1).jsonData.defaultSensitivity, 70);
      });
    });

    describe('query editor', () => {
      it("lists the scorer's jobs through the data proxy and shows the job's detector", async () => {
        await page.evaluate(
          ([pluginId, s]) =>
            window.harness.queryEditor({
              pluginId,
              settings: s,
              query: {
                refId: 'A',
                mode: 'job',
                job: 'simulator',
                filter: 'metric="interface_bytes_per_second", site="ams"',
                legendFormat: '{{site}} {{link}} {{direction}}',
                fields: ['value', 'expected', 'band', 'score', 'anomaly'],
                format: 'series',
              },
            }),
          [PLUGIN_ID, settings],
        );
        const block = page.locator('#query-editor');
        // The placeholders come from GET /api/v1/jobs once it has answered.
        await page.waitForFunction(
          () => document.querySelector('#query-editor-sensitivity')?.getAttribute('placeholder') === '50',
        );
        assert.equal(await block.locator('#query-editor-detector').getAttribute('placeholder'), 'auto');
        await block.locator('#query-editor-job').click();
        await page.getByRole('option', { name: /simulator-counters/ }).waitFor();
        // The menu opens in a portal outside the block: capture the top of the page instead.
        await page.screenshot({
          path: join(host.artifacts, 'datasource-query-editor-jobs.png'),
          clip: { x: 0, y: 0, width: 1100, height: 230 },
        });
        await page.keyboard.press('Escape');
        await shot('query-editor', 'datasource-query-editor');

        // The job's live sensitivity: a preview replayed by the real scorer over the query's series.
        await block.locator('#query-editor-live-sensitivity').fill('60');
        await block.getByRole('button', { name: 'Preview alerts' }).click();
        const status = block.getByTestId('live-sensitivity-status');
        await page.waitForFunction(
          () =>
            /alerts\/day/.test(
              document.querySelector('[data-testid=live-sensitivity-status]')?.textContent ?? '',
            ),
          null,
          { timeout: 60_000 },
        );
        assert.match(await status.textContent(), /^at 60: ≈[\d.]+ alerts\/day over \d+ series; now [\d.]+$/);
        assert.ok(
          harness.grafana.proxied.some(
            (r) => `${r.method} ${r.path}` === 'POST scorer/api/v1/jobs/simulator/preview',
          ),
          'the preview went through the data proxy',
        );
        await shot('query-editor', 'datasource-query-editor-preview');

        await block.getByRole('radio', { name: 'PromQL' }).click({ force: true });
        await block.locator('#query-editor-expr').fill('sum by (site, link) (rate(ifHCInOctets[5m]))');
        await block.locator('#query-editor-step').fill('1m');
        const changes = await page.evaluate(() => window.harness.changes['query-editor']);
        assert.deepEqual(
          [changes.at(-1).mode, changes.at(-1).expr, changes.at(-1).step],
          ['promql', 'sum by (site, link) (rate(ifHCInOctets[5m]))', '1m'],
        );
        await shot('query-editor', 'datasource-query-editor-promql');
      });
    });

    describe('frames in a Time series chart', () => {
      it('draws the value, the band, the score on its own axis and the episodes', async () => {
        const to = Date.now();
        const from = to - 4 * HOUR;
        // The series with the most episodes in the range, so that the picture shows some.
        const { series } = await getJson(`${scorer.url}/api/v1/jobs/simulator/series?from=${from}&to=${to}`, {
          Authorization: `Bearer ${scorer.token}`,
        });
        const busiest = series
          .filter((s) => s.labels.metric === 'interface_bytes_per_second')
          .sort((a, b) => b.episodes.length - a.episodes.length)[0];
        const filter = Object.entries(busiest.labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(', ');

        const summary = await page.evaluate(
          ([pluginId, s, f, range]) =>
            window.harness.timeSeries({
              pluginId,
              settings: s,
              query: {
                refId: 'A',
                job: 'simulator',
                filter: f,
                legendFormat: '{{site}} {{link}} {{direction}}',
              },
              title: 'Interface traffic with expected band, anomaly score and episodes',
              ...range,
            }),
          [PLUGIN_ID, settings, filter, { from, to }],
        );
        assert.equal(summary.frames, 1);
        assert.deepEqual(summary.fields, [
          'time',
          'value',
          'lower',
          'upper',
          'expected',
          'score',
          'anomaly',
          'anomalous',
        ]);
        assert.ok(summary.points > 1000, `${summary.points} points`);
        assert.equal(summary.episodes, busiest.episodes.length);

        const canvas = page.locator('#time-series canvas').first();
        await canvas.waitFor();
        // Pixels: the chart is drawn (not blank) and has the score axis on the right.
        const painted = await canvas.evaluate((c) => {
          const ctx = c.getContext('2d');
          const { data } = ctx.getImageData(0, 0, c.width, c.height);
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
          return n / (c.width * c.height);
        });
        assert.ok(painted > 0.02, `only ${(painted * 100).toFixed(1)} % of the canvas is painted`);
        await page
          .locator('#time-series')
          .getByText(/ score$/)
          .first()
          .waitFor();
        await shot('time-series', 'datasource-time-series');
      });
    });
  });
}
