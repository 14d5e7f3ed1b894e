import { CompositeDetector } from './composite.js';
import { EwmaComponent, RollingMedianComponent } from './components.js';

/** A primary level (100-point median) and a fast average, after 300 normal points around 1000. */
function warmed(): CompositeDetector {
  const d = new CompositeDetector('test', [new RollingMedianComponent(100), new EwmaComponent(5)], 10);
  for (let i = 0; i < 300; i++) {
    const x = 1000 + 10 * Math.sin(i);
    d.update(x);
    d.learn(x, 'normal');
  }
  return d;
}

describe('CompositeDetector: learning inside incidents', () => {
  it('the other components learn the imputed value (the primary’s expected), not the incident', () => {
    const imputed = warmed();
    const plain = warmed();
    for (let i = 0; i < 20; i++) {
      imputed.update(5000);
      imputed.learn(5000, 'incident', 1000);
      plain.update(5000);
      plain.learn(5000, 'incident');
    }
    const fast = (d: CompositeDetector) => d.update(1000).deviations[1].expected;
    // After a 20-point burst the fast average still expects the normal level, so the recovery is normal.
    expect(Math.abs(fast(imputed) - 1000)).toBeLessThan(15);
    expect(fast(plain) - 1000).toBeGreaterThan(15);
  });

  it('the primary learns x itself (its own bounded incident learning), whatever is imputed', () => {
    const a = warmed();
    const b = warmed();
    for (let i = 0; i < 20; i++) {
      a.update(5000);
      a.learn(5000, 'incident', 1000);
      b.update(5000);
      b.learn(5000, 'incident');
    }
    expect(a.update(1000).deviations[0].expected).toBe(b.update(1000).deviations[0].expected);
  });
});
