/**
 * provisioning/alertmanager: the config passes `amtool check-config` (Debian's prometheus-alertmanager),
 * routes each TrafficLens alert to the receiver its severity calls for (`amtool config routes test`),
 * inhibits on labels the rules really render, is the Alertmanager prometheus.yml and compose.yaml wire
 * up, sends nowhere until its placeholders are replaced, and its templates render the text the README
 * shows (`amtool template render`). The integration suite (test/integration/alertmanager.test.ts) runs
 * it for real.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO, requireTool } from '../lib/tools.js';

const DIR = join(REPO, 'provisioning/alertmanager');
const read = (path: string) => parse(readFileSync(join(REPO, path), 'utf8'));

function amtool(...args: string[]): { code: number | null; output: string } {
  const run = spawnSync(requireTool('amtool'), args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The receiver `amtool config routes test` picks for an alert with these labels. */
function receiverFor(labels: Record<string, string>): string {
  const { code, output } = amtool(
    'config',
    'routes',
    'test',
    '--config.file=alertmanager.yml',
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  );
  if (code !== 0) throw new Error(`amtool config routes test failed:\n${output}`);
  return output
    .split('\n')
    .filter((l) => l && !l.startsWith('Warning:'))
    .join('\n');
}

const rules = read('provisioning/prometheus/rules/trafficlens.rules.yml') as {
  groups: { rules: { alert: string; labels: Record<string, string> }[] }[];
};
const rule = (alert: string) => rules.groups.flatMap((g) => g.rules).find((r) => r.alert === alert)!;

