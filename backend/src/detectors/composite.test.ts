import { CompositeDetector } from './composite.js';
import { createDetector } from './registry.js';
import { emptyDeviation, emptyDeviations } from './component.js';
import { EwmaComponent } from './components/ewma.js';
import { RollingMedianComponent } from './components/rollingMedian.js';
import type { Component } from './component.js';

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

/** A 20-point burst to 5,000 learnt in incident mode, with `imputed` (NaN: none); then one normal step. */
function afterBurst(imputed: number) {
  const d = warmed();
  for (let i = 0; i < 20; i++) {
    d.update(5000);
    d.learn(5000, 'incident', imputed);
  }
  return d.update(1000).deviations;
}

describe('CompositeDetector: learning inside incidents', () => {
  it('the other components learn the imputed value (the primary’s expected), not the incident', () => {
    // After a 20-point burst the fast average still expects the normal level, so the recovery is normal.
    expect(Math.abs(afterBurst(1000)[1].expected - 1000)).toBeLessThan(15);
    expect(afterBurst(NaN)[1].expected - 1000).toBeGreaterThan(15);
  });

  it('the primary learns x itself (its own bounded incident learning), whatever is imputed', () => {
    expect(afterBurst(1000)[0].expected).toBe(afterBurst(NaN)[0].expected);
  });
});

describe('CompositeDetector: an incident opening', () => {
  type Part = ConstructorParameters<typeof CompositeDetector>[1][number];
  /** A component with only what the composite reads, and `more` on top. */
  const stub = (more: Partial<Component>): Part =>
    ({
      feature: 'stub',
      kindUp: 'spike',
      kindDown: 'dip',
      providesBand: false,
      affine: false,
      step: () => {},
      learn: () => {},
      snapshot: () => ({ type: 'stub' }),
      restore: () => {},
      ...more,
    }) as unknown as Part;

  it('sets the primary’s level offset back to where the first open run began', () => {
    const restored: number[] = [];
    const primary = stub({ providesBand: true, restoreOffset: (o) => restored.push(o) });
    const none = stub({ runStartOffset: NaN });
    const d = new CompositeDetector(
      'test',
      [primary, none, stub({ runStartOffset: 7 }), stub({ runStartOffset: 9 })],
      10,
    );
    d.incidentOpened();
    expect(restored).toEqual([7]);
  });

  it('does nothing while no run is open', () => {
    const restored: number[] = [];
    const primary = stub({ providesBand: true, restoreOffset: (o) => restored.push(o) });
    new CompositeDetector('test', [primary, stub({ runStartOffset: NaN }), stub({})], 10).incidentOpened();
    expect(restored).toEqual([]);
  });
});

describe('CompositeDetector: few shapes of deviation', () => {
  it('the deviations of `auto` have at most three sets of fields, each starting with emptyDeviation’s', () => {
    // Five hidden classes made the calibrator's reads of their z megamorphic, a boxed double each
    // (emptyDeviation); V8 keeps a load polymorphic up to four.
    const shapes = new Set<string>();
    for (const period of [1440, null] as const) {
      const d = createDetector('auto', { period, stepMs: 60_000 });
      for (let i = 0; i < 3000; i++) {
        const x = i % 700 < 20 ? 5000 : 1000 + 200 * Math.sin((2 * Math.PI * i) / 1440) + ((i * 7919) % 13);
        const step = d.update(x, i * 60_000);
        d.learn(x, i % 700 < 20 ? 'incident' : 'normal');
        for (const dev of step.deviations) shapes.add(Object.keys(dev).join());
      }
    }
    expect(shapes.size).toBeLessThanOrEqual(3);
    const first = Object.keys(emptyDeviation()).join();
    for (const shape of shapes) expect(shape.startsWith(first)).toBe(true);
  });
});

describe('emptyDeviations', () => {
  it('is n distinct empty deviations, each as emptyDeviation makes it', () => {
    const devs = emptyDeviations(10);
    expect(devs).toHaveLength(10);
    expect(new Set(devs).size).toBe(10);
    for (const d of devs) expect(d).toEqual(emptyDeviation());
    expect(emptyDeviations(0)).toEqual([]);
  });
});
