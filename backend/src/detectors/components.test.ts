import { LevelShiftComponent, ResidualShiftComponent, RollingMedianComponent } from './components.js';
import type { Deviation } from './detector.js';

function level(i: number): number {
  return 1000 + 20 * Math.sin(i);
}

/** A 100-point rolling median that has learnt 200 normal points around 1000. */
function warmed(): RollingMedianComponent {
  const c = new RollingMedianComponent(100);
  for (let i = 0; i < 200; i++) c.learn(level(i), 'normal');
  return c;
}

describe('RollingMedianComponent', () => {
  const out: Deviation = { z: NaN, expected: NaN, scale: NaN };

  it('does not learn an outage’s zeros inside an incident, so the recovery is not a new anomaly', () => {
    const c = warmed();
    for (let i = 0; i < 80; i++) c.learn(0, 'incident');
    c.step(1000, out);
    expect(out.expected).toBeGreaterThan(950);
    expect(Math.abs(out.z)).toBeLessThan(3);
  });

  it('still follows a partial drop inside an incident (it is the fallback level, not a frozen one)', () => {
    const c = warmed();
    for (let i = 0; i < 80; i++) c.learn(600, 'incident');
    c.step(600, out);
    expect(out.expected).toBe(600);
  });

  it('learns zeros outside incidents (a series that is often zero)', () => {
    const c = warmed();
    for (let i = 0; i < 80; i++) c.learn(0, 'normal');
    c.step(0, out);
    expect(out.expected).toBe(0);
  });
});

describe('LevelShiftComponent', () => {
  const out: Deviation = { z: NaN, expected: NaN, scale: NaN };

  /** A 10-over-300 level-shift test stepped and learnt through 400 normal points around 1000. */
  function warmedShift(): LevelShiftComponent {
    const c = new LevelShiftComponent(10, 300);
    for (let i = 0; i < 400; i++) {
      c.step(level(i), out);
      c.learn(level(i), 'normal');
    }
    return c;
  }

  it('holds an imputed incident in its recent window, so a burst does not echo after it ends', () => {
    const c = warmedShift();
    // A 10-point burst to 5× that the detector imputes (learn gets the primary's expected value).
    for (let i = 400; i < 410; i++) {
      c.step(5000, out);
      c.learn(level(i), 'incident');
    }
    c.step(level(410), out);
    expect(Math.abs(out.z)).toBeLessThan(3);
    expect(out.expected).toBeGreaterThan(950);
    expect(out.expected).toBeLessThan(1050);
  });

  it('still measures a burst it was not given an imputed value for', () => {
    const c = warmedShift();
    for (let i = 400; i < 410; i++) {
      c.step(5000, out);
      c.learn(5000, 'incident');
    }
    c.step(level(410), out);
    expect(out.z).toBeGreaterThan(10);
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
