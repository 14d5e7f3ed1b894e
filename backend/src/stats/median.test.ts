import fc from 'fast-check';
import { median, medianAbsoluteDeviation, medianInPlace, medianOfFirst, medianOfSorted } from './median.js';

/** The definition: the middle value of the sorted sample, or the mean of the two middle ones. */
function reference(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 40 });

describe('median', () => {
  it('is the middle of the sorted sample, and leaves its input as it was', () => {
    fc.assert(
      fc.property(sample, (xs) => {
        const before = [...xs];
        expect(median(xs)).toBe(reference(xs));
        expect(xs).toEqual(before);
      }),
    );
  });

  it('medianInPlace sorts its input and reads the same median; medianOfSorted reads a sorted one', () => {
    fc.assert(
      fc.property(sample, (xs) => {
        const scratch = [...xs];
        expect(medianInPlace(scratch)).toBe(reference(xs));
        expect(scratch).toEqual([...xs].sort((a, b) => a - b));
        expect(medianOfSorted(scratch)).toBe(reference(xs));
        expect(medianInPlace(Float64Array.from(xs))).toBe(reference(xs));
      }),
    );
  });

  it('medianOfFirst reads the first n values only, sorting them in place (by insertion up to 16, past it too)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 40 }),
        fc.nat(),
        (xs, k) => {
          const n = xs.length === 0 ? 0 : k % (xs.length + 1);
          const values = Float64Array.from(xs);
          expect(medianOfFirst(values, n)).toBe(reference(xs.slice(0, n)));
          expect(Array.from(values.subarray(0, n))).toEqual(xs.slice(0, n).sort((a, b) => a - b));
          expect(Array.from(values.subarray(n))).toEqual(xs.slice(n));
        },
      ),
    );
  });

  it('averages the two middle values of an even count and is NaN for nothing', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNaN();
  });

  it('medianAbsoluteDeviation: the median distance from the median, 0 below two values', () => {
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 100])).toBe(1);
    expect(medianAbsoluteDeviation([5])).toBe(0);
    fc.assert(
      fc.property(sample, (xs) => {
        const m = reference(xs);
        const expected = xs.length < 2 ? 0 : reference(xs.map((x) => Math.abs(x - m)));
        expect(medianAbsoluteDeviation(xs)).toBe(expected);
      }),
    );
  });
});
