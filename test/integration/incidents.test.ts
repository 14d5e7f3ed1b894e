/**
 * A site-wide outage through a real Prometheus (issue 16): the built scorer scores four links of ams
 * and two of fra (a job with `groups: [site]`), Prometheus scrapes it every second with the provisioned
 * rules (`for:` shortened to 2 s). When every ams link drops to 2 % at once, each is anomalous alone
 * (one TrafficLensAnomaly per link), and exactly one TrafficLensIncident fires, labelled job and site
 * as Alertmanager groups them; the scorer's incidents API lists the four links as its members.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, requireTool } from '../lib/tools.js';
import {
  createBlocks,
  freePort,
  openMetrics,
  promApi,
  Proc,
  provisionedRulesForTest,
  SeriesExporter,
  startPrometheus,
  until,
  waitReady,
  type NabPoint,
} from './harness.js';

const MAIN = join(REPO, 'backend/dist/main.js');
const LINKS = [
  { site: 'ams', link: 'transit-1' },
  { site: 'ams', link: 'transit-2' },
  { site: 'ams', link: 'ix' },
  { site: 'ams', link: 'peering' },
  { site: 'fra', link: 'transit-1' },
  { site: 'fra', link: 'ix' },
];

/** Each link's traffic: a 5-minute wave with deterministic noise around 1000 bytes/s, its own phase. */
function linkValue(index: number, tSec: number): number {
  const s = Math.floor(tSec) + 97 * index;
  const noise = Math.sin(s * 12.9898) * 43758.5453;
  return Number(
    (1000 + 100 * Math.sin((2 * Math.PI * s) / 300) + 40 * (noise - Math.floor(noise) - 0.5)).toFixed(3),
  );
}

interface Ctx {
  dir: string;
  promUrl: string;
  scorerUrl: string;
  prometheus: Proc;
  scorer: Proc;
  exporter: SeriesExporter;
  /** When the ams outage begins (epoch s); Infinity before. */
  outageAt: number;
}

const ctx = { outageAt: Infinity } as Ctx;

// JSON from the API under test; each test asserts the fields it reads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${ctx.scorerUrl}${path}`);
  return { status: res.status, body: await res.json() };
}

type Alert = { labels: Record<string, string>; annotations: Record<string, string>; state: string };
const firing = async () =>
  (await promApi<{ alerts: Alert[] }>(ctx.promUrl, '/api/v1/alerts')).alerts.filter(
    (a) => a.state === 'firing',
  );

