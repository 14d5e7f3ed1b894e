/**
 * Helpers for the components' table tests: feed a component small inputs, read the deviation it gives
 * the next point, and take its state through a snapshot (JSON and the detector's snapshot union) into a
 * freshly built one.
 */
import { emptyDeviation, type Component, type Deviation, type LearnMode } from '../component.js';
import { ComponentState } from '../snapshot.js';

/**
 * A point as a component sees it: stepped with x (and the primary's deviation, for a test on its
 * residuals), then learnt as `learn` (default x: a detector imputing an incident's point learns
 * another value) in `mode` (default normal), with `reference` (Component.learn; default none). A plain
 * number: stepped and learnt as a normal point.
 */
export interface Point {
  x: number;
  learn?: number;
  mode?: LearnMode;
  primary?: Deviation;
  reference?: number;
}
export type Feed = number | Point;

const asPoint = (p: Feed): Point => (typeof p === 'number' ? { x: p } : p);

/** A point stepped and learnt inside an incident. */
export const incident = (x: number, learn = x): Point => ({ x, learn, mode: 'incident' });

/** A point stepped and learnt inside an incident, with what a seasonal profile expected (Component.learn). */
export const referenced = (x: number, reference: number): Point => ({ x, mode: 'incident', reference });

/** Step and learn every point, in order. */
export function feed(c: Component, points: readonly Feed[]): void {
  const out = emptyDeviation();
  for (const p of points.map(asPoint)) {
    c.step(p.x, out, p.primary);
    c.learn(p.learn ?? p.x, p.mode ?? 'normal', p.reference);
  }
}

/** The deviation `c` gives the point (stepped, not learnt), reduced to the fields `like` has. */
export function probe<W extends Partial<Deviation>>(c: Component, point: Feed, like: W): W {
  const p = asPoint(point);
  const out = emptyDeviation();
  c.step(p.x, out, p.primary);
  return Object.fromEntries(Object.keys(like).map((k) => [k, out[k as keyof Deviation]])) as W;
}

/** `c`'s snapshot as a store would give it back: through JSON, parsed by the detector's snapshot union. */
export function stored(c: Component): ComponentState {
  return ComponentState.parse(JSON.parse(JSON.stringify(c.snapshot())));
}

/**
 * A component built by `make`, fed `points`, then restored into a second one built by `make`: both must
 * have the same snapshot and give the probe the same deviation.
 */
export function expectRoundTrip(make: () => Component, points: readonly Feed[], point: Feed): void {
  const original = make();
  feed(original, points);
  const restored = make();
  restored.restore(stored(original));
  expect(restored.snapshot()).toEqual(original.snapshot());
  const all = { z: 0, expected: 0, scale: 0, shift: 0 };
  expect(probe(restored, point, all)).toEqual(probe(original, point, all));
}
