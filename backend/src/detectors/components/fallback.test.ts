import { EwmaComponent } from './ewma.js';
import { FallbackComponent, FallbackState, LeafComponentState } from './fallback.js';
import { RollingMedianComponent } from './rollingMedian.js';
import type { Deviation } from '../component.js';
import { expectRoundTrip, feed, probe, stored, type Feed } from '../testing/componentTable.js';

/**
 * A fast average with an opinion from 5 points (half-life 1), falling back to a 5-point rolling median
 * with one from 3. Fed 10.5, 14.5, 10.5, 14.5, 10.5 the average is 11.75 and its variance 3.4375.
 */
const make = () => new FallbackComponent(new EwmaComponent(1, 4, 5), new RollingMedianComponent(5, 3));
const ALTERNATING = [10.5, 14.5, 10.5, 14.5, 10.5];

const cases: {
  name: string;
  feed: Feed[];
  x: number;
  want: Pick<Deviation, 'z' | 'expected' | 'scale'>;
  feature: string;
}[] = [
  {
    name: 'neither has an opinion yet: the fallback’s none',
    feed: [10.5, 12.5],
    x: 11.5,
    want: { z: NaN, expected: NaN, scale: NaN },
    feature: 'level_vs_rolling_median',
  },
  {
    name: 'the fallback’s deviation while the primary has no opinion',
    feed: [10.5, 12.5, 11.5, 13.5],
    x: 14.5,
    want: { z: 2.5 / 1.4826, expected: 12, scale: 1.4826 },
    feature: 'level_vs_rolling_median',
  },
  {
    name: 'the primary’s once it has one',
    feed: ALTERNATING,
    x: 14.5,
    want: { z: 2.75 / Math.sqrt(3.4375), expected: 11.75, scale: Math.sqrt(3.4375) },
    feature: 'level_vs_ewma',
  },
  {
    name: 'a missing value: the primary’s expected value and scale, once it has an opinion',
    feed: ALTERNATING,
    x: NaN,
    want: { z: NaN, expected: 11.75, scale: Math.sqrt(3.4375) },
    feature: 'level_vs_ewma',
  },
  {
    name: 'the primary’s, on from the point it first had one (its average then 13.125, variance 3.609375)',
    feed: [...ALTERNATING, 14.5],
    x: 10.5,
    want: { z: -2.625 / Math.sqrt(3.609375), expected: 13.125, scale: Math.sqrt(3.609375) },
    feature: 'level_vs_ewma',
  },
];

describe('FallbackComponent: small inputs', () => {
  it.each(cases)('$name', ({ feed: points, x, want, feature }) => {
    const c = make();
    feed(c, points);
    expect(probe(c, x, want)).toEqual(want);
    expect(c.feature).toBe(feature);
  });

  it.each(cases)('$name: its state survives a snapshot', ({ feed: points, x }) => {
    expectRoundTrip(make, points, x);
  });

  it('its snapshot restores only into a fallback built of the same components', () => {
    const c = make();
    feed(c, ALTERNATING);
    const swapped = new FallbackComponent(new RollingMedianComponent(5, 3), new EwmaComponent(1, 4, 5));
    expect(() => swapped.restore(stored(c))).toThrow(
      'component.primary.type: is "ewma", this detector has a rolling_median component here',
    );
  });

  it('the format nests no fallback in a fallback, and knows no variance_change component', () => {
    const c = make();
    feed(c, ALTERNATING);
    const nested = { ...c.snapshot(), primary: c.snapshot() };
    expect(FallbackState.safeParse(nested).error?.issues[0].message).toBe(
      'unknown component type, expected one of rolling_median, ewma, rate_of_change, level_shift, residual_shift, cusum, spread, seasonal, kmeans',
    );
    expect(LeafComponentState.safeParse({ type: 'variance_change' }).success).toBe(false);
  });
});
