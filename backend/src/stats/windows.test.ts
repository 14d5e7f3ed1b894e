import fc from 'fast-check';
import {
  EwStats,
  Ring,
  RollingMoments,
  SortedWindow,
  alphaForHalfLife,
  ewMean,
  toFloat32,
} from './windows.js';
import { typedArraysOf } from '../lab/bench/memoryBreakdown.js';

function naiveQuantile(values: number[], q: number) {
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** A window of `size` fed `values`: the window, its last `size` values (Float32, as it keeps them), their naive MAD. */
function filled(values: number[], size: number) {
  const w = new SortedWindow(size);
  values.forEach((v) => w.push(v));
  const tail = values.slice(-size).map(Math.fround);
  const med = naiveQuantile(tail, 0.5);
  const mad = naiveQuantile(
    tail.map((v) => Math.abs(v - med)),
    0.5,
  );
  return { w, tail, mad };
}

describe('window primitives', () => {
  it('a ring returns the evicted value once full', () => {
    const r = new Ring(2);
    expect(r.push(1)).toBeNaN();
    expect(r.push(2)).toBeNaN();
    expect(r.push(3)).toBe(1);
    expect(r.toArray()).toEqual([2, 3]);
    expect(r.recent(0)).toBe(3);
  });

  it('a full window moves one slot run per push and keeps exactly the sorted values a fresh sort gives', () => {
    // Few distinct values, so evicted and pushed values often tie; every quantile and the MAD are
    // compared exactly against the same values inserted one by one into an empty window (restore).
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 24 }),
        fc.array(fc.integer({ min: -6, max: 6 }), { maxLength: 5 }),
        (values, size, replacements) => {
          const w = new SortedWindow(size);
          const check = () => {
            const fresh = SortedWindow.fromSnapshot(w.snapshot());
            for (let q = 0; q <= 1; q += 0.125) expect(w.quantile(q)).toBe(fresh.quantile(q));
            expect(w.mad()).toBe(fresh.mad());
            expect([w.min(), w.max()]).toEqual([fresh.min(), fresh.max()]);
          };
          values.forEach((v) => {
            w.push(v / 4);
            check();
          });
          replacements.forEach((v) => {
            w.replaceNewest(v / 4);
            check();
          });
        },
      ),
    );
  });

  it('a sorted window whose newest value is replaced equals one that was pushed the new value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 100 }),
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (values, size, replacement) => {
          const w = new SortedWindow(size);
          values.forEach((v) => w.push(v));
          w.replaceNewest(replacement);
          // The window keeps Float32 values.
          const expected = [...values.slice(0, -1), replacement].slice(-size).map(Math.fround);
          expect(w.values()).toEqual(expected);
          expect(w.median()).toBeCloseTo(naiveQuantile(expected, 0.5), 6);
          // == : the sorted copy may hold +0 and −0 in either order (SortedWindow.restore), and Float32
          // storage turns every tiny value into a zero.
          expect(w.min() == Math.min(...expected)).toBe(true);
          expect(w.max() == Math.max(...expected)).toBe(true);
        },
      ),
    );
  });

  it('sorted window quantiles and MAD match a naive computation on random streams', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, size, q) => {
          const { w, tail, mad } = filled(values, size);
          expect(w.quantile(q)).toBeCloseTo(naiveQuantile(tail, q), 6);
          expect(w.mad()).toBeCloseTo(mad, 6);
          expect(w.values()).toEqual(tail);
        },
      ),
    );
  });

  it('the MAD is exactly the naive one, ties and even windows included (one search for both middle deviations)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 60 }),
        (values, size) => {
          const { w, mad } = filled(values, size);
          // + 0: the sign of a zero MAD is not told apart (m − x of equal zeros can be −0, |x − m| not).
          expect(w.mad() + 0).toBe(mad + 0);
        },
      ),
    );
  });

  it('over long streams and windows past the short-shift loop, every median and MAD is exactly the naive one', () => {
    // Slowly drifting values with ties (the MAD's first guess is the last call's split, and swaps shift by
    // a loop or by copyWithin) or independent ones (the split moves far), and a revised newest value now
    // and then.
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: -3, max: 3 }),
            fc.double({ min: -2, max: 2, noNaN: true }),
            fc.constantFrom(-1e5, 1e5, 0),
          ),
          { minLength: 1, maxLength: 600 },
        ),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 2, max: 50 }),
        fc.boolean(),
        (steps, size, reviseEvery, drift) => {
          const w = new SortedWindow(size);
          const kept: number[] = [];
          let level = 0;
          steps.forEach((d, t) => {
            level = Math.abs(d) === 1e5 ? d : level + d / 8;
            const x = !drift ? d : Number.isInteger(d) && Math.abs(d) < 10 ? Math.round(level) : level;
            if (t % reviseEvery === reviseEvery - 1) {
              w.replaceNewest(x);
              kept[kept.length - 1] = Math.fround(x);
            } else {
              w.push(x);
              kept.push(Math.fround(x));
            }
            const tail = kept.slice(-size);
            const med = naiveQuantile(tail, 0.5);
            const mad = naiveQuantile(
              tail.map((v) => Math.abs(v - med)),
              0.5,
            );
            expect(w.median()).toBe(med);
            expect(w.quantile(0.5)).toBe(med);
            // + 0: the sign of a zero MAD is not told apart (see the test above).
            expect(w.mad() + 0).toBe(mad + 0);
          });
          const fresh = SortedWindow.fromSnapshot(w.snapshot());
          for (let q = 0; q <= 1; q += 1 / 16) expect(w.quantile(q)).toBe(fresh.quantile(q));
          // A restored window's first MAD starts its search far from the answer.
          expect(fresh.mad() + 0).toBe(w.mad() + 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rolling moments stay exact over long streams (no drift)', () => {
    const m = new RollingMoments(10);
    for (let i = 0; i < 100_000; i++) m.push(1e9 + (i % 10));
    expect(m.mean()).toBeCloseTo(1e9 + 4.5, 6);
    expect(m.std()).toBeCloseTo(Math.sqrt(82.5 / 9), 4);
  });

  it('EW stats: the half-life alpha halves a step response after that many points', () => {
    const a = alphaForHalfLife(10);
    const s = new EwStats(a);
    s.push(0);
    for (let i = 0; i < 10; i++) s.push(1);
    expect(s.mean).toBeCloseTo(0.5, 10);
  });

  it('ewMean steps as EwStats.mean does, from its first value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 100 }),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        (xs, alpha) => {
          const s = new EwStats(alpha);
          let mean = NaN;
          for (const x of xs) {
            s.push(x);
            mean = ewMean(mean, x, alpha);
            expect(mean).toBe(s.mean);
          }
        },
      ),
    );
  });
});

