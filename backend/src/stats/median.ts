/**
 * Medians of small samples, the one implementation every layer uses (the profile's medians over cycles,
 * the cold start's, the forecast's, the bench's). By hand: a sort and a middle read, where a statistics
 * library's median copies its input on every call, and the seasonal profile takes one at every point.
 * The sliding-window medians that update in O(log n) are SortedWindow's (windows.ts).
 */

/** Median of values sorted ascending (the mean of the two middle ones for an even count); NaN when empty. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median of `values`, sorting them in place (for scratch arrays on hot paths); NaN when empty. */
export function medianInPlace(values: number[] | Float64Array): number {
  return medianOfFirst(values, values.length);
}

/** Up to this many values are sorted by insertion (see medianOfFirst). */
const SMALL = 16;

/**
 * Median of the first `n` values, sorting those in place; up to 16 of them by insertion: a few comparisons
 * inline, where Array.prototype.sort calls a comparator per comparison (the seasonal profile takes three
 * medians of five values at every point: 7 % of a stream's time went to sort and its comparator).
 * Values must not be NaN (sorting them has no meaning).
 */
export function medianOfFirst(values: number[] | Float64Array, n: number): number {
  if (n > SMALL) {
    // An array of exactly n values sorts in place (median() hands over its own copy); else the first n
    // are sorted in a copy and written back.
    if (Array.isArray(values) && values.length === n) return medianOfSorted(values.sort((a, b) => a - b));
    const sorted = Array.from({ length: n }, (_, i) => values[i]).sort((a, b) => a - b);
    for (let i = 0; i < n; i++) values[i] = sorted[i];
    return medianOfSorted(sorted);
  }
  for (let i = 1; i < n; i++) {
    const x = values[i];
    let j = i - 1;
    while (j >= 0 && values[j] > x) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = x;
  }
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

/** Median of `values`, left as they are; NaN when empty. */
export function median(values: ArrayLike<number>): number {
  return medianInPlace(Array.from(values));
}

/** Median absolute deviation from the median (unscaled); 0 for fewer than two values. */
export function medianAbsoluteDeviation(values: ArrayLike<number>): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return medianInPlace(Array.from(values, (v) => Math.abs(v - m)));
}
