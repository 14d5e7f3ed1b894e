/* global window, document -- in page.evaluate / waitForFunction callbacks, which run in the page */
/**
 * Incidents across series in a real browser, on the built bundles, against a real scorer
 * (`node backend/dist/main.js`) whose simulator job groups its links by `[site, link]` (issue 16):
 * - the datasource's incidents annotation query (format `incidents`) draws one region per incident on a
 *   Time series chart of the site's links, titled with its worst severity and members;
 * - the panel's NOC wall rolled up by `site, link`, on the job's series as they were when the newest
 *   incident had all its members anomalous: the incident's site leads, opens into its links, then
 *   into their series, by click and keyboard.
 * Screenshots go to test/artifacts/ (the README shows them). Runs once per Grafana version in GRAFANA_HOSTS.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../contract/support/http.js';
import { REPO, startScorer } from '../contract/support/scorer.js';
import { GRAFANA_HOSTS, openHarness } from './support/harness.js';

const PANEL_ID = 'trafficlens-anomaly-panel';
const DATASOURCE_ID = 'trafficlens-anomaly-datasource';
const PANEL_DIST = join(REPO, 'plugin', 'panel', 'dist');
const DATASOURCE_DIST = join(REPO, 'plugin', 'datasource', 'dist');
/** A simulated hour at the default jobs' speed (10×): 6 minutes of series time. */
const SIM_HOUR = 360_000;

// The default simulator job's clock (backend/src/jobs/defaults.ts), traffic only, grouped by site and link.
const JOBS = `jobs:
  - name: edge
    source: { type: simulator, seed: 42, speed: 10, kinds: [traffic] }
    detector: auto
    sensitivity: 50
    interval: 15s
    step: 6000
    fit_window: 17280000
    retention: 2880
    groups: [site, link]
`;

let dir;
let scorer;
let series;
/** the newest incident of several series, and the time all its members were anomalous */
let incident;
let at;

const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);
/** The NOC wall's alert statuses, least severe first (the panel's STATUS_RANK for these). */
const ALERT_RANK = ['ok', 'warning', 'minor', 'major', 'critical'];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trafficlens-incidents-'));
  writeFileSync(join(dir, 'jobs.yaml'), JOBS);
  scorer = await startScorer({ env: { TRAFFICLENS_CONFIG: join(dir, 'jobs.yaml') }, timeoutMs: 120_000 });
  const auth = { Authorization: `Bearer ${scorer.token}` };
  const { incidents } = await getJson(`${scorer.url}/api/v1/jobs/edge/incidents`, auth);
  incident = incidents.find((i) => i.kind === 'series' && !i.open);
  assert.ok(incident, `an incident of several series in the backfill (got ${incidents.length} incidents)`);
  const starts = incident.members.map((m) => m.start);
  const ends = incident.members.map((m) => m.end);
  at = Math.max(...starts) <= Math.min(...ends) ? Math.max(...starts) : incident.members[0].peakTime;
  ({ series } = await getJson(`${scorer.url}/api/v1/jobs/edge/series`, auth));
});

