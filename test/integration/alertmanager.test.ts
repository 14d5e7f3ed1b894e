/**
 * Notifications end to end (issue 14): the built scorer, a real Prometheus and a real Alertmanager
 * (Debian's packages), each on a free loopback port, and a loopback HTTP server standing in for the
 * receivers. Prometheus runs the provisioned prometheus.yml and alert rules, Alertmanager the provisioned
 * alertmanager.yml and templates; the test only points their addresses at these processes and shortens
 * the waits (rules' `for:` 2 s, group_wait 2 s). A job scores three links of an exporter the test
 * controls (20 minutes of history backfilled with promtool); a maintenance window covers the `fra` one.
 * Then one 10× spike on all three. Checked:
 *
 * 1. the pager webhook receives one critical notification for site `ams` holding both of its links
 *    (grouped by alert, job and site), each alert explaining itself (series, value against the expected
 *    value and the normal band, score, the scorer's episode: kind, direction, start and drivers, Grafana
 *    link); the chat receives the same alerts as the templated text; the time from spike to webhook is
 *    measured and printed;
 * 2. the warnings the same spike raises are inhibited by the criticals of the same series: never sent
 *    (checked once Alertmanager has flushed each warning group twice, its debug log saying so);
 * 3. the `fra` link, whose score is as high, raises no alert and sends nothing while its window lasts;
 *    once the window is deleted, the same spike notifies.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO, requireTool } from '../lib/tools.js';
import {
  createBlocks,
  flushes,
  freePort,
  openMetrics,
  promApi,
  Proc,
  provisionedRulesForTest,
  Receiver,
  SeriesExporter,
  startAlertmanager,
  startPrometheus,
  until,
  waitReady,
  type NabPoint,
  type Received,
} from './harness.js';

const MAIN = join(REPO, 'backend/dist/main.js');
const PROVISIONED = join(REPO, 'provisioning');
const GRAFANA_URL = 'http://localhost:3000'; // templates/trafficlens.tmpl, "trafficlens.grafana_url"
const LINKS = [
  { site: 'ams', link: 'a' },
  { site: 'ams', link: 'b' },
  { site: 'fra', link: 'c' },
];

/** Each link's traffic: a 5-minute wave with deterministic noise around 1000 bytes/s, its own phase. */
function linkValue(index: number, tSec: number): number {
  const s = Math.floor(tSec) + 97 * index;
  const noise = Math.sin(s * 12.9898) * 43758.5453;
  return Number(
    (1000 + 100 * Math.sin((2 * Math.PI * s) / 300) + 40 * (noise - Math.floor(noise) - 0.5)).toFixed(3),
  );
}

interface Alert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
}

/** Alertmanager's webhook body (version 4). */
interface Notification {
  receiver: string;
  status: string;
  groupLabels: Record<string, string>;
  alerts: Alert[];
}

interface Ctx {
  dir: string;
  promUrl: string;
  amUrl: string;
  scorerUrl: string;
  /** The `instance` Prometheus gives the scorer's gauges (a scored series without one gets it). */
  scorerInstance: string;
  prometheus: Proc;
  alertmanager: Proc;
  scorer: Proc;
  exporter: SeriesExporter;
  receiver: Receiver;
}

const ctx = {} as Ctx;

// JSON from the API under test; each test asserts the fields it reads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(`${ctx.scorerUrl}${path}`, init);
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

