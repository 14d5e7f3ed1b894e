/**
 * POST /api/v1/forecast through the real app: the forecast and its intervals past the last point, the
 * time to a capacity threshold in words, counters as rates, states for flat and empty series, and bad
 * input refused with a 4xx that names the field or the minimum history.
 */
import request from 'supertest';
import { testApp } from '../testApp.js';

const MIN = 60_000;
const DAY = 1440 * MIN;
const T0 = Date.UTC(2026, 0, 1);

/** 5-minute link traffic in bytes/s: a daily curve on a growth of `growth` bytes/s a day. */
function link(days: number, growth: number, base = 5e8) {
  const n = (days * DAY) / (5 * MIN);
  const timestamps = Array.from({ length: n }, (_, i) => T0 + i * 5 * MIN);
  const values = timestamps.map(
    (t, i) =>
      base + growth * ((t - T0) / DAY) + 2e8 * Math.sin((2 * Math.PI * (t - T0)) / DAY) + 1e6 * Math.sin(i),
  );
  return { timestamps, values };
}

describe('POST /api/v1/forecast', () => {
  const { app } = testApp();

  test('forecasts each series past its last point and says when it reaches 80 % of its capacity', async () => {
    const series = { labels: { site: 'ams', link: 'transit-1' }, unit: 'Bps', ...link(14, 4e7, 3e8) };
    const res = await request(app)
      .post('/api/v1/forecast')
      .send({ series: [series], horizon: '7d', capacity: 1.25e9 })
      .expect(200);
    const [f] = res.body.series;
    expect(f).toMatchObject({
      state: 'ok',
      method: 'seasonal_trend',
      counter: false,
      period: 288,
      stepMs: 5 * MIN,
    });
    expect(f.labels).toEqual(series.labels);
    expect(f.timestamps[0]).toBe(series.timestamps[series.timestamps.length - 1] + 5 * MIN);
    expect(f.timestamps).toHaveLength(7 * 288);
    // Now at 3e8 + 14 × 4e7 = 8.6e8 mid-curve; the next daily peak (+2e8, 6 h later) is over 1e9, so
    // the median path reaches 80 % of the capacity within the first day.
    expect(f.threshold.threshold).toBe(1e9);
    expect(f.threshold.medianSeconds).toBeGreaterThan(0);
    expect(f.threshold.medianSeconds).toBeLessThan(86_400);
    expect(f.threshold.upperSeconds).toBeLessThanOrEqual(f.threshold.medianSeconds);
    expect(f.threshold.sentence).toMatch(/^ams\/transit-1 reaches 80 % of 1\.25 GB\/s in about \d+ hours?/);
  });

  test('a slowly growing link gets its crossing days ahead, in words', async () => {
    const series = { labels: { link: 'transit-2' }, unit: 'Bps', ...link(14, 1.5e7, 4.5e8) };
    const res = await request(app)
      .post('/api/v1/forecast')
      .send({ series: [series], horizon: '14d', capacity: 1.25e9, thresholdFraction: 0.75 })
      .expect(200);
    const t = res.body.series[0].threshold;
    // The daily peak grows 1.5e7 a day from 8.6e8: 9.375e8 is 5 days of that growth ahead, later on a
    // trend damped over the 14 days of history it was seen in (about 6.4 days), and never on a flat one.
    expect(t.medianSeconds / 86_400).toBeGreaterThan(5);
    expect(t.medianSeconds / 86_400).toBeLessThan(8);
    expect(t.upperSeconds).toBeLessThan(t.medianSeconds);
    expect(t.sentence).toMatch(/^transit-2 reaches 75 % of 1\.25 GB\/s in about \d+ days/);
  });

  test('forecasts a counter as its per-second rate', async () => {
    const { timestamps, values } = link(4, 0);
    let total = 0;
    const counter = values.map((v) => (total += v * 300));
    const res = await request(app)
      .post('/api/v1/forecast')
      .send({ series: [{ timestamps, values: counter }], horizon: '1d', method: 'seasonal_naive' })
      .expect(200);
    const f = res.body.series[0];
    expect(f.counter).toBe(true);
    expect(Math.max(...f.mean)).toBeLessThan(8e8);
    expect(Math.min(...f.mean)).toBeGreaterThan(2e8);
  });

  test('flat and empty series get a state, not a line', async () => {
    const { timestamps } = link(2, 0);
    const res = await request(app)
      .post('/api/v1/forecast')
      .send({
        series: [
          { timestamps, values: timestamps.map(() => 7) },
          { timestamps, values: timestamps.map(() => null) },
        ],
        horizon: '1d',
        capacity: 10,
      })
      .expect(200);
    const [flat, empty] = res.body.series;
    expect(flat).toMatchObject({ state: 'flat', mean: [], last: { value: 7 } });
    expect(flat.threshold.sentence).toBe('series 0 is flat at 7, under 80 % of 10');
    expect(empty).toMatchObject({ state: 'insufficient_history', mean: [], last: null });
  });

  test('a horizon longer than the history is a 400 naming the minimum', async () => {
    const res = await request(app)
      .post('/api/v1/forecast')
      .send({ series: [link(1, 0), link(3, 0)], horizon: '2d' })
      .expect(400);
    expect(res.body.error.code).toBe('history_too_short');
    expect(res.body.error.message).toBe(
      'series[0]: a 2d forecast needs at least 2d of history (as long as the horizon); the series has 1d',
    );
  });

  test.each([
    [{ horizon: '1d' }, 'series'],
    [{ series: [link(2, 0)], horizon: 'soon' }, 'horizon'],
    [{ series: [link(2, 0)], horizon: '1d', capacity: -1 }, 'capacity'],
    [{ series: [link(2, 0)], horizon: '1d', thresholdFraction: 1.5 }, 'thresholdFraction'],
    [{ series: [link(2, 0)], horizon: '1d', method: 'prophet' }, 'method'],
    [{ series: [{ timestamps: [T0], values: [1, 2] }], horizon: '1d' }, 'series[0]'],
  ])('refuses a body with keys %# naming %s', async (body, path) => {
    const res = await request(app).post('/api/v1/forecast').send(body).expect(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });
});
