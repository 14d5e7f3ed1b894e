import { RollingMedianComponent } from './rollingMedian.js';
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

const NORMAL = [10.5, 12.5, 11.5, 13.5, 9.5]; // median 11.5, MAD 1
const COUNTS = [10, 12, 11, 13, 9]; // median 11, MAD 1, integer-valued

/** A 5-point rolling median with an opinion from 3 points on (`hold`: learning nothing inside incidents). */
const make = (hold = false) => new RollingMedianComponent(5, 3, hold);

const cases: {
  name: string;
  hold?: boolean;
  feed: Feed[];
  x: number;
  want: Pick<Deviation, 'z' | 'expected' | 'scale'>;
}[] = [
  {
    name: 'no opinion before 3 points',
    feed: [10.5, 12.5],
    x: 11.5,
    want: { z: NaN, expected: NaN, scale: NaN },
  },
  {
    name: 'the value against the median, in MADs as σ (1.4826)',
    feed: NORMAL,
    x: 14.5,
    want: { z: 3 / 1.4826, expected: 11.5, scale: 1.4826 },
  },
  {
    name: 'a count series: the scale is at least 2 units',
    feed: COUNTS,
    x: 15,
    want: { z: 2, expected: 11, scale: 2 },
  },
  {
    name: 'only the last 5 values count',
    feed: [100.5, 100.5, 100.5, ...NORMAL],
    x: 14.5,
    want: { z: 3 / 1.4826, expected: 11.5, scale: 1.4826 },
  },
  {
    name: 'a missing value: expected and scale, no deviation',
    feed: NORMAL,
    x: NaN,
    want: { z: NaN, expected: 11.5, scale: 1.4826 },
  },
  {
    name: 'missing values are not learnt',
    feed: [10.5, NaN, 12.5, NaN, 11.5],
    x: 11.5,
    want: { z: 0, expected: 11.5, scale: 1.4826 },
  },
  {
    name: 'zeros inside an incident are not learnt (an outage)',
    feed: [...NORMAL, incident(0), incident(0), incident(0)],
    x: 11.5,
    want: { z: 0, expected: 11.5, scale: 1.4826 },
  },
  {
    name: 'zeros outside incidents are learnt (a series often at zero)',
    feed: [...COUNTS, 0, 0, 0],
    x: 0,
    want: { z: 0, expected: 0, scale: 2 },
  },
  {
    name: 'a partial drop inside an incident is learnt (it is the fallback level)',
    feed: [...COUNTS, incident(6), incident(6), incident(6)],
    x: 6,
    want: { z: 0, expected: 6, scale: 2 },
  },
  {
    name: 'inside an incident it learns what a seasonal profile expected, zeros or not, holding or not',
    hold: true,
    feed: [...NORMAL, referenced(0, 20.5), referenced(40.5, 22.5), referenced(40.5, 18.5)],
    // The last 5: 13.5, 9.5, 20.5, 22.5, 18.5: median 18.5, MAD 4.
    x: 18.5,
    want: { z: 0, expected: 18.5, scale: 4 * 1.4826 },
  },
  {
    name: 'holding in incidents, nothing of an incident is learnt',
    hold: true,
    feed: [...COUNTS, incident(6), incident(6), incident(6)],
    x: 15,
    want: { z: 2, expected: 11, scale: 2 },
  },
];

describe('RollingMedianComponent: small inputs', () => {
  it.each(cases)('$name', ({ hold, feed: points, x, want }) => {
    const c = make(hold);
    feed(c, points);
    expect(probe(c, x, want)).toEqual(want);
  });

  it.each(cases)('$name: its state survives a snapshot', ({ hold, feed: points, x }) => {
    expectRoundTrip(() => make(hold), points, x);
  });

  it('its snapshot restores only into a component with the same window', () => {
    const c = make();
    feed(c, NORMAL);
    expect(() => new RollingMedianComponent(6, 3).restore(stored(c))).toThrow(
      'component.window: is 5, this build expects 6',
    );
  });
});

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

  it('still follows a partial drop inside an incident before it has scored the series as stationary (the fallback level)', () => {
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

  /** Step and learn each point, as a detector does (the median's slow average follows what it scored). */
  function run(c: RollingMedianComponent, xs: readonly number[], mode: 'normal' | 'incident'): void {
    for (const x of xs) {
      c.step(x, out);
      c.learn(x, mode);
    }
  }
  const stationary = Array.from({ length: 400 }, (_, i) => level(i));

  it('holds an incident where the series is stationary around it: a partial drop stays a drop', () => {
    const c = new RollingMedianComponent(100);
    run(c, stationary, 'normal');
    expect(c.holds).toBe(true);
    run(c, Array<number>(80).fill(600), 'incident');
    c.step(600, out);
    // Before: the median was 600 after 50 of the drop's points, and the drop was scored normal.
    expect(out.expected).toBeGreaterThan(950);
    expect(out.z).toBeLessThan(-5);
  });

  it('does not hold where it chases a trend (a daily ramp it cannot anticipate)', () => {
    const c = new RollingMedianComponent(100);
    run(
      c,
      stationary.map((x, i) => x + 2 * i),
      'normal',
    );
    expect(c.holds).toBe(false);
  });

  it('tells a test on its residuals the series is flat only where it is (not at the crest of a slow wave)', () => {
    const flat = new RollingMedianComponent(100);
    run(flat, stationary, 'normal');
    flat.step(level(400), out);
    expect(out.stationary).toBe(true);
    // A daily wave of ±30 % whose period is not known yet: near its crest the median sits by its slow
    // average for a while (it holds), but it moved by many scales over that average's memory.
    const wave = new RollingMedianComponent(100);
    let held = 0;
    for (let i = 0; i < 700; i++) {
      const x = level(i) + 300 * Math.sin((2 * Math.PI * i) / 1440);
      wave.step(x, out);
      wave.learn(x, 'normal');
      if (wave.holds) held++;
      expect(out.stationary).toBe(false);
    }
    expect(held).toBeGreaterThan(0);
  });

  it('keeps what it knows of the series in its snapshot', () => {
    const c = new RollingMedianComponent(100);
    run(c, stationary, 'normal');
    const restored = new RollingMedianComponent(100);
    restored.restore(stored(c));
    restored.step(level(400), out);
    expect(restored.holds).toBe(true);
  });
});