describe('Ring growing from a few slots (issue 15)', () => {
  test('allocates as values arrive and behaves, snapshots and restores exactly as a full-size ring', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 64 }),
        (xs, size) => {
          const full = new Ring(size);
          const growing = new Ring(size, false, 2);
          for (const x of xs) {
            expect(growing.push(x)).toBe(full.push(x));
            expect(growing.recent(0)).toBe(full.recent(0));
          }
          expect(growing.snapshot()).toEqual(full.snapshot());
          expect(growing.allocated).toBe(
            Math.min(size, Math.max(2, 2 ** Math.ceil(Math.log2(xs.length || 1)))),
          );
          const restored = Ring.fromSnapshot(full.snapshot(), 'ring', 2);
          expect(restored.allocated).toBe(Math.min(size, Math.max(2, xs.length)));
          for (const x of [1, 2, 3]) expect(restored.push(x)).toBe(full.push(x));
          expect(restored.toArray()).toEqual(full.toArray());
        },
      ),
    );
  });
});

describe('SortedWindow storage (issue 15)', () => {
  test('is one typed array of 8 bytes a slot, the ring and the sorted copy', () => {
    const w = new SortedWindow(100);
    for (let i = 0; i < 150; i++) w.push(i % 17);
    expect(typedArraysOf(w)).toEqual([
      { path: 'data', bytes: 800, buffer: 0, bufferBytes: 800, shared: false },
    ]);
  });
});

describe('toFloat32', () => {
  it('rounds to Float32 and clamps a finite value past its range instead of making it infinite', () => {
    expect(toFloat32(0.1)).toBe(Math.fround(0.1));
    expect(toFloat32(-3.4028235677973366e38)).toBe(-3.4028234663852886e38);
    expect(toFloat32(1e300)).toBe(3.4028234663852886e38);
    expect(toFloat32(-Infinity)).toBe(-Infinity);
    expect(toFloat32(NaN)).toBeNaN();
  });
});
