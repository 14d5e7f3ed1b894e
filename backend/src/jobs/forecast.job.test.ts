/**
 * Continuous forecasts in a job (the `forecast:` block, jobs/forecast.ts): refreshed on their own
 * schedule rather than every tick, the capacity read from a value, a label or another series, and the
 * results on /metrics as trafficlens_forecast_* gauges; the config refuses a horizon longer than what
 * the job retains, naming the minimum.
 */
import { Registry } from 'prom-client';
import { FakeSource } from '../sources/fake.js';
import { parseJobConfig, type JobConfigInput } from './config.js';
import { createFakeStream } from './fakeStream.js';
import { ScoringJob } from './job.js';
import { JobManager } from './manager.js';
import { captureLogger, points, TestClock } from './testing/helpers.js';
import request from 'supertest';
import { testApp } from '../api/testApp.js';
import { jobsApi } from '../api/routes/jobs.js';
import { JobForecastsResponse } from '../contract/jobs.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 13, 12);
const AMS = { site: 'ams', link: 'transit-1', speed: '1000' };
const FRA = { site: 'fra', link: 'ix', speed: '5000' };

/** A daily curve (±100) on a level growing 100 a day. */
const traffic = (base: number) => (t: number) =>
  base + 100 * ((t - T0) / DAY) + 100 * Math.sin((2 * Math.PI * t) / DAY) + 3 * Math.sin(t / 7e5);

const BASE: JobConfigInput = {
  name: 'edge',
  source: { type: 'simulator' },
  interval: '5m',
  step: '5m',
  fit_window: '3d',
  retention: '3d',
  detector: 'robust',
};

function setup(forecast: JobConfigInput['forecast'], capacitySource: FakeSource | null = null) {
  const registry = new Registry();
  const clock = new TestClock(T0);
  const { logger, lines: logs } = captureLogger();
  const manager = new JobManager({ logger, registry, now: clock.now });
  const source = new FakeSource();
  source.add(AMS, points(T0 - 3 * DAY, T0 + DAY, 5 * MINUTE, traffic(600)));
  source.add(FRA, points(T0 - 3 * DAY, T0 + DAY, 5 * MINUTE, traffic(600)));
  const job = new ScoringJob(parseJobConfig({ ...BASE, forecast }), {
    source,
    logger,
    now: clock.now,
    createStream: () => createFakeStream(),
    capacitySource,
  });
  manager.add(job);
  const lines = async (name: string) =>
    (await registry.metrics()).split('\n').filter((l) => l.startsWith(`${name}{`));
  const result = (site: string) => job.forecasts!.all().find((r) => r.labels.site === site)!;
  return { clock, manager, job, lines, result, logs };
}

describe('GET /api/v1/jobs/{name}/forecasts', () => {
  test("the latest forecasts, matched by label, with the job's settings; null seconds beyond the horizon", async () => {
    const { manager, clock } = setup({ horizon: '2d', refresh: '1h', capacity_label: 'speed' });
    const { app } = testApp({ jobs: { api: jobsApi(manager) } });
    const before = JobForecastsResponse.parse(
      (await request(app).get('/api/v1/jobs/edge/forecasts').expect(200)).body,
    );
    expect(before).toEqual({
      job: 'edge',
      forecast: { horizonMs: 2 * DAY, refreshMs: HOUR, fraction: 0.8, refreshedAt: null, lastError: null },
      series: [],
    });
    await manager.runOnce('edge');
    const body = JobForecastsResponse.parse(
      (await request(app).get('/api/v1/jobs/edge/forecasts').expect(200)).body,
    );
    expect(body.forecast!.refreshedAt).toBe(clock.now());
    expect(body.series.map((s) => s.labels.site).sort()).toEqual(['ams', 'fra']);
    const fra = (
      await request(app).get('/api/v1/jobs/edge/forecasts').query({ match: 'site="fra"' }).expect(200)
    ).body as JobForecastsResponse;
    expect(fra.series).toHaveLength(1);
    expect(fra.series[0]).toMatchObject({
      labels: FRA,
      state: 'ok',
      capacity: 5000,
      secondsToThreshold: { median: null, upper: null },
    });
    const ams = body.series.find((s) => s.labels.site === 'ams')!;
    expect(ams.secondsToThreshold!.median).toBeGreaterThan(0);
    expect(ams.secondsToThreshold!.median).toBeLessThan(2 * 86_400);
    expect(ams.atHorizon!.upper95).toBeGreaterThan(ams.atHorizon!.mean);
  });

  test('a job without forecasts answers forecast null; an unknown job 404; a bad matcher 400', async () => {
    const { manager } = setup(undefined);
    const { app } = testApp({ jobs: { api: jobsApi(manager) } });
    await manager.runOnce('edge');
    expect((await request(app).get('/api/v1/jobs/edge/forecasts').expect(200)).body).toEqual({
      job: 'edge',
      forecast: null,
      series: [],
    });
    await request(app).get('/api/v1/jobs/nope/forecasts').expect(404);
    const bad = await request(app)
      .get('/api/v1/jobs/edge/forecasts')
      .query({ match: 'site=ams' })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('match');
  });
});

