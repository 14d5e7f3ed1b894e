import { FLAT_POINTS, qualityState, windowFacts, type QualityState } from './quality.js';
import { PointRing } from './ring.js';
import { emptyPoint } from '../engine/seriesScorer.js';

const STEP = 60_000;
const STALE_AFTER = 5 * STEP;

/** Points on the step grid from 0, one per value (undefined: absent from the source). */
function series(values: (number | null | undefined)[]) {
  const timestamps: number[] = [];
  const kept: (number | null)[] = [];
  values.forEach((v, i) => {
    if (v === undefined) return;
    timestamps.push(i * STEP);
    kept.push(v);
  });
  return { timestamps, values: kept };
}

const moving = (n: number) => Array.from({ length: n }, (_, i) => 100 + (i % 7) * 3);
const constant = (n: number, v = 42) => Array.from({ length: n }, () => v);
const last = (values: unknown[]) => (values.length - 1) * STEP;

describe('data-quality states', () => {
  const cases: [
    name: string,
    values: (number | null | undefined)[],
    nowAfterLast: number,
    state: QualityState,
  ][] = [
    ['a moving series, fresh', moving(120), 0, 'ok'],
    ['a moving series, newest sample exactly stale_after old', moving(120), STALE_AFTER, 'ok'],
    ['a moving series, newest sample older than stale_after', moving(120), STALE_AFTER + 1, 'stale'],
    ['newest points null: stale from the last value', [...moving(100), ...constant(6, null!)], 0, 'stale'],
    ['no value at all', constant(30, null!), 0, 'stale'],
    [
      '20% of the last 60 steps missing (not above)',
      [...moving(60), ...moving(60).map((v, i) => (i % 5 === 0 ? null : v))],
      0,
      'ok',
    ],
    [
      '25% of the last 60 steps null',
      [...moving(60), ...moving(60).map((v, i) => (i % 4 === 1 ? null : v))],
      0,
      'gap',
    ],
    [
      '25% of the last 60 steps absent from the source',
      [...moving(60), ...moving(60).map((v, i) => (i % 4 === 1 ? undefined : v))],
      0,
      'gap',
    ],
    ['a gap in an older window does not count', [...constant(30, null!), ...moving(90)], 0, 'ok'],
    ['too young to judge a gap (9 steps, 4 missing)', [1, null, 2, null, 3, null, 4, null, 5], 0, 'ok'],
    [
      `the last ${FLAT_POINTS} values identical after moving`,
      [...moving(100), ...constant(FLAT_POINTS)],
      0,
      'flatline',
    ],
    [
      `the last ${FLAT_POINTS - 1} identical: not yet`,
      [...moving(100), ...constant(FLAT_POINTS - 1)],
      0,
      'ok',
    ],
    ['flat at zero after moving', [...moving(100), ...constant(30, 0)], 0, 'flatline'],
    ['always constant: never moved', constant(200), 0, 'ok'],
    [
      'mostly constant with rare spikes (spread 0): not a flatline',
      [...constant(100).map((v, i) => (i % 20 ? v : 500)), ...constant(20)],
      0,
      'ok',
    ],
    ['stale wins over gap and flatline', [...moving(100), ...constant(20)], STALE_AFTER + 1, 'stale'],
    [
      'gap wins over flatline',
      [...moving(100), ...constant(20).map((v, i) => (i < 15 ? undefined : v)), ...constant(12)],
      0,
      'gap',
    ],
  ];

  test.each(cases)('%s', (_name, values, nowAfterLast, state) => {
    const points = series(values);
    const facts = windowFacts(points, STEP);
    expect(qualityState(facts, last(values) + nowAfterLast, STALE_AFTER)).toBe(state);
  });

  // A job reads its ring in place (no copied columns per scrape): the same facts as from the copies,
  // also once the ring has wrapped around and dropped the oldest points.
  test.each(cases)('%s: the same facts read from a ring in place', (_name, values) => {
    const { timestamps, values: kept } = series(values);
    for (const capacity of [16, 64, 1000]) {
      const ring = new PointRing(capacity);
      timestamps.forEach((timestamp, i) =>
        ring.push({ ...emptyPoint(), timestamp, value: kept[i], state: 'ok' }),
      );
      expect(windowFacts(ring, STEP)).toEqual(windowFacts(ring.values(), STEP));
    }
  });

  test('the facts name the newest sample', () => {
    expect(windowFacts(series([1, 2, null, undefined]), STEP)).toEqual({
      lastSampleAt: STEP,
      gap: false,
      flatline: false,
    });
    expect(windowFacts(series([]), STEP).lastSampleAt).toBeNull();
  });
});
