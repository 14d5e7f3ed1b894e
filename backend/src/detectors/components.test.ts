import { LevelShiftComponent, RollingMedianComponent } from './components.js';
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
