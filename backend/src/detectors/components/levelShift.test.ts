import { LevelShiftComponent } from './levelShift.js';
import type { Deviation } from '../component.js';
import {
  expectRoundTrip,
  feed,
  incident,
  probe,
  referenced,
  stored,
  type Feed,
} from '../testing/componentTable.js';

/** The median of the last 3 points against the median of the 5 before them (an opinion once it has 5). */
const make = () => new LevelShiftComponent(3, 5);
/** The base: median 11.5, MAD 1 (σ 1.4826). Its points reach the base 3 points later (behind the recent window). */
const BASE = [10.5, 12.5, 11.5, 13.5, 9.5];
const SIGMA = 1.4826;

const cases: {
  name: string;
  feed: Feed[];
  x: number;
  want: Partial<Pick<Deviation, 'z' | 'expected' | 'scale'>>;
}[] = [
  {
    name: 'no opinion until 5 points have passed the recent window',
    feed: [...BASE, 11.5, 11.5],
    x: 11.5,
    want: { z: NaN, expected: NaN, scale: NaN },
  },
  {
    name: 'the recent median against the base median, in MADs as σ',
    feed: [...BASE, 11.5, 20.5, 20.5],
    x: 20.5,
    want: { z: 9 / SIGMA, expected: 11.5, scale: SIGMA },
  },
  {
    name: 'a single spike is not a shift',
    feed: [...BASE, 11.5, 11.5, 20.5],
    x: 11.5,
    want: { z: 0, expected: 11.5, scale: SIGMA },
  },
  {
    name: 'a missing value: no opinion',
    feed: [...BASE, 11.5, 11.5, 11.5],
    x: NaN,
    want: { z: NaN, expected: NaN, scale: NaN },
  },
  {
    name: 'an imputed incident stands in the recent window, so it does not echo after it ends',
    feed: [...BASE, 11.5, incident(50.5, 11.5), incident(50.5, 11.5)],
    x: 11.5,
    want: { z: 0, expected: 11.5, scale: SIGMA },
  },
  {
    name: 'an incident that is not imputed is measured',
    feed: [...BASE, 11.5, incident(50.5), incident(50.5)],
    x: 11.5,
    want: { z: 39 / SIGMA, expected: 11.5, scale: SIGMA },
  },
  {
    name: 'the base learns an incident’s points held at the expected level',
    feed: [...BASE, 11.5, 11.5, 11.5, incident(50.5), incident(50.5), incident(50.5), 11.5, 11.5, 11.5],
    x: 11.5,
    want: { expected: 11.5 },
  },
  {
    name: 'the base learns what a seasonal profile expected for an incident’s points, not its own median',
    feed: [
      ...BASE,
      11.5,
      11.5,
      11.5,
      referenced(50.5, 30.5),
      referenced(50.5, 30.5),
      referenced(50.5, 30.5),
      11.5,
      11.5,
      11.5,
    ],
    x: 11.5,
    want: { expected: 30.5 },
  },
  {
    name: 'a reference is not used outside incidents',
    feed: [
      ...BASE,
      11.5,
      11.5,
      11.5,
      { x: 50.5, reference: 30.5 },
      { x: 50.5, reference: 30.5 },
      50.5,
      11.5,
      11.5,
      11.5,
    ],
    x: 11.5,
    want: { expected: 50.5 },
  },
  {
    name: 'the base learns normal points as they are',
    feed: [...BASE, 11.5, 11.5, 11.5, 50.5, 50.5, 50.5, 11.5, 11.5, 11.5],
    x: 11.5,
    want: { expected: 50.5 },
  },
];

describe('LevelShiftComponent: small inputs', () => {
  it.each(cases)('$name', ({ feed: points, x, want }) => {
    const c = make();
    feed(c, points);
    expect(probe(c, x, want)).toEqual(want);
  });

  it.each(cases)('$name: its state survives a snapshot', ({ feed: points, x }) => {
    expectRoundTrip(make, points, x);
  });

  it('its snapshot restores only into a component with the same windows', () => {
    const c = make();
    feed(c, BASE);
    expect(() => new LevelShiftComponent(4, 5).restore(stored(c))).toThrow(
      'component.recent: is 3, this build expects 4',
    );
    expect(() => new LevelShiftComponent(3, 6).restore(stored(c))).toThrow(
      'component.window: is 5, this build expects 6',
    );
  });
});

function level(i: number): number {
  return 1000 + 20 * Math.sin(i);
}

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
