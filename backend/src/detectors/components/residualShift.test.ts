import fc from 'fast-check';
import { ResidualShiftComponent } from './residualShift.js';
import { emptyDeviation, type Deviation } from '../component.js';
import { expectRoundTrip, feed, probe, stored, type Feed, type Point } from '../testing/componentTable.js';

/** A 4-point test; the primary's pattern is 100 and its scale 2, so a residual of 6 is 3 of its σ. */
const make = (period: number | null = 40) => new ResidualShiftComponent(4, () => period);

/** x, with the primary's deviation: its pattern 100 plus a level offset (`weekSeen`: see Deviation). */
function at(
  x: number,
  offset = 0,
  more: Partial<Point> & { weekSeen?: boolean; scale?: number } = {},
): Point {
  const { weekSeen, scale = 2, ...point } = more;
  return { x, primary: { z: 0, expected: 100 + offset, scale, pattern: 100, weekSeen }, ...point };
}
/** x, with a primary that is a rolling median the series is stationary around, at 100 + `offset`. */
function atLevel(x: number, offset = 0, stationary = true): Point {
  return { x, primary: { z: 0, expected: 100 + offset, scale: 2, pattern: NaN, stationary } };
}

const times = (n: number, p: Point): Point[] => Array.from({ length: n }, () => p);
const QUIET = times(4, at(100));
const QUIET_LEVEL = times(4, atLevel(100));
/** A residual median of 6 against an offset of 0: (6 / scale 2) · √4 / 1.25. */
const Z_SIX = (6 / 2) * (Math.sqrt(4) / 1.25);

const cases: {
  name: string;
  period?: number | null;
  feed: Feed[];
  x: Point;
  want: Pick<Deviation, 'z' | 'expected' | 'scale' | 'shift'> &
    Partial<Pick<Deviation, 'observedShift' | 'observedZ'>>;
}[] = [
  {
    name: 'no opinion before the offset of 4 points back is known',
    feed: times(3, at(100)),
    x: at(106),
    want: { z: NaN, expected: NaN, scale: NaN, shift: NaN },
  },
  {
    name: 'the residual median against the level offset 4 points back, in σ × √4 / 1.25',
    feed: [...QUIET, ...times(3, at(106))],
    x: at(106),
    want: { z: Z_SIX, expected: NaN, scale: 1, shift: 6 },
  },
  {
    name: 'a shift the primary’s offset has absorbed still shows',
    feed: [...QUIET, ...times(3, at(106, 6))],
    x: at(106, 6),
    want: { z: Z_SIX, expected: NaN, scale: 1, shift: 6 },
  },
  {
    name: 'once the reference offset has the new level, no shift',
    feed: [...QUIET, ...times(4, at(106, 6))],
    x: at(106, 6),
    want: { z: 0, expected: NaN, scale: 1, shift: 0 },
  },
  {
    name: 'a time of the week the profile has not seen: no estimate of the move',
    feed: [...QUIET, ...times(3, at(106))],
    x: at(106, 0, { weekSeen: false }),
    want: { z: Z_SIX, expected: NaN, scale: 1, shift: NaN },
  },
  {
    name: 'a reference offset read where the week was unseen: no opinion (a first weekend is no reference)',
    feed: [...times(4, at(100, -30, { weekSeen: false })), ...times(3, at(106))],
    x: at(106),
    want: { z: NaN, expected: NaN, scale: NaN, shift: NaN },
  },
  {
    name: 'once the reference was read where the week was seen, the test speaks again',
    feed: [...times(4, at(100, -30, { weekSeen: false })), ...times(4, at(106))],
    x: at(106),
    want: { z: Z_SIX, expected: NaN, scale: 1, shift: 6 },
  },
  {
    name: 'a period shorter than 10 windows: no opinion',
    period: 39,
    feed: [...QUIET, ...times(3, at(106))],
    x: at(106),
    want: { z: NaN, expected: NaN, scale: NaN, shift: NaN },
  },
  {
    name: 'no period: no opinion',
    period: null,
    feed: [...QUIET, ...times(3, at(106))],
    x: at(106),
    want: { z: NaN, expected: NaN, scale: NaN, shift: NaN },
  },
  {
    name: 'no period, a median the series is stationary around: the values against its level 4 points back',
    period: null,
    feed: [...QUIET_LEVEL, ...times(3, atLevel(106))],
    x: atLevel(106),
    want: { z: Z_SIX, expected: NaN, scale: 1, shift: 6 },
  },
  {
    name: 'no period, a median the series is not stationary around: no opinion',
    period: null,
    feed: [...QUIET_LEVEL, ...times(3, atLevel(106))],
    x: atLevel(106, 0, false),
    want: { z: NaN, expected: NaN, scale: NaN, shift: NaN },
  },
  {
    name: 'a primary without a scale: no opinion',
    feed: [...QUIET, ...times(3, at(106))],
    x: at(106, 0, { scale: 0 }),
    want: { z: NaN, expected: NaN, scale: NaN, shift: NaN },
  },
  {
    name: 'a missing value: no opinion',
    feed: [...QUIET, ...times(3, at(106))],
    x: at(NaN),
    want: { z: NaN, expected: NaN, scale: NaN, shift: NaN },
  },
  {
    name: 'an imputed incident point stands in the window; over fewer incident points than the window, nothing observed',
    feed: [...QUIET, ...times(3, at(300, 0, { learn: 100, mode: 'incident' }))],
    x: at(100),
    want: { z: 0, expected: NaN, scale: 1, shift: 0, observedShift: NaN, observedZ: NaN },
  },
  {
    name: 'a window all of an open incident’s imputed points: the move as observed, beside the imputed test’s 0',
    feed: [...QUIET, ...times(4, at(300, 0, { learn: 100, mode: 'incident' }))],
    x: at(300),
    want: {
      z: 0,
      expected: NaN,
      scale: 1,
      shift: 0,
      observedShift: 200,
      observedZ: (200 / 2) * (Math.sqrt(4) / 1.25),
    },
  },
  {
    name: 'a point learnt outside an incident starts the count again',
    feed: [...QUIET, ...times(4, at(300, 0, { learn: 100, mode: 'incident' })), at(300)],
    x: at(300),
    // The imputed window: 100, 100 (imputed), 300, 300 (as observed: not imputed).
    want: { z: (100 / 2) * (Math.sqrt(4) / 1.25), expected: NaN, scale: 1, shift: 100, observedShift: NaN },
  },
  {
    name: 'a time of the week the profile has not seen: nothing observed either',
    feed: [...QUIET, ...times(4, at(300, 0, { learn: 100, mode: 'incident' }))],
    x: at(300, 0, { weekSeen: false }),
    want: { z: 0, expected: NaN, scale: 1, shift: NaN, observedShift: NaN },
  },
  {
    name: 'an incident point that is not imputed is measured',
    feed: [...QUIET, ...times(3, at(300, 0, { mode: 'incident' }))],
    x: at(100),
    want: { z: (200 / 2) * (Math.sqrt(4) / 1.25), expected: NaN, scale: 1, shift: 200 },
  },
];

