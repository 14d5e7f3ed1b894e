import { EwmaComponent } from './ewma.js';
import type { Deviation } from '../component.js';
import { expectRoundTrip, feed, incident, probe, stored, type Feed } from '../testing/componentTable.js';

/**
 * Half-life 1 (each update moves the mean half-way), clipped at 4 deviations, an opinion from 3 points.
 * Fed 10.5, 14.5, 10.5: the mean goes 10.5 → 12.5 → 11.5 and the variance 0 → 4 → 3.
 */
const make = () => new EwmaComponent(1, 4, 3);
const WARM = [10.5, 14.5, 10.5];
const SD = Math.sqrt(3);
/** A jump of 100 after WARM, winsorized at 4 deviations. */
const CLIPPED = 4 * SD;

const cases: { name: string; feed: Feed[]; x: number; want: Pick<Deviation, 'z' | 'expected' | 'scale'> }[] =
  [
    {
      name: 'no opinion before 3 points',
      feed: [10.5, 14.5],
      x: 10.5,
      want: { z: NaN, expected: NaN, scale: NaN },
    },
    {
      name: 'the value against the mean, in EW deviations',
      feed: WARM,
      x: 14.5,
      want: { z: 3 / SD, expected: 11.5, scale: SD },
    },
    {
      name: 'a count series: the scale is at least 2 units',
      feed: [10, 14, 10],
      x: 17,
      want: { z: 3, expected: 11, scale: 2 },
    },
    {
      name: 'a missing value: expected and scale, no deviation',
      feed: WARM,
      x: NaN,
      want: { z: NaN, expected: 11.5, scale: SD },
    },
    {
      name: 'missing values are not learnt',
      feed: [10.5, NaN, 14.5, NaN, 10.5],
      x: 14.5,
      want: { z: 3 / SD, expected: 11.5, scale: SD },
    },
    {
      name: 'a jump is learnt winsorized at 4 deviations',
      feed: [...WARM, 111.5],
      x: 11.5 + 0.5 * CLIPPED,
      want: { z: 0, expected: 11.5 + 0.5 * CLIPPED, scale: Math.sqrt(0.5 * (3 + 0.5 * CLIPPED * CLIPPED)) },
    },
    {
      name: 'inside an incident the level follows, the spread does not learn',
      feed: [...WARM, incident(13.5)],
      x: 12.5,
      want: { z: 0, expected: 12.5, scale: SD },
    },
  ];

describe('EwmaComponent: small inputs', () => {
  it.each(cases)('$name', ({ feed: points, x, want }) => {
    const c = make();
    feed(c, points);
    expect(probe(c, x, want)).toEqual(want);
  });

  it.each(cases)('$name: its state survives a snapshot', ({ feed: points, x }) => {
    expectRoundTrip(make, points, x);
  });

  it('its snapshot restores only into a component with the same half-life', () => {
    const c = make();
    feed(c, WARM);
    expect(() => new EwmaComponent(2, 4, 3).restore(stored(c))).toThrow(
      'component.halfLife: is 1, this build expects 2',
    );
  });
});
