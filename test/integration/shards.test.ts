/**
 * Sharded replicas against a real Prometheus: 3,000 series in its TSDB (backfilled by promtool), three
 * built scorers started with --shard 0/3, 1/3 and 2/3 and the same jobs file, and Prometheus scraping
 * all three. The union of what they export is every series exactly once, and each says its shard in
 * /healthz.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  Proc,
  promApi,
  requireFleetTools,
  startBackfilledPrometheus,
  startShardScorer,
  until,
  waitReady,
  writeJobsFile,
  type NabPoint,
} from './harness.js';

const SERIES = 3000;
const SHARDS = 3;

interface Ctx {
  dir: string;
  promUrl: string;
  prometheus: Proc;
  scorers: { proc: Proc; url: string }[];
}
const ctx = {} as Ctx;

type Vector = { metric: Record<string, string>; value: [number, string] }[];
const instant = (query: string) => promApi<{ result: Vector }>(ctx.promUrl, '/api/v1/query', { query });

beforeAll(async () => {
  requireFleetTools();
  ctx.dir = mkdtempSync(join(tmpdir(), 'trafficlens-shards-'));
  const promPort = await freePort();
  const ports = await Promise.all(Array.from({ length: SHARDS }, () => freePort()));

  // 30 minutes of one-minute history for 3,000 links of 60 sites, ending on the current minute.
  const end = Math.floor(Date.now() / 60_000) * 60;
  const series = Array.from({ length: SERIES }, (_, i) => ({
    labels: { site: `site-${i % 60}`, link: `link-${i}` },
    points: Array.from({ length: 30 }, (_, k): NabPoint => ({
      t: end - (29 - k) * 60,
      v: 100 + (i % 7) + (k % 5),
    })),
  }));
  const prometheus = await startBackfilledPrometheus({
    dir: ctx.dir,
    port: promPort,
    families: [{ name: 'tl_shard_bytes', series }],
    config: [
      'global: {scrape_interval: 1s}',
      'scrape_configs:',
      '  - job_name: trafficlens',
      '    honor_labels: true',
      `    static_configs: [{targets: [${ports.map((p) => `"127.0.0.1:${p}"`).join(', ')}]}]`,
      '',
    ].join('\n'),
  });
  ctx.prometheus = prometheus.proc;
  ctx.promUrl = prometheus.url;

  const jobsFile = join(ctx.dir, 'jobs.yaml');
  writeJobsFile(jobsFile, {
    name: 'links',
    expr: 'tl_shard_bytes',
    detector: 'robust',
    step: '1m',
    interval: '2s',
    fit_window: '25m',
    max_series: 5000,
  });
  ctx.scorers = ports.map((port, index) => ({
    url: `http://127.0.0.1:${port}`,
    proc: startShardScorer({
      name: `scorer ${index}`,
      dir: ctx.dir,
      jobsFile,
      shard: index,
      shards: SHARDS,
      port,
      promUrl: ctx.promUrl,
      stateDir: join(ctx.dir, `state-${index}`),
    }),
  }));
  for (const s of ctx.scorers) await waitReady(s.proc, `${s.url}/readyz`);
}, 180_000);

afterAll(async () => {
  for (const s of ctx.scorers ?? []) await s.proc.kill('SIGTERM');
  await ctx.prometheus?.kill('SIGTERM');
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

describe('three shards against a real Prometheus', () => {
  test('each replica says its shard in /healthz', async () => {
    for (const [index, s] of ctx.scorers.entries()) {
      const body = (await (await fetch(`${s.url}/healthz`)).json()) as { shard?: unknown };
      expect(body.shard).toEqual({ index, count: SHARDS });
    }
  });

  test('the union of their exported series is every series exactly once', async () => {
    // Every series scored by someone: Prometheus has scraped a score for all 3,000 links.
    await until(
      'all 3,000 series to be exported',
      async () => {
        const { result } = await instant('count(count by (link) (trafficlens_anomaly_score{job="links"}))');
        return result[0] && Number(result[0].value[1]) === SERIES ? true : undefined;
      },
      90_000,
      500,
    );
    // ...by exactly one replica each: no link has scores from two scrape targets.
    const { result: twice } = await instant('count by (link) (trafficlens_anomaly_score{job="links"}) > 1');
    expect(twice).toEqual([]);
    // Each replica holds about a third.
    const { result: perTarget } = await instant(
      'count by (instance) (trafficlens_anomaly_score{job="links"})',
    );
    expect(perTarget).toHaveLength(SHARDS);
    const counts = perTarget.map((r) => Number(r.value[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(SERIES);
    for (const n of counts) expect(n).toBeGreaterThan(SERIES / SHARDS - 150);
  }, 120_000);
});
