import fc from 'fast-check';
import {
  CAP,
  CLIP,
  CusumComponent,
  DRIFT,
  FLAT_POINTS,
  MATURE_CYCLES,
  REFERENCE_POINTS,
  SETTLE_POINTS,
} from './cusum.js';
import { emptyDeviation, type Deviation } from '../component.js';
import { expectRoundTrip, feed, probe, stored, type Feed, type Point } from '../testing/componentTable.js';

/** A profile of period 100 (so it speaks after MATURE_CYCLES · 100 points), scale 2. */
const PERIOD = 100;
const MATURE = MATURE_CYCLES * PERIOD;
const make = (period: number | null = PERIOD) => new CusumComponent(() => period);

/** A point whose primary z is `z` (x itself only needs to be present). */
function at(z: number, more: { weekSeen?: boolean; scale?: number; x?: number } = {}): Point {
  const { weekSeen, scale = 2, x = 100 + z * scale } = more;
  return { x, primary: { z, expected: 100, scale, pattern: 100, weekSeen } };
}
const times = (n: number, p: Point): Point[] => Array.from({ length: n }, () => p);
/** A point at `x` against a profile of pattern 100 whose level offset is `offset` (scale 2). */
function offsetAt(x: number, offset: number): Point {
  const expected = 100 + offset;
  return { x, primary: { z: (x - expected) / 2, expected, scale: 2, pattern: 100 } };
}
/** A point whose primary is a rolling median the series is flat around (Deviation.stationary). */
function flatAt(z: number): Point {
  return { x: 100 + z * 2, primary: { z, expected: 100, scale: 2, pattern: NaN, stationary: true } };
}
/** A profile that has predicted long enough: quiet points only. */
const WARM = times(MATURE, at(0));

const cases: { name: string; period?: number | null; feed: Feed[]; x: Point; want: Partial<Deviation> }[] = [
  {
    name: 'silent until the profile has predicted MATURE_CYCLES periods',
    feed: times(MATURE - 2, at(0)),
    x: at(3),
    want: { z: NaN, scale: NaN, shift: NaN },
  },
  {
    name: 'a point beyond the drift starts a sum above',
    feed: WARM,
    x: at(2.5),
    want: { z: 2.5 - DRIFT, scale: 2, shift: 2.5 * 2 },
  },
  {
    name: 'a sustained 3σ shift adds 3 − drift every point; its shift estimate is 3 scales, its run 5 points',
    feed: [...WARM, ...times(4, at(3))],
    x: at(3),
    want: { z: 5 * (3 - DRIFT), shift: 6, runPoints: 5 },
  },
  {
    name: 'one outlier adds no more than CLIP − drift, its shift estimate unclipped',
    feed: WARM,
    x: at(40),
    want: { z: CLIP - DRIFT, shift: 80 },
  },
  {
    name: 'a shift down is a sum below, negative',
    feed: [...WARM, ...times(2, at(-3))],
    x: at(-3),
    want: { z: -3 * (3 - DRIFT), shift: -6, runPoints: 3 },
  },
  {
    name: 'the sum falls back by the drift at every quiet point, and restarts at 0',
    feed: [...WARM, ...times(3, at(3)), ...times(3, at(0))],
    x: at(0),
    want: { z: 0 },
  },
  {
    name: 'a run reads its points against the level offset it began with: a shift the offset takes in still adds',
    // Shifted 3 scales (x 106); the offset has since followed it by 2 (expected 102): z 2, read as 3.
    feed: [...WARM, offsetAt(106, 0)],
    x: offsetAt(106, 2),
    want: { z: 2 * (3 - DRIFT), shift: 6, runPoints: 2 },
  },
  {
    name: 'but no further from expected than from the bare pattern: a return to it is read as it is',
    // The offset held an earlier shift of 6 when the series came back to its pattern (x 100): its run
    // begins at z −3, and the offset letting go of the shift (6 → 5) does not deepen it (−2.5, not −3).
    feed: [...times(MATURE, offsetAt(106, 6)), offsetAt(100, 6)],
    x: offsetAt(100, 5),
    want: { z: -(3 - DRIFT) - (2.5 - DRIFT), shift: -5.5, runPoints: 2 },
  },
  {
    name: 'a missing point keeps the sums',
    feed: [...WARM, ...times(2, at(3)), at(NaN, { x: NaN })],
    x: at(3),
    want: { z: 3 * (3 - DRIFT) },
  },
  {
    name: 'no opinion on a missing point',
    feed: [...WARM, ...times(2, at(3))],
    x: at(NaN, { x: NaN }),
    want: { z: NaN, shift: NaN, runPoints: NaN },
  },
  {
    name: 'the sums are capped',
    feed: [...WARM, ...times(100, at(3))],
    x: at(3),
    want: { z: CAP },
  },
  {
    name: 'where the week is unseen it restarts and is silent',
    feed: [...WARM, ...times(3, at(3)), ...times(SETTLE_POINTS, at(0, { weekSeen: false }))],
    x: at(3, { weekSeen: false }),
    want: { z: NaN, shift: NaN },
  },
  {
    name: 'silent for SETTLE_POINTS points after the week becomes seen',
    feed: [...WARM, at(0, { weekSeen: false }), ...times(SETTLE_POINTS - 1, at(3, { weekSeen: true }))],
    x: at(3, { weekSeen: true }),
    want: { z: NaN },
  },
  {
    name: 'then it speaks',
    feed: [...WARM, at(0, { weekSeen: false }), ...times(SETTLE_POINTS, at(0, { weekSeen: true }))],
    x: at(3, { weekSeen: true }),
    want: { z: 3 - DRIFT },
  },
  {
    name: 'silent before a period is known',
    period: null,
    feed: times(100, at(3)),
    x: at(3),
    want: { z: NaN, shift: NaN },
  },
  {
    name: 'with no period, silent until the primary has been flat for FLAT_POINTS points',
    period: null,
    feed: times(FLAT_POINTS - 2, flatAt(0)),
    x: flatAt(3),
    want: { z: NaN, shift: NaN },
  },
  {
    name: 'then a shift on a flat series adds 3 − drift every point, as on a profile',
    period: null,
    feed: [...times(FLAT_POINTS - 1, flatAt(0)), ...times(2, flatAt(3))],
    x: flatAt(3),
    want: { z: 3 * (3 - DRIFT), shift: 6, runPoints: 3 },
  },
  {
    name: 'on a flat series a run reads its points against the level and the scale it began with',
    // Shifted 3 scales (x 106); the median has since moved to 102 and its scale widened to 3: z 4/3,
    // read as 3.
    period: null,
    feed: [...times(FLAT_POINTS - 1, flatAt(0)), flatAt(3)],
    x: { x: 106, primary: { z: 4 / 3, expected: 102, scale: 3, pattern: NaN, stationary: true } },
    want: { z: 2 * (3 - DRIFT), shift: 6, runPoints: 2 },
  },
  {
    name: 'a primary that is not flat (a daily series whose period is pending) restarts the count',
    period: null,
    feed: [...times(FLAT_POINTS, flatAt(0)), at(0), ...times(FLAT_POINTS - 2, flatAt(0))],
    x: flatAt(3),
    want: { z: NaN },
  },
];