beforeAll(async () => {
  for (const tool of ['promtool', 'prometheus'] as const) requireTool(tool);
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build -w backend\` first`);
  ctx.dir = mkdtempSync(join(tmpdir(), 'trafficlens-incidents-'));
  const ports = { prometheus: await freePort(), scorer: await freePort(), exporter: await freePort() };
  ctx.promUrl = `http://127.0.0.1:${ports.prometheus}`;
  ctx.scorerUrl = `http://127.0.0.1:${ports.scorer}`;

  // 20 minutes of every link at 1 s, with the labels its scrapes will have.
  const nowS = Math.floor(Date.now() / 1000);
  const instance = `127.0.0.1:${ports.exporter}`;
  const omFile = join(ctx.dir, 'history.om');
  writeFileSync(
    omFile,
    openMetrics([
      {
        name: 'tl_link_bytes',
        series: LINKS.map((l, i) => {
          const points: NabPoint[] = [];
          for (let t = nowS - 20 * 60; t < nowS; t++) points.push({ t, v: linkValue(i, t) });
          return { labels: { ...l, instance, job: 'exporter' }, points };
        }),
      },
    ]),
  );
  const tsdbDir = join(ctx.dir, 'tsdb');
  mkdirSync(tsdbDir);
  createBlocks(omFile, tsdbDir);

  ctx.exporter = new SeriesExporter(
    'tl_link_bytes',
    LINKS.map((labels, i) => ({
      labels,
      value: (t: number) => linkValue(i, t) * (labels.site === 'ams' && t >= ctx.outageAt ? 0.02 : 1),
    })),
  );
  await ctx.exporter.listen(ports.exporter);

  writeFileSync(join(ctx.dir, 'rules.yml'), provisionedRulesForTest('2s'));
  writeFileSync(
    join(ctx.dir, 'prometheus.yml'),
    [
      'global: {scrape_interval: 1s, evaluation_interval: 1s}',
      'rule_files: [rules.yml]',
      'scrape_configs:',
      '  - job_name: trafficlens',
      '    honor_labels: true',
      `    static_configs: [{targets: ["127.0.0.1:${ports.scorer}"]}]`,
      '  - job_name: exporter',
      `    static_configs: [{targets: ["${instance}"]}]`,
      '',
    ].join('\n'),
  );
  ctx.prometheus = startPrometheus({
    port: ports.prometheus,
    configFile: join(ctx.dir, 'prometheus.yml'),
    tsdbDir,
  });
  await waitReady(ctx.prometheus, `${ctx.promUrl}/-/ready`);

  writeFileSync(
    join(ctx.dir, 'jobs.yaml'),
    [
      'jobs:',
      '  - name: edge',
      '    expr: sum by (site, link) (tl_link_bytes)',
      '    step: 1s',
      '    interval: 1s',
      '    fit_window: 20m',
      '    timeout: 2s',
      '    groups: [site]',
      '',
    ].join('\n'),
  );
  ctx.scorer = new Proc('scorer', process.execPath, [MAIN, '--config', join(ctx.dir, 'jobs.yaml')], {
    PORT: String(ports.scorer),
    TRAFFICLENS_PROMETHEUS_URL: ctx.promUrl,
    TRAFFICLENS_PROMETHEUS_TIMEOUT_MS: '2000',
    TRAFFICLENS_WORKER_THREADS: '1',
    TRAFFICLENS_MODELS_DIR: join(ctx.dir, 'models'),
    TRAFFICLENS_STATE_DIR: join(ctx.dir, 'state'),
  });
  await waitReady(ctx.scorer, `${ctx.scorerUrl}/readyz`);
  await until(
    'job edge to score its six links',
    async () => {
      const s = (await api('/api/v1/jobs/edge')).body;
      return s.health === 'ok' && s.series === LINKS.length ? s : undefined;
    },
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await ctx.scorer?.kill('SIGTERM');
  await ctx.prometheus?.kill('SIGTERM');
  await ctx.exporter?.close();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

afterEach(() => {
  const state = expect.getState();
  if (state.assertionCalls > 0 && state.numPassingAsserts < state.assertionCalls) {
    console.log(`scorer:\n${ctx.scorer?.tail()}\nprometheus:\n${ctx.prometheus?.tail()}`);
  }
});

describe('a site-wide outage through a real Prometheus', () => {
  test('before the outage: both sites scraped with no open incident, and no incident alert', async () => {
    const scraped = await until(
      'trafficlens_incident_open of both sites in Prometheus',
      async () => {
        const { result } = await promApi<{
          result: { metric: Record<string, string>; value: [number, string] }[];
        }>(ctx.promUrl, '/api/v1/query', { query: 'trafficlens_incident_open{job="edge"}' });
        return result.length === 2 ? result : undefined;
      },
      30_000,
    );
    expect(scraped.map((s) => [s.metric.site, s.value[1]]).sort()).toEqual([
      ['ams', '0'],
      ['fra', '0'],
    ]);
    const incidents = (await firing()).filter((a) => a.labels.alertname === 'TrafficLensIncident');
    expect(incidents).toEqual([]);
  });

  test('every ams link down at once: one TrafficLensIncident for ams (job, site), its four links as members', async () => {
    ctx.outageAt = Date.now() / 1000;
    const alerts = await until(
      'TrafficLensIncident to fire and the four ams links to alert',
      async () => {
        const all = await firing();
        const perLink = all.filter(
          (a) => a.labels.alertname === 'TrafficLensAnomaly' && a.labels.site === 'ams',
        );
        const incident = all.filter((a) => a.labels.alertname === 'TrafficLensIncident');
        return incident.length > 0 && perLink.length === 4 ? { incident, perLink } : undefined;
      },
      90_000,
      500,
    );
    // One alert for the incident, not one per link; labelled as Alertmanager groups (alertname, job, site).
    expect(alerts.incident).toHaveLength(1);
    expect(alerts.incident[0].labels).toMatchObject({ job: 'edge', site: 'ams', severity: 'warning' });
    expect(alerts.incident[0].annotations.summary).toBe('Incident on edge at site=ams');
    expect(alerts.incident[0].annotations.description).toMatch(
      /^4 series anomalous together, worst severity \d+\/100\./,
    );

    const { body } = await api('/api/v1/jobs/edge/incidents');
    const open = body.incidents.filter((i: { open: boolean }) => i.open);
    expect(open).toHaveLength(1);
    expect(open[0].group).toEqual({ site: 'ams' });
    expect(open[0].members.map((m: { labels: { link: string } }) => m.labels.link).sort()).toEqual([
      'ix',
      'peering',
      'transit-1',
      'transit-2',
    ]);
    expect(open[0].summary).toMatch(/^4 of 4 series at site=ams anomalous, first link=/);
  }, 120_000);

  test("the outage's worst severity is critical: TrafficLensIncidentCritical fires beside it, for the same group", async () => {
    const { body } = await api('/api/v1/jobs/edge/incidents');
    const open = body.incidents.find((i: { open: boolean }) => i.open);
    // Links at 2 % of their level score far past 4 (severity 75), the critical band.
    expect(open.severity).toBeGreaterThanOrEqual(75);
    const critical = await until(
      'TrafficLensIncidentCritical to fire',
      async () => {
        const found = (await firing()).filter((a) => a.labels.alertname === 'TrafficLensIncidentCritical');
        return found.length > 0 ? found : undefined;
      },
      60_000,
      500,
    );
    expect(critical).toHaveLength(1);
    expect(critical[0].labels).toMatchObject({
      job: 'edge',
      site: 'ams',
      severity: 'critical',
      trafficlens_group: '{site="ams"}',
    });
    expect(critical[0].annotations.summary).toBe('Critical incident on edge at site=ams');
    // The warning of the same incident carries the same group label: Alertmanager's inhibit rule pairs them.
    const warning = (await firing()).filter((a) => a.labels.alertname === 'TrafficLensIncident');
    expect(warning.map((a) => a.labels.trafficlens_group)).toEqual(['{site="ams"}']);
  }, 90_000);
});
