import type { SeriesForecast } from './forecast.js';
import { formatQuantity, humanDuration, timeToThreshold } from './threshold.js';

const HOUR = 3_600_000;

function rising(last: number, perHour: number, hours: number, spread: number): SeriesForecast {
  const mean = Array.from({ length: hours }, (_, h) => last + perHour * (h + 1));
  return {
    state: 'ok',
    method: 'seasonal_trend',
    counter: false,
    stepMs: HOUR,
    period: null,
    last: { time: 0, value: last },
    timestamps: mean.map((_, h) => (h + 1) * HOUR),
    mean,
    lower80: mean.map((m) => m - spread / 2),
    upper80: mean.map((m) => m + spread / 2),
    lower95: mean.map((m) => m - spread),
    upper95: mean.map((m) => m + spread),
  };
}

describe('timeToThreshold', () => {
  test('says when the median and the upper path reach 80 % of the capacity', () => {
    // 6 Gb/s rising 25 Mb/s an hour reaches 8 Gb/s after 80 h = 3 days 8 hours.
    const f = rising(6e9, 25e6, 24 * 7, 1e9);
    const c = timeToThreshold(f, 10e9, { name: 'transit-1', unit: 'bps' });
    expect(c.threshold).toBe(8e9);
    expect(c.medianMs).toBe(80 * HOUR);
    expect(c.upperMs).toBe(40 * HOUR);
    expect(c.sentence).toBe('transit-1 reaches 80 % of 10 Gb/s in about 3 days 8 hours');
  });

  test('names the upper path when only it crosses, and the horizon when nothing does', () => {
    // The upper path is 6.4 Gb/s above a median rising 1 Mb/s an hour: 7.5 Gb/s after 100 h.
    const f = rising(1e9, 1e6, 24 * 7, 6.4e9);
    const c = timeToThreshold(f, 10e9, { name: 'transit-2', unit: 'bps', fraction: 0.75 });
    expect(c.medianMs).toBeNull();
    expect(c.upperMs).toBe(100 * HOUR);
    expect(c.sentence).toContain(
      'transit-2 stays under 75 % of 10 Gb/s on the median forecast for the next 7 days; its upper 95 % path reaches it in about 4 days 4 hours',
    );
    const calm = timeToThreshold(rising(1e9, 0, 24, 1e6), 10e9, { name: 'x' });
    expect(calm).toMatchObject({
      medianMs: null,
      upperMs: null,
      sentence: 'x stays under 80 % of 10 G for the next 1 day',
    });
  });

  test('is already there when the last value is over the threshold', () => {
    const c = timeToThreshold(rising(9e9, -1e6, 24, 1e6), 10e9, { unit: 'Bps' });
    expect(c).toMatchObject({
      medianMs: 0,
      upperMs: 0,
      sentence: 'the series is already at 80 % of 10 GB/s',
    });
  });
});

describe('formatting', () => {
  test('durations in their two largest units', () => {
    expect(humanDuration(3 * 86_400_000 + 4 * HOUR + 10 * 60_000)).toBe('3 days 4 hours');
    expect(humanDuration(HOUR)).toBe('1 hour');
    expect(humanDuration(45 * 60_000)).toBe('45 minutes');
    expect(humanDuration(1000)).toBe('less than a minute');
  });
  test('quantities with SI prefixes and the unit as written', () => {
    expect(formatQuantity(1e10, 'bps')).toBe('10 Gb/s');
    expect(formatQuantity(2.5e6, 'reqps')).toBe('2.5 Mreq/s');
    expect(formatQuantity(80)).toBe('80');
  });
});
