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
  values.sort((a, b) => a - b);
  return medianOfSorted(values);
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