describe('provisioning/alertmanager', () => {
  test('amtool is installed', () => {
    expect(requireTool('amtool')).toMatch(/amtool$/);
  });

  test('alertmanager.yml is a valid config and loads its templates', () => {
    const { code, output } = amtool('check-config', 'alertmanager.yml');
    expect(output).toContain("Checking 'alertmanager.yml'  SUCCESS");
    expect(output).toContain(' - 2 inhibit rules');
    expect(output).toContain(' - 1 templates');
    expect(code).toBe(0);
  });

  test.each([
    ['TrafficLensAnomalyCritical', 'trafficlens-page'],
    ['TrafficLensAnomaly', 'trafficlens-chat'],
    ['TrafficLensScorerDown', 'trafficlens-page'],
    ['TrafficLensJobStale', 'trafficlens-page'],
    ['TrafficLensJobFailing', 'trafficlens-chat'],
    ['TrafficLensSeriesStale', 'trafficlens-chat'],
    ['TrafficLensIncident', 'trafficlens-chat'],
    ['TrafficLensIncidentCritical', 'trafficlens-page'],
  ])('%s (its severity in the rules) goes to %s', (alert, receiver) => {
    const { severity } = rule(alert).labels;
    expect(receiverFor({ alertname: alert, severity, job: 'edge', site: 'ams' })).toBe(receiver);
  });

  test('an alert from elsewhere, without a severity, still reaches the chat', () => {
    expect(receiverFor({ alertname: 'SomethingElse' })).toBe('trafficlens-chat');
  });

  test('groups by alert, job and site; the critical anomaly inhibits the warning of the same series, on labels both rules render', () => {
    const config = read('provisioning/alertmanager/alertmanager.yml');
    expect(config.route.group_by).toEqual(['alertname', 'job', 'site']);
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['alertname="TrafficLensAnomalyCritical"'],
        target_matchers: ['alertname="TrafficLensAnomaly"'],
        equal: ['job', 'trafficlens_series'],
      },
      {
        source_matchers: ['alertname="TrafficLensIncidentCritical"'],
        target_matchers: ['alertname="TrafficLensIncident"'],
        equal: ['job', 'trafficlens_group'],
      },
    ]);
    const critical = rule('TrafficLensAnomalyCritical').labels;
    const warning = rule('TrafficLensAnomaly').labels;
    expect([critical.severity, warning.severity]).toEqual(['critical', 'warning']);
    // The same template in both, so the two alerts of one series carry the same value.
    expect(critical.trafficlens_series).toContain('range $k, $v := $labels');
    expect(critical.trafficlens_series).toBe(warning.trafficlens_series);
    // An incident's two alerts likewise carry the group's labels rendered by one template.
    const incident = rule('TrafficLensIncident').labels;
    const criticalIncident = rule('TrafficLensIncidentCritical').labels;
    expect([criticalIncident.severity, incident.severity]).toEqual(['critical', 'warning']);
    expect(criticalIncident.trafficlens_group).toContain('range $k, $v := $labels');
    expect(criticalIncident.trafficlens_group).toBe(incident.trafficlens_group);
  });

  test('sends nowhere until its placeholder receivers are replaced', () => {
    const config = read('provisioning/alertmanager/alertmanager.yml');
    const urls = (config.receivers as Record<string, { url?: string; api_url?: string }[]>[]).flatMap((r) =>
      [...(r.webhook_configs ?? []), ...(r.slack_configs ?? [])].map((c) => c.url ?? c.api_url),
    );
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) expect(new URL(url!).hostname).toMatch(/\.invalid$/);
  });

  test("is the Alertmanager prometheus.yml sends to and compose.yaml runs, with this folder's config", () => {
    const prometheus = read('provisioning/prometheus/prometheus.yml');
    const targets = prometheus.alerting.alertmanagers.flatMap(
      (a: { static_configs: { targets: string[] }[] }) => a.static_configs.flatMap((c) => c.targets),
    );
    expect(targets).toEqual(['alertmanager:9093']);
    const service = read('provisioning/compose.yaml').services.alertmanager;
    expect(service.image).toMatch(/^prom\/alertmanager:v0\.25\.\d+$/);
    expect(service.volumes).toEqual(['./alertmanager:/etc/alertmanager:ro']);
    expect(service.command).toContain('--config.file=/etc/alertmanager/alertmanager.yml');
    expect(service.ports).toEqual(['9093:9093']);
  });

  test('the templates render the title, the link and the text of a notification', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trafficlens-amtool-'));
    try {
      const data = join(dir, 'data.json');
      const annotations = (link: string, score: string, value: string) => ({
        summary: `Critical anomaly on edge: score ${score}`,
        description: `edge: {link="${link}", site="ams"} is ${value} (above the normal band 800 to 1.2k), expected 1k; anomaly score ${score} (auto, 1 is the boundary).`,
        dashboard: '/d/trafficlens-noc?var-job=edge&var-site=ams&from=now-6h&to=now',
      });
      writeFileSync(
        data,
        JSON.stringify({
          receiver: 'trafficlens-page',
          status: 'firing',
          groupLabels: { alertname: 'TrafficLensAnomalyCritical', job: 'edge', site: 'ams' },
          alerts: [
            {
              status: 'firing',
              labels: { alertname: 'TrafficLensAnomalyCritical', job: 'edge', site: 'ams', link: 'a' },
              annotations: annotations('a', '9.00', '9k'),
              startsAt: '2026-12-03T13:20:00.250+01:00',
              endsAt: '0001-01-01T00:00:00Z',
            },
            {
              status: 'resolved',
              labels: { alertname: 'TrafficLensAnomalyCritical', job: 'edge', site: 'ams', link: 'b' },
              annotations: annotations('b', '4.50', '4.5k'),
              startsAt: '2026-12-03T12:10:00Z',
              endsAt: '2026-12-03T12:15:00Z',
            },
          ],
        }),
      );
      const render = (name: string) => {
        const { code, output } = amtool(
          'template',
          'render',
          '--template.glob=templates/*.tmpl',
          `--template.data=${data}`,
          `--template.text={{ template "trafficlens.${name}" . }}`,
        );
        if (code !== 0) throw new Error(`amtool template render failed:\n${output}`);
        return output;
      };
      expect(render('title')).toBe('[FIRING:1] TrafficLensAnomalyCritical: edge, site ams');
      expect(render('title_link')).toBe(
        'http://localhost:3000/d/trafficlens-noc?var-job=edge&var-site=ams&from=now-6h&to=now',
      );
      expect(render('text')).toBe(
        [
          'FIRING Critical anomaly on edge: score 9.00',
          'edge: {link="a", site="ams"} is 9k (above the normal band 800 to 1.2k), expected 1k; anomaly score 9.00 (auto, 1 is the boundary).',
          'Alerting since 2026-12-03 12:20:00 UTC',
          'Dashboard: http://localhost:3000/d/trafficlens-noc?var-job=edge&var-site=ams&from=now-6h&to=now',
          '',
          'RESOLVED Critical anomaly on edge: score 4.50',
          'edge: {link="b", site="ams"} is 4.5k (above the normal band 800 to 1.2k), expected 1k; anomaly score 4.50 (auto, 1 is the boundary).',
          'Alerting since 2026-12-03 12:10:00 UTC, resolved 2026-12-03 12:15:00 UTC',
          'Dashboard: http://localhost:3000/d/trafficlens-noc?var-job=edge&var-site=ams&from=now-6h&to=now',
        ].join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