describe('CusumComponent: small inputs', () => {
  test.each(cases)('$name', ({ period, feed: points, x, want }) => {
    const c = make(period);
    feed(c, points);
    expect(probe(c, x, want)).toEqual(want);
  });

  test.each(cases)('snapshot round trip: $name', ({ period, feed: points, x }) => {
    expectRoundTrip(() => make(period), points, x);
  });

  test('a snapshot of another drift is refused, naming it', () => {
    const c = make();
    expect(() => new CusumComponent(() => PERIOD, 2).restore(stored(c))).toThrow(/drift/);
  });

  test('its feature names what the sums are read against: a seasonal profile, or a flat series’ level', () => {
    const seasonal = make();
    feed(seasonal, [...WARM, at(3)]);
    expect(seasonal.feature).toBe('cumulative_shift_vs_seasonal_profile');
    const flat = make(null);
    feed(flat, [...times(FLAT_POINTS, flatAt(0)), flatAt(3)]);
    expect(flat.feature).toBe('cumulative_shift_vs_stationary_level');
  });

  test('a snapshot from before the flat count restores with none counted', () => {
    const c = make(null);
    feed(c, times(FLAT_POINTS, flatAt(0)));
    expect(probe(c, flatAt(3), { z: 3 - DRIFT })).toEqual({ z: 3 - DRIFT });
    const { flat, ...older } = c.snapshot();
    expect(flat).toBe(FLAT_POINTS + 1);
    const restored = make(null);
    restored.restore(older);
    expect(probe(restored, flatAt(3), { z: NaN })).toEqual({ z: NaN });
  });

  test('a snapshot from before the run offset continues its run against the offset as it is then', () => {
    const c = make();
    feed(c, [...WARM, offsetAt(106, 0)]);
    const { runOffset, ...older } = c.snapshot();
    expect(runOffset).toBe(0);
    const restored = make();
    restored.restore(older);
    // Read against an offset of 2 (the restored run's start), the shifted point is 2 scales out, not 3.
    expect(probe(restored, offsetAt(106, 2), { z: NaN })).toEqual({ z: 2 * (3 - DRIFT) - 1 });
    expect(probe(c, offsetAt(106, 2), { z: NaN })).toEqual({ z: 2 * (3 - DRIFT) });
  });

  test('an offset near ±1.8e308 keeps its sums finite and its snapshot restorable', () => {
    // expected − pattern overflows: 1.7e308 − (−1.7e308) is Infinity, and the offset's change from its
    // run's start is then Infinity − Infinity.
    const huge = (x: number, expected: number): Point => ({
      x,
      primary: { z: Math.max(-1e6, Math.min(1e6, x - expected)), expected, scale: 1, pattern: -1.7e308 },
    });
    const c = make();
    feed(c, [...WARM, huge(1.7e308, 0), huge(1.7e308, 1.7e308), huge(-1.7e308, 1.7e308)]);
    const got = probe(c, huge(1.7e308, 1.7e308), { z: NaN, shift: NaN });
    expect(Number.isFinite(got.z)).toBe(true);
    expect(got.shift).not.toBe(Infinity);
    expect(got.shift).not.toBe(-Infinity);
    const snap = c.snapshot();
    for (const v of Object.values(snap)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    expectRoundTrip(make, [...WARM, huge(1.7e308, 0), huge(1.7e308, 1.7e308)], huge(1.7e308, 1.7e308));
  });

  test('gives the offset its open run began with once the run has a point before this one', () => {
    const c = make();
    feed(c, WARM);
    expect(c.runStartOffset).toBeNaN();
    probe(c, offsetAt(106, 0), { z: NaN });
    // The run began at this point: nothing learnt since, nothing to set back.
    expect(c.runStartOffset).toBeNaN();
    probe(c, offsetAt(106, 2), { z: NaN });
    expect(c.runStartOffset).toBe(0);
    // A flat series' run reads a level, not a profile's offset.
    const flat = make(null);
    feed(flat, [...times(FLAT_POINTS, flatAt(0)), flatAt(3)]);
    probe(flat, flatAt(3), { z: NaN });
    expect(flat.runStartOffset).toBeNaN();
  });

  test('a run that begins within REFERENCE_POINTS of the last reference reads against it: a shift the offset took in between still adds', () => {
    // A run at offset 0 ends (back at the pattern); the offset then takes in 2 of a 3-scale shift (106):
    // the next run reads the shift against 0 (3 scales), not against 2 (2 scales).
    const c = make();
    feed(c, [...WARM, offsetAt(106, 0), offsetAt(100, 0)]);
    expect(probe(c, offsetAt(106, 2), { z: NaN, shift: NaN })).toEqual({ z: 3 - DRIFT, shift: 6 });
  });

  test('between runs an older reference is taken anew', () => {
    const c = make();
    feed(c, [...WARM, offsetAt(106, 0), offsetAt(100, 0), ...times(REFERENCE_POINTS, offsetAt(102, 2))]);
    expect(probe(c, offsetAt(106, 2), { z: NaN, shift: NaN })).toEqual({ z: 2 - DRIFT, shift: 4 });
  });

  test('a snapshot from before the reference age takes the reference anew at its next point between runs', () => {
    const c = make();
    feed(c, [...WARM, offsetAt(106, 0), offsetAt(100, 0)]);
    const { referenceAge, ...older } = c.snapshot();
    expect(referenceAge).toBe(2);
    const restored = make();
    restored.restore(older);
    expect(probe(restored, offsetAt(106, 2), { z: NaN })).toEqual({ z: 2 - DRIFT });
    expect(probe(c, offsetAt(106, 2), { z: NaN })).toEqual({ z: 3 - DRIFT });
  });

  test('restarts when the period is lost, and counts its cycles afresh', () => {
    let period: number | null = PERIOD;
    const c = new CusumComponent(() => period);
    feed(c, [...WARM, ...times(3, at(3))]);
    period = null;
    feed(c, [at(3)]);
    period = PERIOD;
    feed(c, times(MATURE - 2, at(3)));
    expect(probe(c, at(3), { z: NaN })).toEqual({ z: NaN });
    expect(probe(c, at(3), { z: 3 - DRIFT })).toEqual({ z: 3 - DRIFT });
  });
});

describe('CusumComponent on noise', () => {
  test('its sums stay within [0, CAP], signed by the larger, whatever the residuals', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { maxLength: 200 }), (zs) => {
        const c = make();
        feed(c, WARM);
        const out = emptyDeviation();
        for (const z of zs) {
          const p = at(z);
          c.step(p.x, out, p.primary);
          c.learn();
          expect(Math.abs(out.z)).toBeLessThanOrEqual(CAP);
          if (out.z !== 0) expect(Math.sign(out.shift!)).toBe(Math.sign(out.z));
        }
      }),
    );
  });

  test.each([1, 2, 3, 4, 5])(
    'on independent Gaussian residuals (seed %d) a 3σ shift passes 1.5 × the quiet day’s largest sum within 10 points',
    (seed) => {
      // Seeded normal draws (mulberry32, Box–Muller): a day of noise, then the shift.
      let a = seed * 0x9e3779b9;
      const uniform = () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
      };
      const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      const c = make();
      feed(c, WARM);
      const out = emptyDeviation();
      let quiet = 0;
      for (let i = 0; i < 1440; i++) {
        const p = at(normal());
        c.step(p.x, out, p.primary);
        quiet = Math.max(quiet, Math.abs(out.z));
      }
      let flaggedAfter = -1;
      for (let i = 1; i <= 10 && flaggedAfter < 0; i++) {
        const p = at(3 + normal());
        c.step(p.x, out, p.primary);
        if (out.z > 1.5 * quiet) flaggedAfter = i;
      }
      expect(quiet).toBeGreaterThan(1);
      expect(flaggedAfter).toBeGreaterThan(0);
    },
  );
});
