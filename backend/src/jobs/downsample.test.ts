import fc from 'fast-check';
import { downsample } from './downsample.js';
import type { PointColumns } from './ring.js';

function columns(values: (number | null)[], score: number[] = values.map(() => 0)): PointColumns {
  return {
    timestamps: values.map((_, i) => 1000 * i),
    values,
    score,
    expected: values.map(() => 10),
    lower: values.map(() => 5),
    upper: values.map(() => 15),
    anomaly: score.map((s) => s >= 1),
    direction: score.map((s) => (s >= 1 ? 'up' : null)),
  };
}

describe('downsample', () => {
  it('returns the series unchanged when it already fits', () => {
    const c = columns([1, 2, 3]);
    expect(downsample(c, 3)).toBe(c);
  });

  it('keeps per bucket the lowest and highest value and the highest score, in time order', () => {
    // 12 points into 6 → 2 buckets of 6.
    const values = [5, 9, 1, 5, 5, 5, 5, 5, 5, 7, 5, 0];
    const score = [0, 0, 0, 0, 2.5, 0, 0, 0, 0, 0, 0, 0];
    const out = downsample(columns(values, score), 6);
    expect(out.timestamps).toEqual([1000, 2000, 4000, 6000, 9000, 11000]);
    expect(out.values).toEqual([9, 1, 5, 5, 7, 0]);
    expect(out.anomaly).toEqual([false, false, true, false, false, false]);
    expect(out.direction).toEqual([null, null, 'up', null, null, null]);
    expect(out.lower).toHaveLength(6);
  });

  it('a bucket without values keeps one (missing) point, so the gap stays visible', () => {
    const out = downsample(columns([1, 2, 3, 4, null, null, null, null]), 6);
    expect(out.values).toEqual([1, 4, null]);
    expect(out.timestamps).toEqual([0, 3000, 4000]);
  });

  it('never returns more than maxPoints, keeps every anomaly and the extremes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.integer({ min: 3, max: 120 }),
        fc.integer({ min: 0, max: 399 }),
        (values, maxPoints, spikeAt) => {
          const score = values.map((_, i) => (i === spikeAt ? 5 : 0));
          const out = downsample(columns(values, score), maxPoints);
          expect(out.timestamps.length).toBeLessThanOrEqual(Math.min(values.length, maxPoints));
          expect([...out.timestamps].sort((a, b) => a - b)).toEqual(out.timestamps);
          if (spikeAt < values.length) expect(out.score).toContain(5);
          const present = values.filter((v): v is number => v !== null);
          if (present.length > 0) {
            const kept = out.values.filter((v): v is number => v !== null);
            expect(Math.min(...kept)).toBe(Math.min(...present));
            expect(Math.max(...kept)).toBe(Math.max(...present));
          }
        },
      ),
    );
  });
});
