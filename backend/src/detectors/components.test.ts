import { RollingMedianComponent } from './components.js';
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
