import {
  ewma,
  rateOfChange,
  rollingMad,
  rollingMax,
  rollingMean,
  rollingMedian,
  rollingMin,
  rollingQuantile,
  rollingStd,
  slidingWindows,
} from './rolling.js';

const xs = [1, 3, 2, 8, 4];

function close(actual: ArrayLike<number>, expected: number[]) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    if (Number.isNaN(e)) expect(actual[i]).toBeNaN();
    else expect(actual[i]).toBeCloseTo(e, 10);
  });
}

describe('rolling featurizers (hand-computed, trailing window of 3)', () => {
  it('rolling mean averages the last three values', () => {
    close(rollingMean(xs, 3), [1, 2, 2, 13 / 3, 14 / 3]);
  });

  it('rolling max and min', () => {
    close(rollingMax(xs, 3), [1, 3, 3, 8, 8]);
    close(rollingMin(xs, 3), [1, 1, 1, 2, 2]);
  });

  it('rolling sample std (n − 1) is NaN until two values', () => {
    // window [1,3]: mean 2, var 2; [1,3,2]: var 1; [3,2,8]: mean 13/3, var 31/3; [2,8,4]: mean 14/3, var 28/3
    close(rollingStd(xs, 3), [NaN, Math.SQRT2, 1, Math.sqrt(31 / 3), Math.sqrt(28 / 3)]);
  });

  it('rolling median and linear-interpolated quantiles', () => {
    close(rollingMedian(xs, 3), [1, 2, 2, 3, 4]);
    // [2,3,8] at q=0.25: pos 0.5 → 2.5; [2,4,8] → 3
    close(rollingQuantile(xs, 3, 0.25).slice(3), [2.5, 3]);
  });

  it('rolling MAD is the median of absolute deviations from the window median', () => {
    // [1,3,2]: median 2, |dev| [1,1,0] → 1; [3,2,8]: median 3, |dev| [0,1,5] → 1; [2,8,4]: median 4, [2,4,0] → 2
    close(rollingMad(xs, 3), [0, 1, 1, 1, 2]);
  });

  it('missing values keep their slot in the window but are not counted', () => {
    const withGap = [1, NaN, 5, 7];
    close(rollingMean(withGap, 2), [1, 1, 5, 6]);
    close(rollingMedian(withGap, 3), [1, 1, 3, 6]);
    close(rollingMean([NaN, NaN], 2), [NaN, NaN]);
  });

  it('ewma with alpha 0.5 halves the distance each step and carries over gaps', () => {
    close(ewma([0, 4, NaN, 8], 0.5), [0, 2, 2, 5]);
  });

  it('rate of change, absolute and relative', () => {
    close(rateOfChange([2, 4, 3], 1), [NaN, 2, -1]);
    close(rateOfChange([2, 4, 3], 1, true), [NaN, 1, -0.25]);
    close(rateOfChange([0, 4], 1, true), [NaN, NaN]);
  });

  it('sliding windows end at every stride-th index', () => {
    expect(slidingWindows(xs, 3, 2).map((w) => Array.from(w))).toEqual([
      [1, 3, 2],
      [2, 8, 4],
    ]);
  });

  it('rejects nonsense parameters with a clear message', () => {
    expect(() => rollingMean(xs, 0)).toThrow(/window must be an integer ≥ 1, got 0/);
    expect(() => rollingQuantile(xs, 3, 1.5)).toThrow(/q must be in \[0, 1\]/);
    expect(() => ewma(xs, 0)).toThrow(/alpha/);
  });
});