describe('ResidualShiftComponent: small inputs', () => {
  it.each(cases)('$name', ({ period, feed: points, x, want }) => {
    const c = make(period);
    feed(c, points);
    expect(probe(c, x, want)).toEqual(want);
  });

  it.each(cases)('$name: its state survives a snapshot', ({ period, feed: points, x }) => {
    expectRoundTrip(() => make(period), points, x);
  });

  it('its snapshot restores only into a component with the same window', () => {
    const c = make();
    feed(c, QUIET);
    expect(() => new ResidualShiftComponent(5, () => 50).restore(stored(c))).toThrow(
      'component.recent: is 4, this build expects 5',
    );
  });
});

describe('ResidualShiftComponent reading its reference further back', () => {
  const slow = (period: number | null = 40) => new ResidualShiftComponent(4, () => period, 8);
  const absorbed = [...times(8, at(100)), ...times(4, at(106, 6))];

  it('still sees a change the offset followed for longer than its window', () => {
    const c = make();
    feed(c, absorbed);
    expect(probe(c, at(106, 6), { z: 0, shift: 0 })).toEqual({ z: 0, shift: 0 });
    const s = slow();
    feed(s, absorbed);
    expect(probe(s, at(106, 6), { z: Z_SIX, shift: 6 })).toEqual({ z: Z_SIX, shift: 6 });
  });

  it('learns as late as its reference is old, and says so in its explanations', () => {
    expect(slow().measurementPoints).toBe(8);
    expect(make().measurementPoints).toBe(4);
    expect(slow().feature).toBe('slow_level_shift_vs_seasonal_profile');
    expect(slow(null).feature).toBe('slow_level_shift_vs_stationary_level');
    expect(make().feature).toBe('level_shift_vs_seasonal_profile');
    expect(() => new ResidualShiftComponent(4, () => 40, 3)).toThrow('back (3) must be at least recent (4)');
  });

  it('its state survives a snapshot, and restores only into a component reading as far back', () => {
    expectRoundTrip(() => slow(), absorbed, at(106, 6));
    const s = slow();
    feed(s, QUIET);
    expect(() => make().restore(stored(s))).toThrow('component.back: is 8, this build expects 4');
    // Written before `back` existed: the reference was `recent` points back.
    const c = make();
    feed(c, QUIET);
    const { back: _back, ...old } = stored(c) as Record<string, unknown>;
    expect(() => make().restore(old as never)).not.toThrow();
    expect(() => slow().restore(old as never)).toThrow('component.back: is 4, this build expects 8');
  });
});

