import { Calibrator, DEFAULT_CALIBRATION, SHOWN_OUTLIER } from './calibrator.js';
import type { Deviation, LearnMode } from '../detectors/detector.js';

/** Deterministic |z| values of ordinary noise, 0.5–2.5. */
const noise = (i: number) => 1.5 + Math.sin(i * 12.9898);

/** Two components (0: the primary level, 1: another test), fed `z0`/`z1` for `n` points in `mode`. */
function feed(c: Calibrator, n: number, z: (i: number) => [number, number], mode: LearnMode, hold = true) {
  const devs: Deviation[] = [0, 1].map(() => ({ z: 0, expected: 0, scale: 1 }));
  for (let i = 0; i < n; i++) {
    const [z0, z1] = z(i);
    devs[0].z = z0;
    devs[1].z = z1;
    c.calibrate(devs);
    c.learn(devs, mode, hold);
  }
}

/** A calibrator that has learnt 500 points of noise on both components. */
function warmed(): Calibrator {
  const c = new Calibrator(2);
  feed(c, 500, (i) => [noise(i), noise(i + 7)], 'normal');
  return c;
}

describe('Calibrator: sustained incidents', () => {
  const n = DEFAULT_CALIBRATION.sustainedAfter;

  it('a short run of high deviations widens the ranges (it is the series’ tail), at most incidentGrowth×', () => {
    const c = warmed();
    const before = Array.from(c.range);
    feed(c, 3, () => [20, 20], 'incident');
    expect(c.range[0]).toBeGreaterThan(before[0] * 1.5);
    expect(c.range[0]).toBeLessThanOrEqual(
      DEFAULT_CALIBRATION.incidentGrowth * Math.max(3, before[0]) + 1e-9,
    );
  });

  it('an incident the primary flags keeps the ranges it began with once it is sustained', () => {
    const c = warmed();
    const before = Array.from(c.range);
    feed(c, 4 * n, () => [20, 20], 'incident');
    // Only the half-life's decay since the incident began.
    for (const k of [0, 1]) expect(c.range[k]).toBeLessThanOrEqual(before[k]);
    expect(c.range[0]).toBeGreaterThan(before[0] * 0.95);
  });

  it('is not held when the scorer does not trust its baseline (holdSustained false): the ranges widen', () => {
    const c = warmed();
    const before = c.range[0];
    feed(c, 4 * n, () => [20, 20], 'incident', false);
    expect(c.range[0]).toBeGreaterThan(before * 1.5);
  });

  it('is held when the other component is the primary’s own evidence (a test on its residuals)', () => {
    const c = new Calibrator(2, DEFAULT_CALIBRATION, [], [], [false, true]);
    feed(c, 500, (i) => [noise(i), noise(i + 7)], 'normal');
    const before = c.range[1];
    feed(c, 4 * n, (i) => [noise(i), 20], 'incident');
    expect(c.range[1]).toBeLessThanOrEqual(before);
  });

  it('is not held when only another component flags it: its first points still teach that range', () => {
    const c = warmed();
    const before = c.range[1];
    feed(c, 4 * n, (i) => [noise(i), 20], 'incident');
    expect(c.range[1]).toBeGreaterThan(before * 1.5);
  });

  it('a second identical incident meets the ranges the first one did', () => {
    const c = warmed();
    const incident = () => [20, 20] as [number, number];
    const peak = () => {
      const devs: Deviation[] = [0, 1].map(() => ({ z: 20, expected: 0, scale: 1 }));
      return c.calibrate(devs).score;
    };
    const first = peak();
    feed(c, 4 * n, incident, 'incident');
    feed(c, 120, (i) => [noise(i), noise(i + 3)], 'normal');
    expect(peak() / first).toBeGreaterThan(0.9);
  });

  it('a snapshot taken inside an incident restores it, and one without the incident fields restores too', () => {
    const c = warmed();
    feed(c, n - 2, () => [20, 20], 'incident');
    const copy = new Calibrator(2);
    copy.restore(JSON.parse(JSON.stringify(c.snapshot())));
    feed(c, 3 * n, () => [20, 20], 'incident');
    feed(copy, 3 * n, () => [20, 20], 'incident');
    expect(Array.from(copy.range)).toEqual(Array.from(c.range));

    const { range, basis } = c.snapshot();
    const old = new Calibrator(2);
    old.restore({ range, basis });
    expect(Array.from(old.range)).toEqual(Array.from(c.range));
  });
});