describe('continuous forecasts of a job', () => {
  test('forecasts each series with the capacity from a label, and exports it on /metrics', async () => {
    const { manager, lines, result } = setup({ horizon: '2d', refresh: '1h', capacity_label: 'speed' });
    await manager.runOnce('edge');
    const ams = result('ams');
    expect(ams).toMatchObject({ state: 'ok', capacity: 1000 });
    // ams peaks near 700 + 100 a day: 800 (80 % of 1000) within the 2 days, on both paths.
    expect(ams.secondsToThreshold!.median).toBeGreaterThan(0);
    expect(ams.secondsToThreshold!.median).toBeLessThan(2 * 86_400);
    expect(ams.secondsToThreshold!.upper).toBeLessThanOrEqual(ams.secondsToThreshold!.median);
    expect(ams.atHorizon!.upper95).toBeGreaterThan(ams.atHorizon!.mean);
    // fra's capacity is 5000: not within the horizon.
    expect(result('fra').secondsToThreshold).toEqual({ median: Infinity, upper: Infinity });

    const fraLabels = 'job="edge",detector="robust",link="ix",site="fra",speed="5000"';
    expect(await lines('trafficlens_forecast_seconds_to_threshold')).toContain(
      `trafficlens_forecast_seconds_to_threshold{${fraLabels}} +Inf`,
    );
    expect(await lines('trafficlens_forecast_capacity')).toContain(
      `trafficlens_forecast_capacity{${fraLabels}} 5000`,
    );
    expect(await lines('trafficlens_forecast_value_at_horizon')).toHaveLength(2);
    expect(await lines('trafficlens_forecast_threshold_ratio')).toEqual([
      'trafficlens_forecast_threshold_ratio{job="edge"} 0.8',
    ]);
    expect(await lines('trafficlens_forecast_horizon_seconds')).toEqual([
      'trafficlens_forecast_horizon_seconds{job="edge"} 172800',
    ]);
  });

  test('refreshes on its own schedule, not every tick', async () => {
    const { clock, manager, job } = setup({ horizon: '1d', refresh: '1h', capacity: 800 });
    await manager.runOnce('edge');
    expect(job.forecasts!.lastRefreshAt).toBe(T0);
    for (let k = 1; k < 12; k++) {
      clock.advance(5 * MINUTE);
      await manager.runOnce('edge');
    }
    expect(job.forecasts!.lastRefreshAt).toBe(T0);
    clock.advance(5 * MINUTE);
    await manager.runOnce('edge');
    expect(job.forecasts!.lastRefreshAt).toBe(T0 + HOUR);
  });

  test('reads the capacity from another series matched on the labels it has', async () => {
    const speeds = new FakeSource()
      .add(
        { __name__: 'link_speed', link: 'transit-1' },
        points(T0 - HOUR, T0, 5 * MINUTE, () => 1000),
      )
      .add(
        { __name__: 'link_speed', link: 'ix' },
        points(T0 - HOUR, T0, 5 * MINUTE, () => 2000),
      );
    const { manager, result, job, clock, lines, logs } = setup(
      { horizon: '1d', capacity_expr: 'link_speed' },
      speeds,
    );
    await manager.runOnce('edge');
    expect(result('ams').capacity).toBe(1000);
    expect(result('fra').capacity).toBe(2000);
    expect(job.forecasts!.lastError).toBeNull();
    expect(await lines('trafficlens_forecast_refresh_failed')).toEqual([
      'trafficlens_forecast_refresh_failed{job="edge"} 0',
    ]);
    // A failing capacity query leaves the forecasts without a capacity, and says why in the log and on /metrics.
    speeds.setError(new Error('connection refused'));
    clock.advance(DAY);
    await manager.runOnce('edge');
    expect(job.forecasts!.lastError).toBe('capacity "link_speed": connection refused');
    expect(result('ams')).toMatchObject({ state: 'ok', capacity: null, secondsToThreshold: null });
    expect(logs.some((l) => l.msg === 'forecast refresh: capacity "link_speed": connection refused')).toBe(
      true,
    );
    expect(await lines('trafficlens_forecast_refresh_failed')).toEqual([
      'trafficlens_forecast_refresh_failed{job="edge"} 1',
    ]);
  });

  test('the config refuses a horizon longer than the job retains, and two capacity sources', () => {
    expect(() => parseJobConfig({ ...BASE, forecast: { horizon: '7d' } })).toThrow(
      'forecast.horizon: a 1w forecast needs at least 1w of history; retention keeps 3d (864 points at 5m): raise retention',
    );
    expect(() => parseJobConfig({ ...BASE, forecast: { capacity: 10, capacity_label: 'speed' } })).toThrow(
      'forecast.capacity_label: give one of capacity, capacity_label',
    );
    expect(() => parseJobConfig({ ...BASE, forecast: { refresh: '1m' } })).toThrow(
      'forecast.refresh: must be at least the interval',
    );
    expect(parseJobConfig({ ...BASE, forecast: {} }).forecast).toEqual({
      horizonMs: DAY,
      refreshMs: 15 * MINUTE,
      capacity: null,
      fraction: 0.8,
    });
  });
});
