import fc from 'fast-check';
import { CAP, CLIP, DRIFT, LEVEL_SHARE, SpreadComponent } from './spread.js';
import { CusumComponent, MATURE_CYCLES } from './cusum.js';
import { emptyDeviation, type Deviation } from '../component.js';
import { feed, probe, stored, type Point } from '../testing/componentTable.js';
import { createRandom } from '../../lab/scenarios/random.js';

/** A profile of period 100, scale 2: the residual CUSUM speaks after MATURE_CYCLES · 100 points. */
const PERIOD = 100;
const MATURE = MATURE_CYCLES * PERIOD;

/**
 * The spread test with the residual CUSUM it reads, stepped as the detector steps them (the CUSUM first),
 * so the table helpers can feed and probe the pair; its deviation is the spread test's.
 */
class Pair {
  readonly cusum: CusumComponent;
  readonly spread: SpreadComponent;
  private readonly scratch = emptyDeviation();
  constructor(period: number | null = PERIOD) {
    this.cusum = new CusumComponent(() => period);
    this.spread = new SpreadComponent(this.cusum);
  }
  step(x: number, out: Deviation, primary?: Deviation): void {
    this.cusum.step(x, this.scratch, primary);
    this.spread.step(x, out, primary);
  }
  learn(): void {}
}
const asComponent = (p: Pair) => p as unknown as Parameters<typeof feed>[0];

function at(z: number, x = 100 + z * 2): Point {
  return { x, primary: { z, expected: 100, scale: 2, pattern: 100 } };
}
const times = (n: number, p: Point): Point[] => Array.from({ length: n }, () => p);
/** Residuals alternating ±z: noise of that size, the level unchanged. */
const alternating = (n: number, z: number, offset = 0): Point[] =>
  Array.from({ length: n }, (_, i) => at(offset + (i % 2 === 0 ? z : -z)));
const WARM = times(MATURE, at(0));

const cases: { name: string; period?: number | null; feed: Point[]; x: Point; want: Partial<Deviation> }[] = [
  {
    name: 'silent while the residual CUSUM is (before the profile has predicted its cycles)',
    feed: times(MATURE - 2, at(0)),
    x: at(5),
    want: { z: NaN, scale: NaN },
  },
  {
    name: 'silent before a period is known, as the CUSUM is',
    period: null,
    feed: alternating(100, 5),
    x: at(-5),
    want: { z: NaN },
  },
  {
    name: 'its first point has no jump to measure: it adds nothing',
    feed: WARM.slice(0, MATURE - 1),
    x: at(5),
    want: { z: 0, scale: 2 },
  },
  {
    name: 'noise of ±6 scales adds min(|z|, jump, CLIP) − drift at every point',
    feed: [...WARM, ...alternating(4, 6)],
    x: at(6),
    want: { z: 5 * (CLIP - DRIFT) },
  },
  {
    name: 'a profile that is merely off (residuals large but smooth) adds nothing: its jumps are 0',
    feed: [...WARM, ...times(20, at(5))],
    x: at(5),
    want: { z: 0 },
  },
  {
    name: 'noise around a moved level leans to one side: a level change, reported as 0',
    feed: [...WARM, ...alternating(10, 3, 4)],
    x: at(7),
    want: { z: 0 },
  },
  {
    name: 'quiet points take the drift back off, down to 0',
    feed: [...WARM, ...alternating(3, 5), ...times(10, at(0.5))],
    x: at(0.5),
    want: { z: 0 },
  },
  {
    name: 'the sum is capped',
    feed: [...WARM, ...alternating(100, 5)],
    x: at(5),
    want: { z: CAP },
  },
  {
    name: 'a missing point keeps the sum, and the next point has no jump to add',
    feed: [...WARM, ...alternating(4, 6), at(NaN, NaN)],
    x: at(6),
    want: { z: 4 * (CLIP - DRIFT) },
  },
];

describe('SpreadComponent: small inputs', () => {
  test.each(cases)('$name', ({ period, feed: points, x, want }) => {
    const pair = new Pair(period);
    feed(asComponent(pair), points);
    expect(probe(asComponent(pair), x, want)).toEqual(want);
  });

  test.each(cases)('snapshot round trip: $name', ({ period, feed: points, x }) => {
    const original = new Pair(period);
    feed(asComponent(original), points);
    const restored = new Pair(period);
    restored.cusum.restore(stored(original.cusum));
    restored.spread.restore(stored(original.spread));
    expect(restored.spread.snapshot()).toEqual(original.spread.snapshot());
    const all = { z: 0, expected: 0, scale: 0 };
    expect(probe(asComponent(restored), x, all)).toEqual(probe(asComponent(original), x, all));
  });

  test('a snapshot of another drift is refused, naming it', () => {
    const pair = new Pair();
    expect(() => new SpreadComponent(pair.cusum, 3).restore(stored(pair.spread))).toThrow(/drift/);
  });

  test('it explains a burst of noise as a variance change, against what the CUSUM reads', () => {
    const pair = new Pair();
    expect(pair.spread.kindUp).toBe('variance_change');
    expect(pair.spread.kindDown).toBe('variance_change');
    feed(asComponent(pair), WARM);
    expect(pair.spread.feature).toBe('noise_vs_seasonal_profile');
  });
});

describe('SpreadComponent on noise', () => {
  test('its sum stays within [0, CAP], and it reports 0 for a run that leans past LEVEL_SHARE', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { maxLength: 200 }), (zs) => {
        const pair = new Pair();
        feed(asComponent(pair), WARM);
        const out = emptyDeviation();
        let runSum = 0;
        let runAbs = 0;
        for (const z of zs) {
          const p = at(z);
          pair.step(p.x, out, p.primary);
          expect(out.z).toBeGreaterThanOrEqual(0);
          expect(out.z).toBeLessThanOrEqual(CAP);
          const s = pair.spread.snapshot();
          runSum = s.runSum;
          runAbs = s.runAbs;
          if (out.z > 0) expect(Math.abs(runSum)).toBeLessThanOrEqual(LEVEL_SHARE * runAbs);
        }
      }),
    );
  });

  test('on independent Gaussian residuals, noise ×5 passes 1.5 × a quiet day’s largest sum (or one point’s most) within the hour on every seed, within 15 points on most', () => {
    const after = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seed) => {
      // A day of seeded normal draws, then an hour of the burst.
      const random = createRandom(seed);
      const pair = new Pair();
      feed(asComponent(pair), WARM);
      const out = emptyDeviation();
      let quiet = 0;
      for (let i = 0; i < 1440; i++) {
        const p = at(random.normal());
        pair.step(p.x, out, p.primary);
        quiet = Math.max(quiet, out.z);
      }
      // A quiet day's sum seldom leaves 0: a point adds only where both its |z| and its jump pass the drift.
      expect(quiet).toBeLessThan(CLIP);
      for (let i = 1; i <= 60; i++) {
        const p = at(5 * random.normal());
        pair.step(p.x, out, p.primary);
        if (out.z > 1.5 * Math.max(quiet, CLIP - DRIFT)) return i;
      }
      return Infinity;
    });
    expect(Math.max(...after)).toBeLessThanOrEqual(60);
    const sorted = [...after].sort((a, b) => a - b);
    expect(sorted[5]).toBeLessThanOrEqual(15);
  });
});
