import { emptyDeviation } from '../detectors/component.js';
import { FLAT_HOLDING_RUN, shiftHolds } from './shiftHold.js';

/** A CUSUM's deviation: its sum (z, signed by the run's side) and the run's points. */
const run = (z: number, runPoints: number) => ({ ...emptyDeviation(), z, runPoints });

describe('shiftHolds', () => {
  const hold = 0.7;
  test('an established run at the hold level holds a point on its side', () => {
    expect(shiftHolds(run(12, FLAT_HOLDING_RUN), 0.7, hold, 1050, 1000, false)).toBe(true);
    expect(shiftHolds(run(-12, FLAT_HOLDING_RUN), 0.9, hold, 950, 1000, false)).toBe(true);
  });
  test('a run one point short of FLAT_HOLDING_RUN does not', () => {
    expect(shiftHolds(run(12, FLAT_HOLDING_RUN - 1), 2, hold, 1050, 1000, false)).toBe(false);
  });
  test('a score below the hold level does not', () => {
    expect(shiftHolds(run(12, 200), 0.69, hold, 1050, 1000, false)).toBe(false);
  });
  test('a point on the other side of expected, or at it, does not', () => {
    expect(shiftHolds(run(12, 200), 2, hold, 990, 1000, false)).toBe(false);
    expect(shiftHolds(run(12, 200), 2, hold, 1000, 1000, false)).toBe(false);
    expect(shiftHolds(run(-12, 200), 2, hold, 1010, 1000, false)).toBe(false);
  });
  test('not where the primary anticipates the series (a seasonal profile)', () => {
    expect(shiftHolds(run(12, 200), 2, hold, 1050, 1000, true)).toBe(false);
  });
  test('a test with no run (runPoints absent or NaN) does not', () => {
    expect(shiftHolds({ ...emptyDeviation(), z: 12 }, 2, hold, 1050, 1000, false)).toBe(false);
    expect(shiftHolds(run(12, NaN), 2, hold, 1050, 1000, false)).toBe(false);
  });
});
