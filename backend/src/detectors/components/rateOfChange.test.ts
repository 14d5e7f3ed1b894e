import { RateOfChangeComponent } from './rateOfChange.js';
import type { Deviation } from '../component.js';
import { expectRoundTrip, feed, incident, probe, stored, type Feed } from '../testing/componentTable.js';

/** The changes of the last 5 steps, an opinion from 3 changes on. */
const make = () => new RateOfChangeComponent(5, 3);
/** Changes 1, 2, 1, 2: median 1.5, MAD 0.5 (σ 0.7413). */
const NORMAL = [10.5, 11.5, 13.5, 14.5, 16.5];
const SIGMA = 1.4826 * 0.5;

const cases: { name: string; feed: Feed[]; x: number; want: Pick<Deviation, 'z' | 'expected' | 'scale'> }[] =
  [
    {
      name: 'no opinion before 3 changes',
      feed: [10.5, 11.5, 13.5],
      x: 14.5,
      want: { z: NaN, expected: NaN, scale: NaN },
    },
    {
      name: 'the change against the median change, in MADs as σ; no expected value',
      feed: NORMAL,
      x: 18.5,
      want: { z: 0.5 / SIGMA, expected: NaN, scale: SIGMA },
    },
    {
      name: 'a drop is a negative change',
      feed: NORMAL,
      x: 12,
      want: { z: -6 / SIGMA, expected: NaN, scale: SIGMA },
    },
    {
      name: 'a count series: the scale is at least 2 units',
      feed: [10, 11, 13, 14, 16],
      x: 26,
      want: { z: 4.25, expected: NaN, scale: 2 },
    },
    {
      name: 'a missing value: no opinion',
      feed: NORMAL,
      x: NaN,
      want: { z: NaN, expected: NaN, scale: NaN },
    },
    {
      name: 'after a missing value, the change from the last value seen',
      feed: [...NORMAL, NaN],
      x: 18.5,
      want: { z: 0.5 / SIGMA, expected: NaN, scale: SIGMA },
    },
    {
      name: 'an incident’s changes are not learnt, but its last value is the next change’s start',
      feed: [...NORMAL, incident(40.5), incident(17.5)],
      x: 19.5,
      want: { z: 0.5 / SIGMA, expected: NaN, scale: SIGMA },
    },
  ];

describe('RateOfChangeComponent: small inputs', () => {
  it.each(cases)('$name', ({ feed: points, x, want }) => {
    const c = make();
    feed(c, points);
    expect(probe(c, x, want)).toEqual(want);
  });

  it.each(cases)('$name: its state survives a snapshot', ({ feed: points, x }) => {
    expectRoundTrip(make, points, x);
  });

  it('its snapshot restores only into a component with the same window', () => {
    const c = make();
    feed(c, NORMAL);
    expect(() => new RateOfChangeComponent(6, 3).restore(stored(c))).toThrow(
      'component.window: is 5, this build expects 6',
    );
  });
});