describe('Calibrator: components with a measurement window', () => {
  /** The peak score of component 1 while its |z| climbs 10 % a point from noise to 20 (a test's window filling after a change). */
  function peakOfRamp(window: number | undefined): number {
    const c = new Calibrator(2, DEFAULT_CALIBRATION, [], [undefined, window]);
    feed(c, 500, (i) => [noise(i), noise(i + 7)], 'normal');
    let peak = 0;
    const devs: Deviation[] = [0, 1].map(() => ({ z: 0, expected: 0, scale: 1 }));
    for (let z = 2; z < 20; z *= 1.1) {
      devs[0].z = 1;
      devs[1].z = z;
      c.calibrate(devs);
      peak = Math.max(peak, c.componentScores[1]);
      c.learn(devs, 'normal');
    }
    return peak;
  }

  it('learn each deviation window points late, so a statistic that builds up over its window crosses its boundary', () => {
    expect(peakOfRamp(10)).toBeGreaterThan(1);
  });

  it('without the delay the range follows such a statistic up and it never does (the ratchet)', () => {
    expect(peakOfRamp(undefined)).toBeLessThan(1);
  });

  it('keep the delayed deviations in snapshots', () => {
    const c = new Calibrator(2, DEFAULT_CALIBRATION, [], [undefined, 10]);
    feed(c, 40, (i) => [noise(i), noise(i + 7)], 'normal');
    const copy = new Calibrator(2, DEFAULT_CALIBRATION, [], [undefined, 10]);
    copy.restore(JSON.parse(JSON.stringify(c.snapshot())));
    feed(c, 30, (i) => [noise(i), 3 + i], 'normal');
    feed(copy, 30, (i) => [noise(i), 3 + i], 'normal');
    expect(Array.from(copy.range)).toEqual(Array.from(c.range));
    expect(() => new Calibrator(2).restore(c.snapshot())).toThrow('calibrator.delayed[1]');
  });
});

describe('Calibrator: the shown band leaves out an incident’s outliers', () => {
  const zero = () => [0, 0] as [number, number];
  /** One point with no deviation: calibrate refreshes boundary and shownBoundary, learning nothing new. */
  const look = (c: Calibrator) => feed(c, 1, zero, 'normal');

  it('a spike far beyond the shown boundary widens the learning range, not the shown one', () => {
    const c = warmed();
    look(c);
    const shownBefore = c.shownBoundary[0];
    expect(shownBefore).toBeCloseTo(c.boundary[0], 9);
    feed(c, 1, () => [SHOWN_OUTLIER * shownBefore * 1.5, 0], 'incident');
    feed(c, 2, zero, 'incident');
    look(c);
    expect(c.boundary[0]).toBeGreaterThan(1.5 * shownBefore);
    // Only the range's decay over the four points moved it.
    expect(c.shownBoundary[0]).toBeLessThanOrEqual(shownBefore);
    expect(c.shownBoundary[0]).toBeGreaterThan(0.99 * shownBefore);
    // A deviation at the shown boundary scores 1 against it, below 1 against the widened range.
    const atEdge = c.shownBoundary[0];
    c.calibrate([
      { z: atEdge, expected: 0, scale: 1 },
      { z: 0, expected: 0, scale: 1 },
    ]);
    expect(c.shownScores[0]).toBeCloseTo(1, 2);
    expect(c.componentScores[0]).toBeLessThan(1 / 1.5);
  });

  it('a marginal excursion inside an incident (within SHOWN_OUTLIER× the shown boundary) widens both', () => {
    const c = warmed();
    look(c);
    const before = c.shownBoundary[0];
    feed(c, 1, () => [1.5 * before, 0], 'incident');
    look(c);
    expect(c.shownBoundary[0]).toBeGreaterThan(1.2 * before);
    expect(c.shownBoundary[0]).toBeCloseTo(c.boundary[0], 9);
  });

  it('outside incidents the shown range learns as the range does, and never exceeds it', () => {
    const c = warmed();
    feed(c, 1, () => [40, 40], 'normal');
    look(c);
    expect(c.shownBoundary[0]).toBeCloseTo(c.boundary[0], 9);
    expect(c.shownBoundary[1]).toBeCloseTo(c.boundary[1], 9);
    // A sustained incident restores the ranges it began with: the shown ones cannot stay above them.
    const high = new Calibrator(2);
    feed(high, 500, (i) => [noise(i), noise(i + 7)], 'normal');
    feed(high, DEFAULT_CALIBRATION.sustainedAfter + 5, () => [30, 30], 'incident');
    look(high);
    for (const k of [0, 1]) expect(high.shownBoundary[k]).toBeLessThanOrEqual(high.boundary[k] + 1e-12);
  });

  it('snapshots the shown ranges; a snapshot without them restores them as the ranges', () => {
    const c = warmed();
    feed(c, 1, () => [100, 0], 'incident');
    feed(c, 3, zero, 'normal');
    const s = c.snapshot();
    const again = new Calibrator(2);
    again.restore(s);
    look(c);
    look(again);
    expect(Array.from(again.shownBoundary)).toEqual(Array.from(c.shownBoundary));
    expect(again.shownBoundary[0]).toBeLessThan(again.boundary[0]);

    const older = new Calibrator(2);
    const { shown: _shown, ...withoutShown } = s;
    older.restore(withoutShown);
    look(older);
    expect(Array.from(older.shownBoundary)).toEqual(Array.from(older.boundary));
  });
});
