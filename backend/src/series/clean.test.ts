import fc from 'fast-check';
import { cleanSeries, counterToRate, looksLikeCounter, medianStep } from './clean.js';

const MIN = 60_000;

describe('series cleaning', () => {
  it('sorts unsorted input and keeps the later of duplicate timestamps', () => {
    const c = cleanSeries([3 * MIN, MIN, 2 * MIN, 2 * MIN], [3, 1, 2, 20], { counter: false });
    expect(Array.from(c.timestamps)).toEqual([MIN, 2 * MIN, 3 * MIN]);
    expect(Array.from(c.values)).toEqual([1, 20, 3]);
    expect(c.report).toMatchObject({ unsorted: true, duplicates: 1, stepMs: MIN });
  });

  it('drops NaN, null and Inf as missing (never zero) and counts them', () => {
    const c = cleanSeries([0, MIN, 2 * MIN, 3 * MIN], [1, null, Infinity, 4], { counter: false });
    expect(Array.from(c.values)).toEqual([1, NaN, NaN, 4]);
    expect(c.report.invalid).toBe(2);
    expect(c.report.gaps).toBe(2);
  });

  it('leaves gaps in the grid as missing points', () => {
    const c = cleanSeries([0, MIN, 4 * MIN, 5 * MIN], [1, 2, 5, 6], { counter: false });
    expect(Array.from(c.values)).toEqual([1, 2, NaN, NaN, 5, 6]);
    expect(c.report.gaps).toBe(2);
  });

  it('resamples irregular samples to the median step, averaging samples that share a slot', () => {
    const ts = Array.from({ length: 11 }, (_, i) => i * MIN);
    const vs = ts.map((_, i) => i);
    ts.splice(6, 0, 5 * MIN + 20_000);
    vs.splice(6, 0, 7);
    const c = cleanSeries(ts, vs, { counter: false });
    expect(c.report.stepMs).toBe(MIN);
    expect(c.values.length).toBe(11);
    expect(c.values[5]).toBe(6); // (5 + 7) / 2
    expect(c.values[6]).toBe(6);
  });

  it('detects a counter and turns it into a per-second rate, treating a drop as a reset', () => {
    const ts = Array.from({ length: 20 }, (_, i) => i * MIN);
    const counter = ts.map((_, i) => (i < 12 ? i * 600 : (i - 12) * 600 + 50));
    const c = cleanSeries(ts, counter);
    expect(c.report.counter).toBe(true);
    expect(c.report.counterResets).toBe(1);
    expect(c.values[0]).toBeNaN();
    expect(c.values[5]).toBeCloseTo(10, 10);
    // the interval across the reset has no known rate: missing, neither a negative spike nor a dip
    expect(c.values[12]).toBeNaN();
    expect(c.values[13]).toBeCloseTo(10, 10);
  });

  it('does not mistake a noisy gauge or a flat line for a counter', () => {
    expect(looksLikeCounter(Float64Array.from({ length: 100 }, (_, i) => 50 + Math.sin(i)))).toBe(false);
    expect(looksLikeCounter(new Float64Array(100).fill(3))).toBe(false);
  });

  it('counterToRate leaves missing points missing', () => {
    const { rates } = counterToRate(Float64Array.from([0, 1000, 2000]), Float64Array.from([10, NaN, 30]));
    expect(Array.from(rates)).toEqual([NaN, NaN, 20 / 2]);
    expect(
      Array.from(counterToRate(Float64Array.from([0, 1000, 2000]), Float64Array.from([10, 5, 7])).rates),
    ).toEqual([NaN, NaN, 2]);
  });

  it('medianStep ignores duplicates', () => {
    expect(medianStep([0, 10, 10, 20, 40])).toBe(10);
    expect(medianStep([5])).toBe(0);
  });

  it('a sparse series with a huge span gets a coarser step instead of a huge grid', () => {
    const c = cleanSeries([0, 1, 2, 1e12], [1, 2, 3, 4], { counter: false });
    expect(c.values.length).toBeLessThanOrEqual(4 * 4 + 1000);
    expect(c.values[c.values.length - 1]).toBe(4);
  });

  it('never throws and keeps every valid value on hostile input (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            t: fc.integer({ min: 0, max: 1_000_000 }),
            v: fc.oneof(fc.double(), fc.constant(null), fc.constant(Infinity), fc.constant(-Infinity)),
          }),
          { maxLength: 300 },
        ),
        (points) => {
          const c = cleanSeries(
            points.map((p) => p.t),
            points.map((p) => p.v),
            { counter: false },
          );
          const validCount = c.values.reduce((n, v) => n + (Number.isNaN(v) ? 0 : 1), 0);
          expect(c.timestamps.length).toBe(c.values.length);
          for (let i = 1; i < c.timestamps.length; i++)
            expect(c.timestamps[i]).toBeGreaterThan(c.timestamps[i - 1]);
          for (const v of c.values) expect(Number.isNaN(v) || Number.isFinite(v)).toBe(true);
          const anyValid = points.some((p) => typeof p.v === 'number' && Number.isFinite(p.v));
          expect(validCount > 0).toBe(anyValid);
          expect(c.report.inputPoints).toBe(points.length);
        },
      ),
    );
  });
});

describe('samples averaged on one grid point', () => {
  it('stay finite near the largest double (their sum would not)', () => {
    const big = 1.7976931348623157e308;
    // 180,000 and 190,000 both fall on the fourth point of the 1-minute grid.
    const ts = [0, 60_000, 120_000, 180_000, 190_000, 240_000, 300_000];
    const r = cleanSeries(ts, [big, -big, big, big, big / 2, -big, big], { counter: false });
    expect(Array.from(r.values)).toEqual([big, -big, big, 0.75 * big, -big, big]);
  });
});
