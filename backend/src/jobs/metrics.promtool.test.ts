/**
 * The jobs' /metrics text read by Prometheus' own parser (`promtool check metrics`, Debian's prometheus
 * package), with the label values and names a parser trips on: quotes, backslashes, newlines, UTF-8, a
 * series label named like a gauge's own (`state`) and names that need sanitizing.
 */
import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { metricsText } from '../api/metrics.js';
import { FakeSource } from '../sources/fake.js';
import type { Labels } from '../sources/source.js';
import { createFakeStream } from './fakeStream.js';
import { JobManager } from './manager.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 13, 12);

const AWKWARD: Labels[] = [
  { site: 'ams', link: 'a"quoted"', path: 'C:\\temp\\x' },
  { site: 'fra', link: 'two\nlines', 'site.name': 'Zürich — ☃' },
  { site: 'lon', link: 'x', state: 'up', driver: 'eth0' },
  { site: 'par', link: '', '0bad': 'starts with a digit', __meta: 'reserved' },
];

function promtool(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const scrapeOf = (registry: Registry): Promise<string> => metricsText(registry);

async function setup() {
  const registry = new Registry();
  const manager = new JobManager({
    logger: captureLogger().logger,
    registry,
    now: new TestClock(T0).now,
    createStream: () => createFakeStream(),
  });
  const source = new FakeSource();
  manager.addJob(
    { name: 'edge', source: { type: 'simulator' }, step: '1m', fit_window: '10m', detector: 'robust' },
    source,
  );
  // A spike at T0 on every series: each has an open episode, so the episode families are rendered too.
  for (const labels of AWKWARD) {
    source.add(
      labels,
      points(T0 - 10 * MINUTE, T0, MINUTE, (t) => (t === T0 ? 1000 : 100)),
    );
  }
  await manager.runOnce('edge');
  return registry;
}

describe('job metrics read by Prometheus itself', () => {
  test('promtool parses the scrape, every series family included', async () => {
    const registry = await setup();
    const text = await scrapeOf(registry);
    for (const family of [
      'trafficlens_anomaly_score',
      'trafficlens_series_state',
      'trafficlens_episode_start_timestamp_seconds',
      'trafficlens_episode_driver',
    ]) {
      expect(text).toContain(`\n${family}{`);
    }
    const check = promtool(text);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
  });

  test('each series is one sample per gauge, on the same label set in both render paths', async () => {
    const registry = await setup();
    const streamed = await scrapeOf(registry);
    expect(await registry.metrics()).toBe(streamed);
    const scores = streamed.split('\n').filter((l) => l.startsWith('trafficlens_anomaly_score{'));
    expect(scores).toHaveLength(AWKWARD.length);
    expect(new Set(scores).size).toBe(AWKWARD.length);
    // The series label `state` is renamed where the gauge has a label of that name, and only there.
    expect(streamed).toContain('trafficlens_anomaly_score{job="edge",detector="robust",driver="eth0"');
    expect(streamed).toContain(
      'trafficlens_series_state{job="edge",detector="robust",driver="eth0",link="x",site="lon",state="ok",exported_state="up"} 1',
    );
  });

  test('promtool rejects a scrape with a broken line (the check can fail)', () => {
    expect(promtool('# TYPE x gauge\nx{a="unterminated} 1\n').status).not.toBe(0);
  });
});
