import { forecastSeries, HistoryTooShort, MethodUnavailable } from './forecast.js';
import { seasonalNaive } from './methods.js';
import { seasonalTrend } from './seasonalTrend.js';

const MIN = 60_000;
const DAY = 1440 * MIN;
const T0 = Date.UTC(2026, 0, 1);

/** A daily curve on a slow linear trend, 5-minute steps, deterministic wobble instead of noise. */
function traffic(days: number, { step = 5 * MIN, growthPerDay = 0 } = {}) {
  const n = Math.round((days * DAY) / step);
  const timestamps = Array.from({ length: n }, (_, i) => T0 + i * step);
  const truth = (t: number) => {
    const d = (t - T0) / DAY;
    return 1000 + growthPerDay * d + 400 * Math.sin(2 * Math.PI * d);
  };
  const values = timestamps.map((t, i) => truth(t) + 20 * Math.sin(i * 1.7));
  return { timestamps, values, truth };
}

describe('forecastSeries', () => {
  test('continues a daily curve and its trend past the last point, inside ordered intervals', () => {
    const { timestamps, values, truth } = traffic(10, { growthPerDay: 50 });
    const f = forecastSeries(timestamps, values, { horizonMs: DAY });
    expect(f).toMatchObject({
      state: 'ok',
      method: 'seasonal_trend',
      counter: false,
      period: 288,
      stepMs: 5 * MIN,
    });
    expect(f.timestamps).toHaveLength(288);
    expect(f.timestamps[0]).toBe(timestamps[timestamps.length - 1] + 5 * MIN);
    for (let h = 0; h < 288; h++) {
      expect(Math.abs(f.mean[h] - truth(f.timestamps[h]))).toBeLessThan(60);
      expect(f.lower95[h]).toBeLessThanOrEqual(f.lower80[h]);
      expect(f.lower80[h]).toBeLessThan(f.mean[h]);
      expect(f.upper80[h]).toBeGreaterThan(f.mean[h]);
      expect(f.upper95[h]).toBeGreaterThanOrEqual(f.upper80[h]);
    }
    // The trend is followed: tomorrow's mean is above today's at the same phase.
    expect(f.mean[287]).toBeGreaterThan(values[values.length - 1] + 25);
  });

  test('forecasts a counter as its per-second rate', () => {
    const { timestamps, values } = traffic(4);
    let total = 0;
    const counter = values.map((rate, i) => (i === 0 ? 0 : (total += rate * 300)));
    const f = forecastSeries(timestamps, counter, { horizonMs: DAY });
    expect(f.counter).toBe(true);
    expect(Math.max(...f.mean)).toBeLessThan(1600);
    expect(Math.min(...f.mean)).toBeGreaterThan(400);
  });

  test('gives a state, not a line, for a flat or an all-missing series', () => {
    const { timestamps } = traffic(3);
    const flat = forecastSeries(
      timestamps,
      timestamps.map(() => 42),
      { horizonMs: DAY },
    );
    expect(flat).toMatchObject({ state: 'flat', mean: [], timestamps: [], last: { value: 42 } });
    const missing = forecastSeries(
      timestamps,
      timestamps.map(() => null),
      { horizonMs: DAY },
    );
    expect(missing).toMatchObject({ state: 'insufficient_history', mean: [], last: null });
    const few = forecastSeries(
      timestamps,
      timestamps.map((_, i) => (i < 5 ? i : null)),
      { horizonMs: DAY },
    );
    expect(few.state).toBe('insufficient_history');
  });

  test('refuses a horizon longer than the history, naming the minimum', () => {
    const { timestamps, values } = traffic(2);
    expect(() => forecastSeries(timestamps, values, { horizonMs: 7 * DAY })).toThrow(HistoryTooShort);
    expect(() => forecastSeries(timestamps, values, { horizonMs: 7 * DAY })).toThrow(
      'a 1w forecast needs at least 1w of history (as long as the horizon); the series has 2d',
    );
  });

  test('coarsens a long 1-minute history so a week ahead costs what 5-minute data does', () => {
    const { timestamps, values } = traffic(14, { step: MIN });
    const f = forecastSeries(timestamps, values, { horizonMs: 7 * DAY });
    expect(f.stepMs).toBe(5 * MIN);
    expect(f.period).toBe(288);
    expect(f.timestamps).toHaveLength(7 * 288);
  });

  test('a method that needs loading and was not given is an error, not a silent fallback', () => {
    const { timestamps, values } = traffic(3);
    expect(() => forecastSeries(timestamps, values, { horizonMs: DAY, method: 'mstl' })).toThrow(
      MethodUnavailable,
    );
  });
});

describe('methods', () => {
  test('seasonal naive repeats the last season and widens by whole seasons ahead', () => {
    const y = Float64Array.from({ length: 12 }, (_, i) => (i % 4) + (i >= 8 ? 10 : 0));
    const f = seasonalNaive(y, 4, 8);
    expect(Array.from(f.mean)).toEqual([10, 11, 12, 13, 10, 11, 12, 13]);
    const w1 = f.upper95[0] - f.mean[0];
    const w2 = f.upper95[4] - f.mean[4];
    expect(w2 / w1).toBeCloseTo(Math.SQRT2, 10);
  });

  test('the seasonal trend extrapolates a trend the seasons agree on, and none when they do not', () => {
    const season = [0, 3, 1, 2];
    const series = (level: (k: number) => number) =>
      Float64Array.from({ length: 24 }, (_, i) => level(Math.floor(i / 4)) + season[i % 4]);
    const growing = seasonalTrend(
      series((k) => 10 * k),
      4,
      8,
    );
    // The next season's mean is above the last one's (50 + 1.5): the trend goes on, damped.
    expect(growing.mean[4] - growing.mean[0]).toBeGreaterThan(5);
    const zigzag = seasonalTrend(
      series((k) => (k % 2 ? 20 : 10) + k),
      4,
      8,
    );
    expect(zigzag.mean[4]).toBeCloseTo(zigzag.mean[0], 10);
  });

  test('the seasonal trend keeps a seasonless series level instead of extrapolating its last wiggle', () => {
    const y = Float64Array.from({ length: 200 }, (_, i) => 50 + (i >= 176 ? 10 : 0) * ((i - 176) / 24));
    const f = seasonalTrend(y, null, 100);
    expect(f.mean[99]).toBeCloseTo(f.mean[0], 10);
  });
});
