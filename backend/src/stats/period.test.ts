import {
  autocorrelation,
  calendarPeriodConfirmed,
  detectPeriod,
  interpolateGaps,
  seasonalProfileDeviation,
} from './period.js';
import { spectralEnergy } from './spectral.js';

/** Deterministic pseudo-noise so tests do not depend on Math.random. */
function noise(i: number) {
  const x = Math.sin(i * 12.9898) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

describe('period detection', () => {
  it('finds a daily period of 288 five-minute points in a noisy sine', () => {
    const xs = Array.from(
      { length: 2000 },
      (_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * noise(i),
    );
    expect(detectPeriod(xs)?.period).toBe(288);
  });

  it('reports the fundamental, not a multiple, for a square wave', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => (i % 50 < 25 ? 1 : 0) + 0.05 * noise(i));
    expect(detectPeriod(xs)?.period).toBe(50);
  });

  it('finds nothing in noise, a trend or a flat line', () => {
    expect(detectPeriod(Array.from({ length: 1000 }, (_, i) => noise(i)))).toBeNull();
    expect(detectPeriod(Array.from({ length: 1000 }, (_, i) => i + noise(i)))).toBeNull();
    expect(detectPeriod(new Array(1000).fill(5))).toBeNull();
  });

  it('needs about 2.5 cycles of history', () => {
    const xs = Array.from({ length: 500 }, (_, i) => Math.sin((2 * Math.PI * i) / 288));
    expect(detectPeriod(xs)).toBeNull();
  });

  it('waits while the ACF still rises at the longest lag the history allows (a day seen through 2.2 days)', () => {
    // One-minute traffic whose noise is a deterministic fast wiggle (api/query.test.ts's series): at 3,200
    // points the longest lag is 1,280 and the day's peak lies beyond it; answering 1,280 there gave a
    // wrong profile that held a false incident for hours.
    const t0 = Date.UTC(2025, 0, 10, 12);
    const day = (i: number) => {
      const t = t0 + i * 60_000;
      return (
        1000 + 400 * Math.sin((2 * Math.PI * t) / 86_400_000) + 30 * Math.sin(t / 7_777) * Math.cos(t / 3_333)
      );
    };
    expect(detectPeriod(Array.from({ length: 3200 }, (_, i) => day(i)))).toBeNull();
    const later = detectPeriod(Array.from({ length: 4000 }, (_, i) => day(i)))?.period ?? 0;
    expect(Math.abs(later - 1440)).toBeLessThanOrEqual(1440 * 0.03);
  });

  it('autocorrelation is 1 at lag 0 and −1 at half a period of a sine', () => {
    const xs = Array.from({ length: 400 }, (_, i) => Math.sin((2 * Math.PI * i) / 40));
    const acf = autocorrelation(xs, 40);
    expect(acf[0]).toBeCloseTo(1, 10);
    expect(acf[20]).toBeLessThan(-0.9);
  });

  it('gaps are interpolated linearly, edges take the nearest value', () => {
    expect(Array.from(interpolateGaps([NaN, 1, NaN, 3, NaN]))).toEqual([1, 1, 2, 3, 3]);
  });
});

describe('seasonal profile deviation', () => {
  it('is the value minus the mean of the same phase in earlier cycles', () => {
    // period 2: phases a=[1,3,5], b=[10,20,60]
    const out = seasonalProfileDeviation([1, 10, 3, 20, 5, 60], 2, 2);
    expect(Array.from(out)).toEqual([NaN, NaN, 2, 10, 3, 45]);
  });
});

describe('spectral energy', () => {
  it('puts an alternating signal in the high band and a slow one in the low band', () => {
    const fast = Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 : -1));
    const slow = Array.from({ length: 64 }, (_, i) => Math.sin((2 * Math.PI * i) / 64));
    expect(spectralEnergy(fast).highFraction).toBeCloseTo(1, 6);
    expect(spectralEnergy(slow).highFraction).toBeCloseTo(0, 6);
  });

  it('total energy is the mean-removed sum of squares (Parseval)', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    const mean = 4.5;
    const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
    expect(ss).toBe(42);
    expect(spectralEnergy(xs).total).toBeCloseTo(ss, 8);
  });
});

describe('a calendar period confirmed on a short history', () => {
  /** One-minute traffic with a daily curve (trough at night, peak in the afternoon) and ~3 % noise. */
  const daily = (points: number, period = 1440) =>
    Array.from({ length: points }, (_, i) => {
      const phase = (2 * Math.PI * (i % period)) / period;
      return 1000 * (0.6 - 0.4 * Math.cos(phase)) * (1 + 0.06 * noise(i));
    });
  const quarterPastTwo = 2 * 1440 + 360;

  it('confirms a day two cycles and a quarter in, where detectPeriod cannot yet tell', () => {
    const xs = daily(quarterPastTwo);
    expect(detectPeriod(xs)).toBeNull();
    expect(calendarPeriodConfirmed(xs, 1440, 0.03)).toBe(true);
  });

  it('refuses noise, a trend, a flat line and a history shorter than the period and its margin', () => {
    const n = quarterPastTwo;
    expect(
      calendarPeriodConfirmed(
        Array.from({ length: n }, (_, i) => noise(i)),
        1440,
        0.03,
      ),
    ).toBe(false);
    expect(
      calendarPeriodConfirmed(
        Array.from({ length: n }, (_, i) => i + 50 * noise(i)),
        1440,
        0.03,
      ),
    ).toBe(false);
    expect(calendarPeriodConfirmed(new Array(n).fill(5), 1440, 0.03)).toBe(false);
    expect(calendarPeriodConfirmed(daily(1480), 1440, 0.03)).toBe(false);
  });

  it('refuses a day where the series repeats every half day (its ACF is as high half a period earlier)', () => {
    expect(calendarPeriodConfirmed(daily(quarterPastTwo, 720), 1440, 0.03)).toBe(false);
  });

  it('refuses a peak outside the tolerance (a 26-hour cycle is not a day)', () => {
    expect(calendarPeriodConfirmed(daily(quarterPastTwo + 300, 1560), 1440, 0.03)).toBe(false);
  });
});
