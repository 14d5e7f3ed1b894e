import { forecastSeries } from './forecast.js';
import { factorAt, weeklyFactors } from './weekly.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2024-01-01 00:00 UTC. */
const MONDAY = Date.UTC(2024, 0, 1);

/** Hourly traffic: a daily curve, weekends at `weekend` of the weekdays, `days` days from a Monday. */
function traffic(days: number, weekend: number) {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = MONDAY; t < MONDAY + days * DAY; t += HOUR) {
    const dow = Math.floor((t - MONDAY) / DAY) % 7;
    const daily = 100 + 50 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);
    timestamps.push(t);
    values.push(daily * (dow >= 5 ? weekend : 1));
  }
  return { timestamps, values };
}

/** The mean forecast over the day `dayAhead` days after the history's end (0: the next). */
function forecastDayMean(history: ReturnType<typeof traffic>, dayAhead: number): number {
  const f = forecastSeries(history.timestamps, history.values, { horizonMs: 3 * DAY });
  expect(f.state).toBe('ok');
  const day = f.mean.slice(dayAhead * 24, (dayAhead + 1) * 24);
  return day.reduce((a, b) => a + b, 0) / day.length;
}

describe('the default forecast’s weekly season', () => {
  test('from three weeks on, a Saturday after a working week is forecast at the weekend’s level', () => {
    // 26 days from a Monday end on a Friday night: the next day is a Saturday.
    const withWeeks = traffic(26, 0.6);
    // Factors are read between the days' middles (no step at a day's edge), so Saturday's morning still
    // leans on Friday's and Monday's night on Sunday's: the days' means, not their every point.
    const [saturday, sunday, monday] = [0, 1, 2].map((d) => forecastDayMean(withWeeks, d));
    // Without the weekly season all three were forecast at the weekdays' ~100 (below: 12 days of history).
    expect(saturday).toBeLessThan(75);
    expect(sunday).toBeLessThan(70);
    expect(monday).toBeGreaterThan(85);
    // With 12 days (under three weeks) the profile of the last days carries the weekdays into it.
    expect(forecastDayMean(traffic(12, 0.6), 0)).toBeGreaterThan(85);
  });

  test('factors: one per point of the week counted back from the end; none for a flat week or two weeks', () => {
    const y = Float64Array.from(traffic(28, 0.6).values);
    const f = weeklyFactors(y, 24)!;
    expect(f).toHaveLength(7 * 24);
    // The last day (a Sunday) and the one before are the weekend: below 1; the days before, above.
    expect(factorAt(f, y.length, y.length - 12)).toBeLessThan(0.8);
    expect(factorAt(f, y.length, y.length - 4 * 24 - 12)).toBeGreaterThan(1.05);
    // The point after the end is a Monday's first hour: a week after the history's Monday 00:00.
    expect(factorAt(f, y.length, y.length)).toBe(factorAt(f, y.length, y.length - 7 * 24));
    expect(weeklyFactors(Float64Array.from(traffic(28, 1).values), 24)).toBeNull();
    expect(weeklyFactors(Float64Array.from(traffic(20, 0.6).values), 24)).toBeNull();
    // A value at or below zero (not traffic) takes no factor.
    const negative = Float64Array.from(traffic(28, 0.6).values, (v) => v - 80);
    expect(weeklyFactors(negative, 24)).toBeNull();
  });
});