describe('ResidualShiftComponent', () => {
  const out: Deviation = { z: NaN, expected: NaN, scale: NaN };
  const PATTERN = 1000;
  const SCALE = 10;

  /**
   * A 20-point residual test behind a primary whose pattern is 1,000 and whose level offset follows the
   * values with a half-life of 5 points (faster than the profile's 50, to show the absorption quickly).
   */
  class Harness {
    readonly test: ResidualShiftComponent;
    private offset = 0;
    constructor(period: number | null = 1440) {
      this.test = new ResidualShiftComponent(20, () => period);
    }
    /** Step x; returns the primary's own z and the test's z. */
    push(x: number, mode: 'normal' | 'incident' = 'normal'): { primary: number; test: number } {
      const primary: Deviation = { z: NaN, expected: PATTERN + this.offset, scale: SCALE, pattern: PATTERN };
      primary.z = (x - primary.expected) / SCALE;
      this.test.step(x, out, primary);
      this.test.learn(x);
      if (mode === 'normal') this.offset += (1 - Math.pow(0.5, 1 / 5)) * (x - PATTERN - this.offset);
      return { primary: primary.z, test: out.z };
    }
  }
  const noisy = (i: number) => PATTERN + SCALE * Math.sin(i * 12.9898);

  it('against the offset an hour back, sees a slow ramp the offset follows (its 20-point sibling does not)', () => {
    // The profile's own offset half-life (50 points); a ramp of +60 % of the level over 6 hours is 0.05
    // of a 3 % σ a point here: 0.5 units of SCALE 10 every 10 points.
    const tests = [
      new ResidualShiftComponent(20, () => 1440),
      new ResidualShiftComponent(20, () => 1440, 60),
    ];
    const peak = [0, 0];
    let offset = 0;
    for (let i = 0; i < 460; i++) {
      const x = noisy(i) + (i < 100 ? 0 : 0.05 * SCALE * (i - 100));
      const primary: Deviation = { z: NaN, expected: PATTERN + offset, scale: SCALE, pattern: PATTERN };
      tests.forEach((t, k) => {
        t.step(x, out, primary);
        t.learn(x);
        if (i >= 100) peak[k] = Math.max(peak[k], out.z);
      });
      offset += (1 - Math.pow(0.5, 1 / 50)) * (x - PATTERN - offset);
    }
    // The offset lags ~72 points × 0.05 σ behind the ramp: against the offset 20 points back the test peaks
    // at ~4.5 σ × √20 / 1.25 (16.2), against the offset 60 points back at ~6.5 σ × √20 / 1.25 (23.1).
    expect(peak[1]).toBeGreaterThan(1.4 * peak[0]);
    expect(peak[1]).toBeGreaterThan(20);
  });

  it('still sees a 4σ step the primary’s offset has absorbed', () => {
    const h = new Harness();
    for (let i = 0; i < 100; i++) expect(Math.abs(h.push(noisy(i)).test || 0)).toBeLessThan(4);
    let last = { primary: NaN, test: NaN };
    for (let i = 100; i < 120; i++) last = h.push(noisy(i) + 4 * SCALE);
    expect(Math.abs(last.primary)).toBeLessThan(1.5);
    expect(last.test).toBeGreaterThan(8);
  });

  it('estimates how far the level moved, in series units, unless the profile has not seen this time of the week', () => {
    for (const weekSeen of [true, undefined, false]) {
      const h = new Harness();
      for (let i = 0; i < 100; i++) h.push(noisy(i));
      for (let i = 100; i < 119; i++) h.push(noisy(i) + 4 * SCALE);
      const x = noisy(119) + 4 * SCALE;
      h.test.step(x, out, { z: 0, expected: PATTERN, scale: SCALE, pattern: PATTERN, weekSeen });
      // The median of 20 residuals near +40 against the offset 20 points back (near 0).
      if (weekSeen === false) expect(out.shift).toBeNaN();
      else expect(out.shift).toBeGreaterThan(3 * SCALE);
      expect(out.z).toBeGreaterThan(8);
    }
  });

  it('has no opinion when the window spans more than a tenth of the period (or there is none)', () => {
    for (const period of [100, null]) {
      const h = new Harness(period);
      for (let i = 0; i < 120; i++) expect(h.push(noisy(i) + (i >= 100 ? 4 * SCALE : 0)).test).toBeNaN();
    }
  });

  it('starts afresh when a period is found: residuals from a median’s level and a profile’s do not mix', () => {
    let period: number | null = null;
    const test = new ResidualShiftComponent(20, () => period);
    const level: Deviation = { z: 0, expected: PATTERN, scale: SCALE, pattern: NaN, stationary: true };
    for (let i = 0; i < 100; i++) {
      test.step(noisy(i), out, level);
      test.learn(noisy(i));
    }
    expect(Math.abs(out.z)).toBeLessThan(4);
    period = 1440;
    // The profile's residuals are near 0 where the median's were near 1,000: mixed in one window, the
    // median of the two would read as a shift of hundreds of σ.
    const zs: number[] = [];
    for (let i = 100; i < 140; i++) {
      test.step(noisy(i), out, { z: 0, expected: PATTERN, scale: SCALE, pattern: PATTERN });
      test.learn(noisy(i));
      zs.push(out.z);
    }
    expect(zs.slice(0, 19).every(Number.isNaN)).toBe(true);
    expect(zs.slice(20).every((z) => Math.abs(z) < 4)).toBe(true);
  });

  it('holds an imputed incident point in its window, so a burst does not echo after it ends', () => {
    const h = new Harness();
    for (let i = 0; i < 100; i++) h.push(noisy(i));
    for (let i = 100; i < 115; i++) {
      h.test.step(5 * PATTERN, out, { z: 400, expected: PATTERN, scale: SCALE, pattern: PATTERN });
      h.test.learn(PATTERN);
    }
    expect(Math.abs(h.push(noisy(115)).test)).toBeLessThan(3);
  });
});