/** The provisioned prometheus.yml, its targets pointed at this test's processes and 1 s intervals. */
function prometheusConfig(ports: {
  prometheus: number;
  alertmanager: number;
  scorer: number;
  exporter: number;
}) {
  const config = parse(readFileSync(join(PROVISIONED, 'prometheus/prometheus.yml'), 'utf8'));
  config.global = { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' };
  config.rule_files = ['rules.yml'];
  const alertmanagers = config.alerting?.alertmanagers;
  if (alertmanagers?.length !== 1) throw new Error('the provisioned prometheus.yml sends to no Alertmanager');
  alertmanagers[0].static_configs = [{ targets: [`127.0.0.1:${ports.alertmanager}`] }];
  const target = (job: string, port: number) => {
    const scrape = config.scrape_configs.find((s: { job_name: string }) => s.job_name === job);
    if (!scrape) throw new Error(`the provisioned prometheus.yml has no scrape job ${job}`);
    scrape.static_configs = [{ targets: [`127.0.0.1:${port}`] }];
  };
  target('trafficlens', ports.scorer);
  target('prometheus', ports.prometheus);
  config.scrape_configs.push({
    job_name: 'exporter',
    static_configs: [{ targets: [`127.0.0.1:${ports.exporter}`] }],
  });
  return stringify(config);
}

/**
 * The provisioned alertmanager.yml with its placeholder receivers pointed at the test's server
 * (/webhook, /chat), the provisioned templates, and a 2 s group_wait and group_interval.
 */
function alertmanagerConfig(receiverUrl: string): string {
  const config = parse(readFileSync(join(PROVISIONED, 'alertmanager/alertmanager.yml'), 'utf8'));
  config.templates = [join(PROVISIONED, 'alertmanager/templates/*.tmpl')];
  config.route.group_wait = '2s';
  config.route.group_interval = '2s';
  let webhooks = 0;
  let chats = 0;
  for (const receiver of config.receivers) {
    for (const hook of receiver.webhook_configs ?? []) {
      hook.url = `${receiverUrl}/webhook`;
      webhooks++;
    }
    for (const chat of receiver.slack_configs ?? []) {
      chat.api_url = `${receiverUrl}/chat`;
      chats++;
    }
  }
  if (webhooks === 0 || chats === 0) throw new Error('the provisioned alertmanager.yml lost its receivers');
  return stringify(config);
}

const webhooks = (): Notification[] =>
  ctx.receiver.received.filter((r) => r.path === '/webhook').map((r) => r.body as Notification);

/** The Slack message Alertmanager built from the templates: its one attachment. */
const chats = (): { title: string; title_link: string; text: string }[] =>
  ctx.receiver.received.filter((r) => r.path === '/chat').map((r: Received) => r.body.attachments[0]);

const firstWebhook = (alertname: string, site: string) =>
  ctx.receiver.received.find(
    (r) =>
      r.path === '/webhook' &&
      r.body.groupLabels?.alertname === alertname &&
      r.body.groupLabels?.site === site &&
      r.body.status === 'firing',
  );

/** "1.003k" (Prometheus' humanize) → 1003. */
function unhumanize(text: string): number {
  const m = /^(-?[\d.]+(?:e[+-]?\d+)?)\s*([kMGTPEZY]?)$/.exec(text);
  if (!m) throw new Error(`not a humanized number: ${text}`);
  return Number(m[1]) * 1000 ** ' kMGTPEZY'.indexOf(m[2] || ' ');
}

/** What the chat template renders for one firing alert (templates/trafficlens.tmpl, "trafficlens.alert"). */
function chatText(alert: Alert): string {
  const since = new Date(alert.startsAt)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return [
    `FIRING ${alert.annotations.summary}`,
    alert.annotations.description,
    `Alerting since ${since}`,
    `Dashboard: ${GRAFANA_URL}${alert.annotations.dashboard}`,
  ].join('\n');
}

beforeAll(async () => {
  for (const tool of ['prometheus-alertmanager', 'prometheus', 'promtool'] as const) requireTool(tool);
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build -w backend\` first`);

  ctx.dir = mkdtempSync(join(tmpdir(), 'trafficlens-am-'));
  const ports = {
    prometheus: await freePort(),
    alertmanager: await freePort(),
    scorer: await freePort(),
    exporter: await freePort(),
    receiver: await freePort(),
  };
  ctx.promUrl = `http://127.0.0.1:${ports.prometheus}`;
  ctx.amUrl = `http://127.0.0.1:${ports.alertmanager}`;
  ctx.scorerUrl = `http://127.0.0.1:${ports.scorer}`;
  ctx.scorerInstance = `127.0.0.1:${ports.scorer}`;

  // 20 minutes of every link at 1 s, with the labels its scrapes will have: the job is past learning
  // from its first run.
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
    LINKS.map((labels, i) => ({ labels, value: (t: number) => linkValue(i, t) })),
  );
  await ctx.exporter.listen(ports.exporter);
  ctx.receiver = new Receiver();
  await ctx.receiver.listen(ports.receiver);

  writeFileSync(join(ctx.dir, 'alertmanager.yml'), alertmanagerConfig(`http://127.0.0.1:${ports.receiver}`));
  ctx.alertmanager = startAlertmanager({
    port: ports.alertmanager,
    configFile: join(ctx.dir, 'alertmanager.yml'),
    storageDir: join(ctx.dir, 'alertmanager'),
    logLevel: 'debug', // its flushes are what the inhibition test waits on
  });
  await waitReady(ctx.alertmanager, `${ctx.amUrl}/-/ready`);

  writeFileSync(join(ctx.dir, 'rules.yml'), provisionedRulesForTest('2s'));
  writeFileSync(join(ctx.dir, 'prometheus.yml'), prometheusConfig(ports));
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
    'job edge to score its three links',
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
  await ctx.alertmanager?.kill('SIGTERM');
  await ctx.exporter?.close();
  await ctx.receiver?.close();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

afterEach(() => {
  // On failure, the processes' last words and what the receivers got are the most useful things to see.
  const state = expect.getState();
  if (state.assertionCalls > 0 && state.numPassingAsserts < state.assertionCalls) {
    console.log(
      `received:\n${JSON.stringify(ctx.receiver?.received, null, 1).slice(0, 20_000)}\n` +
        `scorer:\n${ctx.scorer?.tail()}\nprometheus:\n${ctx.prometheus?.tail()}\n` +
        `alertmanager:\n${ctx.alertmanager?.tail()}`,
    );
  }
});

type Sample = { metric: Record<string, string>; value: [number, string] };
const promQuery = async (query: string) =>
  (await promApi<{ result: Sample[] }>(ctx.promUrl, '/api/v1/query', { query })).result;

describe('notifications through a real Alertmanager', () => {
  let windowId = '';
  let injectedAt = 0;

  test('the fra link is in a maintenance window before the spike; nothing has been sent', async () => {
    await until(
      'no anomaly alert of job edge before the injection',
      async () => ((await promQuery('ALERTS{job="edge"}')).length === 0 ? true : undefined),
      60_000,
    );
    const now = Date.now();
    const created = await api('/api/v1/windows', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        matchers: ['job="edge"', 'site="fra"'],
        startsAt: now,
        endsAt: now + 3_600_000,
        author: 'noc',
        comment: 'fra router maintenance',
      }),
    });
    expect(created.status).toBe(201);
    expect(created.body.warnings).toEqual([]);
    windowId = created.body.window.id;
    // The window reaches Prometheus before the spike does: the rules see the link suppressed.
    await until(
      'trafficlens_suppressed 1 on fra and 0 on ams in Prometheus',
      async () => {
        const s = await promQuery('trafficlens_suppressed{job="edge"}');
        const bySite = (site: string) => s.filter((x) => x.metric.site === site).map((x) => x.value[1]);
        return s.length === 3 && bySite('fra').join() === '1' && bySite('ams').join() === '0,0'
          ? true
          : undefined;
      },
      20_000,
    );
    expect(ctx.receiver.received).toEqual([]);
  });

  test('a spike notifies: one critical notification per site, each alert explaining itself', async () => {
    injectedAt = Date.now();
    for (const [i, s] of ctx.exporter.series.entries()) s.value = (t) => 10 * linkValue(i, t);

    const first = await until(
      'the critical notification for site ams on the webhook',
      async () => firstWebhook('TrafficLensAnomalyCritical', 'ams'),
      60_000,
      100,
    );
    const latencyMs = first.at - injectedAt;
    console.log(
      `notification latency: injected a 10x spike, the webhook got the critical notification after ` +
        `${(latencyMs / 1000).toFixed(1)} s (scrape, job interval and step 1 s, rule evaluation 1 s, ` +
        `for: 2s, group_wait 2s)`,
    );
    mkdirSync(join(REPO, 'test/artifacts/out'), { recursive: true });
    writeFileSync(join(REPO, 'test/artifacts/out/notification-latency.txt'), `${latencyMs}\n`);
    writeFileSync(
      join(REPO, 'test/artifacts/out/notification-webhook.json'),
      `${JSON.stringify(first.body, null, 2)}\n`,
    );

    const body = first.body as Notification;
    expect(body.receiver).toBe('trafficlens-page');
    expect(body.groupLabels).toEqual({ alertname: 'TrafficLensAnomalyCritical', job: 'edge', site: 'ams' });
    // Both ams links in the one notification; fra (in maintenance) in none.
    expect(body.alerts.map((a) => a.labels.link).sort()).toEqual(['a', 'b']);
    for (const alert of body.alerts) {
      const { link } = alert.labels;
      expect(alert.status).toBe('firing');
      expect(alert.labels).toEqual({
        alertname: 'TrafficLensAnomalyCritical',
        severity: 'critical',
        job: 'edge',
        detector: 'auto',
        site: 'ams',
        link,
        instance: ctx.scorerInstance,
        trafficlens_series: `{instance="${ctx.scorerInstance}", link="${link}", site="ams"}`,
      });
      const summary = /^Critical anomaly on edge: score (\d+\.\d\d)$/.exec(alert.annotations.summary);
      expect(summary).not.toBeNull();
      const description =
        /^edge: \{instance="[\d.:]+", link="(\w)", site="ams"\} is (\S+) \(above the normal band (\S+) to (\S+)\), expected (\S+); anomaly score (\d+\.\d\d) \(auto, 1 is the boundary\)\. Episode: ([a-z ]+) up since (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC, driven by ((?:\w+ [\d.]+%(?:, )?)+)\.$/.exec(
          alert.annotations.description,
        );
      expect(description).not.toBeNull();
      const [, series, actual, , upper, expected, score, kind, since, drivers] = description!;
      expect(series).toBe(link);
      expect(score).toBe(summary![1]);
      expect(Number(score)).toBeGreaterThanOrEqual(4);
      // The numbers are the spike's: about ten times what the detector expected, above the band.
      expect(unhumanize(actual) / unhumanize(expected)).toBeGreaterThan(5);
      expect(unhumanize(actual)).toBeGreaterThan(unhumanize(upper));
      expect(unhumanize(expected)).toBeGreaterThan(800);
      expect(unhumanize(expected)).toBeLessThan(1200);
      // The scorer's episode: a spike (or a level the detector calls so, or the jump itself: the rate of
      // change sets the band's edge when the spike's first point lands right after the previous tick, as
      // CI saw once), from the injection on; never a dip or a drop.
      expect(['spike', 'rate of change', 'level shift', 'seasonal mismatch']).toContain(kind);
      const episodeStart = Date.parse(`${since.replace(' ', 'T')}Z`);
      expect(episodeStart).toBeGreaterThanOrEqual(Math.floor(injectedAt / 1000) * 1000 - 1000);
      expect(episodeStart).toBeLessThanOrEqual(first.at);
      expect(drivers.split(', ').length).toBeGreaterThanOrEqual(1);
      expect(alert.annotations.dashboard).toBe(
        '/d/trafficlens-noc?var-job=edge&var-site=ams&from=now-6h&to=now',
      );
      expect(Date.parse(alert.startsAt)).toBeGreaterThanOrEqual(injectedAt - 1000);
    }

    // The chat got the same group as the templated text.
    const chat = await until(
      'the critical notification for site ams in the chat',
      async () => chats().find((c) => c.title.includes('TrafficLensAnomalyCritical: edge, site ams')),
      10_000,
    );
    writeFileSync(join(REPO, 'test/artifacts/out/notification-chat.txt'), `${chat.title}\n\n${chat.text}\n`);
    expect(chat.title).toBe('[FIRING:2] TrafficLensAnomalyCritical: edge, site ams');
    expect(chat.title_link).toBe(
      `${GRAFANA_URL}/d/trafficlens-noc?var-job=edge&var-site=ams&from=now-6h&to=now`,
    );
    expect(chat.text).toBe(body.alerts.map(chatText).join('\n\n'));
  });

  test('the fra link, as anomalous, raises no alert and sends nothing while its window lasts', async () => {
    // It spiked with the ams links: wait (a precondition, not the claim) until its score has been >= 4
    // for longer than the rules' `for:` (2 s) and an evaluation, so that it would be firing by now.
    await until(
      "the fra link's score >= 4 for the last 4 s",
      async () => {
        const held = await promQuery(
          'min_over_time(trafficlens_anomaly_score{job="edge",site="fra"}[4s]) >= 4',
        );
        return held.length === 1 ? held : undefined;
      },
      20_000,
    );
    expect((await promQuery('trafficlens_suppressed{job="edge",site="fra"}'))[0].value[1]).toBe('1');
    // Not even pending in Prometheus, so Alertmanager never hears of it.
    expect(await promQuery('ALERTS{job="edge",site="fra"}')).toEqual([]);
    const amAlerts = await (await fetch(`${ctx.amUrl}/api/v2/alerts?filter=site%3D%22fra%22`)).json();
    expect(amAlerts).toEqual([]);
    expect(webhooks().filter((n) => n.alerts.some((a) => a.labels.site === 'fra'))).toEqual([]);
    expect(chats().filter((c) => c.title.includes('site fra'))).toEqual([]);

    // The same spike, once the window is deleted: it notifies.
    const deleted = await api(`/api/v1/windows/${windowId}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const fra = await until(
      'the critical notification for site fra once its window is deleted',
      async () => firstWebhook('TrafficLensAnomalyCritical', 'fra'),
      30_000,
      100,
    );
    expect((fra.body as Notification).alerts.map((a) => a.labels.trafficlens_series)).toEqual([
      `{instance="${ctx.scorerInstance}", link="c", site="fra"}`,
    ]);
  });

  test('the warnings of the spiking links are inhibited by their criticals and never sent', async () => {
    // Both critical notifications reached the chat too (the page receiver's webhook and chat are sent
    // side by side: the fra webhook, awaited above, can arrive before its chat).
    await until(
      'the critical notifications for sites ams and fra in the chat',
      async () => {
        const titles = chats().map((c) => c.title);
        return ['ams', 'fra'].every((site) =>
          titles.some((t) => t.includes(`] TrafficLensAnomalyCritical: edge, site ${site}`)),
        )
          ? titles
          : undefined;
      },
      10_000,
    );
    // Every link's score is >= 4, so each fires both rules; Alertmanager holds the warnings, muted.
    const warnings = await until(
      'the three warnings in Alertmanager, inhibited',
      async () => {
        const res = await fetch(`${ctx.amUrl}/api/v2/alerts?filter=alertname%3D%22TrafficLensAnomaly%22`);
        const alerts = (await res.json()) as {
          labels: Record<string, string>;
          status: { state: string; inhibitedBy: string[] };
        }[];
        return alerts.length === LINKS.length && alerts.every((a) => a.status.inhibitedBy.length === 1)
          ? alerts
          : undefined;
      },
      20_000,
    );
    expect(warnings.map((a) => a.status.state)).toEqual(['suppressed', 'suppressed', 'suppressed']);
    // Each warning group has been flushed twice: its first flush (group_wait after its first alert)
    // ran the whole notification pipeline, so a warning it let through would have been received.
    for (const site of ['ams', 'fra']) {
      await until(
        `two flushes of the ${site} warnings' group in Alertmanager`,
        async () =>
          flushes(ctx.alertmanager, { alertname: 'TrafficLensAnomaly', job: 'edge', site }) >= 2
            ? true
            : undefined,
        20_000,
      );
    }
    expect(webhooks().filter((n) => n.alerts.some((a) => a.labels.severity !== 'critical'))).toEqual([]);
    expect(chats().filter((c) => !c.title.includes('] TrafficLensAnomalyCritical:'))).toEqual([]);
  });
});