after(async () => {
  await scorer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * A job series as the datasource's frame for it, cut at `t` (its last 6 simulated hours): the wall as it
 * was then, episodes after `t` left out and those going on at `t` open.
 */
function frameAt(s, t) {
  const end = s.timestamps.findLastIndex((x) => x <= t) + 1;
  const begin = Math.max(0, end - 360);
  const cut = (values) => values.slice(begin, end);
  const episodes = s.episodes
    .filter((e) => e.start <= t)
    .map((e) => (e.end > t ? { ...e, end: t, open: true } : e));
  const number = (name, values) => ({
    name,
    type: 'number',
    values: cut(values),
    labels: s.labels,
    config: {},
  });
  return {
    name: `${s.labels.site} ${s.labels.link} ${s.labels.direction}`,
    refId: 'A',
    meta: { custom: { state: s.state, detector: s.detector, episodes, job: 'edge' } },
    fields: [
      { name: 'time', type: 'time', values: cut(s.timestamps), config: {} },
      { ...number('value', s.values), config: { unit: 'Bps' } },
      number('lower', s.lower),
      number('upper', s.upper),
      number('expected', s.expected),
      number('score', s.score),
      { name: 'anomaly', type: 'boolean', values: cut(s.anomaly), labels: s.labels, config: {} },
    ],
  };
}

for (const host of GRAFANA_HOSTS) {
  describe(`incidents on ${host.name}`, () => {
    let harness;
    let page;
    let settings;

    async function shot(id, name) {
      mkdirSync(host.artifacts, { recursive: true });
      await page.locator(`#${id}`).screenshot({ path: join(host.artifacts, `${name}.png`) });
    }

    before(async () => {
      harness = await openHarness({
        plugins: { [PANEL_ID]: PANEL_DIST, [DATASOURCE_ID]: DATASOURCE_DIST },
        host,
      });
      page = harness.page;
      settings = harness.grafana.addDatasource({
        uid: 'trafficlens',
        name: 'TrafficLens',
        pluginJson: JSON.parse(readFileSync(join(DATASOURCE_DIST, 'plugin.json'), 'utf8')),
        jsonData: { scorerUrl: scorer.url, defaultDetector: 'auto', defaultSensitivity: 50 },
        secureJsonData: { apiToken: scorer.token },
      });
    });

    after(async () => {
      await harness?.close();
      if (harness?.errors.length) assert.fail(`errors in the page: ${harness.errors.join('\n')}`);
    });

    it("draws a job's incident as one region annotation over its site's links, with the members named", async () => {
      const site = incident.group.site;
      const from = incident.start - 2 * SIM_HOUR;
      const to = incident.end + SIM_HOUR;
      const filter = `site="${site}"`;
      const summary = await page.evaluate(
        ([pluginId, s, q, range]) =>
          window.harness.timeSeries({
            pluginId,
            settings: s,
            query: {
              refId: 'A',
              job: 'edge',
              filter: q,
              legendFormat: '{{link}} {{direction}}',
            },
            annotation: { refId: 'I', job: 'edge', filter: q, format: 'incidents' },
            annotationText: true,
            title: `Links at ${q.replace(/"/g, '')} with the job's incidents`,
            ...range,
          }),
        [DATASOURCE_ID, settings, filter, { from, to }],
      );
      const shown = summary.annotations.find((a) => a.time === incident.start);
      assert.ok(shown, `a region at the incident's start among ${JSON.stringify(summary.annotations)}`);
      assert.equal(shown.timeEnd, incident.end);
      assert.equal(
        shown.title,
        `${capitalize(incident.severityLabel)} incident at site=${site} · ${incident.members.length} of ${incident.groupSize} series`,
      );
      assert.deepEqual(shown.tags.slice(0, 3), [incident.severityLabel, 'series', 'incident']);
      assert.ok(shown.tags.includes(`site:${site}`));
      // Only that site's incidents: every region is one of the API's incidents at the site.
      const { incidents } = await getJson(`${scorer.url}/api/v1/jobs/edge/incidents?from=${from}&to=${to}`, {
        Authorization: `Bearer ${scorer.token}`,
      });
      const atSite = incidents.filter((i) => i.group.site === site).map((i) => i.start);
      assert.deepEqual(summary.annotations.map((a) => a.time).sort(), atSite.sort());
      const text = await page.locator('[data-testid=annotation-text]').allTextContents();
      assert.ok(
        text.some((t) => t.includes(incident.summary)),
        'the summary naming siblings and origin',
      );
      await shot('time-series', 'datasource-incident-annotation');
    });

    it("rolls the NOC wall up by site and link: the worst site first (the incident's, unless another is worse), opening into links then series", async () => {
      const site = incident.group.site;
      await page.setViewportSize({ width: 1280, height: 700 });
      await page.evaluate((spec) => window.harness.panel(spec), {
        id: 'panel',
        pluginId: PANEL_ID,
        frames: series.map((s) => frameAt(s, at)),
        options: { mode: 'noc', rollUp: 'site, link' },
        from: at - 6 * SIM_HOUR,
        to: at,
        width: 1280,
        height: 560,
      });
      const tiles = page.locator('#panel [data-testid=trafficlens-tile]');
      const groups = await tiles.evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-group'), e.getAttribute('data-status')]),
      );
      assert.deepEqual(
        groups.map(([g]) => g).sort(),
        [...new Set(series.map((s) => `site=${s.labels.site}`))].sort(),
      );
      // The worst site leads: the incident's, unless another site had one as bad or worse at the same time
      // (the simulator's schedule follows the wall clock, so which incident is the newest varies by run).
      const rank = (status) => ALERT_RANK.indexOf(status);
      const incidentSite = groups.find(([g]) => g === `site=${site}`);
      assert.ok(rank(incidentSite[1]) > 0, `the incident's site is alerting: ${JSON.stringify(groups)}`);
      assert.equal(rank(groups[0][1]), Math.max(...groups.map(([, status]) => rank(status))));
      const siteTile = page.locator(`#panel [data-testid=trafficlens-tile][data-group="site=${site}"]`);
      const counts = await siteTile.locator('[data-testid=trafficlens-tile-counts]').textContent();
      assert.match(counts, /\d+ (critical|major|minor|warning)/);
      await shot('panel', 'panel-noc-rollup-dark');

      await siteTile.click();
      const links = await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('data-group')));
      const siteLinks = new Set(
        series.filter((s) => s.labels.site === site).map((s) => `link=${s.labels.link}`),
      );
      assert.deepEqual(new Set(links), siteLinks);
      for (const m of incident.members) assert.ok(links.includes(`link=${m.labels.link}`));
      await shot('panel', 'panel-noc-rollup-site-dark');

      // The keyboard: the focus is on the worst link; Enter opens it, Escape twice is back at the sites.
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-group')), links[0]);
      await page.keyboard.press('Enter');
      const leaves = await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      assert.equal(
        leaves.length,
        series.filter((s) => `link=${s.labels.link}` === links[0] && s.labels.site === site).length,
      );
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      assert.deepEqual(
        await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('data-group'))),
        groups.map(([g]) => g),
      );
    });
  });
}
