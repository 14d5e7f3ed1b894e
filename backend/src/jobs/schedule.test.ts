import { SeasonalComponent } from '../detectors/seasonal/component.js';
import { emptyDeviation } from '../detectors/component.js';
import { createStream, restoreStream } from '../engine/index.js';
import { SCHEDULE_SPREAD, scheduleOffset } from './schedule.js';

/** A series with a 24-point period and a little deterministic noise. */
const periodic = (n: number) =>
  Array.from({ length: n }, (_, i) => 100 + 50 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 13));

/** The number of points after which the component first has a period. */
function pointsUntilPeriod(c: SeasonalComponent, xs: number[]): number {
  const out = emptyDeviation();
  for (let i = 0; i < xs.length; i++) {
    c.step(xs[i], out);
    if (c.period() !== null) return i;
    c.learn(xs[i], 'normal');
  }
  return -1;
}

describe('the schedule of periodic work', () => {
  test('a series key has one offset, in [0, spread), the same in every call', () => {
    const key = 'site="ams",link="transit-1"';
    expect(scheduleOffset(key)).toBe(scheduleOffset(key));
    expect(scheduleOffset(key)).toBeGreaterThanOrEqual(0);
    expect(scheduleOffset(key)).toBeLessThan(SCHEDULE_SPREAD);
  });

  test('the series of a job spread over the ticks: no offset holds more than 2× its share', () => {
    const counts = new Array<number>(SCHEDULE_SPREAD).fill(0);
    const n = 120_000;
    for (let i = 0; i < n; i++) counts[scheduleOffset(`series="s${i}",site="site-${i % 7}"`)]++;
    expect(Math.max(...counts)).toBeLessThanOrEqual((2 * n) / SCHEDULE_SPREAD);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  test('a check offset of k finds the period exactly k points later; 0 is the default schedule', () => {
    const xs = periodic(2000);
    const base = pointsUntilPeriod(new SeasonalComponent(), xs);
    expect(base).toBeGreaterThan(0);
    expect(pointsUntilPeriod(new SeasonalComponent({ checkOffset: 0 }), xs)).toBe(base);
    expect(pointsUntilPeriod(new SeasonalComponent({ checkOffset: 37 }), xs)).toBe(base + 37);
  });

  test('a restored stream keeps its offset: it scores exactly as the uninterrupted one', () => {
    const xs = periodic(1200);
    const t = (i: number) => 1_700_000_000_000 + i * 60_000;
    const params = { detector: 'auto' as const, scheduleOffset: 53 };
    const whole = createStream(params);
    const first = createStream(params);
    const expected = xs.map((x, i) => whole.push(t(i), x));
    for (let i = 0; i < 390; i++) first.push(t(i), xs[i]);
    // Restored before the first check (400 points): without the offset it would check at once.
    const restored = restoreStream(JSON.parse(JSON.stringify(first.snapshot())));
    const rest = xs.slice(390).map((x, i) => restored.push(t(390 + i), x));
    expect(rest).toEqual(expected.slice(390));
    expect(createStream({ detector: 'auto' }).snapshot().params).not.toHaveProperty('scheduleOffset');
  });

  test('an offset that is not a whole number of points is refused', () => {
    expect(() => createStream({ scheduleOffset: -1 })).toThrow(/scheduleOffset/);
    expect(() => createStream({ scheduleOffset: 1.5 })).toThrow(/scheduleOffset/);
  });
});