describe('ResidualShiftComponent reading an earlier sibling’s windows', () => {
  /** Primary deviations over a period that is found midway (null → 400): the windows restart there. */
  const point = fc.record({
    x: fc.oneof(fc.double({ min: 80, max: 130, noNaN: true }), fc.constant(NaN)),
    offset: fc.double({ min: -5, max: 5, noNaN: true }),
    incident: fc.boolean(),
    imputed: fc.boolean(),
    weekSeen: fc.boolean(),
  });

  it('gives every point exactly the deviation a component with windows of its own gives, and restores so', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 120 }), fc.integer({ min: 0, max: 120 }), (points, found) => {
        let period: number | null = null;
        const periodOf = () => period;
        const owner = new ResidualShiftComponent(4, periodOf);
        let reader = new ResidualShiftComponent(4, periodOf, 12, owner);
        const alone = new ResidualShiftComponent(4, periodOf, 12);
        const outs = [emptyDeviation(), emptyDeviation(), emptyDeviation()];
        points.forEach((p, i) => {
          if (i === found) period = 400;
          const primary: Deviation = {
            z: 0,
            expected: 100 + p.offset,
            scale: 2,
            pattern: period === null ? NaN : 100,
            stationary: true,
            weekSeen: p.weekSeen,
          };
          [owner, reader, alone].forEach((c, k) => c.step(p.x, outs[k], primary));
          expect(outs[1]).toEqual(outs[2]);
          const learnt = p.imputed ? 100 : p.x;
          const mode = p.incident ? 'incident' : 'normal';
          for (const c of [owner, reader, alone]) c.learn(learnt, mode);
          if (i === points.length >> 1) {
            // Restored from snapshots (the reader's carries a copy of its owner's windows), they go on alike.
            const ownerState = stored(owner);
            const readerState = stored(reader);
            expect(readerState).toEqual(stored(alone));
            owner.restore(ownerState);
            reader = new ResidualShiftComponent(4, periodOf, 12, owner);
            reader.restore(readerState);
          }
        });
      }),
    );
  });

  it('needs a sibling over as many points', () => {
    expect(
      () => new ResidualShiftComponent(4, () => null, 12, new ResidualShiftComponent(5, () => null)),
    ).toThrow(/windows of 5 points cannot stand for 4/);
  });
});
